"""The plan appendix's file read as rows of text, whatever its format.

`read_table`: an .xlsx (its first sheet; formulas read as their last computed
value; a cell merged across rows read in each row it covers), a .docx (the
first of its tables with the appendix's header, a merged cell read in each
place it covers) or a .csv (UTF-8, with or without BOM), each row with the
number a spreadsheet program or Word shows.

tasks.appendix.parse understands the rows.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from kit.errors import Invalid, TooLarge, UnsupportedType
from tasks.appendix.columns import header_in

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 100 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL = 32767  # characters in a cell: Excel's own limit
HEADER_SLACK = 50  # title rows above the table and notes below it, beyond MAX_ROWS tasks


@dataclass
class Table:
    rows: list[tuple[int, list[str]]]  # (row number as shown, cells as text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, name: str) -> Table:
    """The file's rows as text; refuses what is not a spreadsheet or document."""
    if len(data) > MAX_BYTES:
        raise TooLarge(
            _("The file is %(size)s MB; an appendix may be at most 10 MB.")
            % {"size": round(len(data) / 1048576, 1)}
        )
    if not data.strip():
        raise Invalid(_("The file is empty."), {"file": _("The file is empty.")})
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if data[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(data)):
        try:
            members = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise UnsupportedType(_("The file is damaged: it cannot be opened.")) from None
        if sum(m.file_size for m in members) > MAX_UNPACKED:
            raise TooLarge(_("The file unpacks to more than 100 MB: it is no appendix."))
        names = [m.filename for m in members]
        if any(n.startswith("xl/") for n in names):
            return _xlsx(data)
        if any(n.startswith("word/") for n in names):
            return _docx(data)
    elif suffix == "csv" or (suffix in ("", "txt") and b"\x00" not in data[:4096]):
        return _csv(data)
    raise UnsupportedType(
        _(
            "This is not an appendix the product reads: send an Excel (.xlsx), Word (.docx) "
            "or CSV file."
        )
    )


def _too_many_rows() -> Invalid:
    return Invalid(_("The appendix has more than %(n)d rows.") % {"n": MAX_ROWS})


def _cell_too_long(row: int | None = None) -> Invalid:
    message = _("A cell holds more than %(n)s characters (Excel's own limit).") % {
        "n": f"{MAX_CELL:,}".replace(",", ".")
    }
    if row is not None:
        message = _("Row %(row)s: %(message)s") % {"row": row, "message": message}
    return Invalid(message, {"file": message})


# A text run longer than this many bytes holds more than MAX_CELL characters
# whatever its encoding (a character is at most 9 bytes, as an entity &#x10FFFF;).
TEXT_OPENS = re.compile(rb"<t(?:\s[^>]*)?>")


def _check_text_runs(stream: IO[bytes]) -> None:
    """Refuse a shared-strings part with an over-long text, reading it a block at a time.

    openpyxl reads the whole shared-strings part when it opens a workbook, even
    read-only: one 90 MB cell took 1.27 GB. Here no more than a block is held.
    """
    limit, run, inside, carry = MAX_CELL * 9, 0, False, b""
    while block := stream.read(1 << 16):
        data, carry, position = carry + block, b"", 0
        while True:
            if inside:
                end = data.find(b"</t>", position)
                run += (len(data) if end < 0 else end) - position
                if run > limit:
                    raise _cell_too_long()
                if end < 0:
                    break
                inside, position = False, end + 4
            else:
                opening = TEXT_OPENS.search(data, position)
                if opening is None:
                    carry = data[-32:]  # a tag cut between two blocks
                    break
                inside, run, position = True, 0, opening.end()


