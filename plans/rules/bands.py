"""What the two kinds over a completion rate share: their bands, checked, found and told.

r = accepted / due, compared with each band's start exactly (accepted x 100 >=
start x due), never in floating point. A band is {"from": percent,
"points": ..., "to": percent (optional, excluded)}.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from plans.rules.base import (
    Rule,
    RuleKind,
    Source,
    check_tasks,
    date_words,
    number,
)
from plans.scoring import Counts, Score, number_in

# What a completion band gives: the maximum, the maximum times the rate, or nothing.
FULL = "full"
PROPORTIONAL = "proportional"
ZERO = "zero"
BAND_KINDS = (FULL, PROPORTIONAL, ZERO)

# The standard bands of sub-criteria 1.2 and 1.5: 100% full, 80% and up
# proportional, below 80% nothing.
DEFAULT_BANDS: list[dict[str, Any]] = [
    {"from": 100, "points": FULL},
    {"from": 80, "points": PROPORTIONAL},
    {"from": 0, "points": ZERO},
]


def bands_schema(points: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of a band list whose bands give `points`."""
    percent = {"type": "number", "minimum": 0, "maximum": 100}
    return {
        "type": "array",
        "minItems": 1,
        "description": gettext_noop(
            "Bands covering 0% to 100% once; each from a percent (to the next start)."
        ),
        "items": {
            "type": "object",
            "properties": {"from": percent, "to": percent, "points": points},
            "required": ["from", "points"],
            "additionalProperties": False,
        },
    }


def _is_percent(value: Any) -> bool:
    """A band's bound: a JSON number (not text, not true or false)."""
    return not isinstance(value, bool) and isinstance(value, int | float)


def _pct(value: Any) -> str:
    return number(value) + "%"


def check_bands(bands: Any, *, step: bool = False, max_points: Decimal | None = None) -> str | None:  # noqa: C901 (each fault of a band list has its own message)
    """Why a band list is unusable, or None when it is fine.

    Completion bands give "full", "proportional" or "zero", step bands a
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
        start = number_in(band["from"]) if _is_percent(band["from"]) else None
        if start is None or not 0 <= start <= 100:
            return _("A band starts at a percent between 0 and 100.")
        end = None
        if "to" in band:
            end = number_in(band["to"]) if _is_percent(band["to"]) else None
            if end is None or not start < end <= 100:
                return _("A band from %(start)s ends above it, at 100%% at most.") % {
                    "start": _pct(start)
                }
        points = band["points"]
        if step:
            value = number_in(points)
            if value is None or value < 0 or (max_points is not None and value > max_points):
                return _("A band from %(start)s gives between 0 and %(max)s points.") % {
                    "start": _pct(start),
                    "max": number(max_points if max_points is not None else 100),
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


def band_for(bands: list[dict[str, Any]], accepted: int, due: int) -> tuple[Any, Any, Any]:
    """(start as written, start of the band above or None, points) of the band r falls in."""
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


def rate_why(rule: str, counts: Counts, as_of: dt.date) -> dict[str, Any]:
    """What a rule over the completion rate starts its why with."""
    return {
        "rule": rule,
        "as_of": as_of.isoformat(),
        "due": counts.due,
        "accepted": counts.accepted,
    }


def required_why(score: Score, rule: Rule) -> Score:
    """A score judged against a required number of tasks says so in its why."""
    if rule.required_count is None:
        return score
    return score._replace(why={**score.why, "required": rule.required_count})


def explain_band(why: Mapping[str, Any], gives: str) -> str:
    """The band a unit's rate fell in, and what it gave, in words."""
    band = why["band"]
    values = {
        "accepted": why["accepted"],
        "due": why["due"],
        "date": date_words(why["as_of"]),
        "pct": number(why["pct"]),
        "start": number(band["from"]),
        "end": number(band["to"]) if band.get("to") is not None else "",
        "gives": gives,
    }
    if why.get("required"):
        return (
            _(
                "%(accepted)s of the %(due)s tasks required were accepted by %(date)s "
                "(%(pct)s%%): %(gives)s."
            )
            % values
        )
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


def no_task_due(why: Mapping[str, Any]) -> str:
    return _("no task due by %(date)s.") % {"date": date_words(why["as_of"])}


class BandKind(RuleKind):
    """What the kinds over a unit's completion rate share: their parameters' check, what
    they read of the counts, and why nothing due makes them not applicable."""

    source = Source.TASKS
    required = ("bands",)
    step: ClassVar[bool] = False  # bands give a number of points, not full/proportional/zero

    def check(self, params: Mapping[str, Any], max_points: Decimal) -> dict[str, str]:
        errors = check_tasks(params)
        problem = check_bands(params.get("bands"), step=self.step, max_points=max_points)
        if problem:
            errors["bands"] = problem
        return errors

    def part_key(self, read: Counts) -> tuple[int, int]:
        return (read.due, read.accepted)

    def not_applicable(self, why: Mapping[str, Any]) -> str:
        return no_task_due(why)
