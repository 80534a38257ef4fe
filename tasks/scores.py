"""Scores: the roll-up of task counts into each unit's points, the stored days, the writes.

- `rollup(plan, as_of)` counts the plan's tasks in one GROUP BY, scores each
  unit by the index set's rules (plans.scoring, pure functions) and stores a
  ScoreSnapshot per unit for the day; `rollup_issued_plans(now)` is the
  nightly job.
- `score_day` and `latest_day` read the stored days back.
- `recompute_scores` and `enter_manual_score` are the two score writes, for
  the pages, the API and the admin alike: actor passed in, checked, audited.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans import scoring
from plans.access import may_score
from plans.attainment import LEVEL_ORDER
from plans.errors import Conflict, Invalid, NotAllowed, NotFound
from plans.models import (
    ManualScore,
    Official,
    Plan,
    PlanStatus,
    ScoreSnapshot,
    SubCriterion,
    TaskScope,
    Unit,
    record,
)
from tasks.models import Status, Task

log = logging.getLogger(__name__)

NO_TASKS = scoring.Counts()
SCORERS_ONLY = gettext_lazy("Only an administrator or the steering committee enters scores.")


def _day_end(day: dt.date) -> dt.datetime:
    """The first instant after the day, in Asia/Ho_Chi_Minh."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def task_counts(
    plan: Plan, as_of: dt.date, include_subtasks: bool, on_time_tags: list[str] | None
) -> dict[int, dict[str, scoring.Counts]]:
    """Per lead unit and sub-criterion tag, the counts the rules read: one GROUP BY.

    - Every unit leading a counted task appears, even when all its tasks are
      cancelled (it is scored, with nothing due).
    - "On time" is counted only for the tags an on_time rule reads (None: every
      tag, for an on_time rule over all tasks).
    - The filters say no more than they must, each is evaluated on every row:
      completed_on is set exactly when a task is done (a check constraint), so
      a completion date implies done, hence not cancelled; accepted on or
      before a deadline that is itself on or before as_of implies by as_of.
    """
    tasks = Task.objects.filter(plan=plan).scored(include_subtasks)
    due = Q(due_date__lte=as_of) & ~Q(status=Status.CANCELLED)
    accepted = Q(due_date__lte=as_of, completed_on__lte=as_of)
    on_time = Q(due_date__lte=as_of, completed_on__lte=F("due_date"))
    if on_time_tags is not None:
        on_time = Q(subcriterion__in=on_time_tags) & on_time
    rows = (
        tasks.values("lead_unit_id", "subcriterion")
        .annotate(
            due=Count("pk", filter=due),
            accepted=Count("pk", filter=accepted),
            on_time=Count("pk", filter=on_time) if on_time_tags != [] else Value(0),
        )
        .order_by()
    )
    # Run through a plain cursor: the ORM's per-value converters are no-ops
    # for these columns and cost a tenth of a second over 20,000 rows.
    sql, params = rows.values_list(
        "lead_unit_id", "subcriterion", "due", "accepted", "on_time"
    ).query.sql_with_params()
    counts: dict[int, dict[str, scoring.Counts]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for unit_id, tag, n_due, n_accepted, n_on_time in cursor.fetchall():
            counts[unit_id][tag] = scoring.Counts(n_due, n_accepted, n_on_time)
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


class _Part(NamedTuple):
    """One scored reading of a sub-criterion, as stored and as JSON text."""

    points: Decimal
    stored: dict[str, Any]
    text: str


@dataclass(frozen=True)
class _SubRule:
    """A sub-criterion as the roll-up's loop reads it, with its parts by reading.

    Units that read the same for a sub-criterion get the same part: each
    distinct part is scored, and encoded to JSON for the snapshot, once.
    """

    pk: int
    code: str
    all_tasks: bool
    is_manual: bool
    rule: scoring.Rule
    max_points: str
    known: dict[tuple[Any, ...], _Part]

    @classmethod
    def of(cls, sub: SubCriterion) -> _SubRule:
        return cls(
            sub.pk,
            sub.code,
            sub.tasks_counted == TaskScope.ALL,
            sub.rule == scoring.MANUAL,
            sub.as_rule(),
            str(scoring.round_points(sub.max_points)),
            {},
        )


class _Scored(NamedTuple):
    unit_id: int
    level: str
    points: Decimal
    parts: list[dict[str, Any]]
    tasks: scoring.Counts


@dataclass(frozen=True)
class UnitScore:
    """One unit's score of a roll-up, as stored in its ScoreSnapshot."""

    unit_id: int
    level: str
    points: Decimal
    max_points: Decimal
    rank: int
    parts: list[dict[str, Any]]
    tasks: scoring.Counts  # all the unit's counted tasks, whatever their tag


def rollup(
    plan: Plan, as_of: dt.date, *, now: dt.datetime | None = None, batch: bool = False
) -> list[UnitScore]:
    """Score every unit leading a top-level task of the plan, rank them per level, store the day.

    - A fixed number of queries whatever the number of tasks: the task counts
      come from one GROUP BY, the rules run on the counts.
    - One snapshot per plan, unit and day: running again replaces that day's.
    - The plan row is locked so that two runs of one day take turns.
    - Its own transaction, committed without waiting for the disk on
      PostgreSQL (snapshots are derived data), but only when it is its own:
      inside a caller's transaction it changes nothing of how that commits.
    - `batch` (the nightly job, the command): the garbage collector is paused
      while it scores; never in a web request, whose process serves others.
    """
    now = now or timezone.now()
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(), _collector_paused() if batch else nullcontext():
        plan = (
            Plan.objects.select_for_update(of=("self",)).select_related("index_set").get(pk=plan.pk)
        )
        if plan.index_set is None:
            raise Conflict("This plan has no index set to be scored by.")
        subs = list(
            SubCriterion.objects.filter(criterion__index_set=plan.index_set).order_by(
                "criterion__code", "code"
            )
        )
        timed = [s for s in subs if s.rule == scoring.ON_TIME]
        on_time_tags = (
            None
            if any(s.tasks_counted == TaskScope.ALL for s in timed)
            else [s.code for s in timed]
        )
        counts = task_counts(plan, as_of, plan.index_set.include_subtasks, on_time_tags)
        # Every unit's level, without sending thousands of ids back as parameters.
        levels = dict(Unit.objects.values_list("id", "level"))
        manual = _latest_manual(plan, as_of) if any(s.rule == scoring.MANUAL for s in subs) else {}
        max_total = sum((s.max_points for s in subs), Decimal(0))
        rules = [_SubRule.of(sub) for sub in subs]
        scored: list[_Scored] = []
        encoded: dict[int, str] = {}
        for unit_id, by_tag in counts.items():
            every_task = scoring.Counts.total(by_tag.values())
            parts, texts, total = [], [], Decimal(0)
            for sub in rules:
                unit_counts = every_task if sub.all_tasks else by_tag.get(sub.code, NO_TASKS)
                entry = manual.get((unit_id, sub.pk)) if sub.is_manual else None
                reading = scoring.reads(sub.rule, unit_counts, entry)
                part = sub.known.get(reading)
                if part is None:
                    score = scoring.apply(
                        sub.rule,
                        counts=unit_counts,
                        as_of=as_of,
                        issued_on=plan.issued_on,
                        entry=entry,
                    )
                    stored = {
                        "code": sub.code,
                        "points": str(score.points),
                        "max_points": sub.max_points,
                        "why": score.why,
                    }
                    part = sub.known[reading] = _Part(score.points, stored, _json(stored))
                parts.append(part.stored)
                texts.append(part.text)
                total += part.points
            scored.append(_Scored(unit_id, levels[unit_id], total, parts, every_task))
            encoded[unit_id] = "[" + ",".join(texts) + "]"

        totals: dict[str, dict[int, Decimal]] = defaultdict(dict)
        for row in scored:
            totals[row.level][row.unit_id] = row.points
        ranks: dict[int, int] = {}
        for same_level in totals.values():
            ranks.update(scoring.competition_ranks(same_level))
        day = [
            UnitScore(
                row.unit_id,
                row.level,
                row.points,
                max_total,
                ranks[row.unit_id],
                row.parts,
                row.tasks,
            )
            for row in scored
        ]

        if own_transaction and connection.vendor == "postgresql":
            # Snapshots are derived data, recomputed at will: a crash in the
            # instant after commit may lose this run, never leave half of it.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        ScoreSnapshot.objects.filter(plan=plan, as_of=as_of).delete()
        _insert(plan, as_of, now, day, encoded)
        return day


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector while the roll-up builds its scores.

    It allocates tens of thousands of small dicts and lists, none in a cycle
    (reference counting frees them); the collector's passes over them cost a
    sixth of a 3,400-unit roll-up.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> str:
    return _ENCODER.encode(value)


def _insert(
    plan: Plan, as_of: dt.date, now: dt.datetime, day: list[UnitScore], encoded: dict[int, str]
) -> None:
    """Write a day's snapshots in one statement.

    On PostgreSQL the rows are streamed with COPY, each row's parts as the JSON
    text assembled from the parts encoded once each: Django's bulk insert sends
    each row's JSON inside an array literal whose quotes are escaped one by one
    in Python, which took most of a 3,400-unit roll-up. Elsewhere (SQLite)
    bulk_create is fast enough.
    """
    if not day:
        return
    if connection.vendor != "postgresql":
        ScoreSnapshot.objects.bulk_create(
            ScoreSnapshot(
                plan=plan,
                unit_id=s.unit_id,
                as_of=as_of,
                level=s.level,
                points=s.points,
                max_points=s.max_points,
                rank=s.rank,
                parts=s.parts,
                tasks_due=s.tasks.due,
                tasks_done=s.tasks.accepted,
                tasks_on_time=s.tasks.on_time,
                computed_at=now,
            )
            for s in day
        )
        return
    meta, quote = ScoreSnapshot._meta, connection.ops.quote_name
    column_of = {f.name: f.column for f in meta.concrete_fields}
    columns = ", ".join(quote(column_of[name]) for name in _SNAPSHOT_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for s in day:
            copy.write_row(
                (
                    plan.pk,
                    s.unit_id,
                    as_of,
                    s.level,
                    s.points,
                    s.max_points,
                    s.rank,
                    encoded[s.unit_id],
                    s.tasks.due,
                    s.tasks.accepted,
                    s.tasks.on_time,
                    now,
                )
            )


# The order of the values _insert writes.
_SNAPSHOT_COLUMNS = (
    "plan",
    "unit",
    "as_of",
    "level",
    "points",
    "max_points",
    "rank",
    "parts",
    "tasks_due",
    "tasks_done",
    "tasks_on_time",
    "computed_at",
)


def rollup_issued_plans(now: dt.datetime | None = None) -> dict[int, int]:
    """The nightly run: today's scores for every issued plan; answers {plan id: units scored}."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = {}
    for plan in Plan.objects.filter(status=PlanStatus.ISSUED, index_set__isnull=False):
        done[plan.pk] = len(rollup(plan, today, now=now, batch=True))
    return done


# ---------------------------------------------------------------- the stored days


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
    day: dt.date | None = days.aggregate(day=Max("as_of"))["day"]
    return day


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
    points: Decimal,
    justification: str,
    now: dt.datetime | None = None,
) -> ManualScore:
    """An appraiser scores a manual sub-criterion for a unit; earlier entries stay as history.

    - The entry and its audit event commit together, synchronously.
    - Then today's scores are recomputed in a transaction of their own, once
      the entry is committed (at the end of the caller's transaction, if any).
    """
    if not may_score(actor):
        raise NotAllowed(SCORERS_ONLY)
    with transaction.atomic():
        sub = (
            SubCriterion.objects.filter(criterion__index_set_id=plan.index_set_id, code=code)
            .select_related("criterion")
            .first()
        )
        if sub is None or sub.rule != scoring.MANUAL:
            message = _("This plan's index set has no manual sub-criterion with this code.")
            raise Invalid(message, {"code": message})
        if not Unit.objects.filter(pk=unit_id).exists():
            raise Invalid(_("No such unit."), {"unit_id": _("No such unit.")})
        errors = {}
        if not 0 <= points <= sub.max_points:
            errors["points"] = _("Give between 0 and %(max)s points.") % {"max": sub.max_points}
        if not (justification or "").strip():
            errors["justification"] = _("Say why these points were given.")
        if errors:
            raise Invalid(_("Some values are not valid."), errors)
        entry = ManualScore.objects.create(
            plan=plan,
            unit_id=unit_id,
            subcriterion=sub,
            points=points,
            justification=justification.strip(),
            entered_by=actor,
            entered_at=now or timezone.now(),
        )
        record(actor, "scored", plan, unit_id=unit_id, code=code, points=points)
    today = timezone.localdate(now)
    transaction.on_commit(lambda: _rescore_after_entry(plan, today), robust=True)
    return entry


def _rescore_after_entry(plan: Plan, today: dt.date) -> None:
    """Today's scores with the new entry; a plan without an index set has none to redo."""
    try:
        rollup(plan, today)
    except Conflict as exc:
        log.info("No roll-up after a manual score for plan %s: %s", plan.pk, exc)
