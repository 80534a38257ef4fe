"""Two workers running the reminder job at the same moment send each message once (PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from plans.models import Official, Plan, Role, Unit
from tasks.models import Notification, ReminderPolicy, SentReminder, Status, Task
from tests.conftest import TODAY
from tests.jobs.test_reminder_mail import Mailbox, body, free_port

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-25T08:00"  # a Wednesday, within the default hours
DUE = dt.date(2026, 11, 26)  # D-1 for every task below

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="two processes share the database only on PostgreSQL",
)


def worker_env(smtp_port: int) -> dict[str, str]:
    """The test database and the loopback SMTP server, for a manage.py subprocess."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "EMAIL_HOST": "127.0.0.1"}
    env["EMAIL_PORT"] = str(smtp_port)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def due_tomorrow() -> tuple[dict[int, list[int]], list[Task]]:
    """Every demo unit leads ten tasks due tomorrow, assigned to its officials."""
    if not Unit.objects.exists():
        call_command("seed_demo", "--today", TODAY.isoformat(), stdout=io.StringIO())
    ReminderPolicy.objects.create()
    plan = Plan.objects.get(document_number="07/KH-UBND", year=2026)
    area = plan.areas.get(number=3)
    people: dict[int, list[int]] = {}
    for unit_id, pk in Official.objects.filter(role=Role.OFFICIAL).values_list("unit_id", "pk"):
        people.setdefault(unit_id, []).append(pk)
    tasks = Task.objects.bulk_create(
        Task(
            plan=plan,
            area=area,
            lead_unit_id=unit_id,
            title=f"Nhiệm vụ kiểm tra đồng thời {unit_id}-{n}",
            due_date=DUE,
            original_due_date=DUE,
            status=Status.IN_PROGRESS,
        )
        for unit_id in people
        for n in range(10)
    )
    Task.assignees.through.objects.bulk_create(
        Task.assignees.through(task_id=t.pk, official_id=o)
        for t in tasks
        for o in people[t.lead_unit_id]
    )
    return people, tasks


def assert_each_item_once(people: dict[int, list[int]], tasks: list[Task], box: Mailbox) -> None:
    """The sent-log, the inboxes and the mailboxes hold every due item exactly once."""
    log = SentReminder.objects.filter(task__in=tasks)
    expected = sum(len(people[t.lead_unit_id]) for t in tasks)
    assert log.count() == expected
    assert not log.filter(sent_at__isnull=True).exists()
    inbox = Counter(
        Notification.objects.filter(task__in=tasks).values_list("task_id", "recipient_id", "kind")
    )
    assert len(inbox) == expected and set(inbox.values()) == {1}
    mailed: Counter[tuple[int, int]] = Counter()
    addresses = dict(Official.objects.values_list("user__email", "pk"))
    for message in box.received:
        for task_id in re.findall(r"/tasks/(\d+)/", body(message, "plain")):
            mailed[(int(task_id), addresses[message["To"]])] += 1
    mine = {t.pk for t in tasks}
    ours = {key: n for key, n in mailed.items() if key[0] in mine}
    assert len(ours) == expected and set(ours.values()) == {1}


def lock_waiters(cursor: CursorWrapper) -> int:
    """Sessions of the test database waiting for a lock right now."""
    # Activity is read once per transaction unless the snapshot is cleared.
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_every_message_exactly_once() -> None:
    from aiosmtpd.controller import Controller

    people, tasks = due_tomorrow()

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    command = [sys.executable, "manage.py", "send_reminders", "--now", NOW]
    workers: list[subprocess.Popen[str]] = []
    try:
        # Hold both workers at their claim: the sent-log is locked against inserts
        # until both have found the same due work and wait to claim it together.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {SentReminder._meta.db_table} IN SHARE MODE")
            for _ in range(2):
                workers.append(
                    subprocess.Popen(
                        command,
                        cwd=ROOT,
                        env=worker_env(controller.port),
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                    )
                )
            waiting = 0
            for _ in range(600):
                waiting = lock_waiters(cursor)
                if waiting == 2 or any(w.poll() is not None for w in workers):
                    break
                time.sleep(0.1)
        outputs = [w.communicate(timeout=120) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
        controller.stop()
    assert waiting == 2, outputs  # both were at the claim at the same moment
    assert [w.returncode for w in workers] == [0, 0], outputs

    # The two workers' own counts add up to the whole, with nothing failed.
    sent_counts = [
        sum(int(n) for n in re.findall(r"[\w+-]+: (\d+)", out.split("sent", 1)[1].split("(")[0]))
        for out, _err in outputs
    ]
    everything = SentReminder.objects.filter(sent_at__isnull=False).count()
    assert sum(sent_counts) == everything, outputs
    assert_each_item_once(people, tasks, box)


class SlowMailbox(Mailbox):
    """A mail server answering each message in 50 ms that holds the third until told to go on."""

    def __init__(self) -> None:
        super().__init__()
        self.third = threading.Event()  # set when the third message has arrived
        self.go_on = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.05)
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.received) == 3:
            self.third.set()
            await asyncio.get_running_loop().run_in_executor(None, self.go_on.wait, 60)
        return answer


@pytest.mark.django_db(transaction=True)
def test_a_run_still_sending_when_the_next_one_takes_over_sends_nothing_twice() -> None:
    """The next run, 11 minutes later, takes over the claims; the first stops before sending."""
    from aiosmtpd.controller import Controller

    people, tasks = due_tomorrow()
    box = SlowMailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    later = (dt.datetime.fromisoformat(NOW) + dt.timedelta(minutes=11)).isoformat()
    runs: list[subprocess.Popen[str]] = []
    try:
        for now in (NOW, later):
            runs.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "send_reminders", "--now", now],
                    cwd=ROOT,
                    env=worker_env(controller.port),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
            if now == NOW:
                # The first run is in the middle of its third mail.
                assert box.third.wait(60), runs[0].communicate(timeout=5)
        # The second run waits to take over the rows the first one holds while sending.
        with connection.cursor() as cursor:
            for _ in range(600):
                if lock_waiters(cursor) or runs[1].poll() is not None:
                    break
                time.sleep(0.1)
            waiting = lock_waiters(cursor)
        box.go_on.set()
        outputs = [r.communicate(timeout=120) for r in runs]
    finally:
        box.go_on.set()
        for r in runs:
            if r.poll() is None:
                r.kill()
        controller.stop()
    assert waiting == 1, outputs
    assert [r.returncode for r in runs] == [0, 0], outputs
    first_out, first_err = outputs[0]
    assert "(3 mails)" in first_out, outputs  # it stopped after the mail it held
    assert "Stopped: a later run took over" in first_err, outputs
    assert_each_item_once(people, tasks, box)
    # The demo's own due items too: each in one inbox once, as many as the log sent.
    reminders = Notification.objects.filter(kind__in=SentReminder.objects.values("kind"))
    inbox = Counter(reminders.values_list("task_id", "recipient_id", "kind"))
    assert set(inbox.values()) == {1}
    assert len(inbox) == SentReminder.objects.filter(sent_at__isnull=False).count()
