"""Scores: the stored days read back, and the two score writes.

- The roll-up that stores the days is tasks.scores.rollup.
- `score_day` and `latest_day` read the stored days back.
- `recompute_scores` and `enter_manual_score` are the two score writes, for
  the pages, the API and the admin alike: actor passed in, checked, audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kit.errors import Invalid, NotAllowed, NotFound
from plans.access import may_score
from plans.attainment import LEVEL_ORDER
from plans.models import (
    Criterion,
    Indicator,
    ManualScore,
    Official,
    Plan,
    ScoreSnapshot,
    SubCriterion,
    Unit,
    record,
)
from plans.rescore import scores_may_move
from plans.rules import entered_kinds, kind_of
from tasks.scores.rollup import UnitScore, rollup

SCORERS_ONLY = gettext_lazy("Only an administrator or the steering committee enters scores.")


# ---------------------------------------------------------------- the stored days


def subcriterion_names(plan: Plan) -> dict[int, dict[str, str]]:
    """Per index set of the plan, code -> name of its sub-criteria and of its groups."""
    names: dict[int, dict[str, str]] = defaultdict(dict)
    groups = Criterion.objects.filter(index_set__plans=plan).values_list(
        "index_set_id", "code", "name"
    )
    rows = SubCriterion.objects.filter(criterion__index_set__plans=plan).values_list(
        "criterion__index_set_id", "code", "name"
    )
    for set_id, code, name in [*groups, *rows]:
        names[set_id][code] = name
    return names


def indicator_names(plan: Plan) -> dict[str, str]:
    """Code -> name of the plan's indicators, to name them in the whys (plans.rules.explain)."""
    return dict(Indicator.objects.filter(plan=plan).values_list("code", "name"))


def score_label(plan: Plan) -> str | None:
    """The name the plan's index sets give their score (e.g. "PAR INDEX lĩnh vực 1"), if any."""
    return plan.index_sets.exclude(label="").values_list("label", flat=True).first()


def latest_day(plan: Plan, as_of: dt.date) -> dt.date | None:
    """The greatest day on or before as_of the plan was scored on (None: not yet)."""
    days = ScoreSnapshot.objects.filter(plan=plan, as_of__lte=as_of)
    day: dt.date | None = days.aggregate(day=Max("as_of"))["day"]
    return day


def score_day(
    plan: Plan, as_of: dt.date, *, with_index_set: bool = False
) -> tuple[dt.date, list[ScoreSnapshot]]:
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
    if with_index_set:
        rows = rows.select_related("index_set")
    order = {level: i for i, level in enumerate(LEVEL_ORDER)}
    return day, sorted(
        rows,
        key=lambda s: (order.get(s.level, 99), s.rank is None, s.rank or 0, s.unit.name),
    )


# ---------------------------------------------------------------- the writes


def recompute_scores(
    actor: Official, plan: Plan, as_of: dt.date, *, now: dt.datetime | None = None
) -> list[UnitScore]:
    """Run the roll-up now for a day (the committee's button, the API): checked and audited.

    The roll-up commits in its own transaction; the audit event follows in
    another, written only when the scores were stored.
    """
    if not may_score(actor):
        raise NotAllowed(_("Only an administrator or the steering committee runs the roll-up."))
    day = rollup(plan, as_of, now=now)
    with transaction.atomic():
        record(actor, "scores_recomputed", plan, as_of=as_of, units=len(day))
    return day


def enter_manual_score(
    actor: Official,
    plan: Plan,
    *,
    unit_id: int,
    code: str,
    points: Decimal | None,
    justification: str,
    not_applicable: bool = False,
    now: dt.datetime | None = None,
) -> ManualScore:
    """An appraiser scores an entered sub-criterion (manual, bonus, penalty) for a unit.

    - The sub-criterion is the one of that code in the index set of the
      unit's level; earlier entries stay as history.
    - A manual item may be marked not applicable (with its reason).
    - The entry and its audit event commit together; today's scores follow.
    """
    if not may_score(actor):
        raise NotAllowed(SCORERS_ONLY)
    with transaction.atomic():
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise Invalid(_("No such unit."), {"unit_id": _("No such unit.")})
        subs = SubCriterion.objects.filter(
            criterion__index_set__plans=plan,
            code=code,
            rule__in=entered_kinds(),
            criterion__index_set__level__in=[unit.level, ""],
        ).order_by("-criterion__index_set__level")
        sub = subs.first()
        if sub is None:
            message = _(
                "The index set of this unit's level has no sub-criterion with this code "
                "for an appraiser to score."
            )
            raise Invalid(message, {"code": message})
        errors = {}
        if not_applicable and not kind_of(sub.rule).may_not_apply:
            errors["not_applicable"] = _("Only a judged item can be marked not applicable.")
        given = Decimal(0) if not_applicable else points
        if given is None:
            errors["points"] = _("Give the points, or mark the item not applicable.")
        elif not 0 <= given <= sub.max_points:
            errors["points"] = _("Give between 0 and %(max)s points.") % {"max": sub.max_points}
        if not (justification or "").strip():
            errors["justification"] = _("Say why these points were given.")
        if errors or given is None:
            raise Invalid(_("Some values are not valid."), errors)
        entry = ManualScore.objects.create(
            plan=plan,
            unit_id=unit_id,
            subcriterion=sub,
            points=given,
            justification=justification.strip(),
            not_applicable=not_applicable,
            entered_by=actor,
            entered_at=now or timezone.now(),
        )
        record(
            actor,
            "scored",
            plan,
            unit_id=unit_id,
            code=code,
            points=given,
            not_applicable=not_applicable,
        )
        scores_may_move(plan, now=now)
    return entry
