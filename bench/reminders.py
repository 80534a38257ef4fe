"""Benchmark: one reminder run over 1,000,000 tasks of which 10,000 have something due.

Target (issue: reminders): report one run's time; the run's query count does
not grow with the number of tasks that have nothing due. The benchmark seeds
the tasks with something due first and measures a run over them alone, then
adds the tasks with nothing due (deadlines weeks away, or done) and measures
again: the query counts must be equal.

Mail goes through a real SMTP server on loopback (aiosmtpd, in its own
process), one mail per recipient as in production. Run from the project root (DATABASE_URL picks the
database; the plan is created the first time and reused):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench \\
        .venv/bin/python bench/reminders.py --tasks 1000000 --due 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from plans.indexsets import standard_index_sets  # noqa: E402
from plans.models import Official, Plan, PlanStatus, Role, Unit  # noqa: E402
from plans.planning import add_default_areas  # noqa: E402
from tasks.models import (  # noqa: E402
    Notification,
    ReminderPolicy,
    SentReminder,
    Status,
    Task,
    completion_day,
)
from tasks.reminders.engine import send_reminders  # noqa: E402
from tracker.management.commands.seed_bench import bench_units  # noqa: E402

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=HCM)  # a Wednesday morning
TODAY = NOW.date()
BATCH = 5000
UNITS = 3400


class Sink:
    """An SMTP server that accepts everything and counts it."""

    def __init__(self) -> None:
        self.messages = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages += 1
        return "250 OK"


def people(units: list[Unit]) -> dict[int, tuple[int, int]]:
    """A head and an official with an e-mail address in every unit: {unit id: (head, official)}."""
    user_model = get_user_model()
    existing = {
        (o.unit_id, o.role): o.pk
        for o in Official.objects.filter(unit__in=units, role__in=[Role.HEAD, Role.OFFICIAL])
    }
    missing = [
        (u, r) for u in units for r in (Role.HEAD, Role.OFFICIAL) if (u.pk, r) not in existing
    ]
    if missing:
        users = user_model.objects.bulk_create(
            user_model(
                username=f"{u.code}.{'head' if r == Role.HEAD else 'cv'}",
                email=f"{u.code}.{r}@bench.example",
                password="!",
            )
            for u, r in missing
        )
        made = Official.objects.bulk_create(
            Official(user=user, unit=u, role=r, full_name=f"Cán bộ {u.code}")
            for user, (u, r) in zip(users, missing, strict=True)
        )
        existing.update({(o.unit_id, o.role): o.pk for o in made})
    return {u.pk: (existing[(u.pk, Role.HEAD)], existing[(u.pk, Role.OFFICIAL)]) for u in units}


def seed(
    plan: Plan,
    units: list[Unit],
    staff: dict[int, tuple[int, int]],
    count: int,
    due: bool,
    rng: random.Random,
) -> None:
    """`count` tasks, each with one step due at NOW (due=True) or nothing due at all."""
    areas = list(plan.areas.all())
    tz = timezone.get_current_timezone()
    made = 0
    while made < count:
        batch, assign = [], []
        for i in range(made, min(made + BATCH, count)):
            unit = units[rng.randrange(len(units))]
            status, submitted, completed = Status.IN_PROGRESS, None, None
            if due:
                # D-7, D-3, D-1, one day overdue, or waiting one day for review.
                kind = i % 5
                deadline = TODAY + dt.timedelta(days=(7, 3, 1, -1, 10)[kind])
                if kind == 4:
                    status = Status.SUBMITTED
                    submitted = dt.datetime.combine(
                        TODAY - dt.timedelta(days=1), dt.time(9), tzinfo=tz
                    )
            elif i % 2:
                deadline = TODAY + dt.timedelta(days=rng.randint(15, 400))
            else:
                deadline = TODAY - dt.timedelta(days=rng.randint(1, 300))
                status = Status.DONE
                completed = dt.datetime.combine(deadline, dt.time(10), tzinfo=tz)
            batch.append(
                Task(
                    plan=plan,
                    area=areas[i % len(areas)],
                    lead_unit=unit,
                    title=f"Nhiệm vụ nhắc việc {'đến hạn' if due else 'chưa đến hạn'} {i + 1}",
                    due_date=deadline,
                    original_due_date=deadline,
                    status=status,
                    submitted_at=submitted,
                    completed_at=completed,
                    completed_on=completion_day(completed),
                )
            )
        Task.objects.bulk_create(batch)
        if due:
            assign = [
                Task.assignees.through(task_id=t.pk, official_id=staff[t.lead_unit_id][1])
                for t in batch
            ]
            Task.assignees.through.objects.bulk_create(assign)
        made += len(batch)
        if made % 100_000 < BATCH:
            print(
                f"  {made} tasks {'with something due' if due else 'with nothing due'}", flush=True
            )


def smtp_server(port: int) -> subprocess.Popen[bytes]:
    """A real SMTP server in its own process (aiosmtpd's Sink: accepts and drops)."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-c",
            "aiosmtpd.handlers.Sink",
            "-l",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.05)
    server.kill()
    raise RuntimeError("the SMTP server did not start")


