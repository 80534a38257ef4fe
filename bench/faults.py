"""Faults, each tried for real, with a verdict.

    .venv/bin/python bench/faults.py web        # a gunicorn worker SIGKILLed under load, twice
    .venv/bin/python bench/faults.py database   # PostgreSQL stopped for 15 s under load
    .venv/bin/python bench/faults.py reminders  # the worker SIGKILLed in a reminder run
    .venv/bin/python bench/faults.py rollup     # the worker SIGKILLed in a roll-up, three times
    .venv/bin/python bench/faults.py pause      # the worker paused 20 s (SIGSTOP) under load
    .venv/bin/python bench/faults.py killworker # the worker SIGKILLed under load, supervised
    .venv/bin/python bench/faults.py disk       # the evidence disk full for 20 s under load
    .venv/bin/python bench/faults.py overlap    # two reminder runs at once, a slow mail server

`--embedded` runs `web`, `pause`, `killworker`, `disk` and `overlap` on the
embedded default (SQLite in var/bench-embedded/, the ORM broker, no Redis) as
the start command runs it; without it they run on PostgreSQL and Redis.
`pause` and `killworker` serve the product as the start command does (web
server and worker under tracker/supervise.py); `disk` mounts a 64 MB tmpfs as
the evidence folder (run it as root, on a machine of your own).

`web` and `database` drive the 50 clients of bench/load.py (its database,
`cchc_load`, made again). `database` stops and starts the machine's PostgreSQL
cluster with pg_ctlcluster (run it as root, on a machine of your own).
`reminders` and `rollup` use the database `cchc_faults` (FAULTS_DATABASE_URL
overrides it; DATABASE_URL is ignored), Redis db 4 as the broker, and
`manage.py worker` as the start command runs it. Each prints what it saw and
ends with OK or FAILED.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import email
import email.policy
import io
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load

ROOT = load.ROOT
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def under_load(during: Any, seconds: float = 60) -> tuple[load.Log, list[str], int]:
    """The load benchmark's clients with `during(server, log)` beside them."""
    people = load.prepare()
    port = load.free_port()
    server = load.start_server(port, 2)
    log = load.Log()

    def beside() -> None:
        during(server, log)

    try:
        took = load.drive(
            [f"http://127.0.0.1:{port}"],
            load.crowd(people, CLIENTS),
            log,
            seconds,
            beside,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    load.report(log, took)
    problems = load.verify(log)
    print(f"\n{len(log.uploads)} uploads answered 201, {len(log.edits)} tasks edited: ", end="")
    print(f"{len(problems)} missing or different")
    return log, problems, server.pid


def workers_of(master: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def busy(pid: int) -> float:
    """CPU seconds a process has used (user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def web() -> bool:
    killed: list[float] = []  # when
    shares: list[float] = []  # each worker's CPU from 43 s to 58 s

    def kill_workers(server: subprocess.Popen[bytes], log: load.Log) -> None:
        for at in (20, 40):
            time.sleep(max(0.0, at - (time.monotonic() - log.began)))
            victim = workers_of(server.pid)[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(time.monotonic())
            gone = time.monotonic()
            wait_for("a new worker", lambda v=victim: len(set(workers_of(server.pid)) - {v}) == 2)
            print(
                f"  {at} s: gunicorn worker {victim} killed (SIGKILL); "
                f"replaced in {time.monotonic() - gone:.1f} s",
                flush=True,
            )
        # Do the clients' connections spread over both workers again after the kills?
        time.sleep(max(0.0, 43 - (time.monotonic() - log.began)))
        pids = workers_of(server.pid)
        first = [busy(pid) for pid in pids]
        time.sleep(15)
        shares.extend(busy(pid) - before for pid, before in zip(pids, first, strict=True))

    log, problems, _ = under_load(kill_workers)
    print(
        "CPU seconds of each worker from 43 s to 58 s (after both kills): "
        + ", ".join(f"{share:.1f}" for share in shares)
    )
    cut = [r for r in log.results if not r.expected]
    statuses = Counter(r.status for r in cut)
    print(f"Requests cut off with the killed workers: {len(cut)} (status 0: no answer) {statuses}")
    for line in [f for f in log.failures if "Connection" not in f][:10]:
        print("  " + line)
    # Only the requests on a killed worker's connections may fail, by getting
    # no answer (status 0), never an error status; the service goes on after
    # each kill, and no write is lost or half-done.
    on_a_kill = all(
        r.status == 0 and any(r.at - 1 <= k <= r.at + r.seconds + 1 for k in killed) for r in cut
    )
    served_after = all(any(r.expected and r.at > k + 1 for r in log.results) for k in killed)
    print(
        f"Kills: {len(killed)}; each failure on a kill: {on_a_kill}; served after: {served_after}"
    )
    ok = (
        len(killed) == 2
        and on_a_kill
        and served_after
        and not fault_failed(log)
        and not problems
        and not broken_tasks()
    )
    return verdict(ok)


def fault_failed(log: load.Log) -> bool:
    """The fault itself raised (it could not kill, stop or wait): the run proves nothing."""
    failed = [f for f in log.failures if f.startswith("beside:")]
    for line in failed:
        print("  the fault failed: " + line)
    return bool(failed)


def broken_tasks() -> list[str]:
    """Writes are whole: a submitted task has its evidence, an accepted one its date."""
    from django.db.models import Count

    from tasks.models import Status, Task

    tasks = Task.objects.annotate(files=Count("evidence"))
    broken = [
        f"task {pk}: submitted without evidence"
        for pk in tasks.filter(status=Status.SUBMITTED, files=0).values_list("pk", flat=True)
    ]
    broken += [
        f"task {pk}: done without a completion date"
        for pk in Task.objects.filter(status=Status.DONE, completed_at__isnull=True).values_list(
            "pk", flat=True
        )
    ]
    print(f"Tasks half-written: {len(broken)}")
    return broken


def database(down: float = 15) -> bool:
    timeline: dict[str, float] = {}

    def outage(server: subprocess.Popen[bytes], log: load.Log) -> None:
        time.sleep(15)
        timeline["stopping"] = time.monotonic()
        cluster("stop")
        timeline["stopped"] = time.monotonic()
        print(f"  PostgreSQL stopped at {timeline['stopped'] - log.began:.0f} s", flush=True)
        time.sleep(down)
        timeline["starting"] = time.monotonic()
        cluster("start")
        timeline["started"] = time.monotonic()
        print(f"  PostgreSQL started at {timeline['started'] - log.began:.0f} s", flush=True)

    log, problems, master = under_load(outage)
    stopped, started = timeline["stopped"], timeline["started"]
    # Requests while it was stopping or starting count in neither side.
    before = [r for r in log.results if r.at + r.seconds < timeline["stopping"]]
    during = [r for r in log.results if stopped <= r.at and r.at + r.seconds < timeline["starting"]]
    after = [r for r in log.results if r.at >= started]
    recovered = min((r.at for r in after if r.expected), default=float("inf")) - started
    settled = [r for r in after if r.at >= started + max(recovered, 0) + 1]
    refused = [r for r in during if r.status == 503]
    print(f"Before: {len(before)} requests, {sum(not r.expected for r in before)} errors")
    print(
        f"During the outage: {len(during)} requests: {len(refused)} answered 503 "
        f"({sum(r.retry_after == '30' for r in refused)} with Retry-After: 30), "
        f"{sum(r.expected for r in during)} answered as usual, others: "
        f"{Counter(r.status for r in during if r.status != 503 and not r.expected)}; "
        f"slowest answer {max((r.seconds for r in during), default=0):.1f} s"
    )
    print(
        f"After: the first usual answer {recovered:.1f} s after PostgreSQL was back; "
        f"from then on {len(settled)} requests, {sum(not r.expected for r in settled)} errors; "
        f"gunicorn not restarted: {master} still the master"
    )
    ok = (
        not problems
        and not fault_failed(log)
        and bool(during)
        and not any(not r.expected for r in before + settled)
        and all(r.status == 503 and r.retry_after == "30" for r in during)
        and max((r.seconds for r in during), default=0) < 15
        and recovered < 10
    )
    return verdict(ok)


def cluster(action: str) -> None:
    version = max(os.listdir("/etc/postgresql"), key=int)
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action]
    subprocess.run([*command, "-m", "fast"] if action == "stop" else command, check=True)


# The worker faults ------------------------------------------------------------


def fresh_database() -> dict[str, str]:
    """`cchc_faults` made again with the demo province; the worker's environment."""
    import psycopg
    import redis

    url = os.environ.get("FAULTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_faults")
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": "redis://127.0.0.1:6379/4"}
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return env


STARTED: list[subprocess.Popen[bytes]] = []  # every worker, stopped at the end whatever happens


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker"],
        cwd=ROOT,
        env={**env, "Q_WORKERS": "1"},
        stdout=open(load.DATA / "worker.log", "ab"),  # noqa: SIM115  (the worker keeps it)
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    STARTED.append(worker)
    return worker


def kill_group(worker: subprocess.Popen[bytes]) -> None:
    """SIGKILL to every process of the worker, and wait until none is left.

    Then a second more: a task pushed to Redis while Redis still takes a dead
    worker's connection for a waiting reader would be handed to it and lost
    (the Redis broker has no acknowledgement; the schedules send the work again).
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    while True:
        try:
            os.killpg(worker.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    time.sleep(1)


def wait_for(what: str, check: Any, limit: float = 300) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)


class Mailbox:
    """An SMTP server that keeps each message as it arrives, then answers after 100 ms.

    A worker killed in those 100 ms has had its mail taken without knowing it:
    the case that decides whether a mail is sent twice.
    """

    def __init__(self) -> None:
        self.received: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append(message)
        await asyncio.sleep(0.1)
        return "250 Message accepted"


def reminders() -> bool:
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    env = fresh_database()
    from django.core.management import call_command
    from django_q.tasks import async_task, fetch

    from plans.models import Official, Plan, Role
    from tasks.models import Notification, ReminderPolicy, SentReminder, Status, Task

    now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=HCM)  # a Monday, within the sending hours
    quiet = open(os.devnull, "w")  # noqa: SIM115
    call_command("seed_demo", "--today", now.date().isoformat(), verbosity=0, stdout=quiet)
    ReminderPolicy.objects.get_or_create()
    plan = Plan.objects.get(parent=None, year=2026)
    area = plan.areas.get(number=3)
    due = now.date() + dt.timedelta(days=1)
    people = list(Official.objects.filter(role=Role.OFFICIAL).values_list("unit_id", "pk"))
    tasks = Task.objects.bulk_create(
        Task(
            plan=plan, area=area, lead_unit_id=unit_id, title=f"Kiểm tra {pk}-{n}",
            due_date=due, original_due_date=due, status=Status.IN_PROGRESS,
        )
        for unit_id, pk in people
        for n in range(5)
    )  # fmt: skip
    owners = [pk for _, pk in people for _ in range(5)]
    Task.assignees.through.objects.bulk_create(
        Task.assignees.through(task_id=t.pk, official_id=o)
        for t, o in zip(tasks, owners, strict=True)
    )
    box = Mailbox()
    smtp = Controller(box, hostname="127.0.0.1", port=load.free_port())
    smtp.start()
    env = {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port), "EMAIL_TIMEOUT": "5"}
    mine = SentReminder.objects.filter(task__in=tasks)
    try:
        worker = start_worker(env)
        async_task("tasks.reminders.engine.send_reminders", now)
        wait_for("the first mails", lambda: len(box.received) >= 20)
        kill_group(worker)
        killed_at = len(box.received)
        print(f"Worker killed (SIGKILL to its group) after {killed_at} mails")
        time.sleep(1)
        worker = start_worker(env)
        print("Worker restarted; the runs of +1 min (the dead run's claims still leased) "
              "and +16 min (the lease over)")  # fmt: skip
        early = async_task("tasks.reminders.engine.send_reminders", now + dt.timedelta(minutes=1))
        wait_for("the run at +1 min", lambda: fetch(early) is not None, limit=60)
        held = len(box.received)
        async_task("tasks.reminders.engine.send_reminders", now + dt.timedelta(minutes=16))
        wait_for("every reminder", lambda: not mine.filter(sent_at__isnull=True).exists())
        time.sleep(2)
        kill_group(worker)
    finally:
        smtp.stop()
    expected = len(tasks)
    inbox = Counter(
        Notification.objects.filter(task__in=tasks).values_list("task_id", "recipient_id", "kind")
    )
    addresses = dict(Official.objects.values_list("user__email", "pk"))
    ids: dict[int, set[str]] = {}
    deliveries: Counter[int] = Counter()
    for message in box.received:
        who = addresses[str(message["To"])]
        ids.setdefault(who, set()).add(str(message["Message-ID"]))
        deliveries[who] += 1
    twice = {who for who, n in deliveries.items() if n > 1}
    unsent = mine.filter(sent_at__isnull=True).count()
    print(f"Sent-log: {mine.count()} items of {expected}, {unsent} unsent")
    print(f"Inbox: {len(inbox)} items, each {set(inbox.values())} time(s)")
    print(
        f"Mail: {len(box.received)} deliveries to {len(ids)} people; "
        f"{sum(len(v) for v in ids.values())} distinct messages; "
        f"delivered twice with the same Message-ID (taken by the server as the worker died): "
        f"{len(twice)}; mails from the run while the dead run's lease held: {held - killed_at}"
    )
    ok = (
        mine.count() == expected
        and not unsent
        and held == killed_at
        and len(inbox) == expected
        and set(inbox.values()) == {1}
        and all(len(v) == 1 for v in ids.values())
        and len(twice) <= 1
    )
    return verdict(ok)


def rollup() -> bool:
    env = fresh_database()
    from django.core.management import call_command
    from django_q.tasks import async_task

    from plans.models import Plan, ScoreSnapshot
    from tasks.scores.rollup import rollup as run_rollup

    quiet = open(os.devnull, "w")  # noqa: SIM115
    call_command("seed_bench", "--units", "400", "--tasks", "200000", verbosity=0, stdout=quiet)
    plan = Plan.objects.get(title__startswith="Kế hoạch thử nghiệm")
    started = time.monotonic()
    whole = len(run_rollup(plan, dt.date(2026, 6, 30)))
    took = time.monotonic() - started
    print(f"A roll-up of {whole} units takes {took:.1f} s here")
    ok, kills_inside = True, 0
    for n, fraction in enumerate((0.1, 0.3, 0.5)):
        as_of = dt.date(2026, 7, 1) + dt.timedelta(days=n)
        day = ScoreSnapshot.objects.filter(plan=plan, as_of=as_of)
        worker = start_worker(env)
        time.sleep(3)  # the worker up
        async_task("tasks.scores.rollup.rollup", plan, as_of)
        wait_for("the roll-up's transaction", lambda: open_transactions() > 0, limit=30)
        time.sleep(took * fraction)
        inside = "yes" if open_transactions() > 0 else "no"
        kill_group(worker)
        killed = day.count()
        worker = start_worker(env)
        async_task("tasks.scores.rollup.rollup", plan, as_of)
        wait_for("the roll-up", lambda day=day: day.count() == whole, limit=took * 10 + 60)
        time.sleep(1)
        again = day.count()
        kill_group(worker)
        print(
            f"Killed at {fraction:.0%} of a run (its transaction open: {inside}): "
            f"{killed} of {whole} rows for {as_of:%d/%m/%Y}; after the restart's run: {again}"
        )
        ok = ok and killed in (0, whole) and again == whole
        kills_inside += inside == "yes"
    return verdict(ok and kills_inside > 0)


def open_transactions() -> int:
    """Transactions of other sessions open on this database right now (the worker's)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
            "AND (query ILIKE '%scoresnapshot%' OR query ILIKE '%tasks_task%')"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def verdict(ok: bool) -> bool:
    print("OK" if ok else "FAILED")
    return ok


# Faults under supervision, on either database ------------------------------------


def supervised(port: int) -> subprocess.Popen[bytes]:
    """The product as the start command serves it: tracker/supervise.py's web and worker."""
    env = {**os.environ, "PORT": str(port), "WEB_WORKERS": "2", "ACCESS_LOG": "0"}
    env.setdefault("Q_WORKERS", "2")
    server = subprocess.Popen(
        [sys.executable, "-m", "tracker.supervise"],
        cwd=ROOT,
        env=env,
        stdout=open(load.DATA / "supervised.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for(
        "the web server",
        lambda: _answers(f"http://127.0.0.1:{port}/accounts/login/"),
        limit=120,
    )
    return server


def _answers(url: str) -> bool:
    try:
        return load.requests.get(url, timeout=2).ok
    except load.requests.RequestException:
        return False


def supervisor_state() -> dict[str, Any]:
    import json

    try:
        return dict(json.loads((load.DATA / "supervisor.json").read_text())["components"])
    except (OSError, ValueError, KeyError):
        return {}


def under_supervision(during: Any, seconds: float = 60) -> tuple[load.Log, list[str]]:
    """The load's clients against the supervised product, with `during(log)` beside them."""
    people = load.prepare()
    port = load.free_port()
    server = supervised(port)
    log = load.Log()
    try:
        took = load.drive(
            [f"http://127.0.0.1:{port}"],
            load.crowd(people, CLIENTS),
            log,
            seconds,
            lambda: during(log),
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
    load.report(log, took)
    problems = load.verify(log)
    print(f"\n{len(log.uploads)} uploads answered 201: {len(problems)} missing or different")
    return log, problems


def rescored_after(moment: float, limit: float = 120) -> float:
    """Seconds from `moment` (time.time()) until a score computed after it is stored."""
    from plans.models import ScoreSnapshot

    since = dt.datetime.fromtimestamp(moment, tz=dt.UTC)
    started = time.time()
    while time.time() - started < limit:
        if ScoreSnapshot.objects.filter(computed_at__gt=since).exists():
            return time.time() - moment
        time.sleep(0.25)
    return float("inf")


def descendants(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    children = [int(p) for p in found.split()]
    return children + [d for c in children for d in descendants(c)]


def summary(log: load.Log, problems: list[str], recovered: float) -> tuple[int, int]:
    """The figures docs/benchmarks.md gives for each fault."""
    unanswered = sum(r.status == 0 for r in log.results)
    errors = sum(not r.expected and r.status != 0 for r in log.results)
    half = broken_tasks()
    print(
        f"Figures: {len(log.results)} requests, {unanswered} without an answer, {errors} errors; "
        f"lost: {len(problems) + len(half)}; recovered in {recovered:.1f} s"
    )
    return unanswered, errors


def pause(seconds_paused: float = 20) -> bool:
    """SIGSTOP to the worker (the command and every process of its cluster) for 20 s."""
    timeline: dict[str, float] = {}

    def stop_and_go(log: load.Log) -> None:
        time.sleep(15)
        worker = int(supervisor_state()["worker"]["pid"])
        timeline["worker"] = worker
        group = [worker, *descendants(worker)]
        for pid in group:
            os.kill(pid, signal.SIGSTOP)
        print(f"  15 s: the worker and its {len(group) - 1} processes paused", flush=True)
        time.sleep(seconds_paused)
        for pid in group:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        timeline["continued"] = time.time()
        print(f"  {15 + seconds_paused:.0f} s: continued", flush=True)
        timeline["rescored"] = rescored_after(timeline["continued"])

    log, problems = under_supervision(stop_and_go)
    text = (load.DATA / "supervised.log").read_text(errors="replace")
    left = "stopped unasked" in text
    print(
        f"Worker kept running after the pause (no restart): {not left}; scores stored "
        f"{timeline.get('rescored', float('inf')):.1f} s after SIGCONT"
    )
    unanswered, errors = summary(log, problems, timeline.get("rescored", float("inf")))
    ok = (
        not left
        and not fault_failed(log)
        and unanswered == 0
        and errors == 0
        and not problems
        and timeline.get("rescored", float("inf")) < 30
    )
    return verdict(ok)


def killworker() -> bool:
    """SIGKILL to the worker and its processes; the supervisor starts it again."""
    timeline: dict[str, float] = {}

    def kill(log: load.Log) -> None:
        time.sleep(15)
        worker = int(supervisor_state()["worker"]["pid"])
        for pid in [worker, *descendants(worker)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        timeline["killed"] = time.time()
        print("  15 s: the worker and its processes killed (SIGKILL)", flush=True)
        wait_for(
            "the restarted worker",
            lambda: supervisor_state().get("worker", {}).get("pid") not in (None, worker),
            limit=60,
        )
        timeline["restarted"] = time.time() - timeline["killed"]
        timeline["rescored"] = rescored_after(timeline["killed"])

    log, problems = under_supervision(kill)
    print(
        f"Worker started again {timeline.get('restarted', float('inf')):.1f} s after the kill; "
        f"scores stored again {timeline.get('rescored', float('inf')):.1f} s after it"
    )
    unanswered, errors = summary(log, problems, timeline.get("rescored", float("inf")))
    ok = (
        not fault_failed(log)
        and unanswered == 0
        and errors == 0
        and not problems
        and timeline.get("restarted", float("inf")) < 10
        and timeline.get("rescored", float("inf")) < 60
    )
    return verdict(ok)


def disk(full_for: float = 20) -> bool:
    """The evidence folder a 64 MB tmpfs, filled to its last 8 KB for 20 s under load."""
    evidence = load.DATA / "evidence"
    evidence.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(evidence)], check=True)
    timeline: dict[str, float] = {}
    filler = evidence / "filler"

    def fill(server: subprocess.Popen[bytes], log: load.Log) -> None:
        time.sleep(15)
        free = os.statvfs(evidence).f_bavail * os.statvfs(evidence).f_frsize
        try:
            with filler.open("wb") as out:
                block = b"\0" * (1 << 20)
                left = free - 8 * 1024  # less than one upload (20 KB)
                while left > 0:
                    out.write(block[: min(len(block), left)])
                    left -= len(block)
        except OSError:
            pass  # the uploads meanwhile took what was left: full all the same
        timeline["full"] = time.monotonic()
        print("  15 s: the evidence disk full", flush=True)
        time.sleep(full_for)
        filler.unlink()
        timeline["freed"] = time.monotonic()
        print(f"  {15 + full_for:.0f} s: space freed", flush=True)

    try:
        log, problems, _ = under_load(fill)
        from django.core.management import call_command

        out = io.StringIO()
        call_command("check_files", stdout=out)
    finally:
        subprocess.run(["umount", "-l", str(evidence)], check=False)
    full, freed = timeline.get("full", 0.0), timeline.get("freed", 0.0)
    during = [r for r in log.results if full <= r.at <= freed]
    refused = [r for r in during if r.status == 507]
    others = [r for r in log.results if not r.expected and r.status != 507]
    uploads_after = [r for r in log.results if r.at > freed and "upload" in r.label and r.expected]
    recovered = min((r.at for r in uploads_after), default=float("inf")) - freed
    orphans = out.getvalue().count("no row:")
    print(
        f"While full: {len(during)} requests, {len(refused)} answered 507; errors other "
        f"than 507 over the run: {len(others)} {Counter(r.status for r in others)}; "
        f"files without a row: {orphans}; the first upload stored {recovered:.1f} s after "
        "the space came back"
    )
    unanswered, _errors = summary(log, problems, recovered)
    ok = bool(refused) and not others and orphans == 0 and not problems and recovered < 10
    return verdict(ok and unanswered == 0)


def overlap() -> bool:
    """Two reminder runs at once (the second's clock 11 minutes later), a slow mail server."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    load.prepare()
    from tasks.models import ReminderPolicy, SentReminder

    ReminderPolicy.objects.create()
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=load.free_port())
    controller.start()
    env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(controller.port)}
    now = "2026-12-24T08:00"  # a week before the load's tasks are due
    later = "2026-12-24T08:11"
    try:
        first = subprocess.Popen(
            [sys.executable, "manage.py", "send_reminders", "--now", now],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        wait_for("the first mails", lambda: len(box.received) >= 3, limit=120)
        second = subprocess.run(
            [sys.executable, "manage.py", "send_reminders", "--now", later],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        out, _err = first.communicate(timeout=600)
    finally:
        controller.stop()
    people = Counter(m["To"] for m in box.received)
    twice = [to for to, n in people.items() if n > 1]
    sent = SentReminder.objects.filter(sent_at__isnull=False).count()
    print(f"First run: {out.strip()}")
    print(f"Second run: {second.stdout.strip()}")
    print(
        f"{len(box.received)} mails to {len(people)} people for {sent} items; "
        f"people mailed twice: {len(twice)}"
    )
    return verdict(not twice and sent > 0 and second.returncode == 0)


CLIENTS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument(
        "fault",
        choices=[
            "web",
            "database",
            "reminders",
            "rollup",
            "pause",
            "killworker",
            "disk",
            "overlap",
        ],
    )
    parser.add_argument("--embedded", action="store_true", help="SQLite and no Redis")
    args = parser.parse_args()
    if args.embedded and not load.EMBEDDED:  # load.py reads it when imported: start again
        os.environ["LOAD_EMBEDDED"] = "1"
        os.execv(sys.executable, [sys.executable, __file__, args.fault])
    load.DATA.mkdir(parents=True, exist_ok=True)
    scenario: dict[str, Callable[[], bool]] = {
        "web": web,
        "database": database,
        "reminders": reminders,
        "rollup": rollup,
        "pause": pause,
        "killworker": killworker,
        "disk": disk,
        "overlap": overlap,
    }
    try:
        ok = scenario[args.fault]()
    finally:
        for worker in STARTED:
            if worker.poll() is None:
                kill_group(worker)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
