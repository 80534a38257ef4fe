"""The workflow in the pages: forms shown by role, flash messages, errors that keep the input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from plans.models import AuditEvent, Role
from tasks import extensions, services
from tasks.models import Evidence, ExtensionRequest, Status, Task
from tests.conftest import PDF, TODAY, upload
from tests.factories import Province, make_official, make_unit, sign_in

pytestmark = pytest.mark.django_db


def page(client: Client, task: Task) -> str:
    response = client.get(f"/tasks/{task.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def fresh_task(province: Province) -> Task:
    """A task the plan's head gives the lead unit, assigned to one official, due in 30 days."""
    return province.task(due_date=TODAY + dt.timedelta(days=30), area=3)


def flashes(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (
            "assignee",
            ["do/start/", "/evidence/", "do/request_extension/"],
            ["do/review/", "do/cancel/"],
        ),
        ("lead_head", ["do/start/", "/edit/", "?parent="], ["do/cancel/", "do/request_extension/"]),
        ("plan_head", ["do/cancel/", "/edit/"], ["do/start/", "do/review/"]),
        ("colleague", [], ["do/start/", "/edit/", "do/cancel/", '/evidence/" enctype']),
        ("committee", [], ["do/start/", "/edit/", "do/cancel/", "do/request_extension/"]),
    ],
)
def test_the_task_page_shows_only_the_actions_allowed(
    client: Client,
    province: Province,
    fresh_task: Task,
    role: str,
    shown: list[str],
    hidden: list[str],
) -> None:
    sign_in(client, getattr(province, role))
    html = page(client, fresh_task)
    for fragment in shown:
        assert fragment in html, (role, fragment)
    for fragment in hidden:
        assert fragment not in html, (role, fragment)


def test_an_official_works_the_task_through_the_pages(
    client: Client, province: Province, fresh_task: Task
) -> None:
    sign_in(client, province.assignee)
    started = client.post(
        f"/tasks/{fresh_task.pk}/do/start/", {"version": fresh_task.version}, follow=True
    )
    assert "Đã bắt đầu thực hiện." in flashes(started)
    uploaded = client.post(
        f"/tasks/{fresh_task.pk}/evidence/",
        {
            "file": upload("Báo cáo.pdf", PDF),
            "document_number": "45/BC-SNV",
            "issued_on": "20/11/2026",
        },
        follow=True,
    )
    assert "Đã thêm tài liệu kiểm chứng: Báo cáo.pdf." in flashes(uploaded)
    evidence = Evidence.objects.get(task=fresh_task)
    assert evidence.issued_on == dt.date(2026, 11, 20)
    submitted = client.post(f"/tasks/{fresh_task.pk}/do/submit/", {}, follow=True)
    assert "Đã báo cáo hoàn thành" in flashes(submitted)[0]
    assert Task.objects.get(pk=fresh_task.pk).status == Status.SUBMITTED

    head = Client()
    sign_in(head, province.lead_head)
    queue = head.get("/review/").content.decode()
    assert fresh_task.title in queue
    returned = head.post(
        f"/tasks/{fresh_task.pk}/do/review/", {"decision": "return", "comment": ""}
    )
    assert returned.status_code == 422
    assert "Hãy nêu nội dung còn thiếu khi trả lại." in returned.content.decode()
    assert Task.objects.get(pk=fresh_task.pk).status == Status.SUBMITTED
    accepted = head.post(f"/tasks/{fresh_task.pk}/do/review/", {"decision": "accept"}, follow=True)
    assert "Đã chấp nhận: nhiệm vụ hoàn thành." in flashes(accepted)
    assert fresh_task.title not in head.get("/review/").content.decode()


def test_a_refused_upload_keeps_what_was_typed(
    client: Client, province: Province, fresh_task: Task
) -> None:
    sign_in(client, province.assignee)
    response = client.post(
        f"/tasks/{fresh_task.pk}/evidence/",
        {"file": upload("bao-cao.pdf", b"not a pdf at all"), "document_number": "99/BC-SNV"},
    )
    assert response.status_code == 415
    html = response.content.decode()
    assert "Loại tệp này không được chấp nhận" in html
    assert 'value="99/BC-SNV"' in html
    assert not Evidence.objects.filter(task=fresh_task).exists()


