"""Benchmark: the roll-up against one plain GROUP BY over the same tasks.

Targets (issue: the roll-up):
- PostgreSQL, 3,400 units and 1,000,000 tasks: the roll-up takes at most 3x
  the time of `SELECT lead_unit_id, status, COUNT(*) ... GROUP BY lead_unit_id,
  status` over the same plan's tasks, measured in the same run;
- SQLite, a province (160 units, 30,000 tasks): under one second.

Run from the project root (DATABASE_URL picks the database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench \\
        .venv/bin/python bench/rollup.py --units 3400 --tasks 1000000
    .venv/bin/python bench/rollup.py --units 160 --tasks 30000

It migrates the database, creates the synthetic plan with seed_bench the
first time (reused afterwards), then times each side (best of --runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from plans.models import Plan  # noqa: E402
from tasks.jobs import rollup  # noqa: E402

AS_OF = dt.date(2026, 11, 22)


def best_of_each(runs: int, *works: Callable[[], object]) -> list[float]:
    """The best time of each piece of work, run in turn (a, b, a, b, ...).

    Taking turns lets both sides see the same machine: on a small virtual
    machine the time of one query moves by a third from minute to minute.
    """
    times: list[list[float]] = [[] for _ in works]
    for _ in range(runs):
        for work, spent in zip(works, times, strict=True):
            started = time.perf_counter()
            work()
            spent.append(time.perf_counter() - started)
    return [min(spent) for spent in times]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=160)
    parser.add_argument("--tasks", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    number = f"BENCH-{args.units}-{args.tasks}"
    plan = Plan.objects.filter(document_number=number).order_by("-pk").first()
    if plan is None:
        call_command("seed_bench", units=args.units, tasks=args.tasks)
        plan = Plan.objects.filter(document_number=number).order_by("-pk").first()
        assert plan is not None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE tasks_task")

    def plain() -> object:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT lead_unit_id, status, COUNT(*) FROM tasks_task "
                "WHERE plan_id = %s GROUP BY lead_unit_id, status",
                [plan.pk],
            )
            return cursor.fetchall()

    plain(), rollup(plan, AS_OF)  # warm the caches
    group_by, scored = best_of_each(args.runs, plain, lambda: rollup(plan, AS_OF))
    ratio = scored / group_by
    print(f"database  {connection.vendor}")
    print(f"plan      {plan.pk} ({args.units} units, {args.tasks} tasks)")
    print(f"GROUP BY  {group_by * 1000:8.1f} ms  (best of {args.runs}, taking turns)")
    print(f"roll-up   {scored * 1000:8.1f} ms  (best of {args.runs}, taking turns)")
    print(f"ratio     {ratio:8.2f}x")
    if connection.vendor == "postgresql":
        ok = ratio <= 3
        print(f"target    roll-up <= 3x GROUP BY: {'met' if ok else 'NOT met'}")
    else:
        ok = scored < 1
        print(f"target    roll-up < 1 s on SQLite: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
