"""Jobs the scheduler calls: plain functions that take the time and say what they did."""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import smtplib
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Value
from django.utils import timezone

from plans import scoring
from plans.errors import Conflict
from plans.models import (
    ManualScore,
    Official,
    Plan,
    PlanStatus,
    Role,
    ScoreSnapshot,
    SubCriterion,
    TaskScope,
    Unit,
)
from tasks import reminders
from tasks.models import Notification, ReminderPolicy, SentReminder, Status, Task, open_q

log = logging.getLogger(__name__)

NOTHING = scoring.Counts()


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


def rollup(plan: Plan, as_of: dt.date, *, now: dt.datetime | None = None) -> list[UnitScore]:
    """Score every unit leading a top-level task of the plan, rank them per level, store the day.

    - A fixed number of queries whatever the number of tasks: the task counts
      come from one GROUP BY, the rules run on the counts.
    - One snapshot per plan, unit and day: running again replaces that day's.
    - The plan row is locked so that two runs of one day take turns.
    """
    now = now or timezone.now()
    with transaction.atomic(), _collector_paused():
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
        # Units that read the same for a sub-criterion get the same part: each
        # distinct part is scored, and encoded to JSON for the snapshot, once
        # (the last item of each rule holds its parts by reading).
        rules = [
            (
                sub.pk,
                sub.code,
                sub.tasks_counted == TaskScope.ALL,
                sub.rule == scoring.MANUAL,
                sub.as_rule(),
                str(scoring.round_points(sub.max_points)),
                {},
            )
            for sub in subs
        ]
        scored: list[tuple[int, str, Decimal, list[dict[str, Any]], scoring.Counts]] = []
        encoded: dict[int, str] = {}
        for unit_id, by_tag in counts.items():
            every_task = scoring.Counts.total(by_tag.values())
            parts, texts, total = [], [], Decimal(0)
            for sub_id, code, all_tasks, is_manual, rule, max_points, known in rules:
                unit_counts = every_task if all_tasks else by_tag.get(code, NOTHING)
                entry = manual.get((unit_id, sub_id)) if is_manual else None
                reading = scoring.reads(rule, unit_counts, entry)
                part = known.get(reading)
                if part is None:
                    score = scoring.apply(
                        rule, counts=unit_counts, as_of=as_of, issued_on=plan.issued_on, entry=entry
                    )
                    stored = {
                        "code": code,
                        "points": str(score.points),
                        "max_points": max_points,
                        "why": score.why,
                    }
                    part = known[reading] = (score.points, stored, _json(stored))
                points, stored, text = part
                parts.append(stored)
                texts.append(text)
                total += points
            scored.append((unit_id, levels[unit_id], total, parts, every_task))
            encoded[unit_id] = "[" + ",".join(texts) + "]"

        totals: dict[str, dict[int, Decimal]] = defaultdict(dict)
        for unit_id, level, total, _parts, _tasks in scored:
            totals[level][unit_id] = total
        ranks: dict[int, int] = {}
        for same_level in totals.values():
            ranks.update(scoring.competition_ranks(same_level))
        day = [
            UnitScore(unit_id, level, total, max_total, ranks[unit_id], parts, tasks)
            for unit_id, level, total, parts, tasks in scored
        ]

        if connection.vendor == "postgresql":
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
    columns = ", ".join(quote(meta.get_field(name).column) for name in _SNAPSHOT_COLUMNS)
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
        done[plan.pk] = len(rollup(plan, today, now=now))
    return done


# ---------------------------------------------------------------- reminders

# A claim whose run died before sending is taken over after this long.
CLAIM_LEASE = dt.timedelta(minutes=10)


@dataclass
class ReminderRun:
    """What one run of send_reminders did."""

    closed: bool = False  # outside the policy's sending hours: nothing was looked at
    sent: Counter[str] = field(default_factory=Counter)  # kind -> messages delivered
    failed: Counter[str] = field(default_factory=Counter)  # kind -> left for the next run
    mails: int = 0


