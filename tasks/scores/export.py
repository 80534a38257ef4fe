"""The score table as an Excel workbook: a row per unit, a column per sub-criterion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kit.workbooks import fill_sheet, new_workbook, to_bytes
from plans.access import ScoreReach
from plans.models import Level, Plan, ScoreSnapshot
from plans.scoring import code_key


def scores_workbook(
    plan: Plan, day: dt.date, rows: list[ScoreSnapshot], reach: ScoreReach | None = None
) -> bytes:
    """The stored day's scores, by level then rank; a sub-criterion that does not apply
    to a unit is left empty, as published tables leave it.

    `reach`: what the reader may see (plans.access.score_reach): the lines it
    shows, and the parts of only the units it details; None for everything.
    """
    if reach is not None:
        rows = [r for r in rows if reach.shows(r.unit_id)]
    codes = sorted({part["code"] for r in rows for part in r.parts}, key=code_key)
    levels = dict(Level.choices)
    table: list[list[Any]] = []
    for r in rows:
        detailed = reach is None or reach.detailed(r.unit_id)
        parts = {part["code"]: part for part in r.parts} if detailed else {}
        cells: list[Any] = [r.rank, r.unit.name, str(levels.get(r.level, r.level))]
        for code in codes:
            part = parts.get(code)
            applies = part is not None and part.get("applicable", True)
            cells.append(Decimal(str(part["points"])) if part and applies else None)
        cells += [r.points, r.applicable_max, r.index_pct, r.group]
        table.append(cells)
    header = [
        _("Rank"),
        _("Unit"),
        _("Level"),
        *codes,
        _("Total"),
        _("Applicable maximum"),
        _("Index (%)"),
        _("Group"),
    ]
    title = _("Scores of %(plan)s (%(number)s) as of %(date)s") % {
        "plan": plan.title,
        "number": plan.document_number,
        "date": day.strftime("%d/%m/%Y"),
    }
    book, sheet = new_workbook()
    sheet.title = _("Scores")
    widths = [7, 40, 16, *[9] * len(codes), 10, 12, 11, 8]
    fill_sheet(sheet, title, header, table, widths, frozen_columns=3)
    return to_bytes(book)
