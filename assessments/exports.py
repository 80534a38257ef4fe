"""The results as an Excel workbook: one row per unit, one column per sub-criterion.

A title row with the plan and the date, Vietnamese headers, numbers as
numbers, widths set and the header row frozen, as a province's office files it.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from assessments.models import Assessment, Phase, Result
from plans.models import Level
from plans.scoring import code_key


def _number(value: object) -> float | None:
    return None if value is None else float(Decimal(str(value)))


def results_workbook(a: Assessment, rows: list[Result]) -> bytes:
    """The workbook's bytes: the results (the points that count, one column per
    sub-criterion), then the units' own points in a second sheet of the same shape."""
    codes = sorted({code for r in rows for code in r.lines}, key=code_key)
    book = Workbook()
    published = a.status == Phase.PUBLISHED and a.published_at is not None
    day = timezone.localtime(a.published_at).date() if published else timezone.localdate()
    state = _("published") if published else _("not yet published")
    title = _("Assessment results of %(plan)s (%(number)s), %(state)s, as of %(date)s") % {
        "plan": a.plan.title,
        "number": a.plan.document_number,
        "state": state,
        "date": day.strftime("%d/%m/%Y"),
    }
    levels = dict(Level.choices)
    results = book.active
    results.title = _("Results")
    _fill(results, title, codes, rows, levels, pick=1)
    own = book.create_sheet(_("Self-assessment"))
    _fill(own, title, codes, rows, levels, pick=0)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(
    sheet: Any,
    title: str,
    codes: list[str],
    rows: list[Result],
    levels: dict[str, Any],
    pick: int,
) -> None:
    """One sheet: a row per unit, a column per sub-criterion (pick 0: the unit's points;
    1: the appraised points, or the unit's where the council scored none), the totals."""
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    header = [_("Unit"), _("Level"), *codes]
    header += [
        _("Self-assessed total"),
        _("Appraised total"),
        _("Applicable maximum"),
        _("Index (%)"),
        _("Rank"),
        _("Group"),
    ]
    sheet.append(header)
    for r in rows:
        cells: list[object] = [r.unit.name, str(levels.get(r.level, r.level))]
        for code in codes:
            own, judged = r.lines.get(code, [None, None])
            cells.append(_number(own if pick == 0 or judged is None else judged))
        cells += [
            _number(r.self_total),
            _number(r.appraised_total),
            _number(r.applicable_max),
            _number(r.index_pct),
            r.rank,
            r.group,
        ]
        sheet.append(cells)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C3"
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 16
    for column in range(3, len(header) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    for row in sheet.iter_rows(min_row=3, min_col=3):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
