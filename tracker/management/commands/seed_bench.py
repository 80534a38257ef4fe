"""Synthetic plans of any size for the benchmarks: bulk inserts, a million tasks in minutes."""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from plans.indexsets import WORK_RECORDS_INDICATOR, standard_index_sets
from plans.models import (
    Indicator,
    IndicatorTarget,
    Level,
    Measurement,
    Plan,
    PlanStatus,
    Unit,
)
from plans.planning import add_default_areas
from tasks.models import Status, Task, completion_day, searchable

YEAR = 2026
BATCH = 5000
# (status, weight): most tasks done, some open, a few cancelled.
STATUSES = [
    (Status.DONE, 55),
    (Status.IN_PROGRESS, 18),
    (Status.TODO, 15),
    (Status.SUBMITTED, 7),
    (Status.CANCELLED, 5),
]
TAGS = ["", "", "", "", "", "1.2", "1.3", "1.4", "1.5", "1.6"]


def bench_units(count: int) -> list[Unit]:
    """bench-0001 (the province), then departments (one in eight), then communes; reused."""
    existing = {u.code: u for u in Unit.objects.filter(code__startswith="bench-")}
    missing = []
    for n in range(1, count + 1):
        code = f"bench-{n:04d}"
        if code in existing:
            continue
        level = Level.PROVINCE if n == 1 else Level.DEPARTMENT if n % 8 == 2 else Level.COMMUNE
        missing.append(Unit(code=code, name=f"Đơn vị thử nghiệm {n:04d}", level=level))
    Unit.objects.bulk_create(missing, batch_size=BATCH)
    codes = [f"bench-{n:04d}" for n in range(1, count + 1)]
    return list(Unit.objects.filter(code__in=codes).order_by("code"))


def unit_plans_and_figures(plan: Plan, units: list[Unit], rng: random.Random) -> None:
    """What 1.1 and 1.4 of the xã set read: each unit's own plan, each commune's figure.

    Most units issued their plan in January, some late, some not at all; every
    commune reported its work-records figure for three quarters.
    """
    plans = []
    for unit in units:
        r = rng.random()
        if r < 0.9:
            day = dt.date(YEAR, 1, 10) + dt.timedelta(days=rng.randint(0, 21 if r < 0.75 else 60))
            plans.append(
                Plan(
                    unit=unit,
                    parent=plan,
                    year=YEAR,
                    title=f"Kế hoạch CCHC năm {YEAR} của {unit.name}",
                    issued_on=day,
                    status=PlanStatus.ISSUED,
                )
            )
    Plan.objects.bulk_create(plans, batch_size=BATCH)
    indicator = Indicator.objects.create(
        plan=plan, code=WORK_RECORDS_INDICATOR, name="Hồ sơ công việc xử lý trên môi trường mạng"
    )
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(indicator=indicator, level=level, target_pct=Decimal(pct))
        for level, pct in (("province", 70), ("department", 70), ("commune", 40))
    )
    figures = []
    for unit in units:
        if unit.level != Level.COMMUNE:
            continue
        for month in (3, 6, 9):
            denominator = rng.randint(80, 400)
            figures.append(
                Measurement(
                    indicator=indicator,
                    unit=unit,
                    period_start=dt.date(YEAR, month - 2, 1),
                    period_end=dt.date(YEAR, month, 30 if month in (6, 9) else 31),
                    numerator=rng.randint(denominator // 5, denominator),
                    denominator=denominator,
                )
            )
    Measurement.objects.bulk_create(figures, batch_size=BATCH)


class Command(BaseCommand):
    help = "Create a synthetic issued plan: --units N units leading --tasks M tasks in all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--units", type=int, default=160)
        parser.add_argument("--tasks", type=int, default=30_000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        units_n, tasks_n = options["units"], options["tasks"]
        if not 1 <= units_n <= 9999 or tasks_n < 0:
            raise CommandError("--units takes 1 to 9999, --tasks 0 or more.")
        rng = random.Random(options["seed"])
        started = time.perf_counter()
        with transaction.atomic():
            units = bench_units(units_n)
            plan = Plan.objects.create(
                unit=units[0],
                year=YEAR,
                title=f"Kế hoạch thử nghiệm: {units_n} đơn vị, {tasks_n} nhiệm vụ",
                document_number=f"BENCH-{units_n}-{tasks_n}",
                issued_on=dt.date(YEAR, 1, 18),
                status=PlanStatus.ISSUED,
            )
            plan.index_sets.set(standard_index_sets(YEAR))
            areas = add_default_areas(plan)
            unit_plans_and_figures(plan, units[1:], rng)
        self.stdout.write(f"Plan {plan.pk}: {units_n} units")
        statuses = [s for s, _w in STATUSES]
        weights = [w for _s, w in STATUSES]
        start = dt.date(YEAR, 1, 1)
        tz = timezone.get_current_timezone()
        made = 0
        while made < tasks_n:
            size = min(BATCH, tasks_n - made)
            batch = []
            for i in range(made, made + size):
                due = start + dt.timedelta(days=rng.randrange(365))
                status = rng.choices(statuses, weights)[0]
                completed = None
                if status == Status.DONE:
                    day = due + dt.timedelta(days=rng.randint(-20, 6))
                    completed = dt.datetime.combine(day, dt.time(9 + i % 8), tzinfo=tz)
                batch.append(
                    Task(
                        plan=plan,
                        area=areas[i % len(areas)],
                        lead_unit=units[rng.randrange(units_n)],
                        subcriterion=rng.choice(TAGS),
                        title=f"Nhiệm vụ thử nghiệm {i + 1}",
                        search_text=searchable(f"Nhiệm vụ thử nghiệm {i + 1}", ""),
                        due_date=due,
                        original_due_date=due,
                        status=status,
                        completed_at=completed,
                        completed_on=completion_day(completed),
                    )
                )
            Task.objects.bulk_create(batch)
            made += size
            if made % 100_000 < BATCH or made == tasks_n:
                self.stdout.write(f"  {made} tasks ({time.perf_counter() - started:.0f} s)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Plan {plan.pk} ready: {units_n} units, {tasks_n} tasks "
                f"in {time.perf_counter() - started:.1f} s"
            )
        )
