"""Benchmark: the roll-up against one plain GROUP BY over the same tasks.

Targets:
- PostgreSQL, 3,400 units and 1,000,000 tasks: the roll-up takes at most 3x
  the time of `SELECT lead_unit_id, status, COUNT(*) ... GROUP BY lead_unit_id,
  status` over the same plan's tasks, measured in the same run;
- SQLite, a province of 160 units at 30,000 and at 300,000 tasks: under one
  second at 30,000; at most 12x from 30,000 to 300,000; at 300,000 within 3x
  of the floor, one pass over the columns the task rules read on the best
  covering index (FLOOR below), measured in the same run.

Run from the project root (DATABASE_URL picks the database; on SQLite the
database is the dashboards benchmark's, under var/bench-dashboards/):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench \\
        .venv/bin/python bench/rollup.py --units 3400 --tasks 1000000
    .venv/bin/python bench/rollup.py

It migrates the database, creates each synthetic plan with seed_bench the
first time (reused afterwards), then times each side in-process (best of
--runs, so process start and imports are not counted).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATA_DIR", str(ROOT / "var" / "bench-dashboards"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection  # noqa: E402
from psycopg import sql as psql  # noqa: E402

from plans.models import Plan, ScoreSnapshot  # noqa: E402
from tasks.scores.rollup import rollup  # noqa: E402

AS_OF = dt.date(2026, 11, 22)


Work = tuple[Callable[[], object], Callable[[], object]]  # (prepare, work)


def best_of_each(runs: int, *works: Work) -> list[float]:
    """The best time of each piece of work, run in turn (a, b, a, b, ...).

    Each work is (prepare, work): prepare runs untimed just before its work.
    Taking turns lets both sides see the same machine: on a small virtual
    machine the time of one query moves by a third from minute to minute.
    """
    times: list[list[float]] = [[] for _ in works]
    for _ in range(runs):
        for (prepare, work), spent in zip(works, times, strict=True):
            prepare()
            started = time.perf_counter()
            work()
            spent.append(time.perf_counter() - started)
    return [min(spent) for spent in times]


def create_database() -> None:
    """Create the PostgreSQL database DATABASE_URL names, the first time."""
    if connection.vendor != "postgresql":
        return
    try:
        connection.ensure_connection()
    except OperationalError:
        params = {**connection.get_connection_params(), "dbname": "postgres"}
        params.pop("cursor_factory", None)
        with psycopg.connect(**params, autocommit=True) as server:
            name = connection.settings_dict["NAME"]
            server.execute(psql.SQL("CREATE DATABASE {}").format(psql.Identifier(name)))
        print(f"Created the database {name}.")


def ready_plan(units: int, tasks: int) -> Plan:
    """The synthetic plan of that size, created with seed_bench the first time."""
    number = f"BENCH-{units}-{tasks}"
    plan = Plan.objects.filter(document_number=number).order_by("-pk").first()
    if plan is None:
        call_command("seed_bench", units=units, tasks=tasks)
        plan = Plan.objects.filter(document_number=number).order_by("-pk").first()
        assert plan is not None
    return plan


def measure(plan: Plan, runs: int) -> tuple[float, float, float]:
    """Best seconds of the floor query, of a new day's roll-up and of a roll-up again."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tasks_task")

    def floor() -> object:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR[connection.vendor], {"plan": plan.pk, "as_of": AS_OF})
            return cursor.fetchall()

    def tidy() -> None:
        """What autovacuum does between two nights (this bench's runs come seconds apart)."""
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {ScoreSnapshot._meta.db_table}")

    def new_day() -> None:
        ScoreSnapshot.objects.filter(plan=plan, as_of=AS_OF).delete()
        tidy()

    def score() -> object:
        return rollup(plan, AS_OF, batch=True)

    floor(), score()  # warm the caches
    best = best_of_each(runs, (tidy, floor), (new_day, score), (tidy, score))
    return best[0], best[1], best[2]


# The floor each database's roll-up is held to (its rows: the plan's top-level tasks).
FLOOR = {
    # PostgreSQL: the plainest GROUP BY over the same plan's tasks.
    "postgresql": "SELECT lead_unit_id, status, COUNT(*) FROM tasks_task "
    "WHERE plan_id = %(plan)s GROUP BY lead_unit_id, status",
    # SQLite: one pass over the columns the task rules read, on the best covering
    # index, counting what they count (due, accepted by the day, on time) once.
    "sqlite": "SELECT lead_unit_id, SUM(status <> 'cancelled'), SUM(completed_on <= %(as_of)s), "
    "SUM(completed_on <= due_date), COUNT(subcriterion) FROM tasks_task "
    "WHERE plan_id = %(plan)s AND parent_id IS NULL AND due_date <= %(as_of)s "
    "GROUP BY lead_unit_id",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=160)
    parser.add_argument("--tasks", type=int, nargs="+", default=[30_000, 300_000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    create_database()
    call_command("migrate", verbosity=0)
    postgres = connection.vendor == "postgresql"
    print(f"database          {connection.vendor}")
    results = {}
    for size in args.tasks:
        plan = ready_plan(args.units, size)
        floor, first, again = measure(plan, args.runs)
        results[size] = (floor, first, again)
        print(f"plan              {plan.pk} ({args.units} units, {size:,} tasks)")
        print(f"  floor           {floor * 1000:8.1f} ms")
        print(f"  roll-up, new day{first * 1000:8.1f} ms  {first / floor:5.2f}x floor")
        print(f"  roll-up, again  {again * 1000:8.1f} ms  {again / floor:5.2f}x floor")
    print(f"                  (best of {args.runs} each, taking turns)")
    # At the largest size: on a small plan the fixed part (units, snapshots) weighs most.
    largest = max(results)
    floor, first, again = results[largest]
    ok = max(first, again) <= 3 * floor
    print(
        f"target            roll-up <= 3x floor at {largest:,} tasks: {'met' if ok else 'NOT met'}"
    )
    if postgres:
        if (args.units, max(args.tasks)) != (3400, 1_000_000):
            print("                  (set for 3,400 units and 1,000,000 tasks)")
        return 0 if ok else 1
    small, large = min(results), max(results)
    fast = max(results[small][1:]) < 1
    print(f"target            roll-up < 1 s at {small:,} tasks: {'met' if fast else 'NOT met'}")
    if large > small:
        growth = max(results[large][1:]) / max(results[small][1:])
        bound = 12 * large / small / 10  # 12x for ten times the tasks
        flat = growth <= bound
        print(
            f"target            {small:,} -> {large:,} tasks: {growth:.1f}x growth, "
            f"at most {bound:g}x: {'met' if flat else 'NOT met'}"
        )
        ok = ok and flat
    return 0 if ok and fast else 1


if __name__ == "__main__":
    sys.exit(main())
