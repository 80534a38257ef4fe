"""Benchmark: the head's task-results page for a unit of 50 officials and 5,000 tasks.

Target: a fixed number of queries (tests/tasks/test_results.py pins it) and
under 300 ms on SQLite.

Run from the project root; it uses its own SQLite database under
var/bench-results/ (DATA_DIR), built the first time:

    .venv/bin/python bench/results.py

The unit has 50 officials and its head; each official has 100 tasks due in
March 2026 (5,000 in all): three in five accepted on time, one in five
accepted late, one in ten returned once before acceptance, the rest open;
one in twenty has its delay marked objective. The page is asked for March
2026 (open figures, computed from the tasks) ten times; the median and the
worst are printed with the number of queries.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATA_DIR", str(ROOT / "var" / "bench-results"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from plans import planning  # noqa: E402
from plans.models import AuditEvent, Level, Official, PlanStatus, Role, Unit  # noqa: E402
from tasks.models import Status, Task  # noqa: E402
from tasks.models.results import MarkKind, ObjectiveMark  # noqa: E402

OFFICIALS = 50
TASKS_EACH = 100
RUNS = 10
TARGET_MS = 300


def build() -> Unit:
    unit = Unit.objects.filter(code="bench-results").first()
    if unit is not None:
        return unit
    users = get_user_model().objects
    province = Unit.objects.create(code="bench-tinh", name="UBND tỉnh thử", level=Level.PROVINCE)
    unit = Unit.objects.create(
        code="bench-results", name="Sở thử", level=Level.DEPARTMENT, parent=province
    )
    admin = Official.objects.create(
        user=users.create_user("bench-admin", password="bench"), role=Role.ADMIN, full_name="QT"
    )
    Official.objects.create(
        user=users.create_user("bench-head", password="bench"),
        unit=unit,
        role=Role.HEAD,
        full_name="Thủ trưởng",
    )
    people = [
        Official.objects.create(
            user=users.create_user(f"bench-cv{n}", password="bench"),
            unit=unit,
            full_name=f"Công chức {n:02d}",
        )
        for n in range(OFFICIALS)
    ]
    plan = planning.create_plan(
        admin,
        unit_id=province.pk,
        year=2026,
        title="Kế hoạch thử 2026",
        document_number="BENCH-RESULTS",
        issued_on=dt.date(2026, 1, 10),
        status=PlanStatus.ISSUED,
    )
    area = plan.areas.get(number=1)
    with transaction.atomic():
        tasks = []
        for n in range(OFFICIALS * TASKS_EACH):
            due = dt.date(2026, 3, 1 + n % 31)
            kind = n % 10
            done = None
            if kind < 6:
                done = due - dt.timedelta(days=1)
            elif kind < 8:
                done = min(due + dt.timedelta(days=2), dt.date(2026, 3, 31))
            tasks.append(
                Task(
                    plan=plan,
                    area=area,
                    lead_unit=unit,
                    title=f"Nhiệm vụ thử {n}",
                    search_text=f"nhiem vu thu {n}",
                    due_date=due,
                    original_due_date=due,
                    status=Status.DONE if done else Status.TODO,
                    completed_at=timezone.make_aware(dt.datetime.combine(done, dt.time(15)))
                    if done
                    else None,
                    completed_on=done,
                )
            )
        made = Task.objects.bulk_create(tasks, batch_size=500)
        through = Task.assignees.through
        through.objects.bulk_create(
            [
                through(task_id=t.pk, official_id=people[i % OFFICIALS].pk)
                for i, t in enumerate(made)
            ],
            batch_size=1000,
        )
        task_type = ContentType.objects.get_for_model(Task)
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(action="returned", content_type=task_type, object_id=t.pk)
                for i, t in enumerate(made)
                if i % 10 == 8
            ],
            batch_size=1000,
        )
        ObjectiveMark.objects.bulk_create(
            [
                ObjectiveMark(task=t, kind=MarkKind.DELAY, reason="Thử", marked_by=admin)
                for i, t in enumerate(made)
                if i % 20 == 6
            ]
        )
    return unit


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the pages name their files
    unit = build()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(Official.objects.get(user__username="bench-head").user)
    url = f"/units/{unit.pk}/task-results/?period=2026-03"
    assert client.get(url).status_code == 200  # warm: caches, the first connection
    times = []
    for _run in range(RUNS):
        with CaptureQueriesContext(connection) as seen:
            started = time.perf_counter()
            page = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert page.status_code == 200
    people = Official.objects.filter(unit=unit).count()
    tasks = Task.objects.filter(lead_unit=unit).count()
    assert page.content.decode().count("/task-results/") > people  # a link per official
    print(f"officials {people}, tasks in March {tasks}, queries {len(seen)}")
    print(f"head page: median {statistics.median(times):.0f} ms, worst {max(times):.0f} ms")
    ok = statistics.median(times) < TARGET_MS
    print(f"target   under {TARGET_MS} ms on SQLite: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
