"""Scores follow the work: a change that can move a score asks for one recomputation.

A write that can move a plan's scores (a task accepted, returned, cancelled or
re-dated, an extension decided, a figure reported, points entered, a unit's
plan issued) calls `scores_may_move` inside its transaction. That leaves one
row per plan (ScoreRequest), committed with the change, and, when the row is
new, tells the worker once the change commits (`score_request_waiting`): many
changes make one run. The worker (tasks.scores.run_score_request) recomputes
today's scores and deletes the row; a minute schedule picks up any row the
worker did not (tasks.scores.run_waiting_score_requests).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from plans.models import Plan, ScoreRequest

# Sent once a change that created a plan's score request has committed; `plan_id`.
score_request_waiting = Signal()


def scores_may_move(plan: Plan, *, now: dt.datetime | None = None) -> None:
    """Ask for today's scores of the plan (a unit's plan: of its parent) to be recomputed."""
    plan_id = plan.scored_plan_id
    now = now or timezone.now()
    if ScoreRequest.objects.filter(plan_id=plan_id).update(requested_at=now):
        return  # already waiting: the run to come will see this change too
    _request, created = ScoreRequest.objects.get_or_create(
        plan_id=plan_id, defaults={"requested_at": now}
    )
    if created:
        transaction.on_commit(
            lambda: score_request_waiting.send(sender=ScoreRequest, plan_id=plan_id), robust=True
        )
