"""Scoring rules as pure functions: counts in, points and a "why" out.

The rule kinds of the PAR INDEX criterion "leadership and direction"
(domain.md, scoring). Nothing here touches the database: the roll-up job counts
the tasks in one query and hands the counts to these functions. Whether a rule
book's parameters are usable is plans.ruleparams; a stored "why" in words,
plans.whys.

- Points are kept to two decimals, rounded half up, per sub-criterion; a total
  is the sum of the rounded parts.
- A "why" is a small JSON-ready dict (the rule, the counts, the band used), so
  that a snapshot stays readable in any language long after it was computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from django.utils.translation import gettext_lazy

CENT = Decimal("0.01")

# Rule kinds (domain.md). The model's choices are built from these labels.
COMPLETION_BANDS = "completion_bands"
STEP_BANDS = "step_bands"
ON_TIME = "on_time"
PLAN_ISSUED_ON_TIME = "plan_issued_on_time"
INDICATOR_TARGET = "indicator_target"
MANUAL = "manual"
BONUS = "bonus"
PENALTY = "penalty"
RULE_KINDS = [
    (COMPLETION_BANDS, gettext_lazy("Completion bands")),
    (STEP_BANDS, gettext_lazy("Fixed points per completion band")),
    (ON_TIME, gettext_lazy("Every task on time")),
    (PLAN_ISSUED_ON_TIME, gettext_lazy("Unit's plan issued on time")),
    (INDICATOR_TARGET, gettext_lazy("Indicator against its level's target")),
    (MANUAL, gettext_lazy("Entered by an appraiser")),
    (BONUS, gettext_lazy("Bonus points (outside the maximum)")),
    (PENALTY, gettext_lazy("Penalty points (outside the maximum)")),
]
KNOWN_RULES = frozenset(kind for kind, _label in RULE_KINDS)
# Rules over the tasks a unit leads.
TASK_RULES = frozenset({COMPLETION_BANDS, STEP_BANDS, ON_TIME})
# Rules whose points an appraiser enters.
ENTERED_RULES = frozenset({MANUAL, BONUS, PENALTY})
# Points added or taken away, outside the maximum.
OUTSIDE_MAXIMUM = frozenset({BONUS, PENALTY})

# What a completion band gives: the maximum, the maximum times the rate, or nothing.
FULL = "full"
PROPORTIONAL = "proportional"
ZERO = "zero"
BAND_KINDS = (FULL, PROPORTIONAL, ZERO)
# Which tasks a task rule counts: those tagged with its code, or every task the unit leads.
TAGGED = "tagged"
ALL_TASKS = "all"

# The demo bands of sub-criteria 1.2 and 1.5: 100% full, 80% and up
# proportional, below 80% nothing.
DEFAULT_BANDS: list[dict[str, Any]] = [
    {"from": 100, "points": FULL},
    {"from": 80, "points": PROPORTIONAL},
    {"from": 0, "points": ZERO},
]


class Counts(NamedTuple):
    """One unit's tasks for one sub-criterion, cancelled tasks left out.

    - due: tasks whose current deadline is on or before the as-of date;
    - accepted: of those, accepted (done) on or before the as-of date;
    - on_time: of those, accepted on or before their own (extended) deadline.

    A named tuple: the roll-up makes one per unit and tag, 20,000 for a province.
    """

    due: int = 0
    accepted: int = 0
    on_time: int = 0

    @classmethod
    def total(cls, parts: Iterable[Counts]) -> Counts:
        """The sum of several counts (a unit's tasks whatever their tag)."""
        due = accepted = on_time = 0
        for part in parts:
            due += part[0]
            accepted += part[1]
            on_time += part[2]
        return cls(due, accepted, on_time)


NO_COUNTS = Counts()


class ManualEntry(NamedTuple):
    """The latest entry of an appraiser for a unit and an entered sub-criterion."""

    points: Decimal
    justification: str
    entered_by: str
    entered_at: dt.datetime
    not_applicable: bool = False


class Figure(NamedTuple):
    """A unit's latest reported figure of an indicator, with its level's target."""

    numerator: int
    denominator: int
    period_end: dt.date


class Score(NamedTuple):
    """A sub-criterion's points for a unit, and why.

    - points: what it adds to the unit's total (taken away, for a penalty);
    - applicable: False when there is nothing to judge: it scores nothing
      and leaves the unit's maximum ("không áp dụng").
    """

    points: Decimal
    why: dict[str, Any]
    applicable: bool = True


def code_key(code: str) -> tuple[int, ...]:
    """1.10 after 1.9: codes sort by their numbers."""
    return tuple(int(part) for part in code.split(".") if part.isdigit())


def round_points(value: Decimal | Fraction | int) -> Decimal:
    """Two decimals, half up (2.345 -> 2.35), whatever exact number comes in."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _half_up(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator to two decimals, half up, in integers (both >= 0)."""
    return Decimal((numerator * 200 + denominator) // (2 * denominator)).scaleb(-2)


def cents(value: Decimal) -> int:
    """A value of two decimals (points, a percentage) in hundredths, exactly."""
    return int(Decimal(value).scaleb(2).to_integral_value(rounding=ROUND_HALF_UP))


def _fraction(value: Decimal) -> Fraction:
    top, bottom = Decimal(value).as_integer_ratio()
    return Fraction(top, bottom)


def _exact_half_up(value: Fraction) -> Decimal:
    """An exact non-negative fraction to two decimals, half up."""
    return _half_up(value.numerator, value.denominator)


def _not_applicable(why: dict[str, Any]) -> Score:
    return Score(round_points(0), {**why, "applicable": False}, applicable=False)


# ---------------------------------------------------------------- the rules


def _band_for(bands: list[dict[str, Any]], accepted: int, due: int) -> tuple[Any, Any, Any]:
    """(start as written, start of the band above or None, points) of the band r falls in.

    Compared exactly (accepted x 100 >= start x due), never in floating point.
    """
    ordered = _ordered(tuple((b["from"], b["points"]) for b in bands))
    _start, raw, up, points = next(b for b in ordered if accepted * 100 >= b[0] * due)
    return raw, up, points


@lru_cache(maxsize=64)
def _ordered(bands: tuple[tuple[Any, Any], ...]) -> tuple[tuple[Decimal, Any, Any, Any], ...]:
    """(start, start as written, start of the band above or None, points), highest first."""
    starts = sorted(
        ((Decimal(str(start)), start, kind) for start, kind in bands),
        key=lambda row: row[0],
        reverse=True,
    )
    above = [None, *(raw for _d, raw, _k in starts[:-1])]
    return tuple((d, raw, up, kind) for (d, raw, kind), up in zip(starts, above, strict=True))


def _rate_why(rule: str, counts: Counts, as_of: dt.date) -> dict[str, Any]:
    """What a rule over the completion rate starts its why with."""
    return {
        "rule": rule,
        "as_of": as_of.isoformat(),
        "due": counts.due,
        "accepted": counts.accepted,
    }


def completion_bands(
    max_points: Decimal, bands: list[dict[str, Any]], counts: Counts, as_of: dt.date
) -> Score:
    """r = accepted / due; the band r falls in gives full, proportional or zero points.

    Nothing due by the as-of date: not applicable.
    """
    why = _rate_why(COMPLETION_BANDS, counts, as_of)
    if counts.due == 0:
        return _not_applicable(why)
    accepted, due = counts.accepted, counts.due
    raw, up, kind = _band_for(bands, accepted, due)
    if kind == FULL:
        points = round_points(max_points)
    elif kind == PROPORTIONAL:
        top, bottom = Decimal(max_points).as_integer_ratio()
        points = _half_up(top * accepted, bottom * due)
    else:
        points = round_points(0)
    why.update(pct=str(_half_up(accepted * 100, due)), band={"from": raw, "to": up, "points": kind})
    return Score(points, why)


def step_bands(
    max_points: Decimal, bands: list[dict[str, Any]], counts: Counts, as_of: dt.date
) -> Score:
    """r = accepted / due; the band r falls in gives its fixed points (never above the maximum).

    Nothing due by the as-of date: not applicable.
    """
    why = _rate_why(STEP_BANDS, counts, as_of)
    if counts.due == 0:
        return _not_applicable(why)
    raw, up, points = _band_for(bands, counts.accepted, counts.due)
    gives = round_points(min(Decimal(str(points)), Decimal(max_points)))
    why.update(
        pct=str(_half_up(counts.accepted * 100, counts.due)),
        band={"from": raw, "to": up, "points": str(gives)},
    )
    return Score(gives, why)


def on_time(max_points: Decimal, counts: Counts, as_of: dt.date) -> Score:
    """Full points when every task due by as-of was accepted by its deadline, else zero.

    Nothing due by the as-of date: not applicable.
    """
    why = {
        "rule": ON_TIME,
        "as_of": as_of.isoformat(),
        "due": counts.due,
        "on_time": counts.on_time,
    }
    if counts.due == 0:
        return _not_applicable(why)
    full = counts.on_time == counts.due
    return Score(round_points(max_points if full else 0), why)


def plan_issued_on_time(
    max_points: Decimal,
    issued_on: dt.date | None,
    deadline: dt.date,
    *,
    late_points: Decimal = Decimal(0),
    as_of: dt.date,
) -> Score:
    """The unit's own plan: on time full, late `late_points`, none after the deadline 0.

    A plan issued after the as-of date counts as not issued yet; none issued
    while the deadline has not passed is not applicable.
    """
    if issued_on is not None and issued_on > as_of:
        issued_on = None
    why = {
        "rule": PLAN_ISSUED_ON_TIME,
        "as_of": as_of.isoformat(),
        "issued_on": issued_on.isoformat() if issued_on else None,
        "deadline": deadline.isoformat(),
    }
    if issued_on is None:
        if as_of <= deadline:
            return _not_applicable(why)
        return Score(round_points(0), why)
    if issued_on <= deadline:
        return Score(round_points(max_points), why)
    late = round_points(min(late_points, max_points))
    return Score(late, {**why, "late_points": str(late)})


def indicator_target(
    max_points: Decimal,
    *,
    indicator: str,
    figure: Figure | None,
    target_pct: Decimal | None,
    below: str,
) -> Score:
    """The unit's latest figure against its level's target: full when met.

    Below it, the maximum times figure / target (proportional) or nothing;
    no target for the level: not applicable; no figure: 0, "chưa báo cáo".
    """
    why: dict[str, Any] = {
        "rule": INDICATOR_TARGET,
        "indicator": indicator,
        "below": below,
        "target_pct": str(round_points(target_pct)) if target_pct is not None else None,
    }
    if target_pct is None:
        return _not_applicable(why)
    if figure is None:
        return Score(round_points(0), {**why, "reported": False})
    # In integers (the roll-up scores thousands): figure% = num x 100 / den,
    # the target and the maximum in hundredths.
    num, den, target = figure.numerator, figure.denominator, cents(target_pct)
    why.update(
        reported=True,
        actual_pct=str(_half_up(num * 100, den)),
        period_end=figure.period_end.isoformat(),
    )
    if num * 10000 >= target * den:
        return Score(round_points(max_points), {**why, "met": True})
    why["met"] = False
    if below == PROPORTIONAL and target > 0:
        # max x (num x 100 / den) / (target / 100), rounded half up.
        return Score(_half_up(cents(max_points) * num * 100, den * target), why)
    return Score(round_points(0), why)


def manual(max_points: Decimal, entry: ManualEntry | None, kind: str = MANUAL) -> Score:
    """An appraiser's points, within the maximum (or a bonus's or penalty's cap).

    - manual: zero until entered ("chưa chấm điểm"); not applicable when the
      appraiser marks it so;
    - bonus: added; penalty: taken away; both outside the maximum, nothing
      until entered.
    """
    if entry is None:
        return Score(round_points(0), {"rule": kind, "entered": False})
    why = {
        "rule": kind,
        "entered": True,
        "justification": entry.justification,
        "by": entry.entered_by,
        "at": entry.entered_at.isoformat(),
    }
    if entry.not_applicable and kind == MANUAL:
        return _not_applicable(why)
    points = round_points(min(entry.points, max_points))
    return Score(-points if kind == PENALTY else points, why)


@dataclass(frozen=True)
class Rule:
    """A sub-criterion as the scoring functions need it: the rule and its parameters."""

    code: str
    kind: str
    max_points: Decimal
    params: Mapping[str, Any]

    @property
    def all_tasks(self) -> bool:
        return self.params.get("tasks") == ALL_TASKS

    @property
    def deadline(self) -> dt.date:
        return dt.date.fromisoformat(self.params["deadline"])

    @property
    def indicator(self) -> str:
        return str(self.params.get("indicator", ""))

    @property
    def counts_in_maximum(self) -> bool:
        return self.kind not in OUTSIDE_MAXIMUM


class Reading(NamedTuple):
    """Everything a unit offers the rules; each rule reads its part."""

    counts: Counts = NO_COUNTS
    issued_on: dt.date | None = None
    entry: ManualEntry | None = None
    figure: Figure | None = None
    target_pct: Decimal | None = None


def apply(rule: Rule, reading: Reading, as_of: dt.date) -> Score:
    """Score one sub-criterion for one unit with the rule's kind."""
    kind, top = rule.kind, rule.max_points
    if kind == COMPLETION_BANDS:
        return completion_bands(top, rule.params["bands"], reading.counts, as_of)
    if kind == STEP_BANDS:
        return step_bands(top, rule.params["bands"], reading.counts, as_of)
    if kind == ON_TIME:
        return on_time(top, reading.counts, as_of)
    if kind == PLAN_ISSUED_ON_TIME:
        return plan_issued_on_time(
            top,
            reading.issued_on,
            rule.deadline,
            late_points=Decimal(str(rule.params.get("late_points", 0))),
            as_of=as_of,
        )
    if kind == INDICATOR_TARGET:
        return indicator_target(
            top,
            indicator=rule.indicator,
            figure=reading.figure,
            target_pct=reading.target_pct,
            below=rule.params.get("below", PROPORTIONAL),
        )
    if kind in ENTERED_RULES:
        return manual(top, reading.entry, kind)
    raise ValueError(f"unknown rule kind {kind!r}")


# ---------------------------------------------------------------- totals, index, rank, group


class Total(NamedTuple):
    """A unit's total over its parts: points, applicable maximum, index."""

    points: Decimal
    applicable_max: Decimal
    index_pct: Decimal | None


def total(parts: Iterable[tuple[Rule, Score]]) -> Total:
    """The sum of the rounded parts (never below zero) over the maximum of those that apply.

    Bonus and penalty points count in the sum, not in the maximum. The index
    is the total over the applicable maximum, as a percentage with two
    decimals; None when nothing applies.
    """
    points = applicable_max = 0
    for rule, score in parts:
        points += cents(score.points)
        if score.applicable and rule.counts_in_maximum:
            applicable_max += cents(rule.max_points)
    return total_of(points, applicable_max)


def total_of(points: int, applicable_max: int) -> Total:
    """A total from its sums in hundredths of a point (the roll-up adds them as integers)."""
    points = max(points, 0)
    index = _half_up(points * 100, applicable_max) if applicable_max > 0 else None
    return Total(Decimal(points).scaleb(-2), Decimal(applicable_max).scaleb(-2), index)


def group_of(index_pct: Decimal | None, groups: list[dict[str, Any]]) -> str:
    """The group whose band the index falls in (the highest start at or below it), or ""."""
    return group_in(index_pct, ordered_groups(groups))


def ordered_groups(groups: list[dict[str, Any]]) -> tuple[tuple[Decimal, str], ...]:
    """(start, code) of each group, highest first: what group_in reads."""
    return tuple(
        sorted(
            ((Decimal(str(g["from_pct"])), str(g["code"])) for g in groups),
            reverse=True,
        )
    )


def group_in(index_pct: Decimal | None, ordered: tuple[tuple[Decimal, str], ...]) -> str:
    if index_pct is None:
        return ""
    return next((code for start, code in ordered if index_pct >= start), "")


K = TypeVar("K", bound=Hashable)


def competition_ranks(points: Mapping[K, Decimal | None]) -> dict[K, int | None]:
    """1-based ranks, highest first; ties share a rank and the next is skipped (1, 1, 3).

    A unit without an index (nothing applicable) has no rank.
    """
    ordered = sorted((v for v in points.values() if v is not None), reverse=True)
    first: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {key: first[value] if value is not None else None for key, value in points.items()}
