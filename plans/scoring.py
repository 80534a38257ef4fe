"""Scoring rules as pure functions: counts in, points and a "why" out.

The rule kinds of the PAR INDEX criterion "leadership and direction"
(domain.md, scoring). Nothing here touches the database: the roll-up job counts
the tasks in one query and hands the counts to these functions, and the pages
turn a stored "why" back into a sentence with `explain`.

- Points are kept to two decimals, rounded half up, per sub-criterion; a total
  is the sum of the rounded parts.
- A "why" is a small JSON-ready dict (the rule, the counts, the band used), so
  that a snapshot stays readable in any language long after it was computed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CENT = Decimal("0.01")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HUNDRED = Decimal(100)

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


# ---------------------------------------------------------------- parameters


def _is_number(value: Any) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float | str | Decimal)
        and (_decimal(value) is not None)
    )


def _is_percent(value: Any) -> bool:
    """A band's bound: a JSON number (not text, not true or false)."""
    return not isinstance(value, bool) and isinstance(value, int | float)


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError):
        return None
    return number if number.is_finite() else None


def _pct(value: Any) -> str:
    return _num(value) + "%"


def check_bands(bands: Any, *, step: bool = False, max_points: Decimal | None = None) -> str | None:
    """Why a band list is unusable, or None when it is fine.

    A band is {"from": percent, "points": ..., "to": percent (optional, excluded)}:
    completion bands give "full", "proportional" or "zero", step bands a
    number of points (0 to the maximum). Together the bands cover 0% to
    100% once: one starts at 0%, none starts where another does, and a band's
    "to", when given, is where the next one starts.
    """
    if not isinstance(bands, list) or not bands:
        return _("Give at least one band.")
    rows: list[tuple[Decimal, Decimal | None]] = []
    for band in bands:
        if not isinstance(band, dict) or not {"from", "points"} <= set(band) <= {
            "from",
            "to",
            "points",
        }:
            return _('Each band is {"from": a percent, "points": ...} (and may say "to").')
        start = _decimal(band["from"]) if _is_percent(band["from"]) else None
        if start is None or not 0 <= start <= 100:
            return _("A band starts at a percent between 0 and 100.")
        end = None
        if "to" in band:
            end = _decimal(band["to"]) if _is_percent(band["to"]) else None
            if end is None or not start < end <= 100:
                return _("A band from %(start)s ends above it, at 100%% at most.") % {
                    "start": _pct(start)
                }
        points = band["points"]
        if step:
            value = _decimal(points) if _is_number(points) else None
            if value is None or value < 0 or (max_points is not None and value > max_points):
                return _("A band from %(start)s gives between 0 and %(max)s points.") % {
                    "start": _pct(start),
                    "max": _num(max_points if max_points is not None else 100),
                }
        elif points not in BAND_KINDS:
            return _('A band gives "full", "proportional" or "zero" points.')
        rows.append((start, end))
    rows.sort(key=lambda row: row[0])
    if rows[0][0] != 0:
        return _("The bands leave a gap from 0%% to %(start)s.") % {"start": _pct(rows[0][0])}
    for (start, end), (next_start, _next_end) in itertools.pairwise(rows):
        if start == next_start:
            return _("Two bands start at %(start)s: they overlap.") % {"start": _pct(start)}
        if end is not None and end < next_start:
            return _("The bands leave a gap from %(end)s to %(start)s.") % {
                "end": _pct(end),
                "start": _pct(next_start),
            }
        if end is not None and end > next_start:
            return _("The band from %(start)s to %(end)s overlaps the one from %(next)s.") % {
                "start": _pct(start),
                "end": _pct(end),
                "next": _pct(next_start),
            }
    _last_start, last_end = rows[-1]
    if last_end is not None and last_end < 100:
        return _("The bands leave a gap from %(end)s to 100%%.") % {"end": _pct(last_end)}
    return None


