"""The results as an Excel workbook: one row per unit, one column per sub-criterion.

A title row with the plan and the date, Vietnamese headers, numbers as
numbers, widths set and the header row frozen, as a province's office files it.
"""

from __future__ import annotations

import io
from decimal import Decimal

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
    """The workbook's bytes: for each sub-criterion, the unit's points and the council's."""
    codes = sorted({code for r in rows for code in r.lines}, key=code_key)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Results")
    state = _("published") if a.status == Phase.PUBLISHED else _("not yet published")
    title = _("Assessment results of %(plan)s (%(number)s), %(state)s, as of %(date)s") % {
        "plan": a.plan.title,
        "number": a.plan.document_number,
        "state": state,
        "date": timezone.localdate().strftime("%d/%m/%Y"),
    }
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    header = [_("Unit"), _("Level")]
    own, judged = _("self-assessed"), _("appraised")
    for code in codes:
        header += [f"{code} — {own}", f"{code} — {judged}"]
    header += [
        _("Self-assessed total"),
        _("Appraised total"),
        _("Applicable maximum"),
        _("Index (%)"),
        _("Rank"),
        _("Group"),
    ]
    sheet.append(header)
    levels = dict(Level.choices)
    for r in rows:
        cells: list[object] = [r.unit.name, str(levels.get(r.level, r.level))]
        for code in codes:
            own, judged = r.lines.get(code, [None, None])
            cells += [_number(own), _number(judged)]
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
        sheet.column_dimensions[get_column_letter(column)].width = 13
    for row in sheet.iter_rows(min_row=3, min_col=3):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
