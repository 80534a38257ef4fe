"""The reminder engine: the policy as pure functions, the one mail a recipient gets, the run.

`steps_due` says which step of each series is due for a task on a day; the
job, `send_reminders(now)`, finds the recipients, claims each (task, step,
deadline, recipient) in the sent-log and sends what it claimed. Every
reminder of the product runs on it: another feature registers a source of
due items (`register_source`; the annual assessment does), and its items are
claimed, leased, retried, mailed with the rest and posted to the inbox alike.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import smtplib
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import F, Max, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plans.access import Rel, unit_relations
from plans.models import Official, PlanStatus, ScoreSnapshot
from tasks.inbox.notify import Message, post
from tasks.messages import (
    BEFORE,
    ESCALATE_COMMITTEE,
    ESCALATE_HEAD,
    OVERDUE,
    REVIEW,
    describe,
)
from tasks.models import ReminderPolicy, SentReminder, Status, Task, open_q

log = logging.getLogger(__name__)

# Who a step goes to.
WORKERS = "workers"  # the assignees, or the lead unit's head where no one is assigned
HEAD = "head"  # the lead unit's head
COMMITTEE = "committee"  # every official of the steering committee

OPEN_WORK = (Status.TODO, Status.IN_PROGRESS)


@dataclass(frozen=True)
class Step:
    kind: str
    audience: str
    cycle: dt.date  # the deadline; for review reminders, the day of submission
    days: int  # days left, days overdue or days waiting, as the message says


def _latest(first: int, every: int, elapsed: int) -> int:
    """The latest of first, first + every, first + 2·every … that elapsed has reached."""
    return first + (elapsed - first) // every * every


def steps_due(
    policy: ReminderPolicy,
    *,
    status: str,
    due_date: dt.date,
    submitted_on: dt.date | None,
    today: dt.date,
) -> list[Step]:
    """The step of each series due today for a task (the latest, after a gap).

    - before the deadline: the nearest of the policy's days not yet passed, to
      the workers; only while the work is to do or in progress (a submitted
      task waits for its head, not its official);
    - overdue: on the first day and every few days after, to the workers;
    - escalations: once each, to the head and to the committee, while the task
      is not done, submitted or not;
    - review: days after the submission, to the head.
    Nothing for a done or cancelled task.
    """
    if status not in (*OPEN_WORK, Status.SUBMITTED):
        return []
    steps = []
    left = (due_date - today).days
    if status in OPEN_WORK and left >= 0:
        ahead = [n for n in policy.before if n >= left]
        if ahead:
            steps.append(Step(f"{BEFORE}{min(ahead)}", WORKERS, due_date, left))
    late = -left
    if status in OPEN_WORK and late >= policy.overdue_first:
        step = _latest(policy.overdue_first, policy.overdue_every, late)
        steps.append(Step(f"{OVERDUE}{step}", WORKERS, due_date, late))
    if late >= policy.escalate_head_after:
        steps.append(Step(ESCALATE_HEAD, HEAD, due_date, late))
    if late >= policy.escalate_committee_after:
        steps.append(Step(ESCALATE_COMMITTEE, COMMITTEE, due_date, late))
    if status == Status.SUBMITTED and submitted_on is not None:
        waited = (today - submitted_on).days
        if waited >= policy.review_first:
            step = _latest(policy.review_first, policy.review_every, waited)
            steps.append(Step(f"{REVIEW}{step}", HEAD, submitted_on, waited))
    return steps


def task_link(task_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("tasks:task_detail", args=[task_id])


def compose(
    address: str,
    name: str,
    items: list[dict[str, Any]],
    today: dt.date,
    scores: list[ScoreSnapshot] | None = None,
    msgid: str | None = None,
) -> EmailMultiAlternatives:
    """Everything due for one recipient in one run, as one mail in the site's language.

    Each item: kind, data (as stored in the inbox), plan, task_id (None for another
    subject, whose data holds its "url"). A head also
    reads their unit's latest score under each plan (`scores`).
    """
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            {
                "text": describe(item["kind"], item["data"]),
                "title": item["data"]["title"],
                "plan": item["plan"],
                "due": dt.date.fromisoformat(item["data"]["due"]).strftime("%d/%m/%Y"),
                "state": _state(item["data"]["due"], today),
                "link": task_link(item["task_id"])
                if item["task_id"]
                else settings.SITE_URL.rstrip("/") + item["data"]["url"],
            }
            for item in items
        ]
        context = {
            "name": name,
            "lines": lines,
            "today": today.strftime("%d/%m/%Y"),
            "scores": [_score_line(s) for s in scores or []],
        }
        subject = ngettext(
            "[CCHC] %(count)d item needs your attention",
            "[CCHC] %(count)d items need your attention",
            len(lines),
        ) % {"count": len(lines)}
        text = render_to_string("tasks/email/reminders.txt", context)
        html = render_to_string("tasks/email/reminders.html", context)
    headers = {"Message-ID": msgid} if msgid else None
    mail = EmailMultiAlternatives(subject, text, to=[address], headers=headers)
    mail.attach_alternative(html, "text/html")
    return mail


def message_id(rows: list[SentReminder]) -> str:
    """The same for the same items: a mail sent again after a crash is the same message.

    A run killed after the mail server took a mail but before the items were
    marked sent leaves them to the next run (on this host or another), which
    sends that mail again; with the Message-ID unchanged, mail programs that
    collapse duplicates show it once. Keyed with the installation's secret, so
    that another installation's mails never share an id with these.
    """
    items = ",".join(str(pk) for pk in sorted(r.pk for r in rows))
    digest = salted_hmac("reminder-message-id", f"{rows[0].recipient_id}:{items}").hexdigest()
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<reminder.{digest[:32]}@{domain}>"


def _score_line(snapshot: ScoreSnapshot) -> str:
    """A head's unit score in a sentence: index, group, rank, the day it stands for."""
    label = snapshot.index_set.label if snapshot.index_set else ""
    values: dict[str, Any] = {
        "label": label or _("Leadership and direction score"),
        "plan": snapshot.plan.document_number or snapshot.plan.title,
        "date": snapshot.as_of.strftime("%d/%m/%Y"),
    }
    if snapshot.index_pct is None:
        return _("%(label)s (%(plan)s, %(date)s): no basis for a score yet.") % values
    values.update(
        index=formats.number_format(snapshot.index_pct, 2, use_l10n=True),
        points=formats.number_format(snapshot.points, 2, use_l10n=True),
        top=formats.number_format(snapshot.applicable_max, 2, use_l10n=True),
        group=snapshot.group or "—",
        rank=snapshot.rank,
    )
    return (
        _(
            "%(label)s (%(plan)s, %(date)s): index %(index)s%% (%(points)s of %(top)s points), "
            "group %(group)s, rank %(rank)s in its level."
        )
        % values
    )


