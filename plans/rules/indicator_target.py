"""An indicator against its level's target: full when met, proportional or nothing below it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from plans.rules.bands import PROPORTIONAL, ZERO
from plans.rules.base import Rule, RuleKind, Source, date_words, not_applicable, number
from plans.scoring import Figure, Score, cents, half_up, round_points

# What the roll-up hands this kind: the unit's latest figure, its level's target %.
Read = tuple[Figure | None, Decimal | None]


def indicator_target(
    max_points: Decimal,
    *,
    indicator: str,
    figure: Figure | None,
    target_pct: Decimal | None,
    below: str,
) -> Score:
    """The unit's latest figure against its level's target: full when met.

    Below it, the maximum times figure / target (proportional) or nothing;
    no target for the level: not applicable; no figure: 0, "chưa báo cáo".
    """
    why: dict[str, Any] = {
        "rule": IndicatorTarget.name,
        "indicator": indicator,
        "below": below,
        "target_pct": str(round_points(target_pct)) if target_pct is not None else None,
    }
    if target_pct is None:
        return not_applicable(why)
    if figure is None:
        return Score(round_points(0), {**why, "reported": False})
    # In integers (the roll-up scores thousands): figure% = num x 100 / den,
    # the target and the maximum in hundredths.
    num, den, target = figure.numerator, figure.denominator, cents(target_pct)
    why.update(
        reported=True,
        actual_pct=str(half_up(num * 100, den)),
        period_end=figure.period_end.isoformat(),
    )
    if num * 10000 >= target * den:
        return Score(round_points(max_points), {**why, "met": True})
    why["met"] = False
    if below == PROPORTIONAL and target > 0:
        # max x (num x 100 / den) / (target / 100), rounded half up.
        return Score(half_up(cents(max_points) * num * 100, den * target), why)
    return Score(round_points(0), why)


class IndicatorTarget(RuleKind):
    name = "indicator_target"
    label = gettext_lazy("Indicator against its level's target")
    source = Source.INDICATOR
    params = {
        "indicator": {
            "type": "string",
            "minLength": 1,
            "description": gettext_noop("The indicator's code."),
        },
        "below": {
            "enum": [PROPORTIONAL, ZERO],
            "default": PROPORTIONAL,
            "description": gettext_noop(
                "Below the target: the maximum times figure / target, or nothing."
            ),
        },
    }
    required = ("indicator",)

    def check(self, params: Mapping[str, Any], max_points: Decimal) -> dict[str, str]:
        errors = {}
        code = params.get("indicator")
        if not isinstance(code, str) or not code.strip():
            errors["indicator"] = _("Name the indicator by its code.")
        if params.get("below", PROPORTIONAL) not in (PROPORTIONAL, ZERO):
            errors["below"] = _('Below the target, give "proportional" or "zero" points.')
        return errors

    def score(self, rule: Rule, read: Read, as_of: dt.date) -> Score:
        figure, target_pct = read
        return indicator_target(
            rule.max_points,
            indicator=rule.indicator,
            figure=figure,
            target_pct=target_pct,
            below=rule.params.get("below", PROPORTIONAL),
        )

    def explain(self, why: Mapping[str, Any], indicator_names: Mapping[str, str]) -> str:
        values = {
            "indicator": indicator_names.get(why["indicator"], why["indicator"]),
            "target": number(why["target_pct"]),
        }
        if not why.get("reported"):
            return _("No figure reported for %(indicator)s: no points.") % values
        values.update(actual=number(why["actual_pct"]), date=date_words(why["period_end"]))
        if why.get("met"):
            return (
                _("%(indicator)s: %(actual)s%% at %(date)s, target %(target)s%% met: full points.")
                % values
            )
        if why.get("below", PROPORTIONAL) == PROPORTIONAL:
            return (
                _(
                    "%(indicator)s: %(actual)s%% at %(date)s, below the target of %(target)s%%: "
                    "the maximum times figure / target."
                )
                % values
            )
        return (
            _(
                "%(indicator)s: %(actual)s%% at %(date)s, below the target of %(target)s%%: "
                "no points."
            )
            % values
        )

    def not_applicable(self, why: Mapping[str, Any]) -> str:
        return _("no target for this level.")
