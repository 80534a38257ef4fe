"""Entered by an appraiser: points within the maximum, zero until entered ("chưa chấm điểm")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.rules.base import Rule, RuleKind, Source, kind_of, not_applicable
from plans.scoring import ManualEntry, Score, round_points


def manual(max_points: Decimal, entry: ManualEntry | None, kind: str = "manual") -> Score:
    """An appraiser's points, within the maximum (or a bonus's or penalty's cap).

    - manual: zero until entered; not applicable when the appraiser marks it so;
    - bonus: added; penalty: taken away; both outside the maximum, nothing
      until entered.
    """
    if entry is None:
        return Score(round_points(0), {"rule": kind, "entered": False})
    why = {
        "rule": kind,
        "entered": True,
        "justification": entry.justification,
        "by": entry.entered_by,
        "at": entry.entered_at.isoformat(),
    }
    rule_kind = Manual.registered(kind)
    if entry.not_applicable and rule_kind.may_not_apply:
        return not_applicable(why)
    points = round_points(min(entry.points, max_points))
    return Score(rule_kind.sign * points, why)


class Manual(RuleKind):
    name = "manual"
    label = gettext_lazy("Entered by an appraiser")
    source = Source.ENTRY
    entered = True
    # An appraiser may mark it not applicable; a bonus or a penalty is simply not entered.
    may_not_apply = True

    @staticmethod
    def registered(name: str) -> Manual:
        found = kind_of(name)
        if not isinstance(found, Manual):
            raise TypeError(f"{name} is not entered by an appraiser")
        return found

    def score(self, rule: Rule, read: ManualEntry | None, as_of: dt.date) -> Score:
        return manual(rule.max_points, read, self.name)

    def explain(self, why: Mapping[str, Any], indicator_names: Mapping[str, str]) -> str:
        if not why.get("entered"):
            return self.nothing_entered()
        at = timezone.localtime(dt.datetime.fromisoformat(why["at"]))
        return _("Scored by %(by)s on %(date)s: %(justification)s") % {
            "by": why["by"],
            "date": formats.date_format(at, "SHORT_DATE_FORMAT"),
            "justification": why["justification"],
        }

    def nothing_entered(self) -> str:
        """A judged item not scored yet; a bonus or a penalty simply none."""
        return _("Not yet scored.") if self.may_not_apply else _("None entered.")

    def not_applicable(self, why: Mapping[str, Any]) -> str:
        if not why.get("entered"):
            return ""
        return _("marked by %(by)s: %(justification)s") % {
            "by": why["by"],
            "justification": why["justification"],
        }
