"""Whether a rule book's parameters are usable: bands, a rule's parameters, the groups.

The admin, the index-set documents (plans.indexsets) and the models check
with these before anything is stored, each fault in words; the rules
themselves (plans.scoring) trust what passed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from plans.scoring import (
    ALL_TASKS,
    BAND_KINDS,
    COMPLETION_BANDS,
    INDICATOR_TARGET,
    KNOWN_RULES,
    ON_TIME,
    PLAN_ISSUED_ON_TIME,
    PROPORTIONAL,
    STEP_BANDS,
    TAGGED,
    TASK_RULES,
    ZERO,
)
from plans.whys import number

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
    return number(value) + "%"


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
                "max": number(max_points)
            }
    if kind == INDICATOR_TARGET:
        code = params.get("indicator")
        if not isinstance(code, str) or not code.strip():
            errors["indicator"] = _("Name the indicator by its code.")
        if params.get("below", PROPORTIONAL) not in (PROPORTIONAL, ZERO):
            errors["below"] = _('Below the target, give "proportional" or "zero" points.')
    return errors


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
