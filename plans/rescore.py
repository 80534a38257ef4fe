"""Scores follow the work: a change that can move a score asks for one recomputation.

A write that can move a plan's scores (a task accepted, returned, cancelled or
re-dated, an extension decided, a figure reported, points entered, a unit's
plan issued) calls `scores_may_move` inside its transaction. That leaves one
row per plan (ScoreRequest), committed with the change, and, when the row is
new, tells the worker once the change commits (`score_request_waiting`): many
changes make one run. The worker (tasks.scores.rescore.run_score_request) recomputes
today's scores and deletes the row; a minute schedule picks up any row the
worker did not (tasks.scores.rescore.run_waiting_score_requests).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from kit.errors import Conflict
from plans.models import Plan, ScoreRequest

# Sent once a change that created a plan's score request has committed; `plan_id`.
score_request_waiting = Signal()


def scores_may_move(plan: Plan, *, now: dt.datetime | None = None) -> None:
    """Ask for today's scores of the plan (a unit's plan: of its parent) to be recomputed.

    Call it inside the change's transaction. The request row's counter moves
    with every change; a new row tells the worker once the change commits.
    Two changes that race for a new row: the second one's insert fails on
    the first's, and it moves the counter of the row the first committed (or
    makes a new row, if the worker has already dropped that one).
    """
    plan_id = plan.scored_plan_id
    now = now or timezone.now()
    for _attempt in range(3):
        moved = ScoreRequest.objects.filter(plan_id=plan_id).update(
            requested_at=now, generation=F("generation") + 1
        )
        if moved:
            return  # already waiting: the run to come (or a rerun) sees this change
        try:
            with transaction.atomic():
                ScoreRequest.objects.create(plan_id=plan_id, requested_at=now)
        except IntegrityError:
            continue  # another change made it meanwhile: move its counter
        transaction.on_commit(
            lambda: score_request_waiting.send(sender=ScoreRequest, plan_id=plan_id), robust=True
        )
        return
    raise Conflict(_("Others are changing this plan's work right now: try again."))