@dataclass(frozen=True)
class _Due:
    task_id: int
    kind: str
    cycle: dt.date
    recipient_id: int


def send_reminders(now: dt.datetime | None = None) -> ReminderRun:
    """Send every reminder and escalation the policy says is due at `now`, each once.

    - Outside the sending hours (by default Monday to Friday, 07:30-17:00
      Asia/Ho_Chi_Minh) it does nothing: what fell due goes at the next opening.
    - Each (task, step, deadline, recipient) is claimed in the sent-log before
      sending, under a unique constraint: overlapping runs send it once.
    - One mail per recipient per run with everything claimed for them; the
      inbox gets each item. A mail the server refuses leaves its items unsent
      with the error, and the next run tries again while they are still due.
    - The queries are fixed in number whatever the number of tasks with
      nothing due; delivery costs a few per recipient.
    """
    now = now or timezone.now()
    policy = ReminderPolicy.current()
    local = timezone.localtime(now)
    if not policy.is_open(local):
        return ReminderRun(closed=True)
    today = local.date()
    token = uuid.uuid4().hex
    tasks = _candidates(policy, today)
    due = _due_now(policy, tasks, today)
    _claim(due, tasks, now, token)
    return _deliver(due, token, now, today)


def _candidates(policy: ReminderPolicy, today: dt.date) -> QuerySet[Task]:
    """Tasks of issued plans that may have a step due: deadline near or past, or in review."""
    horizon = today + dt.timedelta(days=max(policy.before))
    return Task.objects.filter(plan__status=PlanStatus.ISSUED).filter(
        (open_q() & Q(due_date__lte=horizon)) | Q(status=Status.SUBMITTED)
    )


def _due_now(
    policy: ReminderPolicy, tasks: QuerySet[Task], today: dt.date
) -> dict[_Due, dict[str, Any]]:
    """Every (task, step, cycle, recipient) due today, with what its message says."""
    rows = list(
        tasks.values_list(
            "pk", "status", "due_date", "submitted_at", "lead_unit_id", "title", "lead_unit__name"
        )
    )
    if not rows:
        return {}
    workers: dict[int, list[int]] = defaultdict(list)
    for task_id, official_id in Task.assignees.through.objects.filter(
        task__in=tasks.values("pk"), official__user__is_active=True
    ).values_list("task_id", "official_id"):
        workers[task_id].append(official_id)
    heads = dict(Official.objects.heads().values_list("unit_id", "pk"))
    committee = list(
        Official.objects.filter(role=Role.COMMITTEE, user__is_active=True).values_list(
            "pk", flat=True
        )
    )
    due: dict[_Due, dict[str, Any]] = {}
    for task_id, status, due_date, submitted_at, unit_id, title, unit_name in rows:
        submitted_on = timezone.localdate(submitted_at) if submitted_at else None
        for step in reminders.steps_due(
            policy, status=status, due_date=due_date, submitted_on=submitted_on, today=today
        ):
            head = [heads[unit_id]] if unit_id in heads else []
            people = {
                reminders.WORKERS: workers.get(task_id) or head,
                reminders.HEAD: head,
                reminders.COMMITTEE: committee,
            }[step.audience]
            data = {"title": title, "due": due_date.isoformat(), "days": step.days}
            if step.audience == reminders.COMMITTEE:
                data["unit"] = unit_name
            if submitted_on and step.kind.startswith(reminders.REVIEW):
                data["submitted"] = submitted_on.isoformat()
            for person in people:
                due[_Due(task_id, step.kind, step.cycle, person)] = data
    return due


