"""Reading stored scores: the roll-up of a day, ranked per level."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.utils.translation import gettext as _

from plans.attainment import LEVEL_ORDER
from plans.errors import NotFound
from plans.models import Plan, ScoreSnapshot, SubCriterion


def subcriterion_names(plan: Plan) -> dict[str, str]:
    """Code -> name of the sub-criteria of the plan's index set."""
    return dict(
        SubCriterion.objects.filter(criterion__index_set_id=plan.index_set_id).values_list(
            "code", "name"
        )
    )


def latest_day(plan: Plan, as_of: dt.date) -> dt.date | None:
    """The greatest day on or before as_of the plan was scored on (None: not yet)."""
    days = ScoreSnapshot.objects.filter(plan=plan, as_of__lte=as_of)
    return days.aggregate(day=Max("as_of"))["day"]


def score_day(plan: Plan, as_of: dt.date) -> tuple[dt.date, list[ScoreSnapshot]]:
    """The roll-up with the greatest as-of date on or before as_of, by level then rank.

    Raises NotFound when the plan has none yet.
    """
    day = latest_day(plan, as_of)
    if day is None:
        raise NotFound(
            _("No scores for this plan on or before %(date)s yet: run the roll-up first.")
            % {"date": as_of.strftime("%d/%m/%Y")}
        )
    rows = ScoreSnapshot.objects.filter(plan=plan, as_of=day).select_related("unit")
    order = {level: i for i, level in enumerate(LEVEL_ORDER)}
    return day, sorted(rows, key=lambda s: (order.get(s.level, 99), s.rank, s.unit.name))