def _merged_ranges(book: Any, sheet: Any) -> list[tuple[int, int, int, int]]:
    """The merged blocks of a read-only sheet, from its part's <mergeCell> elements,
    read a block at a time (read-only sheets do not list them)."""
    from openpyxl.utils.cell import range_boundaries

    found: list[tuple[int, int, int, int]] = []
    pattern = re.compile(rb'<mergeCell ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
    tail = b""
    with book._archive.open(sheet._worksheet_path) as part:
        while block := part.read(1 << 16):
            text = tail + block
            for match in pattern.finditer(text):
                min_col, min_row, max_col, max_row = range_boundaries(match[1].decode())
                found.append((min_row, min_col, max_row, max_col))
            tail = text[-64:]
    return sorted(set(found))


class _StreamedSheet(ReadOnlyWorksheet):
    """A read-only sheet that does not read its whole part to learn its size first.

    openpyxl's own reads the part from end to end when it has no <dimension>
    element (which any writer may leave out) before giving the first row: a
    400,000-row sheet then took seconds before the row limit could apply.
    """

    def _get_size(self) -> None:
        return None


class _FirstSheetReader(ExcelReader):
    """openpyxl's reader, read-only, giving the first worksheet as a _StreamedSheet."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                self.wb._sheets.append(
                    _StreamedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                )
                return


def _xlsx(data: bytes) -> Table:  # noqa: C901 (one pass over the sheet's XML events)
    """The first sheet's rows, read a row at a time (openpyxl's read-only mode).

    - more than MAX_ROWS filled rows (or 20 times that with formatted empty
      ones) stops the reading at once: 422;
    - a cell over MAX_CELL characters (32,767, Excel's own) stops it too, and a
      shared-strings part holding one is refused before openpyxl reads it.
    A 400,000-row sheet is refused after its first few thousand rows, with
    the memory of those rows only.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            if member.filename.lower().endswith("sharedstrings.xml"):
                with archive.open(member) as stream:
                    _check_text_runs(stream)
    try:
        reader = _FirstSheetReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read()
        book = reader.wb
        sheet = book.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnsupportedType(_("The Excel file cannot be opened: %(e)s") % {"e": error}) from None
    try:
        rows: list[tuple[int, list[Any]]] = []
        filled = 0
        for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if r > 20 * MAX_ROWS:
                raise _too_many_rows()
            values = list(row)
            if any(v not in (None, "") for v in values):
                filled += 1
                if filled > MAX_ROWS + HEADER_SLACK:
                    raise _too_many_rows()
            for value in values:
                if isinstance(value, str) and len(value) > MAX_CELL:
                    raise _cell_too_long(r)
            rows.append((r, values))
        merges = _merged_ranges(book, sheet)
    except (Invalid, TooLarge):
        raise
    except Exception as error:  # a damaged part shows only once it is read
        raise UnsupportedType(_("The Excel file cannot be opened: %(e)s") % {"e": error}) from None
    finally:
        book.close()
    # A value merged across rows stands in each row it covers.
    merged: dict[tuple[int, int], Any] = {}
    by_row = {r: values for r, values in rows}
    width = max((len(values) for _r, values in rows), default=0)
    last = rows[-1][0] if rows else 0
    covered = 0
    for min_row, min_col, found_max_row, found_max_col in merges:
        # Clipped to the rows read and the table's width: one merged block written
        # as A1:XFD1048576 would otherwise stand for seventeen billion cells.
        max_row, max_col = min(found_max_row, last), min(found_max_col, width)
        covered += max(0, max_row - min_row + 1) * max(0, max_col - min_col + 1)
        if covered > 2 * width * last:  # merged blocks overlapping each other: no table
            message = _("The sheet's merged cells overlap: it cannot be read as a table.")
            raise Invalid(message, {"file": message})
        first = by_row.get(min_row, [])
        value = first[min_col - 1] if min_col - 1 < len(first) else None
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                merged[(r, c)] = value if c == min_col else None
    table = []
    for r, values in rows:
        padded = [*values, *[None] * (width - len(values))]
        cells = [_text(merged.get((r, c), v)) for c, v in enumerate(padded, start=1)]
        table.append((r, cells))
    return Table(table)


def _docx(data: bytes) -> Table:
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds for a damaged file
        raise UnsupportedType(_("The Word file cannot be opened: %(e)s") % {"e": error}) from None
    if not document.tables:
        raise Invalid(_("The Word file holds no table."), {"file": _("No table.")})
    tables = [
        [(r, [cell.text.strip() for cell in row.cells]) for r, row in enumerate(t.rows, start=1)]
        for t in document.tables
    ]
    # The appendix is the table with its header; a title or signature table is not.
    found = next((rows for rows in tables if header_in(rows) is not None), tables[0])
    return Table(found)


def _csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedType(_("The CSV file is not UTF-8 text.")) from None
    dialect: Any = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    try:
        rows = [
            (r, [c.strip() for c in cells])
            for r, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1)
        ]
    except csv.Error as error:
        raise Invalid(
            _("The CSV file cannot be read: %(e)s") % {"e": error}, {"file": str(error)}
        ) from None
    return Table(rows)
