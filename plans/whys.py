"""The why of a scored part, in words: a stored why (plans.scoring) as a sentence.

A why is kept as data, so that a snapshot reads in any language long after it
was computed; these turn it into the active language's sentence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from plans.scoring import (
    COMPLETION_BANDS,
    ENTERED_RULES,
    FULL,
    INDICATOR_TARGET,
    MANUAL,
    ON_TIME,
    PLAN_ISSUED_ON_TIME,
    PROPORTIONAL,
    STEP_BANDS,
    TASK_RULES,
    ZERO,
)


def _date(iso: str | None) -> str:
    return formats.date_format(dt.date.fromisoformat(iso), "SHORT_DATE_FORMAT") if iso else ""


def number(value: str | int | float | Decimal) -> str:
    """A number as people of the active language write it (0,5 in Vietnamese)."""
    return formats.number_format(Decimal(str(value)).normalize(), use_l10n=True)


def explain(why: Mapping[str, Any], indicator_names: Mapping[str, str] | None = None) -> str:
    """The stored why as a sentence in the active language.

    `indicator_names`: code -> name of the plan's indicators, to name them in
    words (the stored why keeps the code only: it is written thousands at a time).
    """
    rule = why.get("rule")
    if why.get("applicable") is False:
        return _("Not applicable: %(reason)s") % {"reason": _not_applicable_reason(why)}
    if rule in (COMPLETION_BANDS, STEP_BANDS):
        return _explain_bands(why)
    if rule == ON_TIME:
        values = {"due": why["due"], "on_time": why["on_time"], "date": _date(why["as_of"])}
        if why["on_time"] == why["due"]:
            return _("All %(due)s tasks due by %(date)s were accepted on time: full points.") % (
                values
            )
        return (
            _("%(on_time)s of %(due)s tasks due by %(date)s were accepted on time: no points.")
            % values
        )
    if rule == PLAN_ISSUED_ON_TIME:
        values = {
            "issued": _date(why["issued_on"]),
            "deadline": _date(why["deadline"]),
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
    if rule == INDICATOR_TARGET:
        values = {
            "indicator": (indicator_names or {}).get(why["indicator"], why["indicator"]),
            "target": number(why["target_pct"]),
        }
        if not why.get("reported"):
            return _("No figure reported for %(indicator)s: no points.") % values
        values.update(actual=number(why["actual_pct"]), date=_date(why["period_end"]))
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
    if rule in ENTERED_RULES:
        if not why.get("entered"):
            return _("Not yet scored.") if rule == MANUAL else _("None entered.")
        at = timezone.localtime(dt.datetime.fromisoformat(why["at"]))
        return _("Scored by %(by)s on %(date)s: %(justification)s") % {
            "by": why["by"],
            "date": formats.date_format(at, "SHORT_DATE_FORMAT"),
            "justification": why["justification"],
        }
    return ""


def _not_applicable_reason(why: Mapping[str, Any]) -> str:
    rule = why.get("rule")
    if rule in TASK_RULES:
        return _("no task due by %(date)s.") % {"date": _date(why["as_of"])}
    if rule == PLAN_ISSUED_ON_TIME:
        return _("the unit's plan is not due until %(deadline)s.") % {
            "deadline": _date(why["deadline"])
        }
    if rule == INDICATOR_TARGET:
        return _("no target for this level.")
    if rule == MANUAL and why.get("entered"):
        return _("marked by %(by)s: %(justification)s") % {
            "by": why["by"],
            "justification": why["justification"],
        }
    return ""


def _explain_bands(why: Mapping[str, Any]) -> str:
    band = why["band"]
    if why["rule"] == STEP_BANDS:
        gives = _("%(points)s points") % {"points": number(band["points"])}
    else:
        gives = {
            FULL: _("full points"),
            PROPORTIONAL: _("the maximum times the rate"),
            ZERO: _("no points"),
        }[band["points"]]
    values = {
        "accepted": why["accepted"],
        "due": why["due"],
        "date": _date(why["as_of"]),
        "pct": number(why["pct"]),
        "start": number(band["from"]),
        "end": number(band["to"]) if band.get("to") is not None else "",
        "gives": gives,
    }
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
