"""Small factories: a province of a few units and people, built through the services.

The demo province (tests.conftest) stays for the tests of the demo itself and
the smoke tests; a test about one rule builds what it needs here, with codes
and usernames of its own (prefixed `t-`) beside the demo's.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from plans import planning
from plans.models import Level, Official, Plan, PlanStatus, Role, Unit
from tasks import services
from tasks.models import Status, Task

PASSWORD = "cchc2026"
_serial = itertools.count(1)


def sign_in(client: Client, person: Official) -> None:
    """Log a test client in as this person."""
    assert client.login(request=HttpRequest(), username=person.user.username, password=PASSWORD)


def make_unit(name: str, level: str = Level.DEPARTMENT, parent: Unit | None = None) -> Unit:
    """A unit with a code of its own."""
    n = next(_serial)
    return Unit.objects.create(code=f"t-{n}", name=f"{name} ({n})", level=level, parent=parent)


def make_official(unit: Unit | None, role: str = Role.OFFICIAL, name: str = "") -> Official:
    """A person with a login (the tests' password) in a unit, with a role."""
    n = next(_serial)
    user = get_user_model().objects.create_user(
        username=f"t-{role}-{n}",
        password=PASSWORD,
        email=f"t-{n}@example.gov.vn",
        # An administrator also keeps the Django admin, as the demo's does.
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    return Official.objects.create(user=user, unit=unit, role=role, full_name=name or f"Cán bộ {n}")


@dataclass
class Province:
    """A province plan issued by the People's Committee, two departments and their people.

    - `lead` leads the tasks made by `task()`, `other` is another department;
    - `assignee` and `colleague` work in `lead`, `outsider` in `other`.
    """

    plan: Plan
    province: Unit
    lead: Unit
    other: Unit
    admin: Official
    committee: Official
    plan_head: Official
    lead_head: Official
    other_head: Official
    assignee: Official
    colleague: Official
    outsider: Official

    def task(
        self,
        *,
        title: str = "Rà soát quy trình nội bộ",
        due_date: dt.date = dt.date(2026, 12, 31),
        assignees: tuple[Official, ...] | None = None,
        partners: tuple[Unit, ...] = (),
        area: int = 1,
        subcriterion: str = "",
    ) -> Task:
        """A task the plan's head gives `lead`, assigned to `assignee` unless told otherwise."""
        people = (self.assignee,) if assignees is None else assignees
        return services.create_task(
            self.plan_head,
            self.plan,
            title=title,
            area=area,
            lead_unit_id=self.lead.pk,
            due_date=due_date,
            subcriterion=subcriterion,
            partner_unit_ids=[u.pk for u in partners],
            assignee_ids=[p.pk for p in people],
            deliverable="Báo cáo",
            confirm_past_deadline=True,  # the tests set the clock; a past deadline is meant
        )


def make_province(year: int = 2026) -> Province:
    """The smallest province that exercises every role, with an issued plan of `year`."""
    province = make_unit("UBND tỉnh", Level.PROVINCE)
    lead = make_unit("Sở Nội vụ", parent=province)
    other = make_unit("Sở Tư pháp", parent=province)
    admin = make_official(None, Role.ADMIN, "Quản trị")
    plan_head = make_official(province, Role.HEAD, "Chủ tịch UBND")
    plan = planning.create_plan(
        admin,
        unit_id=province.pk,
        year=year,
        title=f"Kế hoạch CCHC năm {year}",
        document_number=f"{next(_serial)}/KH-UBND",
        issued_on=dt.date(year, 1, 15),
        status=PlanStatus.ISSUED,
    )
    return Province(
        plan=plan,
        province=province,
        lead=lead,
        other=other,
        admin=admin,
        committee=make_official(province, Role.COMMITTEE, "Thành viên BCĐ"),
        plan_head=plan_head,
        lead_head=make_official(lead, Role.HEAD, "Giám đốc Sở Nội vụ"),
        other_head=make_official(other, Role.HEAD, "Giám đốc Sở Tư pháp"),
        assignee=make_official(lead, name="Nguyễn Văn A"),
        colleague=make_official(lead, name="Trần Thị B"),
        outsider=make_official(other, name="Lê Văn C"),
    )


def task_in_state(
    plan: Plan, lead: Unit, due: dt.date, *, tag: str = "", done: dt.date | None = None
) -> Task:
    """A task in a given state: done on `done`, else open (or cancelled by tag "x")."""
    status = Status.DONE if done else Status.IN_PROGRESS
    if tag == "x":
        status, tag = Status.CANCELLED, ""
    return Task.objects.create(
        plan=plan,
        area=plan.areas.get(number=1),
        lead_unit=lead,
        title="Nhiệm vụ",
        due_date=due,
        original_due_date=due,
        status=status,
        subcriterion=tag,
        completed_at=timezone.make_aware(dt.datetime.combine(done, dt.time(15))) if done else None,
    )
