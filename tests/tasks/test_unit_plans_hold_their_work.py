"""A unit's own plan holds that unit's work; whoever answers for a unit can undo what lowers it.

The cross-unit cases of the permission matrix: in Sở Nội vụ's own plan no role
creates, imports or re-leads a task into another unit (Sở Tư pháp); a task led
by a unit can be cancelled or re-dated by the heads above that unit; a past
deadline on creation is confirmed, a deadline that has come moves with a reason.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from plans import planning
from plans.models import Level, Plan, PlanStatus, Role, Unit
from tasks import services
from tasks.appendix.load import import_appendix
from tasks.models import Status, Task
from tests.conftest import TODAY
from tests.factories import Province, make_official, make_province, make_unit, sign_in

pytestmark = pytest.mark.django_db

LATER = TODAY + dt.timedelta(days=20)


def own_plan(p: Province) -> Plan:
    """Sở Nội vụ's own plan, implementing the province's."""
    return planning.create_plan(
        p.lead_head,
        unit_id=p.lead.pk,
        parent_id=p.plan.pk,
        year=2026,
        title="Kế hoạch CCHC 2026 của Sở Nội vụ",
        document_number="12/KH-SNV",
        issued_on=dt.date(2026, 1, 20),
        status=PlanStatus.ISSUED,
    )


def body(p: Province, lead: Unit, **extra: Any) -> str:
    return json.dumps(
        {
            "title": "Kiểm tra công tác CCHC",
            "area": 1,
            "lead_unit_id": lead.pk,
            "due_date": LATER.isoformat(),
            **extra,
        }
    )


@pytest.mark.parametrize("role", ["admin", "plan_head", "lead_head", "other_head", "committee"])
def test_no_role_creates_work_for_another_unit_in_a_units_plan(client: Client, role: str) -> None:
    p = make_province()
    plan = own_plan(p)
    sign_in(client, getattr(p, role))
    answer = client.post(
        f"/api/v1/plans/{plan.pk}/tasks",
        body(p, p.other, assignee_ids=[p.outsider.pk]),
        content_type="application/json",
    )
    assert answer.status_code in (403, 422), answer.content
    if answer.status_code == 422:
        assert "Sở Nội vụ" in answer.json()["detail"] and "Sở Tư pháp" in answer.json()["detail"]
        assert answer.json()["errors"][0]["loc"] == ["lead_unit_id"]
    assert not Task.objects.filter(plan=plan).exists()


def test_the_units_head_leads_its_own_plans_work_and_a_unit_under_it() -> None:
    p = make_province()
    plan = own_plan(p)
    office = make_unit("Văn phòng Sở Nội vụ", parent=p.lead)
    own = services.create_task(
        p.lead_head, plan, title="Rà soát", area=1, lead_unit_id=p.lead.pk, due_date=LATER
    )
    below = services.create_task(
        p.lead_head,
        plan,
        title="Cập nhật quy chế",
        area=1,
        lead_unit_id=office.pk,
        due_date=LATER,
        partner_unit_ids=[p.other.pk],  # a cooperating unit may be any: it is not scored for it
    )
    assert {own.lead_unit, below.lead_unit} == {p.lead, office}
    assert list(below.partner_units.all()) == [p.other]


def test_no_one_re_leads_a_units_plan_task_into_another_unit(client: Client) -> None:
    p = make_province()
    plan = own_plan(p)
    task = services.create_task(
        p.lead_head, plan, title="Rà soát", area=1, lead_unit_id=p.lead.pk, due_date=LATER
    )
    for person in (p.lead_head, p.admin):
        sign_in(client, person)
        answer = client.patch(
            f"/api/v1/tasks/{task.pk}",
            json.dumps({"lead_unit_id": p.other.pk}),
            content_type="application/json",
        )
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["loc"] == ["lead_unit_id"]
    assert Task.objects.get(pk=task.pk).lead_unit == p.lead


def test_an_import_into_a_units_plan_refuses_another_unit_in_its_dry_run() -> None:
    p = make_province()
    plan = own_plan(p)
    csv = (
        "STT,Nhiệm vụ,Cơ quan chủ trì,Thời hạn hoàn thành\n"
        f"1,Rà soát quy chế,{p.lead.name},{LATER:%d/%m/%Y}\n"
        f"2,Kiểm tra cấp xã,{p.other.name},{LATER:%d/%m/%Y}\n"
    ).encode()
    result = import_appendix(p.lead_head, plan, csv, "phu-luc.csv", dry_run=True)
    assert len(result.errors) == 1
    assert result.errors[0].row == 3 and p.other.name in result.errors[0].message
    done = import_appendix(
        p.lead_head, plan, csv, "phu-luc.csv", dry_run=False, confirm_warnings=True
    )
    assert done.created == [] and not Task.objects.filter(plan=plan).exists()


def test_the_page_refuses_another_unit_as_lead_in_a_units_plan(client: Client) -> None:
    p = make_province()
    plan = own_plan(p)
    sign_in(client, p.lead_head)
    answer = client.post(
        f"/plans/{plan.pk}/tasks/new/",
        {
            "title": "Kiểm tra công tác CCHC",
            "area": 1,
            "lead_unit": p.other.pk,
            "due_date": LATER.strftime("%d/%m/%Y"),
        },
    )
    assert answer.status_code == 422
    assert f"phải là {p.lead.name} hoặc đơn vị trực thuộc" in answer.content.decode()
    assert not Task.objects.filter(plan=plan).exists()


def test_the_heads_above_a_unit_undo_work_that_lowers_its_score(client: Client) -> None:
    """A task led from outside the plan's reach (made before the rule): the unit it
    lowers, and the units above it, cancel or re-date it; a stranger does not."""
    p = make_province()
    commune = make_unit("Xã Di Linh", Level.COMMUNE, parent=p.province)
    commune_head = make_official(commune, Role.HEAD, "Chủ tịch UBND xã Di Linh")
    plan = own_plan(p)
    foreign = Task.objects.create(
        plan=plan,
        area=plan.areas.get(number=1),
        title="Nhiệm vụ áp cho xã",
        lead_unit=commune,
        due_date=TODAY - dt.timedelta(days=30),
        original_due_date=TODAY - dt.timedelta(days=30),
        created_by=p.lead_head,
    )
    sign_in(client, p.other_head)
    assert (
        client.post(
            f"/api/v1/tasks/{foreign.pk}/cancel", json.dumps({"reason": "x"}), "application/json"
        ).status_code
        == 404
    )
    sign_in(client, commune_head)
    moved = client.patch(
        f"/api/v1/tasks/{foreign.pk}",
        json.dumps({"due_date": "2026-12-31", "reason": "Nhiệm vụ do đơn vị khác giao"}),
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    cancelled = client.post(
        f"/api/v1/tasks/{foreign.pk}/cancel",
        json.dumps({"reason": "Không thuộc kế hoạch của xã"}),
        content_type="application/json",
    )
    assert cancelled.status_code == 200
    assert Task.objects.get(pk=foreign.pk).status == Status.CANCELLED


def test_a_head_above_the_lead_unit_sees_re_dates_and_cancels_and_the_lead_head_does_not(
    client: Client,
) -> None:
    p = make_province()
    district = make_unit("UBND huyện Lâm Hà", Level.DISTRICT, parent=p.province)
    district_head = make_official(district, Role.HEAD, "Chủ tịch UBND huyện")
    commune = make_unit("Xã Nam Hà", Level.COMMUNE, parent=district)
    commune_head = make_official(commune, Role.HEAD, "Chủ tịch UBND xã Nam Hà")
    task = services.create_task(
        p.plan_head, p.plan, title="Số hóa hồ sơ", area=7, lead_unit_id=commune.pk, due_date=LATER
    )
    cancel = f"/api/v1/tasks/{task.pk}/cancel"
    sign_in(client, commune_head)  # its own lead unit's head: that would raise its score
    refused = client.post(cancel, json.dumps({"reason": "Tự hủy"}), "application/json")
    assert refused.status_code == 403
    # The district's head sees the commune's work and answers for it.
    sign_in(client, district_head)
    assert client.get(f"/api/v1/tasks/{task.pk}").status_code == 200
    moved = client.patch(
        f"/api/v1/tasks/{task.pk}",
        json.dumps({"due_date": (LATER + dt.timedelta(days=10)).isoformat()}),
        content_type="application/json",
    )
    assert moved.status_code == 200
    reason = json.dumps({"reason": "Lồng ghép vào kế hoạch huyện"})
    assert client.post(cancel, reason, "application/json").status_code == 200
    assert Task.objects.get(pk=task.pk).status == Status.CANCELLED
    # Another district's head sees none of it.
    elsewhere = make_unit("UBND huyện Đơn Dương", Level.DISTRICT, parent=p.province)
    sign_in(client, make_official(elsewhere, Role.HEAD))
    assert client.get(f"/api/v1/tasks/{task.pk}").status_code == 404


def test_a_past_deadline_on_creation_asks_for_confirmation(client: Client) -> None:
    p = make_province()
    sign_in(client, p.plan_head)
    past = TODAY - dt.timedelta(days=10)
    url = f"/api/v1/plans/{p.plan.pk}/tasks"
    refused = client.post(url, body(p, p.lead, due_date=past.isoformat()), "application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["due_date"]
    assert "confirm_past_deadline" in refused.json()["detail"]
    assert not Task.objects.filter(due_date=past).exists()
    made = client.post(
        url,
        body(p, p.lead, due_date=past.isoformat(), confirm_past_deadline=True),
        "application/json",
    )
    assert made.status_code == 201
    assert made.json()["overdue"] is True
    # The page asks with a box to tick.
    form = {
        "title": "Báo cáo quý",
        "area": 1,
        "lead_unit": p.lead.pk,
        "due_date": past.strftime("%d/%m/%Y"),
    }
    page = client.post(f"/plans/{p.plan.pk}/tasks/new/", form)
    assert page.status_code == 422 and "confirm_deadline" in page.content.decode()
    kept = client.post(f"/plans/{p.plan.pk}/tasks/new/", {**form, "confirm_deadline": "on"})
    assert kept.status_code == 302
    assert Task.objects.filter(title="Báo cáo quý", due_date=past).exists()


def test_a_deadline_that_has_come_moves_with_a_reason_on_the_page_and_in_the_admin(
    client: Client,
) -> None:
    p = make_province()
    task = p.task(due_date=TODAY - dt.timedelta(days=3))
    sign_in(client, p.plan_head)
    form = client.get(f"/tasks/{task.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "due_date": "31/12/2026",
            "assignees": [p.assignee.pk],
            "partner_units": [],
        }
    )
    refused = client.post(f"/tasks/{task.pk}/edit/", data)
    assert refused.status_code == 422
    assert "hãy nêu lý do đổi hạn" in refused.content.decode()
    assert Task.objects.get(pk=task.pk).due_date == task.due_date
    saved = client.post(f"/tasks/{task.pk}/edit/", {**data, "reason": "Chờ văn bản của Bộ"})
    assert saved.status_code == 302
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "lý do Chờ văn bản của Bộ" in page


def test_an_extension_request_keeps_its_own_reason() -> None:
    from tasks import extensions

    p = make_province()
    task = p.task(due_date=LATER)
    ext = extensions.request_extension(
        p.assignee, task, new_due_date=LATER + dt.timedelta(days=10), reason="Chờ số liệu"
    )
    extensions.decide_extension(p.plan_head, ext, approve=True)
    assert Task.objects.get(pk=task.pk).due_date == LATER + dt.timedelta(days=10)
