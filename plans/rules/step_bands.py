"""Step bands: the band a unit's completion rate falls in gives its fixed points."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.rules.bands import (
    BandKind,
    band_for,
    bands_schema,
    explain_band,
    rate_why,
    required_why,
)
from plans.rules.base import (
    TASK_PARAMS,
    Rule,
    not_applicable,
    number,
    required_counts,
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


class StepBands(BandKind):
    name = "step_bands"
    label = gettext_lazy("Fixed points per completion band")
    params = {**TASK_PARAMS, "bands": bands_schema({"type": "number", "minimum": 0})}
    step = True

    def score(self, rule: Rule, read: Counts, as_of: dt.date) -> Score:
        counts = required_counts(rule, read)
        return required_why(step_bands(rule.max_points, rule.params["bands"], counts, as_of), rule)

    def explain(self, why: Mapping[str, Any], indicator_names: Mapping[str, str]) -> str:
        return explain_band(why, _("%(points)s points") % {"points": number(why["band"]["points"])})
