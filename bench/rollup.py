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

import psycopg  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection  # noqa: E402
from psycopg import sql as psql  # noqa: E402

from plans.models import Plan, ScoreSnapshot  # noqa: E402
from tasks.rollup import rollup  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=160)
    parser.add_argument("--tasks", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    create_database()
    call_command("migrate", verbosity=0)
    number = f"BENCH-{args.units}-{args.tasks}"
    plan = Plan.objects.filter(document_number=number).order_by("-pk").first()
    if plan is None:
        call_command("seed_bench", units=args.units, tasks=args.tasks)
        plan = Plan.objects.filter(document_number=number).order_by("-pk").first()
        assert plan is not None
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tasks_task")

    def plain() -> object:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT lead_unit_id, status, COUNT(*) FROM tasks_task "
                "WHERE plan_id = %s GROUP BY lead_unit_id, status",
                [plan.pk],
            )
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

    plain(), score()  # warm the caches
    group_by, first, again = best_of_each(args.runs, (tidy, plain), (new_day, score), (tidy, score))
    print(f"database          {connection.vendor}")
    print(f"plan              {plan.pk} ({args.units} units, {args.tasks} tasks)")
    print(f"GROUP BY          {group_by * 1000:8.1f} ms")
    print(f"roll-up, new day  {first * 1000:8.1f} ms  {first / group_by:5.2f}x GROUP BY")
    print(f"roll-up, again    {again * 1000:8.1f} ms  {again / group_by:5.2f}x GROUP BY")
    print(f"                  (best of {args.runs} each, taking turns)")
    if postgres:
        ok = max(first, again) <= 3 * group_by
        print(f"target            roll-up <= 3x GROUP BY: {'met' if ok else 'NOT met'}")
        if (args.units, args.tasks) != (3400, 1_000_000):
            print("                  (set for 3,400 units and 1,000,000 tasks)")
    else:
        ok = max(first, again) < 1
        print(f"target            roll-up < 1 s on SQLite: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