class QueryCounter:
    """Counts every statement (Django's query log keeps only the last 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def measure(runs: int) -> tuple[list[float], int, int, int]:
    """Times of `runs` runs from a clean sent-log, the last run's queries, items and mails."""
    port = free_port()
    server = smtp_server(port)
    times, queries, items, mails = [], 0, 0, 0
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
        ):
            for _ in range(runs):
                with transaction.atomic():
                    SentReminder.objects.all().delete()
                    Notification.objects.all().delete()
                counter = QueryCounter()
                with connection.execute_wrapper(counter):
                    started = time.perf_counter()
                    run = send_reminders(NOW)
                    times.append(time.perf_counter() - started)
                queries, items, mails = counter.count, sum(run.sent.values()), run.mails
                assert not run.failed, run.failed
    finally:
        server.kill()
    return times, queries, items, mails


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    ReminderPolicy.objects.all().delete()  # the defaults: Wednesday 08:00 is within the hours
    number = f"BENCH-REMIND-{args.tasks}-{args.due}"
    plan = Plan.objects.filter(document_number=number).first()
    # Only this plan is issued while it is measured; the others are put back after.
    others = Plan.objects.filter(status=PlanStatus.ISSUED).exclude(document_number=number)
    issued = list(others.values_list("pk", flat=True))
    others.update(status=PlanStatus.DRAFT)
    small = None
    try:
        units = bench_units(UNITS)
        staff = people(units)
        if plan is None:
            rng = random.Random(2026)
            plan = Plan.objects.create(
                unit=units[0],
                year=2026,
                title=f"Kế hoạch thử nhắc việc: {args.tasks} nhiệm vụ",
                document_number=number,
                issued_on=dt.date(2026, 1, 18),
                status=PlanStatus.ISSUED,
            )
            plan.index_sets.set(standard_index_sets(2026))
            add_default_areas(plan)
            seed(plan, units, staff, args.due, True, rng)
            small = measure(1)
            seed(plan, units, staff, args.tasks - args.due, False, rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE tasks_task")
        times, queries, items, mails = measure(args.runs)
    finally:
        Plan.objects.filter(pk__in=issued).update(status=PlanStatus.ISSUED)

    print(f"database   {connection.vendor}")
    print(f"tasks      {Task.objects.filter(plan=plan).count()} ({args.due} with something due)")
    print(f"sent       {items} reminders in {mails} mails (one per recipient)")
    print(
        f"run        {statistics.median(times):.2f} s median of {len(times)} "
        f"(each from an empty sent-log; {', '.join(f'{t:.2f}' for t in times)})"
    )
    print(f"queries    {queries}")
    if small is not None:
        print(f"           {small[1]} with only the {args.due} tasks that have something due")
        ok = small[1] == queries
        verdict = "met" if ok else "NOT met"
        print(f"target     query count independent of tasks with nothing due: {verdict}")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
