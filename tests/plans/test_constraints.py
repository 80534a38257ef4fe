"""The database itself refuses what the domain forbids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from plans.models import (
    Area,
    Indicator,
    IndicatorTarget,
    Level,
    Measurement,
    Official,
    Plan,
    PlanStatus,
    Role,
    Unit,
)
from tasks.models import Status, Task

pytestmark = pytest.mark.django_db


def refused(write: Callable[[], object]) -> None:
    """Assert the write raises IntegrityError and leaves the transaction usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def new_official(username: str, unit: Unit | None, role: str) -> Official:
    user = get_user_model().objects.create_user(username, password="x")
    return Official.objects.create(user=user, full_name=username, unit=unit, role=role)


def test_a_unit_has_at_most_one_head() -> None:
    unit = Unit.objects.get(code="stp")
    assert unit.head is not None
    refused(lambda: new_official("second-head", unit, Role.HEAD))
    assert unit.officials.filter(role=Role.HEAD).count() == 1


def test_two_units_each_keep_their_own_head() -> None:
    unit = Unit.objects.create(code="new-unit", name="Đơn vị mới", level=Level.COMMUNE)
    head = new_official("new-head", unit, Role.HEAD)
    assert unit.head == head


def test_only_an_administrator_may_have_no_unit() -> None:
    refused(lambda: new_official("loose", None, Role.OFFICIAL))
    assert new_official("root", None, Role.ADMIN).unit is None


def test_a_unit_cannot_be_its_own_parent() -> None:
    unit = Unit.objects.get(code="snv")
    unit.parent = unit
    refused(unit.save)


def test_unit_codes_and_names_are_unique() -> None:
    refused(lambda: Unit.objects.create(code="snv", name="Khác", level=Level.DEPARTMENT))
    refused(lambda: Unit.objects.create(code="snv-2", name="Sở Nội vụ", level=Level.DEPARTMENT))


def test_an_issued_plan_has_an_issue_date(plan: Plan) -> None:
    refused(
        lambda: Plan.objects.create(
            unit=plan.unit, year=2027, title="KH 2027", status=PlanStatus.ISSUED
        )
    )
    draft = Plan.objects.create(unit=plan.unit, year=2027, title="KH 2027")
    assert draft.status == PlanStatus.DRAFT


def test_a_plan_year_is_plausible(plan: Plan) -> None:
    refused(lambda: Plan.objects.create(unit=plan.unit, year=1999, title="Cũ"))


def test_area_numbers_are_unique_within_a_plan(plan: Plan) -> None:
    refused(lambda: Area.objects.create(plan=plan, number=3, name="Trùng"))


def test_a_task_needs_a_lead_unit(plan: Plan) -> None:
    area = plan.areas.get(number=1)
    refused(
        lambda: Task.objects.create(
            plan=plan,
            area=area,
            title="Không có cơ quan chủ trì",
            due_date=dt.date(2026, 12, 1),
            original_due_date=dt.date(2026, 12, 1),
            lead_unit=None,  # type: ignore[misc]  # the database must refuse what the types forbid
        )
    )


def test_a_completion_time_goes_with_done_and_only_done(plan: Plan) -> None:
    task = plan.tasks.filter(status=Status.IN_PROGRESS).first()
    assert task is not None
    task.status = Status.DONE
    refused(task.save)  # done without a completion time
    task.refresh_from_db()
    task.completed_at = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
    refused(task.save)  # a completion time on an unfinished task


def test_a_measurement_numerator_stays_within_its_denominator(plan: Plan) -> None:
    indicator = Indicator.objects.get(plan=plan, code="hscv-mang")
    unit = Unit.objects.get(code="stp")

    def measure(numerator: int, denominator: int, end: dt.date = dt.date(2026, 12, 31)) -> None:
        Measurement.objects.create(
            indicator=indicator,
            unit=unit,
            period_start=dt.date(2026, 10, 1),
            period_end=end,
            numerator=numerator,
            denominator=denominator,
        )

    refused(lambda: measure(11, 10))
    refused(lambda: measure(0, 0))
    refused(lambda: measure(1, 10, end=dt.date(2026, 9, 1)))  # ends before it starts
    measure(10, 10)
    refused(lambda: measure(5, 10))  # one figure per unit and period


def test_a_level_has_one_target_within_0_and_100(plan: Plan) -> None:
    indicator = Indicator.objects.get(plan=plan, code="hscv-mang")
    refused(
        lambda: IndicatorTarget.objects.create(
            indicator=indicator, level=Level.COMMUNE, target_pct=50
        )
    )
    other = Indicator.objects.create(plan=plan, code="khac", name="Khác")
    refused(
        lambda: IndicatorTarget.objects.create(indicator=other, level=Level.COMMUNE, target_pct=101)
    )
