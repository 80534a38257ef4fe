"""Completion bands: the band a unit's completion rate falls in gives full, proportional or no
points (sub-criteria such as 1.2 "tasks of the plan done")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.rules.bands import (
    BAND_KINDS,
    FULL,
    PROPORTIONAL,
    BandKind,
    band_for,
    bands_schema,
    explain_band,
    rate_why,
    required_why,
)
from plans.rules.base import TASK_PARAMS, Rule, not_applicable, required_counts
from plans.scoring import Counts, Score, half_up, round_points


def completion_bands(
    max_points: Decimal, bands: list[dict[str, Any]], counts: Counts, as_of: dt.date
) -> Score:
    """r = accepted / due; the band r falls in gives full, proportional or zero points.

    Nothing due by the as-of date: not applicable.
    """
    why = rate_why(CompletionBands.name, counts, as_of)
    if counts.due == 0:
        return not_applicable(why)
    accepted, due = counts.accepted, counts.due
    raw, up, kind = band_for(bands, accepted, due)
    if kind == FULL:
        points = round_points(max_points)
    elif kind == PROPORTIONAL:
        top, bottom = Decimal(max_points).as_integer_ratio()
        points = half_up(top * accepted, bottom * due)
    else:
        points = round_points(0)
    why.update(pct=str(half_up(accepted * 100, due)), band={"from": raw, "to": up, "points": kind})
    return Score(points, why)


class CompletionBands(BandKind):
    name = "completion_bands"
    label = gettext_lazy("Completion bands")
    params = {**TASK_PARAMS, "bands": bands_schema({"enum": list(BAND_KINDS)})}

    def score(self, rule: Rule, read: Counts, as_of: dt.date) -> Score:
        counts = required_counts(rule, read)
        score = completion_bands(rule.max_points, rule.params["bands"], counts, as_of)
        return required_why(score, rule)

    def explain(self, why: Mapping[str, Any], indicator_names: Mapping[str, str]) -> str:
        gives = {
            FULL: _("full points"),
            PROPORTIONAL: _("the maximum times the rate"),
        }.get(why["band"]["points"], _("no points"))
        return explain_band(why, gives)
