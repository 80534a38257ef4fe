"""Jobs the scheduler calls: plain functions that take the time and say what they did."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from plans import scoring
from plans.errors import Conflict
from plans.models import ManualScore, Plan, PlanStatus, ScoreSnapshot, SubCriterion, TaskScope, Unit
from tasks.models import Status, Task


def _day_end(day: dt.date) -> dt.datetime:
    """The first instant after the day, in Asia/Ho_Chi_Minh."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def task_counts(
    plan: Plan, as_of: dt.date, include_subtasks: bool
) -> dict[int, dict[str, scoring.Counts]]:
    """Per lead unit and sub-criterion tag, the counts the rules read: one GROUP BY.

    Every unit leading a counted task appears, even when all its tasks are
    cancelled (it is scored, with nothing due).
    """
    tasks = Task.objects.filter(plan=plan)
    if not include_subtasks:
        tasks = tasks.filter(parent__isnull=True)
    due = Q(due_date__lte=as_of) & ~Q(status=Status.CANCELLED)
    accepted = due & Q(status=Status.DONE)
    rows = (
        tasks.values("lead_unit_id", "subcriterion")
        .annotate(
            due=Count("pk", filter=due),
            accepted=Count("pk", filter=accepted & Q(completed_at__lt=_day_end(as_of))),
            on_time=Count("pk", filter=accepted & Q(completed_at__date__lte=F("due_date"))),
        )
        .order_by()
    )
    counts: dict[int, dict[str, scoring.Counts]] = defaultdict(dict)
    for row in rows:
        counts[row["lead_unit_id"]][row["subcriterion"]] = scoring.Counts(
            row["due"], row["accepted"], row["on_time"]
        )
    return counts


def _latest_manual(plan: Plan, as_of: dt.date) -> dict[tuple[int, int], scoring.ManualEntry]:
    """The latest entry entered by the end of as_of, per (unit, sub-criterion)."""
    entries = (
        ManualScore.objects.filter(plan=plan, entered_at__lt=_day_end(as_of))
        .select_related("entered_by")
        .order_by("entered_at", "id")
    )
    return {
        (e.unit_id, e.subcriterion_id): scoring.ManualEntry(
            e.points, e.justification, e.entered_by.full_name, e.entered_at
        )
        for e in entries
    }


def rollup(plan: Plan, as_of: dt.date, *, now: dt.datetime | None = None) -> list[ScoreSnapshot]:
    """Score every unit leading a top-level task of the plan, rank them per level, store the day.

    - A fixed number of queries whatever the number of tasks: the task counts
      come from one GROUP BY, the rules run on the counts.
    - One snapshot per plan, unit and day: running again replaces that day's.
    - The plan row is locked so that two runs of one day take turns.
    """
    now = now or timezone.now()
    with transaction.atomic():
        plan = Plan.objects.select_for_update().select_related("index_set").get(pk=plan.pk)
        if plan.index_set is None:
            raise Conflict("This plan has no index set to be scored by.")
        subs = list(
            SubCriterion.objects.filter(criterion__index_set=plan.index_set).order_by(
                "criterion__code", "code"
            )
        )
        counts = task_counts(plan, as_of, plan.index_set.include_subtasks)
        units = {u["id"]: u for u in Unit.objects.filter(pk__in=list(counts)).values("id", "level")}
        manual = _latest_manual(plan, as_of) if any(s.rule == scoring.MANUAL for s in subs) else {}
        max_total = sum((s.max_points for s in subs), Decimal(0))

        scored: dict[int, tuple[Decimal, list[dict[str, Any]]]] = {}
        for unit_id in units:
            by_tag = counts[unit_id]
            parts = []
            for sub in subs:
                if sub.tasks_counted == TaskScope.ALL:
                    unit_counts = sum(by_tag.values(), scoring.Counts())
                else:
                    unit_counts = by_tag.get(sub.code, scoring.Counts())
                score = scoring.apply(
                    sub.as_rule(),
                    counts=unit_counts,
                    as_of=as_of,
                    issued_on=plan.issued_on,
                    entry=manual.get((unit_id, sub.pk)),
                )
                parts.append(
                    {
                        "code": sub.code,
                        "name": sub.name,
                        "points": str(score.points),
                        "max_points": str(scoring.round_points(sub.max_points)),
                        "why": score.why,
                    }
                )
            total = sum((Decimal(p["points"]) for p in parts), Decimal(0))
            scored[unit_id] = (total, parts)

        ranks: dict[int, int] = {}
        for level in {u["level"] for u in units.values()}:
            same = {uid: scored[uid][0] for uid, u in units.items() if u["level"] == level}
            ranks.update(scoring.competition_ranks(same))

        ScoreSnapshot.objects.filter(plan=plan, as_of=as_of).delete()
        return ScoreSnapshot.objects.bulk_create(
            [
                ScoreSnapshot(
                    plan=plan,
                    unit_id=unit_id,
                    as_of=as_of,
                    level=units[unit_id]["level"],
                    points=total,
                    max_points=max_total,
                    rank=ranks[unit_id],
                    parts=parts,
                    computed_at=now,
                )
                for unit_id, (total, parts) in scored.items()
            ]
        )


def rollup_issued_plans(now: dt.datetime | None = None) -> dict[int, int]:
    """The nightly run: today's scores for every issued plan; answers {plan id: units scored}."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = {}
    for plan in Plan.objects.filter(status=PlanStatus.ISSUED, index_set__isnull=False):
        done[plan.pk] = len(rollup(plan, today, now=now))
    return done