def _claim(
    due: dict[_Due, dict[str, Any]], tasks: QuerySet[Task], now: dt.datetime, token: str
) -> None:
    """Take every due item for this run: new ones by insert, failed or abandoned ones by update.

    Each statement commits on its own (no surrounding transaction), so that a
    claim is visible to every other run before anything is sent.
    """
    if not due:
        return
    seen: dict[_Due, tuple[int, bool, str, dt.datetime]] = {}
    for pk, task_id, kind, cycle, recipient_id, sent_at, claim, claimed_at in (
        # Only the kinds due now: a long-overdue task's earlier steps are not read again.
        SentReminder.objects.filter(task__in=tasks.values("pk"), kind__in={d.kind for d in due})
        .values_list(
            "pk", "task_id", "kind", "due_date", "recipient_id", "sent_at", "claim", "claimed_at"
        )
        .iterator(chunk_size=5000)
    ):
        seen[_Due(task_id, kind, cycle, recipient_id)] = (
            pk,
            sent_at is not None,
            claim,
            claimed_at,
        )
    cutoff = now - CLAIM_LEASE
    fresh, retry = [], []
    for item in due:
        known = seen.get(item)
        if known is None:
            fresh.append(item)
        elif not known[1] and (not known[2] or known[3] < cutoff):
            retry.append(known[0])
    SentReminder.objects.bulk_create(
        [
            SentReminder(
                task_id=d.task_id,
                kind=d.kind,
                due_date=d.cycle,
                recipient_id=d.recipient_id,
                claim=token,
                claimed_at=now,
            )
            for d in fresh
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    if retry:
        # Conditional: a run that took one of these in between keeps it.
        SentReminder.objects.filter(pk__in=retry, sent_at__isnull=True).filter(
            Q(claim="") | Q(claimed_at__lt=cutoff)
        ).update(claim=token, claimed_at=now)


def _deliver(
    due: dict[_Due, dict[str, Any]], token: str, now: dt.datetime, today: dt.date
) -> ReminderRun:
    """Send what this run claimed: one mail and the inbox items per recipient."""
    run = ReminderRun()
    claimed = list(
        SentReminder.objects.filter(claim=token, sent_at__isnull=True)
        .select_related("task__plan", "recipient__user")
        .order_by("recipient_id", "task__due_date", "task_id", "kind")
    )
    by_person: dict[int, list[SentReminder]] = defaultdict(list)
    for row in claimed:
        by_person[row.recipient_id].append(row)
    if not by_person:
        return run
    mailer = get_connection()
    try:
        mailer.open()  # one connection for the run; a failure here is retried per mail
    except (smtplib.SMTPException, OSError):
        mailer.close()
    try:
        for rows in by_person.values():
            _send_one(mailer, rows, due, now, today, run)
    finally:
        mailer.close()
    return run


def _send_one(
    mailer: BaseEmailBackend,
    rows: list[SentReminder],
    due: dict[_Due, dict[str, Any]],
    now: dt.datetime,
    today: dt.date,
    run: ReminderRun,
) -> None:
    """One recipient: the mail, then their items marked sent and put in their inbox."""
    person = rows[0].recipient
    data = {r.pk: due[_Due(r.task_id, r.kind, r.due_date, r.recipient_id)] for r in rows}
    ids = list(data)
    address = person.user.email
    if address:
        items = [
            {
                "kind": r.kind,
                "data": data[r.pk],
                "plan": r.task.plan.document_number or r.task.plan.title,
                "task_id": r.task_id,
            }
            for r in rows
        ]
        try:
            mailer.send_messages([reminders.compose(address, person.full_name, items, today)])
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("Reminder mail to %s failed: %s", address, exc)
            SentReminder.objects.filter(pk__in=ids).update(
                claim="",
                attempts=F("attempts") + 1,
                last_error=f"{type(exc).__name__}: {exc}"[:1000],
            )
            run.failed.update(r.kind for r in rows)
            mailer.close()  # the next recipient gets a new connection
            return
        run.mails += 1
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One commit per recipient keeps a crash from re-sending more than one
            # mail; not waiting for each commit's disk flush makes that affordable
            # (a database crash can lose the last marks, never corrupt anything).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        SentReminder.objects.filter(pk__in=ids).update(
            sent_at=now, claim="", attempts=F("attempts") + 1, last_error=""
        )
        Notification.objects.bulk_create(
            Notification(
                recipient=person, kind=r.kind, task_id=r.task_id, data=data[r.pk], created_at=now
            )
            for r in rows
        )
    run.sent.update(r.kind for r in rows)
