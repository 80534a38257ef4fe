"""How far the units of each level are from an indicator's targets.

A unit's figure is its own numerator over denominator; a level's figure is
sum(numerator) / sum(denominator) over the units of that level that reported
(domain.md). A unit that has not reported is missing, never zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import OuterRef, QuerySet, Subquery, Sum

from plans.models import Indicator, Level, Measurement, Unit
from plans.scoring import round_points

LEVEL_ORDER = [value for value, _label in Level.choices]


@dataclass(frozen=True)
class UnitFigure:
    unit_id: int
    code: str
    name: str
    level: str
    numerator: int | None
    denominator: int | None
    period_end: dt.date | None
    actual_pct: Decimal | None
    target_pct: Decimal | None
    met: bool | None


@dataclass(frozen=True)
class LevelFigure:
    level: str
    numerator: int
    denominator: int
    actual_pct: Decimal | None
    target_pct: Decimal | None
    met: bool | None
    units_meeting: int
    units_reported: int
    units_missing: int


def pct(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator in percent, two decimals half up; None when nothing was counted."""
    return round_points(Fraction(numerator * 100, denominator)) if denominator else None


def chosen_measurements(indicator: Indicator, period_end: dt.date | None) -> QuerySet[Measurement]:
    """One measurement per unit: the one ending on period_end, or each unit's latest.

    Where a unit reported two periods ending on the same day, the longer one counts.
    """
    same = Measurement.objects.filter(indicator=indicator, unit=OuterRef("unit"))
    if period_end is not None:
        same = same.filter(period_end=period_end)
    first = same.order_by("-period_end", "period_start", "-id").values("pk")[:1]
    chosen = Measurement.objects.filter(indicator=indicator, pk=Subquery(first))
    if period_end is not None:
        chosen = chosen.filter(period_end=period_end)
    return chosen


def attainment(
    indicator: Indicator, period_end: dt.date | None = None
) -> tuple[list[UnitFigure], list[LevelFigure]]:
    """Each unit's figure against its level's target, and each level's, in four queries."""
    targets = dict(indicator.targets.values_list("level", "target_pct"))
    chosen = chosen_measurements(indicator, period_end)
    reported = {
        row["unit_id"]: row
        for row in chosen.values("unit_id", "numerator", "denominator", "period_end")
    }
    sums = {
        row["unit__level"]: (row["numerator"], row["denominator"])
        for row in chosen.values("unit__level")
        .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
        .order_by()
    }
    units = Unit.objects.filter(level__in=list(targets)) | Unit.objects.filter(
        pk__in=list(reported)
    )
    figures = []
    for unit in units.order_by("name").values("id", "code", "name", "level"):
        row = reported.get(unit["id"])
        target = targets.get(unit["level"])
        actual = pct(row["numerator"], row["denominator"]) if row else None
        figures.append(
            UnitFigure(
                unit_id=unit["id"],
                code=unit["code"],
                name=unit["name"],
                level=unit["level"],
                numerator=row["numerator"] if row else None,
                denominator=row["denominator"] if row else None,
                period_end=row["period_end"] if row else None,
                actual_pct=actual,
                target_pct=target,
                met=None if actual is None or target is None else actual >= target,
            )
        )
    levels = []
    for level in LEVEL_ORDER:
        here = [f for f in figures if f.level == level]
        if not here:
            continue
        numerator, denominator = sums.get(level, (0, 0))
        actual = pct(numerator, denominator)
        target = targets.get(level)
        reported_here = [f for f in here if f.actual_pct is not None]
        levels.append(
            LevelFigure(
                level=level,
                numerator=numerator,
                denominator=denominator,
                actual_pct=actual,
                target_pct=target,
                met=None if actual is None or target is None else actual >= target,
                units_meeting=sum(1 for f in reported_here if f.met),
                units_reported=len(reported_here),
                units_missing=len(here) - len(reported_here),
            )
        )
    return figures, levels