def check_params(kind: str, params: Any, max_points: Decimal) -> dict[str, str]:
    """What is wrong with a sub-criterion's parameters for its rule, by parameter name.

    The parameters each rule reads (domain.md, rule kinds):

    - completion_bands: {"tasks": "tagged" | "all", "bands": [...]};
    - step_bands: {"tasks": ..., "bands": [{"from": 90, "points": 2}, ...]};
    - on_time: {"tasks": ...};
    - plan_issued_on_time: {"deadline": "YYYY-MM-DD", "late_points": 0.5};
    - indicator_target: {"indicator": code, "below": "proportional" | "zero"};
    - manual, bonus, penalty: nothing.
    """
    if kind not in KNOWN_RULES:
        return {
            "rule": _("Unknown rule %(rule)s; known rules: %(known)s.")
            % {"rule": kind, "known": ", ".join(sorted(KNOWN_RULES))}
        }
    if not isinstance(params, dict):
        return {"params": _("Parameters are an object of names and values.")}
    allowed = {
        COMPLETION_BANDS: {"tasks", "bands"},
        STEP_BANDS: {"tasks", "bands"},
        ON_TIME: {"tasks"},
        PLAN_ISSUED_ON_TIME: {"deadline", "late_points"},
        INDICATOR_TARGET: {"indicator", "below"},
    }.get(kind, set())
    errors: dict[str, str] = {}
    for name in sorted(set(params) - allowed):
        errors[name] = _("The rule %(rule)s has no parameter %(name)s.") % {
            "rule": kind,
            "name": name,
        }
    if kind in TASK_RULES and params.get("tasks", TAGGED) not in (TAGGED, ALL_TASKS):
        errors["tasks"] = _('Count "tagged" tasks or "all" the tasks a unit leads.')
    if kind in (COMPLETION_BANDS, STEP_BANDS):
        problem = check_bands(
            params.get("bands"), step=kind == STEP_BANDS, max_points=Decimal(max_points)
        )
        if problem:
            errors["bands"] = problem
    if kind == PLAN_ISSUED_ON_TIME:
        deadline = params.get("deadline")
        try:
            if not isinstance(deadline, str) or not ISO_DATE.match(deadline):
                raise ValueError(deadline)
            dt.date.fromisoformat(deadline)
        except ValueError:
            errors["deadline"] = _("Give the date the plan is due by, as YYYY-MM-DD.")
        late = params.get("late_points", 0)
        value = _decimal(late) if _is_number(late) else None
        if value is None or not 0 <= value <= max_points:
            errors["late_points"] = _("Give between 0 and %(max)s points for a late plan.") % {
                "max": _num(max_points)
            }
    if kind == INDICATOR_TARGET:
        code = params.get("indicator")
        if not isinstance(code, str) or not code.strip():
            errors["indicator"] = _("Name the indicator by its code.")
        if params.get("below", PROPORTIONAL) not in (PROPORTIONAL, ZERO):
            errors["below"] = _('Below the target, give "proportional" or "zero" points.')
    return errors


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


def completion_bands(
    max_points: Decimal, bands: list[dict[str, Any]], counts: Counts, as_of: dt.date
) -> Score:
    """r = accepted / due; the band r falls in gives full, proportional or zero points.

    Nothing due by the as-of date: not applicable.
    """
    why: dict[str, Any] = {
        "rule": COMPLETION_BANDS,
        "as_of": as_of.isoformat(),
        "due": counts.due,
        "accepted": counts.accepted,
    }
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
    why: dict[str, Any] = {
        "rule": STEP_BANDS,
        "as_of": as_of.isoformat(),
        "due": counts.due,
        "accepted": counts.accepted,
    }
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


def check_groups(groups: Any) -> str | None:
    """Why a group list is unusable; groups are [{"code": "A", "from_pct": 90}, ...]."""
    if not isinstance(groups, list):
        return _('Groups are a list of {"code": "A", "from_pct": 90}.')
    codes, starts = set(), set()
    for group in groups:
        if not isinstance(group, dict) or set(group) != {"code", "from_pct"}:
            return _('Each group is {"code": "A", "from_pct": 90}.')
        code, start = group["code"], group["from_pct"]
        value = _decimal(start) if _is_number(start) else None
        if not isinstance(code, str) or not code.strip() or len(code) > 10:
            return _("A group has a short code, such as A.")
        if value is None or not 0 <= value <= 100:
            return _("Group %(code)s starts at a percent between 0 and 100.") % {"code": code}
        if code in codes or value in starts:
            return _("Group %(code)s repeats another group's code or start.") % {"code": code}
        codes.add(code)
        starts.add(value)
    return None


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


# ---------------------------------------------------------------- the why, in words


def _date(iso: str | None) -> str:
    return formats.date_format(dt.date.fromisoformat(iso), "SHORT_DATE_FORMAT") if iso else ""


def _num(value: str | int | float | Decimal) -> str:
    return formats.number_format(Decimal(str(value)).normalize(), use_l10n=True)