def _heads_own_unit(person: Official) -> bool:
    """A head reads their unit's score in their mail; nobody else's mail carries one."""
    return Rel.UNIT_HEAD in unit_relations(person, person.unit_id)


def _head_scores(rows: list[SentReminder]) -> dict[tuple[int, int], ScoreSnapshot]:
    """The latest score of each head's unit under the plans of this run: two queries."""
    heads = {r.recipient.unit_id for r in rows if _heads_own_unit(r.recipient)}
    plans = {r.task.plan.scored_plan_id for r in rows if r.task is not None}
    if not heads:
        return {}
    latest = dict(
        ScoreSnapshot.objects.filter(plan_id__in=plans)
        .values("plan_id")
        .annotate(day=Max("as_of"))
        .values_list("plan_id", "day")
    )
    found: dict[tuple[int, int], ScoreSnapshot] = {}
    for plan_id, day in latest.items():
        for snap in ScoreSnapshot.objects.filter(
            plan_id=plan_id, as_of=day, unit_id__in=heads
        ).select_related("plan", "index_set"):
            found[(snap.plan_id, snap.unit_id)] = snap
    return found


def _state(due: str, today: dt.date) -> str:
    """Days left or overdue, as a mail's table cell says it."""
    left = (dt.date.fromisoformat(due) - today).days
    if left > 0:
        return ngettext("%(n)d day left", "%(n)d days left", left) % {"n": left}
    if left == 0:
        return _("due today")
    return ngettext("%(n)d day overdue", "%(n)d days overdue", -left) % {"n": -left}