def test_a_stale_form_gets_a_conflict_message(
    client: Client, province: Province, fresh_task: Task
) -> None:
    sign_in(client, province.assignee)
    services.update_task(province.lead_head, fresh_task, deliverable="Kế hoạch")
    response = client.post(f"/tasks/{fresh_task.pk}/do/start/", {"version": 1})
    assert response.status_code == 409
    assert "Người khác đã thay đổi nhiệm vụ này" in response.content.decode()
    assert Task.objects.get(pk=fresh_task.pk).status == Status.TODO


def test_an_extension_is_asked_and_decided_in_the_pages(
    client: Client, province: Province, fresh_task: Task
) -> None:
    sign_in(client, province.assignee)
    new_date = fresh_task.due_date + dt.timedelta(days=10)
    asked = client.post(
        f"/tasks/{fresh_task.pk}/do/request_extension/",
        {"new_due_date": new_date.strftime("%d/%m/%Y"), "reason": "Chờ ý kiến các sở"},
        follow=True,
    )
    assert "Đã gửi đề nghị gia hạn" in flashes(asked)[0]
    ext = ExtensionRequest.objects.get(task=fresh_task)
    lead = Client()
    sign_in(lead, province.lead_head)  # not the deadline's keeper: nothing to decide
    assert "Chờ ý kiến các sở" not in lead.get("/review/").content.decode()
    assert "decide" not in page(lead, fresh_task)
    head = Client()
    sign_in(head, province.plan_head)
    assert "Chờ ý kiến các sở" in head.get("/review/").content.decode()
    refused = head.post(f"/extensions/{ext.pk}/decide/", {"approve": "no", "comment": ""})
    assert refused.status_code == 422
    head.post(f"/extensions/{ext.pk}/decide/", {"approve": "yes"})
    task = Task.objects.get(pk=fresh_task.pk)
    assert (task.due_date, task.original_due_date) == (new_date, fresh_task.due_date)
    # The page shows the original deadline beside the new one.
    html = page(head, task)
    assert new_date.strftime("%d/%m/%Y") in html
    assert fresh_task.due_date.strftime("%d/%m/%Y") in html


def test_the_plan_head_creates_a_task_and_the_lead_head_edits_it(
    client: Client, province: Province
) -> None:
    sign_in(client, province.plan_head)
    snv = province.lead.pk
    bad = client.post(
        f"/plans/{province.plan.pk}/tasks/new/", {"title": "Thiếu hạn", "area": 1, "lead_unit": snv}
    )
    assert bad.status_code == 422 and not Task.objects.filter(title="Thiếu hạn").exists()
    created = client.post(
        f"/plans/{province.plan.pk}/tasks/new/",
        {"title": "Tập huấn kỹ năng số", "area": 7, "lead_unit": snv, "due_date": "15/12/2026"},
    )
    task = Task.objects.get(title="Tập huấn kỹ năng số")
    assert created.status_code == 302 and task.due_date == dt.date(2026, 12, 15)
    assert task.created_by == province.plan_head

    head = Client()
    sign_in(head, province.lead_head)
    assert head.get(f"/plans/{province.plan.pk}/tasks/new/").status_code == 403
    form = head.get(f"/tasks/{task.pk}/edit/").content.decode()
    assert 'name="due_date"' in form and "disabled" in form
    edited = head.post(
        f"/tasks/{task.pk}/edit/",
        {
            "title": "Tập huấn kỹ năng số cho cán bộ",
            "area": 7,
            "lead_unit": snv,
            "due_date": "31/12/2027",  # ignored: the field is disabled for the lead unit's head
            "assignees": [province.colleague.pk],
            "version": task.version,
        },
    )
    assert edited.status_code == 302
    task.refresh_from_db()
    assert task.title == "Tập huấn kỹ năng số cho cán bộ"
    assert task.due_date == dt.date(2026, 12, 15)
    assert list(task.assignees.all()) == [province.colleague]
    actions = AuditEvent.objects.filter(object_id=task.pk, content_type__model="task")
    assert list(actions.values_list("action", flat=True)) == ["created", "edited", "assigned"]


