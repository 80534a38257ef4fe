"""How far the units of each level are from an indicator's targets.

A unit's figure is its own numerator over denominator; a level's figure is
sum(numerator) / sum(denominator) over the units of that level that reported
(docs/scoring.md, indicators). A unit that has not reported is missing, never zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum

from plans.models import Indicator, IndicatorTarget, Level, Measurement, Plan, Unit
from plans.scoring import round_points

LEVEL_ORDER = [value for value, _label in Level.choices]
# A unit's latest report first; of two ending on the same day, the longer one.
LATEST_FIRST = ("-period_end", "period_start", "-id")


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

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label)


def level_figure(
    level: str,
    target: Decimal | None,
    numerator: int,
    denominator: int,
    own: list[Decimal | None],
    expected: int,
) -> LevelFigure:
    """A level's figure from its sums and its reporting units' own figures (None: no figure).

    A unit meets the target when its own figure, rounded as shown, reaches it;
    of the expected units, those without a figure are missing.
    """
    actual = pct(numerator, denominator)
    figures = [f for f in own if f is not None]
    return LevelFigure(
        level=level,
        numerator=numerator,
        denominator=denominator,
        actual_pct=actual,
        target_pct=target,
        met=None if actual is None or target is None else actual >= target,
        units_meeting=0 if target is None else sum(1 for f in figures if f >= target),
        units_reported=len(figures),
        units_missing=max(expected - len(figures), 0),
    )


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
    first = same.order_by(*LATEST_FIRST).values("pk")[:1]
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
        levels.append(
            level_figure(
                level,
                targets.get(level),
                numerator,
                denominator,
                [f.actual_pct for f in here],
                expected=len(here),
            )
        )
    return figures, levels


@dataclass(frozen=True)
class IndicatorFigures:
    """One indicator of a plan: each level's figure, and on a unit's page the unit's own."""

    indicator: Indicator
    levels: list[LevelFigure]
    unit: UnitFigure | None = None


def latest_measurements(plan: Plan, as_of: dt.date) -> QuerySet[Measurement]:
    """Each unit's latest measurement of each of the plan's indicators ending by as_of."""
    same = Measurement.objects.filter(
        indicator=OuterRef("indicator"), unit=OuterRef("unit"), period_end__lte=as_of
    )
    first = same.order_by(*LATEST_FIRST).values("pk")[:1]
    return Measurement.objects.filter(
        indicator__plan=plan, period_end__lte=as_of, pk=Subquery(first)
    )


def plan_attainment(
    plan: Plan, as_of: dt.date, *, level: str | None = None, unit: Unit | None = None
) -> list[IndicatorFigures]:
    """Every indicator of the plan per level as of a day (the dashboards), in four queries.

    The same figures as attainment() gives one indicator, from each unit's
    latest report ending by as_of; with a unit, its own figure too.
    """
    found = list(Indicator.objects.filter(plan=plan).order_by("code"))
    if not found:
        return []
    targets = {
        (i, lvl): target
        for i, lvl, target in IndicatorTarget.objects.filter(indicator__plan=plan).values_list(
            "indicator_id", "level", "target_pct"
        )
    }
    chosen = latest_measurements(plan, as_of)
    expected = Unit.objects.all()
    if level:
        chosen = chosen.filter(unit__level=level)
        expected = expected.filter(level=level)
    reported: dict[tuple[int, str], list[tuple[int, int, int, dt.date]]] = {}
    for indicator_id, unit_id, lvl, numerator, denominator, period_end in chosen.values_list(
        "indicator_id", "unit_id", "unit__level", "numerator", "denominator", "period_end"
    ):
        reported.setdefault((indicator_id, lvl), []).append(
            (unit_id, numerator, denominator, period_end)
        )
    units_per_level = dict(expected.values_list("level").annotate(n=Count("pk")).order_by())
    result = []
    for indicator in found:
        levels = []
        for lvl in LEVEL_ORDER:
            target = targets.get((indicator.pk, lvl))
            rows = reported.get((indicator.pk, lvl), [])
            if not rows and (target is None or not units_per_level.get(lvl)):
                continue
            levels.append(
                level_figure(
                    lvl,
                    target,
                    sum(r[1] for r in rows),
                    sum(r[2] for r in rows),
                    [pct(r[1], r[2]) for r in rows],
                    expected=units_per_level.get(lvl, 0),
                )
            )
        own = None
        if unit is not None:
            target = targets.get((indicator.pk, unit.level))
            mine = next(
                (r for r in reported.get((indicator.pk, unit.level), []) if r[0] == unit.pk), None
            )
            actual = pct(mine[1], mine[2]) if mine else None
            own = UnitFigure(
                unit_id=unit.pk,
                code=unit.code,
                name=unit.name,
                level=unit.level,
                numerator=mine[1] if mine else None,
                denominator=mine[2] if mine else None,
                period_end=mine[3] if mine else None,
                actual_pct=actual,
                target_pct=target,
                met=None if actual is None or target is None else actual >= target,
            )
        result.append(IndicatorFigures(indicator, levels, own))
    return result
