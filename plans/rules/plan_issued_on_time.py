"""The unit's own plan issued on time: full points by the deadline, `late_points` after it.

The deadline is a date, or a number of days after the plan it implements is
issued ("within 15 days of the province's plan"): `for_plan` turns the latter
into the date when the roll-up knows the province plan's issue date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

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
    deadline: dt.date | None,
    *,
    late_points: Decimal = Decimal(0),
    as_of: dt.date,
) -> Score:
    """The unit's own plan: on time full, late `late_points`, none after the deadline 0.

    A plan issued after the as-of date counts as not issued yet; none issued
    while the deadline has not passed is not applicable, and so is any plan
    while its deadline is not known (the province plan it follows not issued).
    """
    if issued_on is not None and issued_on > as_of:
        issued_on = None
    why = {
        "rule": PlanIssuedOnTime.name,
        "as_of": as_of.isoformat(),
        "issued_on": issued_on.isoformat() if issued_on else None,
        "deadline": deadline.isoformat() if deadline else None,
    }
    if deadline is None:
        return not_applicable(why)
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
        "deadline": {
            "type": "string",
            "format": "date",
            "description": gettext_noop("Due by (YYYY-MM-DD)."),
        },
        "days_after_parent": {
            "type": "integer",
            "minimum": 0,
            "maximum": 366,
            "description": gettext_noop(
                "Or: due this many days after the province plan it implements is issued."
            ),
        },
        "late_points": {
            "type": "number",
            "minimum": 0,
            "default": 0,
            "description": gettext_noop(
                "Points for a plan issued after the deadline (up to the maximum)."
            ),
        },
    }

    def check(self, params: Mapping[str, Any], max_points: Decimal) -> dict[str, str]:
        errors = {}
        days = params.get("days_after_parent")
        if "days_after_parent" in params:
            if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 366:
                errors["days_after_parent"] = _("Give a number of days from 0 to 366.")
            if "deadline" in params:
                errors["deadline"] = _(
                    "Give a deadline or a number of days after the province plan, not both."
                )
        else:
            deadline = params.get("deadline")
            try:
                if not isinstance(deadline, str) or not ISO_DATE.match(deadline):
                    raise ValueError(deadline)
                dt.date.fromisoformat(deadline)
            except ValueError:
                errors["deadline"] = _(
                    "Give the date the plan is due by, as YYYY-MM-DD, or days_after_parent."
                )
        late = params.get("late_points", 0)
        value = number_in(late)
        if value is None or not 0 <= value <= max_points:
            errors["late_points"] = _("Give between 0 and %(max)s points for a late plan.") % {
                "max": number(max_points)
            }
        return errors

    def for_plan(self, rule: Rule, parent_issued_on: dt.date | None) -> Rule:
        """A deadline of days after the province plan, as the date it falls on for this plan."""
        days = rule.params.get("days_after_parent")
        if days is None:
            return rule
        due = parent_issued_on + dt.timedelta(days=days) if parent_issued_on else None
        return replace(rule, params={**rule.params, "deadline": due.isoformat() if due else None})

    def score(self, rule: Rule, read: dt.date | None, as_of: dt.date) -> Score:
        deadline = rule.params.get("deadline")
        return plan_issued_on_time(
            rule.max_points,
            read,
            dt.date.fromisoformat(deadline) if deadline else None,
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
        if why["deadline"] is None:
            return _("the province plan it follows is not issued yet: no deadline.")
        return _("the unit's plan is not due until %(deadline)s.") % {
            "deadline": date_words(why["deadline"])
        }