def test_the_review_queue_is_for_heads(client: Client, province: Province) -> None:
    sign_in(client, province.assignee)
    assert client.get("/review/").status_code == 403


def test_an_official_of_another_unit_cannot_act_on_a_task(
    client: Client, province: Province, fresh_task: Task
) -> None:
    sign_in(client, province.outsider)
    assert client.post(f"/tasks/{fresh_task.pk}/do/start/", {}).status_code == 404
    assert client.get(f"/tasks/{fresh_task.pk}/edit/").status_code == 404
    assert Task.objects.get(pk=fresh_task.pk).status == Status.TODO


def test_a_past_deadline_makes_an_assigned_task_overdue_on_the_home_page(
    client: Client, province: Province
) -> None:
    task = services.create_task(
        province.plan_head,
        province.plan,
        title="Nhiệm vụ quá hạn để kiểm tra",
        area=2,
        lead_unit_id=province.lead.pk,
        due_date=TODAY - dt.timedelta(days=1),
        assignee_ids=[province.assignee.pk],
        confirm_past_deadline=True,
    )
    sign_in(client, province.assignee)
    sections = dict(client.get("/").context["sections"])
    assert task in sections["overdue"]


def test_a_cooperating_units_head_assigns_its_own_people_from_the_page(
    client: Client, province: Province
) -> None:
    partner = make_unit("Sở Tài chính", parent=province.province)
    partner_head = make_official(partner, Role.HEAD, "Giám đốc Sở Tài chính")
    partner_official = make_official(partner, name="Phạm Thị D")
    task = province.task(partners=(partner,))
    sign_in(client, partner_head)
    assert f"/tasks/{task.pk}/edit/" in page(client, task)
    form = client.get(f"/tasks/{task.pk}/edit/").context["form"]
    assert set(form.fields["assignees"].queryset) == {partner_head, partner_official}
    assert form.fields["title"].disabled and form.fields["due_date"].disabled
    data = {
        "title": task.title,
        "area": task.area.number,
        "lead_unit": task.lead_unit_id,
        "partner_units": [partner.pk],
        "due_date": task.due_date.strftime("%d/%m/%Y"),
        "assignees": [partner_official.pk],
        "version": task.version,
    }
    saved = client.post(f"/tasks/{task.pk}/edit/", data)
    assert saved.status_code == 302
    # The lead unit's assignee stays: this head neither saw nor took them off.
    assert set(task.assignees.all()) == {province.assignee, partner_official}


def test_the_requester_is_not_offered_to_decide_nor_to_ask_when_overdue(
    client: Client, province: Province, fresh_task: Task
) -> None:
    extensions.request_extension(
        province.admin,
        fresh_task,
        new_due_date=fresh_task.due_date + dt.timedelta(days=5),
        reason="Chờ số liệu",
    )
    sign_in(client, province.admin)
    assert "/decide/" not in page(client, fresh_task)
    assert "Chờ số liệu" not in client.get("/review/").content.decode()
    sign_in(client, province.plan_head)
    assert "/decide/" in page(client, fresh_task)
    late = province.task(due_date=TODAY - dt.timedelta(days=1))
    sign_in(client, province.assignee)
    assert "do/request_extension/" not in page(client, late)


def test_a_subtasks_request_names_who_decides(client: Client, province: Province) -> None:
    parent = province.task()
    sub = services.create_task(
        province.lead_head,
        province.plan,
        parent=parent,
        title="Dự thảo quy chế",
        area=1,
        lead_unit_id=province.lead.pk,
        due_date=TODAY + dt.timedelta(days=10),
        assignee_ids=[province.assignee.pk],
        confirm_past_deadline=True,
    )
    sign_in(client, province.assignee)
    asked = client.post(
        f"/tasks/{sub.pk}/do/request_extension/",
        {
            "new_due_date": (TODAY + dt.timedelta(days=20)).strftime("%d/%m/%Y"),
            "reason": "Chờ ý kiến",
        },
        follow=True,
    )
    assert "thủ trưởng cơ quan chủ trì nhiệm vụ cha" in flashes(asked)[0]
