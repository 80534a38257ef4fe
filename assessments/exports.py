"""The results as an Excel workbook: one row per unit, one column per sub-criterion.

A title row with the plan and the date, Vietnamese headers, numbers as
numbers, widths set and the header row frozen, as a province's office files it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Assessment, Phase, Result
from kit.workbooks import fill_sheet, new_workbook, to_bytes
from plans.models import Level
from plans.scoring import code_key


def _number(value: object) -> float | None:
    return None if value is None else float(Decimal(str(value)))


def results_workbook(a: Assessment, rows: list[Result]) -> bytes:
    """The workbook's bytes: the results (the points that count, one column per
    sub-criterion), then the units' own points in a second sheet of the same shape."""
    codes = sorted({code for r in rows for code in r.lines}, key=code_key)
    published = a.status == Phase.PUBLISHED and a.published_at is not None
    day = timezone.localtime(a.published_at).date() if published else timezone.localdate()
    state = _("published") if published else _("not yet published")
    title = _("Assessment results of %(plan)s (%(number)s), %(state)s, as of %(date)s") % {
        "plan": a.plan.title,
        "number": a.plan.document_number,
        "state": state,
        "date": day.strftime("%d/%m/%Y"),
    }
    header = [
        _("Unit"),
        _("Level"),
        *codes,
        _("Self-assessed total"),
        _("Appraised total"),
        _("Applicable maximum"),
        _("Index (%)"),
        _("Rank"),
        _("Group"),
    ]
    widths = [40, 16, *[12] * (len(header) - 2)]
    levels = dict(Level.choices)
    book, results = new_workbook()
    results.title = _("Results")
    fill_sheet(results, title, header, _rows(codes, rows, levels, 1), widths, frozen_columns=2)
    own = book.create_sheet(_("Self-assessment"))
    fill_sheet(own, title, header, _rows(codes, rows, levels, 0), widths, frozen_columns=2)
    return to_bytes(book)


def _rows(
    codes: list[str], rows: list[Result], levels: dict[str, Any], pick: int
) -> list[list[Any]]:
    """A row per unit, a column per sub-criterion (pick 0: the unit's points; 1: the
    appraised points, or the unit's where the council scored none), then the totals."""
    found = []
    for r in rows:
        cells: list[Any] = [r.unit.name, str(levels.get(r.level, r.level))]
        for code in codes:
            own, judged = r.lines.get(code, [None, None])
            cells.append(_number(own if pick == 0 or judged is None else judged))
        cells += [
            r.self_total,
            r.appraised_total,
            r.applicable_max,
            r.index_pct,
            r.rank,
            r.group,
        ]
        found.append(cells)
    return found
