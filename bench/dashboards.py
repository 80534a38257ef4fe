"""Benchmark: the province overview served at two sizes of the same province.

Targets (issue: the steering-committee dashboards):
- SQLite, a province of 160 units and 30,000 tasks: the overview is served in
  under 300 ms (median of repeated requests);
- the same province with 300,000 tasks: at most 3x that same run's
  30,000-task time.

Run from the project root; it uses its own SQLite database under
var/bench-dashboards/ (DATA_DIR), created the first time (a few minutes) and
reused afterwards:

    .venv/bin/python bench/dashboards.py

Each plan gets two indicators with every unit's measurement, and a roll-up at
each month's end so that the trend has a year to draw. The requests go through
Django's whole stack (middleware, session, templates) in-process, signed in as
a committee member; the unit page is timed too, for information.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATA_DIR", str(ROOT / "var" / "bench-dashboards"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from plans.models import (  # noqa: E402
    Indicator,
    IndicatorTarget,
    Level,
    Measurement,
    Official,
    Plan,
    Role,
    Unit,
)
from tasks.rollup import rollup  # noqa: E402

AS_OF = dt.date(2026, 11, 22)
UNITS = 160


def ready_plan(tasks: int) -> Plan:
    """The synthetic plan of that size, seeded with indicators and a year of roll-ups once."""
    number = f"BENCH-{UNITS}-{tasks}"
    plan = Plan.objects.filter(document_number=number).order_by("-pk").first()
    if plan is not None:
        return plan
    call_command("seed_bench", units=UNITS, tasks=tasks)
    plan = Plan.objects.get(document_number=number)
    units = list(Unit.objects.filter(code__startswith="bench-").order_by("code")[:UNITS])
    for code, name, targets in [
        ("hscv", "Hồ sơ công việc xử lý trên môi trường mạng", (70, 70, 60, 40)),
        ("tthc", "Hồ sơ TTHC giải quyết đúng hạn", (100, 100, 100, 100)),
    ]:
        indicator = Indicator.objects.create(plan=plan, code=code, name=name)
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=indicator, level=level, target_pct=target)
            for level, target in zip(
                [Level.PROVINCE, Level.DEPARTMENT, Level.DISTRICT, Level.COMMUNE],
                targets,
                strict=True,
            )
        )
        Measurement.objects.bulk_create(
            Measurement(
                indicator=indicator,
                unit=unit,
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 9, 30),
                numerator=30 + n % 70,
                denominator=100,
            )
            for n, unit in enumerate(units)
            if n % 10  # one unit in ten has not reported
        )
    started = time.perf_counter()
    for month in range(2, 12):
        rollup(plan, dt.date(2026, month + 1, 1) - dt.timedelta(days=1))
    rollup(plan, AS_OF)
    print(f"  roll-ups for the trend: {time.perf_counter() - started:.0f} s")
    return plan


def committee_client() -> Client:
    user, _ = get_user_model().objects.get_or_create(username="bench-bcd")
    Official.objects.get_or_create(
        user=user,
        defaults={
            "full_name": "Ban Chỉ đạo (thử nghiệm)",
            "role": Role.COMMITTEE,
            "unit": Unit.objects.get(code="bench-0001"),
        },
    )
    client = Client()
    client.force_login(user)
    return client


def median_ms(client: Client, url: str, runs: int) -> tuple[float, int, int]:
    """Median time of runs requests (after two to warm up), the queries, the page's bytes."""
    for _ in range(2):
        client.get(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return statistics.median(times) * 1000, len(queries), len(response.content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=30_000)
    parser.add_argument("--large", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver"]

    call_command("migrate", verbosity=0)
    small, large = ready_plan(args.small), ready_plan(args.large)
    client = committee_client()
    unit = Unit.objects.get(code="bench-0002")
    results = {}
    for plan, tasks in [(small, args.small), (large, args.large)]:
        for page, url in [
            ("overview", f"/dashboard/?plan={plan.pk}&as_of=22/11/2026"),
            ("unit page", f"/dashboard/units/{unit.pk}/?plan={plan.pk}&as_of=22/11/2026"),
        ]:
            ms, queries, size = median_ms(client, url, args.runs)
            results[(page, tasks)] = ms
            print(
                f"{page:9}  {UNITS} units, {tasks:>7,} tasks: {ms:7.1f} ms median of {args.runs}"
                f"  ({queries} queries, {size / 1024:.0f} KB of HTML)"
            )
    first, second = results[("overview", args.small)], results[("overview", args.large)]
    ratio = second / first
    print(f"database   {connection.vendor}")
    print(f"ratio      {ratio:.2f}x  ({args.large:,} against {args.small:,} tasks)")
    fast = first < 300
    flat = ratio <= 3
    print(f"target     overview < 300 ms at {args.small:,} tasks: {'met' if fast else 'NOT met'}")
    print(f"target     {args.large:,} tasks <= 3x {args.small:,}: {'met' if flat else 'NOT met'}")
    return 0 if fast and flat else 1


if __name__ == "__main__":
    sys.exit(main())
