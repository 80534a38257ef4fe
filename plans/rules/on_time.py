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
    TASK_PARAMS,
    Rule,
    RuleKind,
    Source,
    check_tasks,
    date_words,
    not_applicable,
    required_counts,
)
from plans.scoring import Counts, Score, round_points


def on_time(
    max_points: Decimal, counts: Counts, as_of: dt.date, required: int | None = None
) -> Score:
    """Full points when every task due by as-of was accepted by its deadline, else zero.

    Nothing due by the as-of date: not applicable. With `required` N (the
    counts already judged as N due, tasks.rules.base.required_counts): full
    only when N were accepted on time, and always applicable.
    """
    why: dict[str, Any] = {
        "rule": OnTime.name,
        "as_of": as_of.isoformat(),
        "due": counts.due,
        "on_time": counts.on_time,
    }
    if required is not None:
        why["required"] = required
    if counts.due == 0:
        return not_applicable(why)
    full = counts.on_time == counts.due
    return Score(round_points(max_points if full else 0), why)


class OnTime(RuleKind):
    name = "on_time"
    label = gettext_lazy("Every task on time")
    source = Source.TASKS
    params = TASK_PARAMS

    def check(self, params: Mapping[str, Any], max_points: Decimal) -> dict[str, str]:
        return check_tasks(params)

    def part_key(self, read: Counts) -> tuple[int, int]:
        return (read.due, read.on_time)

    def score(self, rule: Rule, read: Counts, as_of: dt.date) -> Score:
        counts = required_counts(rule, read)
        return on_time(rule.max_points, counts, as_of, rule.required_count)

    def explain(self, why: Mapping[str, Any], indicator_names: Mapping[str, str]) -> str:
        values = {"due": why["due"], "on_time": why["on_time"], "date": date_words(why["as_of"])}
        if why.get("required"):
            if why["on_time"] == why["due"]:
                return (
                    _("The %(due)s tasks required were accepted on time by %(date)s: full points.")
                    % values
                )
            return (
                _(
                    "%(on_time)s of the %(due)s tasks required were accepted on time by "
                    "%(date)s: no points."
                )
                % values
            )
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
