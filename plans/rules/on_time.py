"""On time: full points when every task due was accepted by its deadline, else none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.rules.bands import no_task_due
from plans.rules.base import (
    TASKS_PARAM,
    Rule,
    RuleKind,
    Source,
    check_tasks,
    date_words,
    not_applicable,
)
from plans.scoring import Counts, Score, round_points


def on_time(max_points: Decimal, counts: Counts, as_of: dt.date) -> Score:
    """Full points when every task due by as-of was accepted by its deadline, else zero.

    Nothing due by the as-of date: not applicable.
    """
    why = {
        "rule": OnTime.name,
        "as_of": as_of.isoformat(),
        "due": counts.due,
        "on_time": counts.on_time,
    }
    if counts.due == 0:
        return not_applicable(why)
    full = counts.on_time == counts.due
    return Score(round_points(max_points if full else 0), why)


class OnTime(RuleKind):
    name = "on_time"
    label = gettext_lazy("Every task on time")
    source = Source.TASKS
    params = {"tasks": TASKS_PARAM}

    def check(self, params: Mapping[str, Any], max_points: Decimal) -> dict[str, str]:
        return check_tasks(params)

    def part_key(self, read: Counts) -> tuple[int, int]:
        return (read.due, read.on_time)

    def score(self, rule: Rule, read: Counts, as_of: dt.date) -> Score:
        return on_time(rule.max_points, read, as_of)

    def explain(self, why: Mapping[str, Any], indicator_names: Mapping[str, str]) -> str:
        values = {"due": why["due"], "on_time": why["on_time"], "date": date_words(why["as_of"])}
        if why["on_time"] == why["due"]:
            return _("All %(due)s tasks due by %(date)s were accepted on time: full points.") % (
                values
            )
        return (
            _("%(on_time)s of %(due)s tasks due by %(date)s were accepted on time: no points.")
            % values
        )

    def not_applicable(self, why: Mapping[str, Any]) -> str:
        return no_task_due(why)
