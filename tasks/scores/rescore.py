"""Scores follow the work: the worker's side of a score request (plans.rescore asks).

- `enqueue_score_request` hands a new request to django-q2 once the change
  that made it commits (the receiver of plans.rescore.score_request_waiting);
- `run_score_request` recomputes today's scores of that plan, again if
  changes came in while it ran, and drops the request;
- `run_waiting_score_requests(now)`, every minute, runs the requests no worker
  picked up (the broker was down, the worker stopped).

Plain functions, idempotent: a request already run is gone, and running a
day again replaces it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.utils import timezone
from django_q.tasks import async_task

from kit.errors import Conflict
from plans.models import Plan, PlanStatus, ScoreRequest
from tasks.scores.rollup import rollup

log = logging.getLogger(__name__)

# A request older than this that is still waiting was not picked up by a
# worker: the minute job runs it.
STRANDED_AFTER = dt.timedelta(seconds=30)


def enqueue_score_request(plan_id: int, **_signal: Any) -> None:
    """Hand a new score request to the worker."""
    async_task("tasks.scores.rescore.run_score_request", plan_id, task_name=f"scores-{plan_id}")


def run_score_request(plan_id: int, now: dt.datetime | None = None) -> int:
    """Recompute today's scores of a plan that asked for it; answers the runs made.

    - Changes that arrive while it runs move the request's counter: it then
      runs once more, so that the last change is always scored.
    - A plan that is not issued (a draft, a closed year), gone, or that cannot
      be scored (no index set) drops its request: the nightly run and the
      committee's button stay for those.
    """
    runs = 0
    while True:
        generation = (
            ScoreRequest.objects.filter(plan_id=plan_id)
            .values_list("generation", flat=True)
            .first()
        )
        if generation is None:
            return runs
        plan = Plan.objects.filter(pk=plan_id, status=PlanStatus.ISSUED).first()
        when = now or timezone.now()
        try:
            if plan is None:
                raise Conflict(f"plan {plan_id} is not an issued plan")
            rollup(plan, timezone.localdate(when), now=when)
            runs += 1
        except Conflict as exc:
            log.info("Scores of plan %s not recomputed: %s", plan_id, exc)
            ScoreRequest.objects.filter(plan_id=plan_id).delete()
            return runs
        # Done, unless another change came in meanwhile.
        if ScoreRequest.objects.filter(plan_id=plan_id, generation=generation).delete()[0]:
            return runs


def run_waiting_score_requests(now: dt.datetime | None = None) -> dict[int, int]:
    """The minute job: run the score requests no worker picked up; answers {plan id: runs}."""
    now = now or timezone.now()
    stranded = ScoreRequest.objects.filter(requested_at__lte=now - STRANDED_AFTER)
    return {pk: run_score_request(pk, now) for pk in stranded.values_list("plan_id", flat=True)}