# ---------------------------------------------------------------- the run

# A claim whose run died before sending is taken over after this long. A run
# renews the lease of what it still holds every LEASE_RENEWAL while it sends;
# one mail is bounded by EMAIL_TIMEOUT, far below the lease.
CLAIM_LEASE = dt.timedelta(minutes=10)
LEASE_RENEWAL = dt.timedelta(minutes=1)


@dataclass
class ReminderRun:
    """What one run of send_reminders did."""

    closed: bool = False  # outside the policy's sending hours: nothing was looked at
    sent: Counter[str] = field(default_factory=Counter)  # kind -> messages delivered
    failed: Counter[str] = field(default_factory=Counter)  # kind -> left for the next run
    mails: int = 0
    # Items this run had claimed but found taken over by a later run (its lease
    # ran out): it stopped there and sent none of them.
    lost: int = 0
    last_error: str = ""
    # Another run was sending (SQLite: the run lock was held): this one left at once.
    busy: bool = False


@dataclass(frozen=True)
class Due:
    """One reminder due: about a task, or another subject ("assessment:5"), for one person.

    `cycle` is the day the step counts down to (a task's deadline, a window's
    closing day): a new day starts the steps again.
    """

    task_id: int | None
    kind: str
    cycle: dt.date
    recipient_id: int
    subject: str = ""


# What a source of reminders answers for a day: each item due, with what its message
# says ("title", "due", and for a subject other than a task, "url" and "plan").
Source = Callable[[ReminderPolicy, dt.date], dict[Due, dict[str, Any]]]
_SOURCES: list[Source] = []


def register_source(source: Source) -> None:
    """Add a source of due items to every run (once, at start-up: an AppConfig's ready)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def send_reminders(now: dt.datetime | None = None) -> ReminderRun:
    """Send every reminder and escalation the policy says is due at `now`, each once.

    - Outside the sending hours (by default Monday to Friday, 07:30-17:00
      Asia/Ho_Chi_Minh) it does nothing: what fell due goes at the next opening.
    - Each (task, step, deadline, recipient) is claimed in the sent-log before
      sending, under a unique constraint, with the run's token: overlapping
      runs send it once. A run renews the lease of its claims while it sends;
      a later run takes over only claims whose lease ran out, and a run that
      finds it lost a claim stops before sending it.
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
    with run_lock() as held:
        if not held:
            return ReminderRun(busy=True)
        today = local.date()
        token = uuid.uuid4().hex
        tasks = _candidates(policy, today)
        due = _due_now(policy, tasks, today)
        for source in _SOURCES:
            due.update(source(policy, today))
        _claim(due, tasks, now, token)
        return _deliver(due, token, now, today)


RUN_LOCK_FILE = "reminders.lock"


@contextlib.contextmanager
def run_lock() -> Iterator[bool]:
    """On SQLite, one reminder run sends at a time: yields False when another holds it.

    SQLite is one host by definition, so a lock of the operating system on a file in
    DATA_DIR (fcntl) serves: it is held while the run sends, and released when the
    process ends however it ends, so a run that died leaves nothing locked. Without
    it, SQLite's single writer cannot hold a row across a mail, and a second run
    whose clock was past the first one's lease took its claims and sent them again.
    PostgreSQL keeps its row locks (each recipient's rows held across their mail).
    """
    if connection.vendor != "sqlite" or connection.is_in_memory_db():  # type: ignore[attr-defined]  # SQLite's own
        yield True  # an in-memory database (the tests') is one process's own
        return
    # Beside the database file (in DATA_DIR by default): one lock per database.
    path = Path(f"{connection.settings_dict['NAME']}.{RUN_LOCK_FILE}")
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _candidates(policy: ReminderPolicy, today: dt.date) -> QuerySet[Task]:
    """Tasks of issued plans that may have a step due: deadline near or past, or in review."""
    horizon = today + dt.timedelta(days=max(policy.before))
    return Task.objects.filter(plan__status=PlanStatus.ISSUED).filter(
        (open_q() & Q(due_date__lte=horizon)) | Q(status=Status.SUBMITTED)
    )


