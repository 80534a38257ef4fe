"""The demo province: realistic, complete, and loaded once however often it runs."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Q
from django.utils import timezone

from plans.models import (
    AuditEvent,
    Indicator,
    IndicatorTarget,
    Level,
    Measurement,
    Official,
    Plan,
    Role,
    Unit,
)
from tasks.models import Evidence, Notification, Status, Task
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

MODELS = [
    Unit,
    Official,
    Plan,
    Task,
    Evidence,
    Indicator,
    IndicatorTarget,
    Measurement,
    AuditEvent,
    Notification,
]


def snapshot() -> dict[str, object]:
    """Row counts and the latest change time of every table the demo fills."""
    state: dict[str, object] = {m.__name__: m._default_manager.count() for m in MODELS}
    for model in (Unit, Official, Plan, Task):
        state[f"{model.__name__}.updated"] = model.objects.aggregate(m=Max("updated_at"))["m"]
    state["links"] = (
        Task.partner_units.through.objects.count(),
        Task.assignees.through.objects.count(),
    )
    return state


def test_it_builds_a_two_level_province() -> None:
    levels = dict(Unit.objects.values_list("level").annotate(n=Count("id")))
    assert levels[Level.DEPARTMENT] >= 10
    assert levels[Level.COMMUNE] >= 12
    assert Level.DISTRICT not in levels
    assert Unit.objects.filter(level=Level.PROVINCE, parent=None).count() == 1
    assert set(Unit.objects.filter(level=Level.DEPARTMENT).values_list("name", flat=True)) >= {
        "Sở Nội vụ",
        "Sở Tư pháp",
        "Sở Tài chính",
    }


def test_every_unit_has_a_head_and_two_officials() -> None:
    per_unit = Unit.objects.annotate(
        heads=Count("officials", filter=Q(officials__role=Role.HEAD)),
        staff=Count("officials", filter=Q(officials__role=Role.OFFICIAL)),
    ).values_list("heads", "staff")
    assert set(per_unit) == {(1, 2)}
    assert Official.objects.filter(role=Role.COMMITTEE).count() == 2
    assert Official.objects.get(user__username="admin").user.is_superuser


def test_the_2026_plan_has_60_tasks_across_all_areas(plan: Plan) -> None:
    assert plan.issued_on is not None and plan.issued_on.year == 2026
    assert plan.tasks.count() >= 60
    assert set(plan.tasks.values_list("area__number", flat=True)) == set(range(1, 9))
    assert plan.tasks.filter(parent__isnull=False).exists()
    months = {d.month for d in plan.tasks.values_list("due_date", flat=True)}
    assert len(months) >= 10  # deadlines spread over the year


def test_task_states_are_spread_around_today(plan: Plan) -> None:
    tasks = list(plan.tasks.all())
    done = [t for t in tasks if t.status == Status.DONE]
    assert any(t.completed_on_time for t in done), "done on time"
    assert any(t.completed_on_time is False for t in done), "done late"
    assert any(t.status == Status.SUBMITTED for t in tasks)
    assert any(t.status == Status.IN_PROGRESS and t.due_date >= TODAY for t in tasks)
    assert any(t.is_overdue(TODAY) for t in tasks)
    assert any(t.status == Status.CANCELLED for t in tasks)
    # Work that was handed in carries evidence and a history.
    for task in tasks:
        if task.status in (Status.SUBMITTED, Status.DONE):
            assert task.evidence.exists()
    assert AuditEvent.objects.filter(action="accepted").count() == len(done)


def test_nothing_happened_in_the_future() -> None:
    now = timezone.now()
    assert not Task.objects.filter(completed_at__gt=now).exists()
    assert not AuditEvent.objects.filter(at__gt=now).exists()
    assert not Evidence.objects.filter(uploaded_at__gt=now).exists()
    assert not Notification.objects.filter(created_at__gt=now).exists()
    assert not Notification.objects.filter(read_at__gt=now).exists()


def test_inboxes_hold_what_the_workflow_told_each_person() -> None:
    """Heads were told of submitted work, officials of assignments and acceptances."""
    assert Notification.objects.filter(kind="submitted", recipient__role=Role.HEAD).exists()
    assert Notification.objects.filter(kind="assigned", recipient__role=Role.OFFICIAL).exists()
    assert Notification.objects.filter(kind="accepted").exists()
    # Recent ones are unread, so that the header has something to show.
    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()
    assert Task.objects.filter(status=Status.SUBMITTED, submitted_at__isnull=True).count() == 0


def test_it_loads_the_70_60_40_indicator_with_measurements(plan: Plan) -> None:
    indicator = Indicator.objects.get(plan=plan, code="hscv-mang")
    targets = dict(indicator.targets.values_list("level", "target_pct"))
    assert (targets["province"], targets["district"], targets["commune"]) == (70, 60, 40)
    assert indicator.measurements.count() > 0
    assert indicator.measurements.filter(unit__level=Level.COMMUNE).exists()


def test_a_second_run_changes_nothing() -> None:
    before = snapshot()
    out = io.StringIO()
    call_command("seed_demo", "--today", TODAY.isoformat(), stdout=out)
    assert snapshot() == before
    assert "mới 0" in out.getvalue()


def test_it_shows_progress_and_prints_the_logins() -> None:
    out = io.StringIO()
    call_command("seed_demo", "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    for step in ("[1/7]", "[2/7]", "[3/7]", "[4/7]", "[5/7]", "[6/7]", "[7/7]"):
        assert step in text
    assert "cchc2026" in text
    assert "snv.head" in text and "snv.cv1" in text and "bcd1" in text and "admin" in text


def test_if_empty_leaves_a_filled_database_alone() -> None:
    before = snapshot()
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert snapshot() == before
    assert "giữ nguyên" in out.getvalue()
    assert "snv.head" in out.getvalue()


def test_three_level_adds_districts_between_province_and_communes() -> None:
    call_command("seed_demo", "--three-level", "--today", TODAY.isoformat(), stdout=io.StringIO())
    districts = Unit.objects.filter(level=Level.DISTRICT)
    assert districts.count() >= 5
    communes = Unit.objects.filter(level=Level.COMMUNE).select_related("parent")
    assert all(c.parent and c.parent.level == Level.DISTRICT for c in communes)
    assert Task.objects.filter(lead_unit__level=Level.DISTRICT).exists()
    assert Official.objects.filter(unit__level=Level.DISTRICT, role=Role.HEAD).count() == (
        districts.count()
    )
