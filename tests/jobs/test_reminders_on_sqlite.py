"""Two overlapping reminder runs on the embedded SQLite database send each message once.

Real processes on a SQLite file of their own (DATA_DIR), a real SMTP server
that answers slowly and holds the first run in the middle of its third mail:
the second run, its clock 11 minutes later (past the first one's lease),
finds the run lock held and leaves at once; the first then sends the rest.
A run killed in the middle of sending leaves nothing locked.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.jobs.conftest import copy_installation, embedded_env
from tests.jobs.test_reminder_mail import body, free_port
from tests.jobs.test_reminders_concurrent import NOW, SlowMailbox

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="an installation of its own on SQLite: one run of the two suites is enough",
    ),
]

SETUP = """
from tests.jobs.test_reminders_concurrent import due_tomorrow
due_tomorrow()
"""
COUNTS = """
import json
from tasks.models import Notification, SentReminder
from plans.models import Official
print(json.dumps({
    "log": SentReminder.objects.count(),
    "unsent": SentReminder.objects.filter(sent_at__isnull=True).count(),
    "inbox": list(Notification.objects.filter(kind__in=SentReminder.objects.values("kind"))
                  .values_list("task_id", "recipient_id", "kind")),
    "emails": dict(Official.objects.values_list("user__email", "pk")),
    "ours": list(SentReminder.objects.filter(task__title__startswith="Nhiệm vụ kiểm tra đồng thời")
                 .values_list("task_id", "recipient_id")),
}))
"""


def environment(folder: Path, smtp_port: int) -> dict[str, str]:
    return embedded_env(folder, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port))


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def run(env: dict[str, str], now: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_reminders", "--now", now],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def prepared(migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo and ten tasks per unit due tomorrow, made once; each test takes a copy."""
    folder = copy_installation(migrated, tmp_path_factory.mktemp("reminders-sqlite"))
    manage(environment(folder, 25), "shell", "-c", SETUP)
    return folder


@pytest.fixture
def installation(prepared: Path, tmp_path: Path) -> Iterator[tuple[Path, SlowMailbox, int]]:
    from aiosmtpd.controller import Controller

    copy_installation(prepared, tmp_path)
    box = SlowMailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield tmp_path, box, controller.port
    box.go_on.set()
    controller.stop()


def mailed_once(env: dict[str, str], box: SlowMailbox) -> tuple[int, Counter[tuple[int, int]]]:
    """How often each (task, recipient) of the test's tasks was mailed; the sent-log's size.

    Also checks the database: nothing left unsent, each item once in its inbox.
    """
    said = json.loads(manage(env, "shell", "-c", COUNTS).strip().splitlines()[-1])
    ours = {tuple(x) for x in said["ours"]}
    mailed: Counter[tuple[int, int]] = Counter()
    for message in box.received:
        for task_id in set(re.findall(r"/tasks/(\d+)/", body(message, "plain"))):
            key = (int(task_id), said["emails"][message["To"]])
            if key in ours:
                mailed[key] += 1
    assert set(mailed) == ours
    inbox = Counter(tuple(x) for x in said["inbox"])
    assert said["unsent"] == 0
    assert set(inbox.values()) == {1} and len(inbox) == said["log"]
    return said["log"], mailed


def test_two_overlapping_runs_on_sqlite_send_each_persons_reminders_once(
    installation: tuple[Path, SlowMailbox, int],
) -> None:
    folder, box, port = installation
    env = environment(folder, port)
    later = (dt.datetime.fromisoformat(NOW) + dt.timedelta(minutes=11)).isoformat()
    first = run(env, NOW)
    try:
        assert box.third.wait(120), first.communicate(timeout=5)
        second = run(env, later)
        out, err = second.communicate(timeout=60)  # it does not wait for the first
        assert second.returncode == 0, err
        assert "another reminder run is sending; this one leaves" in out
        box.go_on.set()
        first_out, first_err = first.communicate(timeout=180)
        assert " mails)" in first_out
    finally:
        box.go_on.set()
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, first_err
    logged, mailed = mailed_once(env, box)
    assert logged > 40 and len(mailed) > 40 and set(mailed.values()) == {1}


def test_a_run_killed_while_sending_leaves_nothing_locked(
    installation: tuple[Path, SlowMailbox, int],
) -> None:
    folder, box, port = installation
    env = environment(folder, port)
    first = run(env, NOW)
    try:
        assert box.third.wait(120), first.communicate(timeout=5)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        box.go_on.set()
    later = (dt.datetime.fromisoformat(NOW) + dt.timedelta(minutes=11)).isoformat()
    said = manage(env, "send_reminders", "--now", later)
    assert "this one leaves" not in said and " mails)" in said
    logged, mailed = mailed_once(env, box)
    # Nobody lost: every item went; at most the one mail in flight when the run died went
    # twice (one recipient's items).
    twice = {recipient for (_task, recipient), n in mailed.items() if n > 1}
    assert logged > 40 and len(mailed) > 40 and len(twice) <= 1
