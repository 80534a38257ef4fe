"""Step bands: the band a unit's completion rate falls in gives its fixed points."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.rules.bands import (
    band_for,
    bands_schema,
    check_bands,
    explain_band,
    no_task_due,
    rate_why,
)
from plans.rules.base import (
    TASKS_PARAM,
    Rule,
    RuleKind,
    Source,
    check_tasks,
    not_applicable,
    number,
)
from plans.scoring import Counts, Score, half_up, round_points


def step_bands(
    max_points: Decimal, bands: list[dict[str, Any]], counts: Counts, as_of: dt.date
) -> Score:
    """r = accepted / due; the band r falls in gives its fixed points (never above the maximum).

    Nothing due by the as-of date: not applicable.
    """
    why = rate_why(StepBands.name, counts, as_of)
    if counts.due == 0:
        return not_applicable(why)
    raw, up, points = band_for(bands, counts.accepted, counts.due)
    gives = round_points(min(Decimal(str(points)), Decimal(max_points)))
    why.update(
        pct=str(half_up(counts.accepted * 100, counts.due)),
        band={"from": raw, "to": up, "points": str(gives)},
    )
    return Score(gives, why)


class StepBands(RuleKind):
    name = "step_bands"
    label = gettext_lazy("Fixed points per completion band")
    source = Source.TASKS
    params = {"tasks": TASKS_PARAM, "bands": bands_schema({"type": "number", "minimum": 0})}
    required = ("bands",)

    def check(self, params: Mapping[str, Any], max_points: Decimal) -> dict[str, str]:
        errors = check_tasks(params)
        problem = check_bands(params.get("bands"), step=True, max_points=max_points)
        if problem:
            errors["bands"] = problem
        return errors

    def part_key(self, read: Counts) -> tuple[int, int]:
        return (read.due, read.accepted)

    def score(self, rule: Rule, read: Counts, as_of: dt.date) -> Score:
        return step_bands(rule.max_points, rule.params["bands"], read, as_of)

    def explain(self, why: Mapping[str, Any], indicator_names: Mapping[str, str]) -> str:
        return explain_band(why, _("%(points)s points") % {"points": number(why["band"]["points"])})

    def not_applicable(self, why: Mapping[str, Any]) -> str:
        return no_task_due(why)
