"""Excel workbooks as a province's office files them: a title row with what and when,
Vietnamese headers, real numbers and dates, widths set, the header row frozen.

Plain data in, bytes out (openpyxl), and the download that carries them; every
export of the product goes through here.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters Excel refuses
    return value


def _as_text(cells: Iterable[Any]) -> None:
    """Text typed by people stays text: "=…" from a title is no formula."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def fill_sheet(
    sheet: Any,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int],
    frozen_columns: int = 0,
) -> None:
    """The title in row 1, the header in row 2 (frozen, with `frozen_columns` on its left),
    then one row per item: dates as dates, decimals as numbers with two decimals."""
    sheet.append([_cell(title)])
    _as_text(sheet[1])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(header))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([_cell(v) for v in row])
        _as_text(sheet[sheet.max_row])
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}3"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(cell.value, float):
                cell.number_format = "0.00"
            elif isinstance(cell.value, str) and len(cell.value) > 40:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def new_workbook() -> tuple[Workbook, Any]:
    book = Workbook()
    return book, book.active


def to_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def attachment(data: bytes, content_type: str, name: str) -> HttpResponse:
    """A file to download named `name`: every export, page or API, answers so."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    """A workbook as a download named `name`."""
    return attachment(data, XLSX, name)