def _due_now(
    policy: ReminderPolicy, tasks: QuerySet[Task], today: dt.date
) -> dict[Due, dict[str, Any]]:
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
    committee = list(Official.objects.committee().values_list("pk", flat=True))
    due: dict[Due, dict[str, Any]] = {}
    for task_id, status, due_date, submitted_at, unit_id, title, unit_name in rows:
        submitted_on = timezone.localdate(submitted_at) if submitted_at else None
        for step in steps_due(
            policy, status=status, due_date=due_date, submitted_on=submitted_on, today=today
        ):
            head = [heads[unit_id]] if unit_id in heads else []
            people = {
                WORKERS: workers.get(task_id) or head,
                HEAD: head,
                COMMITTEE: committee,
            }[step.audience]
            data = {"title": title, "due": due_date.isoformat(), "days": step.days}
            if step.audience == COMMITTEE:
                data["unit"] = unit_name
            if submitted_on and step.kind.startswith(REVIEW):
                data["submitted"] = submitted_on.isoformat()
            for person in people:
                due[Due(task_id, step.kind, step.cycle, person)] = data
    return due


def _claim(
    due: dict[Due, dict[str, Any]], tasks: QuerySet[Task], now: dt.datetime, token: str
) -> None:
    """Take every due item for this run: new ones by insert, failed or abandoned ones by update.

    Each statement commits on its own (no surrounding transaction), so that a
    claim is visible to every other run before anything is sent.
    """
    if not due:
        return
    seen: dict[Due, tuple[int, bool, str, dt.datetime]] = {}
    kinds = {d.kind for d in due}
    subjects = {d.subject for d in due if d.subject}
    # Only the kinds due now: a long-overdue task's earlier steps are not read again.
    logged = SentReminder.objects.filter(task__in=tasks.values("pk"), kind__in=kinds)
    if subjects:
        logged = logged | SentReminder.objects.filter(subject__in=subjects, kind__in=kinds)
    for (
        pk,
        task_id,
        subject,
        kind,
        cycle,
        recipient_id,
        sent_at,
        claim,
        claimed_at,
    ) in logged.values_list(
        "pk",
        "task_id",
        "subject",
        "kind",
        "due_date",
        "recipient_id",
        "sent_at",
        "claim",
        "claimed_at",
    ).iterator(chunk_size=5000):
        seen[Due(task_id, kind, cycle, recipient_id, subject)] = (
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
                subject=d.subject,
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
    due: dict[Due, dict[str, Any]], token: str, now: dt.datetime, today: dt.date
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
    lease = _Lease(token, now)
    scores = _head_scores(claimed)
    mailer = get_connection()
    try:
        mailer.open()  # one connection for the run; a failure here is retried per mail
    except (smtplib.SMTPException, OSError):
        mailer.close()
    try:
        left = len(claimed)
        for rows in by_person.values():
            lease.renew_if_due()
            if not _send_one(mailer, rows, due, lease, today, run, scores):
                run.lost = left
                log.warning(
                    "Reminder run %s lost its claim to a later run; it stops with %d items unsent "
                    "by it (the later run sends them).",
                    token,
                    run.lost,
                )
                break
            left -= len(rows)
    finally:
        mailer.close()
    return run


class _Lease:
    """The run's hold on its claims, on the run's clock (`now` plus the time spent sending)."""

    def __init__(self, token: str, now: dt.datetime) -> None:
        self.token = token
        self.now = now
        self.started = time.monotonic()
        self.renewed = self.started

    def clock(self) -> dt.datetime:
        return self.now + dt.timedelta(seconds=time.monotonic() - self.started)

    def renew_if_due(self) -> None:
        """Push back the lease of every claim this run still holds, once a minute."""
        if time.monotonic() - self.renewed < LEASE_RENEWAL.total_seconds():
            return
        SentReminder.objects.filter(claim=self.token, sent_at__isnull=True).update(
            claimed_at=self.clock()
        )
        self.renewed = time.monotonic()


def _send_one(
    mailer: BaseEmailBackend,
    rows: list[SentReminder],
    due: dict[Due, dict[str, Any]],
    lease: _Lease,
    today: dt.date,
    run: ReminderRun,
    scores: dict[tuple[int, int], ScoreSnapshot],
) -> bool:
    """One recipient: the mail, then their items marked sent and put in their inbox.

    On PostgreSQL the recipient's rows are locked, still held by this run,
    from before the mail until they are marked: a later run that takes over
    expired claims waits on them, then finds them sent. False when another run holds them
    already: nothing was sent, and this run must stop.
    """
    person = rows[0].recipient
    data = {r.pk: due[Due(r.task_id, r.kind, r.due_date, r.recipient_id, r.subject)] for r in rows}
    ids = list(data)
    held = SentReminder.objects.filter(pk__in=ids, claim=lease.token, sent_at__isnull=True)
    if connection.vendor != "postgresql":
        # SQLite has one writer at a time: its lock is not held across the mail.
        # The claim is confirmed (and its lease renewed) just before; only one
        # mail, bounded by EMAIL_TIMEOUT, fits between that and the mark.
        if held.update(claimed_at=lease.clock()) < len(ids):
            return False
        sent = not person.user.email or _mail(mailer, person, rows, data, today, scores, run)
        with transaction.atomic():
            _mark(rows, ids, data, person, lease, run, sent)
        return True
    with transaction.atomic():
        if len(held.select_for_update().values_list("pk", flat=True)) < len(ids):
            return False
        sent = not person.user.email or _mail(mailer, person, rows, data, today, scores, run)
        # One commit per recipient keeps a crash from re-sending more than one
        # mail; not waiting for each commit's disk flush makes that affordable
        # (a database crash can lose the last marks, never corrupt anything).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        _mark(rows, ids, data, person, lease, run, sent)
    return True


def _mark(
    rows: list[SentReminder],
    ids: list[int],
    data: dict[int, dict[str, Any]],
    person: Official,
    lease: _Lease,
    run: ReminderRun,
    sent: bool,
) -> None:
    """The recipient's items sent and in their inbox, or released with the mail's error."""
    # Only the rows this run still holds: a claim another run took over is its to mark.
    mine = SentReminder.objects.filter(pk__in=ids, claim=lease.token)
    if not sent:
        mine.update(claim="", attempts=F("attempts") + 1, last_error=run.last_error)
        return
    still = set(mine.values_list("pk", flat=True))
    SentReminder.objects.filter(pk__in=still).update(
        sent_at=lease.now, claim="", attempts=F("attempts") + 1, last_error=""
    )
    if len(still) < len(ids):
        log.warning(
            "Reminder run %s mailed %d items whose claim another run had taken over",
            lease.token,
            len(ids) - len(still),
        )
    rows = [r for r in rows if r.pk in still]
    post((Message(person, r.kind, data[r.pk], r.task_id) for r in rows), now=lease.now)
    run.sent.update(r.kind for r in rows)


def _mail(
    mailer: BaseEmailBackend,
    person: Official,
    rows: list[SentReminder],
    data: dict[int, dict[str, Any]],
    today: dt.date,
    scores: dict[tuple[int, int], ScoreSnapshot],
    run: ReminderRun,
) -> bool:
    """Send one recipient's mail; False (and the error kept on the run) when it failed."""
    address = person.user.email
    items = [
        {
            "kind": r.kind,
            "data": data[r.pk],
            "plan": r.task.plan.document_number or r.task.plan.title
            if r.task is not None
            else data[r.pk].get("plan", ""),
            "task_id": r.task_id,
        }
        for r in rows
    ]
    head = _heads_own_unit(person)
    mine = sorted(
        {
            scores[key]
            for r in rows
            if head
            and r.task is not None
            and (key := (r.task.plan.scored_plan_id, person.unit_id or 0)) in scores
        },
        key=lambda s: s.plan_id,
    )
    try:
        mail = compose(address, person.full_name, items, today, mine, message_id(rows))
        mailer.send_messages([mail])
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("Reminder mail to %s failed: %s", address, exc)
        run.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        run.failed.update(r.kind for r in rows)
        mailer.close()  # the next recipient gets a new connection
        return False
    run.mails += 1
    return True
