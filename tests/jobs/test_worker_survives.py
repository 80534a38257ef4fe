"""The worker survives a pause, and the supervisor restarts a component that stopped unasked.

Real processes on the embedded default (SQLite in a new DATA_DIR, the ORM
broker): `manage.py worker` is paused with SIGSTOP for longer than its one-second
wait, then continued; `python -m tracker.supervise` runs the worker and a web
server, and restarts the worker after a SIGKILL while the web server goes on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tasks.management.commands.worker import is_stop
from tests.jobs.conftest import copy_installation, embedded_env
from tests.jobs.test_reminder_mail import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="the worker's own SQLite installation: one run of the two suites is enough",
    ),
]


@pytest.fixture(scope="module")
def data_dir(migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new embedded installation: migrated, nothing else."""
    return copy_installation(migrated, tmp_path_factory.mktemp("worker"))


def environment(folder: Path, **extra: str) -> dict[str, str]:
    return embedded_env(folder, **extra)


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker(data_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "manage.py", "worker"],
        cwd=ROOT,
        env=environment(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: len(children(process.pid)) >= 1, 20), "the cluster did not start"
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_wait_that_was_not_a_signal_is_not_a_stop() -> None:
    class Garbage:
        si_signo = 1684388832

    class Term:
        si_signo = signal.SIGTERM

    assert not is_stop(None)
    assert not is_stop(Garbage())
    assert is_stop(Term())


def test_a_paused_worker_keeps_running_once_continued(worker: subprocess.Popen[bytes]) -> None:
    os.kill(worker.pid, signal.SIGSTOP)
    time.sleep(2.5)  # well past the worker's one-second wait
    os.kill(worker.pid, signal.SIGCONT)
    time.sleep(2)
    assert worker.poll() is None, "the worker left after a pause"
    # Its processes paused too (a frozen container stops them all): still running.
    for pid in children(worker.pid):
        os.kill(pid, signal.SIGSTOP)
    time.sleep(2.5)
    for pid in children(worker.pid):
        os.kill(pid, signal.SIGCONT)
    time.sleep(2)
    assert worker.poll() is None
    # A real SIGTERM still stops it, cleanly.
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0


def test_the_supervisor_restarts_a_killed_worker_and_keeps_the_web_server(
    data_dir: Path,
) -> None:
    port = free_port()
    env = environment(data_dir, PORT=str(port), WEB_WORKERS="1")
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "tracker.supervise"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    state_file = data_dir / "supervisor.json"

    def state() -> dict[str, dict[str, object]]:
        try:
            return dict(json.loads(state_file.read_text())["components"])
        except (OSError, ValueError, KeyError):
            return {}

    try:
        assert wait_for(lambda: state().get("worker", {}).get("pid"), 20)
        first = state()
        worker_pid, web_pid = int(first["worker"]["pid"]), int(first["web"]["pid"])  # type: ignore[call-overload]
        assert wait_for(lambda: len(children(worker_pid)) >= 1, 20)
        cluster = children(worker_pid)
        os.kill(worker_pid, signal.SIGKILL)
        assert wait_for(
            lambda: state().get("worker", {}).get("pid") not in (None, worker_pid), 20
        ), state()
        after = state()
        assert after["worker"]["restarts"] == 1
        assert after["worker"]["last_exit"] == -signal.SIGKILL
        assert after["web"]["pid"] == web_pid and after["web"]["restarts"] == 0
        # The dead worker's cluster went with it: no orphan takes work beside the new one.
        assert wait_for(lambda: not any(alive(pid) for pid in cluster), 10)
        assert supervisor.poll() is None
    finally:
        os.killpg(supervisor.pid, signal.SIGTERM)
        try:
            code = supervisor.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(supervisor.pid, signal.SIGKILL)
            raise
    assert code == 0
    assert all(c["pid"] is None for c in state().values())
