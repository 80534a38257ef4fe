"""The unit's own plan issued on time: full points by the deadline, `late_points` after it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.rules.base import (
    Rule,
    RuleKind,
    Source,
    date_words,
    not_applicable,
    number,
)
from plans.scoring import Score, number_in, round_points

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
        "rule": PlanIssuedOnTime.name,
        "as_of": as_of.isoformat(),
        "issued_on": issued_on.isoformat() if issued_on else None,
        "deadline": deadline.isoformat(),
    }
    if issued_on is None:
        if as_of <= deadline:
            return not_applicable(why)
        return Score(round_points(0), why)
    if issued_on <= deadline:
        return Score(round_points(max_points), why)
    late = round_points(min(late_points, max_points))
    return Score(late, {**why, "late_points": str(late)})


class PlanIssuedOnTime(RuleKind):
    name = "plan_issued_on_time"
    label = gettext_lazy("Unit's plan issued on time")
    source = Source.PLAN
    params = {
        "deadline": {"type": "string", "format": "date", "description": "Due by (YYYY-MM-DD)."},
        "late_points": {
            "type": "number",
            "minimum": 0,
            "default": 0,
            "description": "Points for a plan issued after the deadline (up to the maximum).",
        },
    }
    required = ("deadline",)

    def check(self, params: Mapping[str, Any], max_points: Decimal) -> dict[str, str]:
        errors = {}
        deadline = params.get("deadline")
        try:
            if not isinstance(deadline, str) or not ISO_DATE.match(deadline):
                raise ValueError(deadline)
            dt.date.fromisoformat(deadline)
        except ValueError:
            errors["deadline"] = _("Give the date the plan is due by, as YYYY-MM-DD.")
        late = params.get("late_points", 0)
        value = number_in(late)
        if value is None or not 0 <= value <= max_points:
            errors["late_points"] = _("Give between 0 and %(max)s points for a late plan.") % {
                "max": number(max_points)
            }
        return errors

    def score(self, rule: Rule, read: dt.date | None, as_of: dt.date) -> Score:
        return plan_issued_on_time(
            rule.max_points,
            read,
            rule.deadline,
            late_points=Decimal(str(rule.params.get("late_points", 0))),
            as_of=as_of,
        )

    def explain(self, why: Mapping[str, Any], indicator_names: Mapping[str, str]) -> str:
        values = {
            "issued": date_words(why["issued_on"]),
            "deadline": date_words(why["deadline"]),
            "late": number(why.get("late_points", 0)),
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

    def not_applicable(self, why: Mapping[str, Any]) -> str:
        return _("the unit's plan is not due until %(deadline)s.") % {
            "deadline": date_words(why["deadline"])
        }
