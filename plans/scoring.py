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

# Rule kinds (domain.md). The model's choices are built from these labels.
COMPLETION_BANDS = "completion_bands"
ON_TIME = "on_time"
PLAN_ISSUED_ON_TIME = "plan_issued_on_time"
MANUAL = "manual"
RULE_KINDS = [
    (COMPLETION_BANDS, gettext_lazy("Completion bands")),
    (ON_TIME, gettext_lazy("Every task on time")),
    (PLAN_ISSUED_ON_TIME, gettext_lazy("Plan issued on time")),
    (MANUAL, gettext_lazy("Entered by an appraiser")),
]

# What a band gives: the maximum, the maximum times the rate, or nothing.
FULL = "full"
PROPORTIONAL = "proportional"
ZERO = "zero"
BAND_KINDS = (FULL, PROPORTIONAL, ZERO)

# The demo bands of sub-criteria 1.2, 1.4 and 1.5: 100% full, 80% and up
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


@dataclass(frozen=True)
class ManualEntry:
    """The latest score an appraiser entered for a unit and a manual sub-criterion."""

    points: Decimal
    justification: str
    entered_by: str
    entered_at: dt.datetime


@dataclass(frozen=True)
class Score:
    points: Decimal
    why: dict[str, Any]


def round_points(value: Decimal | Fraction | int) -> Decimal:
    """Two decimals, half up (2.345 -> 2.35), whatever exact number comes in."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _half_up(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator to two decimals, half up, in integers (both >= 0)."""
    return Decimal((numerator * 200 + denominator) // (2 * denominator)).scaleb(-2)


def check_bands(bands: Any) -> str | None:
    """Why a band list is unusable, or None when it is fine.

    A band list is [{"from": percent, "points": "full"|"proportional"|"zero"}],
    one band starting at 0 so that every rate falls in a band, no two bands
    starting at the same percent.
    """
    if not isinstance(bands, list) or not bands:
        return _("Give at least one band.")
    starts = []
    for band in bands:
        if not isinstance(band, dict) or set(band) != {"from", "points"}:
            return _(
                'Each band is {"from": a percent, "points": "full", "proportional" or "zero"}.'
            )
        start = band["from"]
        if isinstance(start, bool) or not isinstance(start, int | float) or not 0 <= start <= 100:
            return _("A band starts at a percent between 0 and 100.")
        if band["points"] not in BAND_KINDS:
            return _('A band gives "full", "proportional" or "zero" points.')
        starts.append(Decimal(str(start)))
    if len(set(starts)) != len(starts):
        return _("Two bands start at the same percent.")
    if min(starts) != 0:
        return _("One band must start at 0%, so that every rate falls in a band.")
    return None


@lru_cache(maxsize=64)
def _ordered(bands: tuple[tuple[Any, str], ...]) -> tuple[tuple[Decimal, Any, Any, str], ...]:
    """(start, start as written, start of the band above or None, points), highest first."""
    starts = sorted(((Decimal(str(start)), start, kind) for start, kind in bands), reverse=True)
    above = [None, *(raw for _d, raw, _k in starts[:-1])]
    return tuple((d, raw, up, kind) for (d, raw, kind), up in zip(starts, above, strict=True))


def completion_bands(
    max_points: Decimal, bands: list[dict[str, Any]], counts: Counts, as_of: dt.date
) -> Score:
    """r = accepted / due; the band r falls in gives full, proportional or zero points.

    Compared exactly (accepted x 100 >= start x due), never in floating point.
    """
    why: dict[str, Any] = {
        "rule": COMPLETION_BANDS,
        "as_of": as_of.isoformat(),
        "due": counts.due,
        "accepted": counts.accepted,
    }
    if counts.due == 0:
        return Score(round_points(max_points), {**why, "band": None, "pct": None})
    accepted, due = counts.accepted, counts.due
    ordered = _ordered(tuple((b["from"], b["points"]) for b in bands))
    _start, raw, up, kind = next(b for b in ordered if accepted * 100 >= b[0] * due)
    if kind == FULL:
        points = round_points(max_points)
    elif kind == PROPORTIONAL:
        top, bottom = Decimal(max_points).as_integer_ratio()
        points = _half_up(top * accepted, bottom * due)
    else:
        points = round_points(0)
    why.update(pct=str(_half_up(accepted * 100, due)), band={"from": raw, "to": up, "points": kind})
    return Score(points, why)


def on_time(max_points: Decimal, counts: Counts, as_of: dt.date) -> Score:
    """Full points when every task due by as-of was accepted by its deadline, else zero."""
    why = {
        "rule": ON_TIME,
        "as_of": as_of.isoformat(),
        "due": counts.due,
        "on_time": counts.on_time,
    }
    full = counts.on_time == counts.due
    return Score(round_points(max_points if full else 0), why)


def plan_issued_on_time(max_points: Decimal, issued_on: dt.date | None, deadline: dt.date) -> Score:
    """Full points when the plan was issued on or before the deadline, else zero."""
    why = {
        "rule": PLAN_ISSUED_ON_TIME,
        "issued_on": issued_on.isoformat() if issued_on else None,
        "deadline": deadline.isoformat(),
    }
    full = issued_on is not None and issued_on <= deadline
    return Score(round_points(max_points if full else 0), why)


def manual(max_points: Decimal, entry: ManualEntry | None) -> Score:
    """The appraiser's points (never above the maximum); zero until entered."""
    if entry is None:
        return Score(round_points(0), {"rule": MANUAL, "entered": False})
    why = {
        "rule": MANUAL,
        "entered": True,
        "justification": entry.justification,
        "by": entry.entered_by,
        "at": entry.entered_at.isoformat(),
    }
    return Score(round_points(min(entry.points, max_points)), why)


@dataclass(frozen=True)
class Rule:
    """A sub-criterion as the scoring functions need it."""

    code: str
    kind: str
    max_points: Decimal
    bands: list[dict[str, Any]]
    deadline: dt.date | None


def apply(
    rule: Rule,
    *,
    counts: Counts,
    as_of: dt.date,
    issued_on: dt.date | None,
    entry: ManualEntry | None,
) -> Score:
    """Score one sub-criterion for one unit with the rule's kind."""
    if rule.kind == COMPLETION_BANDS:
        return completion_bands(rule.max_points, rule.bands, counts, as_of)
    if rule.kind == ON_TIME:
        return on_time(rule.max_points, counts, as_of)
    if rule.kind == PLAN_ISSUED_ON_TIME:
        if rule.deadline is None:
            raise ValueError(f"sub-criterion {rule.code} has no deadline")
        return plan_issued_on_time(rule.max_points, issued_on, rule.deadline)
    if rule.kind == MANUAL:
        return manual(rule.max_points, entry)
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def reads(rule: Rule, counts: Counts, entry: ManualEntry | None) -> tuple[Any, ...]:
    """What `apply` reads for the rule's kind: the same reading gives the same score and why.

    The roll-up scores each distinct reading once, whatever the number of units.
    """
    if rule.kind == COMPLETION_BANDS:
        return (counts.due, counts.accepted)
    if rule.kind == ON_TIME:
        return (counts.due, counts.on_time)
    if rule.kind == MANUAL:
        return (entry,)
    return ()


K = TypeVar("K", bound=Hashable)


def competition_ranks(points: Mapping[K, Decimal]) -> dict[K, int]:
    """1-based ranks, highest first; ties share a rank and the next is skipped (1, 1, 3)."""
    ordered = sorted(points.values(), reverse=True)
    first: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {key: first[value] for key, value in points.items()}


# ---------------------------------------------------------------- the why, in words


def _date(iso: str | None) -> str:
    return formats.date_format(dt.date.fromisoformat(iso), "SHORT_DATE_FORMAT") if iso else ""


def _num(value: str | int | float | Decimal) -> str:
    return formats.number_format(Decimal(str(value)).normalize(), use_l10n=True)


def explain(why: Mapping[str, Any]) -> str:
    """The stored why as a sentence in the active language."""
    rule = why.get("rule")
    if rule == COMPLETION_BANDS:
        if not why["due"]:
            return _("No task due by %(date)s: full points.") % {"date": _date(why["as_of"])}
        band = why["band"]
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
    if rule == ON_TIME:
        values = {"due": why["due"], "on_time": why["on_time"], "date": _date(why["as_of"])}
        if not why["due"]:
            return _("No task due by %(date)s: full points.") % values
        if why["on_time"] == why["due"]:
            return _("All %(due)s tasks due by %(date)s were accepted on time: full points.") % (
                values
            )
        return (
            _("%(on_time)s of %(due)s tasks due by %(date)s were accepted on time: no points.")
            % values
        )
    if rule == PLAN_ISSUED_ON_TIME:
        values = {"issued": _date(why["issued_on"]), "deadline": _date(why["deadline"])}
        if why["issued_on"] is None:
            return _("The plan has not been issued: no points.")
        if why["issued_on"] <= why["deadline"]:
            return _("Plan issued on %(issued)s, by %(deadline)s: full points.") % values
        return _("Plan issued on %(issued)s, after %(deadline)s: no points.") % values
    if rule == MANUAL:
        if not why.get("entered"):
            return _("Not yet scored.")
        at = timezone.localtime(dt.datetime.fromisoformat(why["at"]))
        return _("Scored by %(by)s on %(date)s: %(justification)s") % {
            "by": why["by"],
            "date": formats.date_format(at, "SHORT_DATE_FORMAT"),
            "justification": why["justification"],
        }
    return ""