def explain(why: Mapping[str, Any], indicator_names: Mapping[str, str] | None = None) -> str:
    """The stored why as a sentence in the active language.

    `indicator_names`: code -> name of the plan's indicators, to name them in
    words (the stored why keeps the code only: it is written thousands at a time).
    """
    rule = why.get("rule")
    if why.get("applicable") is False:
        return _("Not applicable: %(reason)s") % {"reason": _not_applicable_reason(why)}
    if rule in (COMPLETION_BANDS, STEP_BANDS):
        return _explain_bands(why)
    if rule == ON_TIME:
        values = {"due": why["due"], "on_time": why["on_time"], "date": _date(why["as_of"])}
        if why["on_time"] == why["due"]:
            return _("All %(due)s tasks due by %(date)s were accepted on time: full points.") % (
                values
            )
        return (
            _("%(on_time)s of %(due)s tasks due by %(date)s were accepted on time: no points.")
            % values
        )
    if rule == PLAN_ISSUED_ON_TIME:
        values = {
            "issued": _date(why["issued_on"]),
            "deadline": _date(why["deadline"]),
            "late": _num(why.get("late_points", 0)),
        }
        if why["issued_on"] is None:
            return _("The unit's plan has not been issued (due by %(deadline)s): no points.") % (
                values
            )
        if why["issued_on"] <= why["deadline"]:
            return _("The unit's plan was issued on %(issued)s, by %(deadline)s: full points.") % (
                values
            )
        return (
            _("The unit's plan was issued on %(issued)s, after %(deadline)s: %(late)s points.")
            % values
        )
    if rule == INDICATOR_TARGET:
        values = {
            "indicator": (indicator_names or {}).get(why["indicator"], why["indicator"]),
            "target": _num(why["target_pct"]),
        }
        if not why.get("reported"):
            return _("No figure reported for %(indicator)s: no points.") % values
        values.update(actual=_num(why["actual_pct"]), date=_date(why["period_end"]))
        if why.get("met"):
            return (
                _("%(indicator)s: %(actual)s%% at %(date)s, target %(target)s%% met: full points.")
                % values
            )
        if why.get("below", PROPORTIONAL) == PROPORTIONAL:
            return (
                _(
                    "%(indicator)s: %(actual)s%% at %(date)s, below the target of %(target)s%%: "
                    "the maximum times figure / target."
                )
                % values
            )
        return (
            _(
                "%(indicator)s: %(actual)s%% at %(date)s, below the target of %(target)s%%: "
                "no points."
            )
            % values
        )
    if rule in ENTERED_RULES:
        if not why.get("entered"):
            return _("Not yet scored.") if rule == MANUAL else _("None entered.")
        at = timezone.localtime(dt.datetime.fromisoformat(why["at"]))
        return _("Scored by %(by)s on %(date)s: %(justification)s") % {
            "by": why["by"],
            "date": formats.date_format(at, "SHORT_DATE_FORMAT"),
            "justification": why["justification"],
        }
    return ""


def _not_applicable_reason(why: Mapping[str, Any]) -> str:
    rule = why.get("rule")
    if rule in TASK_RULES:
        return _("no task due by %(date)s.") % {"date": _date(why["as_of"])}
    if rule == PLAN_ISSUED_ON_TIME:
        return _("the unit's plan is not due until %(deadline)s.") % {
            "deadline": _date(why["deadline"])
        }
    if rule == INDICATOR_TARGET:
        return _("no target for this level.")
    if rule == MANUAL and why.get("entered"):
        return _("marked by %(by)s: %(justification)s") % {
            "by": why["by"],
            "justification": why["justification"],
        }
    return ""


def _explain_bands(why: Mapping[str, Any]) -> str:
    band = why["band"]
    if why["rule"] == STEP_BANDS:
        gives = _("%(points)s points") % {"points": _num(band["points"])}
    else:
        gives = {
            FULL: _("full points"),
            PROPORTIONAL: _("the maximum times the rate"),
            ZERO: _("no points"),
        }[band["points"]]
    values = {
        "accepted": why["accepted"],
        "due": why["due"],
        "date": _date(why["as_of"]),
        "pct": _num(why["pct"]),
        "start": _num(band["from"]),
        "end": _num(band["to"]) if band.get("to") is not None else "",
        "gives": gives,
    }
    if band.get("to") is not None:
        return (
            _(
                "%(accepted)s of %(due)s tasks due by %(date)s were accepted by then "
                "(%(pct)s%%): from %(start)s%% to under %(end)s%%, %(gives)s."
            )
            % values
        )
    return (
        _(
            "%(accepted)s of %(due)s tasks due by %(date)s were accepted by then "
            "(%(pct)s%%): from %(start)s%%, %(gives)s."
        )
        % values
    )
