"""The pages each role reads, in Vietnamese first, showing only what the role may see."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext

from plans.models import Official, Plan, Role, Unit
from tasks.access import visible_tasks
from tasks.models import Evidence, Status, Task
from tests.conftest import TODAY, login

pytestmark = pytest.mark.django_db


def text(response: HttpResponseBase) -> str:
    assert isinstance(response, HttpResponse)
    return response.content.decode()


def test_a_visitor_is_sent_to_the_vietnamese_login_page(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Đăng nhập" in text(page) and "Tên đăng nhập" in text(page)


def test_a_wrong_password_gets_a_message_and_no_session(client: Client) -> None:
    page = client.post("/accounts/login/", {"username": "snv.cv1", "password": "sai"})
    assert page.status_code == 200
    assert "mật khẩu chính xác" in text(page)  # Django's own Vietnamese message
    assert "_auth_user_id" not in client.session


def test_an_official_logs_in_and_sees_my_tasks_overdue_first(client: Client) -> None:
    page = client.post(
        "/accounts/login/", {"username": "snv.cv1", "password": "cchc2026"}, follow=True
    )
    official = Official.objects.get(user__username="snv.cv1")
    body = text(page)
    assert "Việc của tôi" in body
    mine = Task.objects.filter(assignees=official).open()
    overdue = mine.filter(due_date__lt=TODAY).order_by("due_date").first()
    later = mine.filter(due_date__gt=TODAY).order_by("due_date").last()
    assert overdue is not None and later is not None
    assert body.index(overdue.title) < body.index(later.title)
    others = Task.objects.exclude(assignees=official).exclude(status__in=["done", "cancelled"])
    assert not any(t.title in body for t in others.filter(lead_unit__level="commune")[:20])


def test_a_head_sees_the_unit_view_with_each_officials_load(client: Client) -> None:
    # A unit with work waiting for its head and overdue work in its officials' hands.
    overdue = Task.objects.overdue(TODAY).filter(assignees__isnull=False)
    unit = (
        Task.objects.filter(status=Status.SUBMITTED, lead_unit__in=overdue.values("lead_unit"))
        .values_list("lead_unit", flat=True)
        .first()
    )
    assert unit is not None
    head = Official.objects.get(unit_id=unit, role=Role.HEAD)
    login(client, head.user.username)
    page = client.get("/")
    body = text(page)
    assert Unit.objects.get(pk=unit).name in body and "Cần xử lý" in body
    for task in Task.objects.filter(lead_unit=unit, status=Status.SUBMITTED):
        assert task.title in body
    # The load per official, counted here by hand over the tasks themselves.
    for person in page.context["team"]:
        mine = [t for t in Task.objects.filter(assignees=person)]
        open_ = [t for t in mine if t.status not in ("done", "cancelled")]
        assert person.open_count == len(open_), person.full_name
        assert person.overdue_count == sum(t.due_date < TODAY for t in open_), person.full_name
        assert person.full_name in body
    assert sum(p.overdue_count for p in page.context["team"]) > 0


def test_a_superuser_without_a_profile_gets_an_admin_one(client: Client) -> None:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "s3cret-pass")
    client.force_login(user)
    assert client.get("/").status_code == 200
    assert Official.objects.get(user=user).role == Role.ADMIN


def test_a_login_without_a_profile_is_refused_politely(client: Client) -> None:
    user = get_user_model().objects.create_user("nobody", password="s3cret-pass")
    client.force_login(user)
    page = client.get("/")
    assert page.status_code == 403
    assert "chưa gắn với cán bộ" in text(page)


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("status=done", lambda t: t.status == Status.DONE),
        ("overdue=yes", lambda t: t.is_overdue(TODAY)),
        ("overdue=no", lambda t: not t.is_overdue(TODAY)),
        ("area=7", lambda t: t.area.number == 7),
    ],
)
def test_the_plan_page_filters_its_tasks(
    client: Client, plan: Plan, query: str, check: Callable[[Task], bool]
) -> None:
    login(client, "bcd1")
    page = client.get(f"/plans/{plan.pk}/?{query}")
    shown = list(page.context["page"].object_list)
    assert shown and all(check(t) for t in shown)
    expected = [t for t in plan.tasks.all() if check(t)]
    assert page.context["summary"]["total"] == len(expected)
    assert page.context["summary"]["overdue"] == sum(t.is_overdue(TODAY) for t in expected)


def test_the_plan_page_filters_by_lead_unit(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    unit = Unit.objects.get(code="skhcn")
    page = client.get(f"/plans/{plan.pk}/", {"lead_unit": unit.pk})
    assert page.context["summary"]["total"] == plan.tasks.filter(lead_unit=unit).count()
    assert all(t.lead_unit_id == unit.pk for t in page.context["page"].object_list)


def test_a_nonsense_filter_is_ignored_with_a_message(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    page = client.get(f"/plans/{plan.pk}/?status=bogus&area=x&lead_unit=999999")
    assert page.status_code == 200
    assert "không hợp lệ" in text(page)
    assert page.context["summary"]["total"] == plan.tasks.count()


def test_the_plan_page_query_count_does_not_grow_with_rows(client: Client, plan: Plan) -> None:
    login(client, "bcd1")
    client.get(f"/plans/{plan.pk}/")  # warm the session and content types
    counts = []
    for query in ("status=cancelled", ""):  # a few rows, then a full page of 50
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/plans/{plan.pk}/?{query}")
        counts.append((len(page.context["page"].object_list), len(queries)))
    (few, q_few), (many, q_many) = counts
    assert few < many == 50
    assert q_few == q_many


def test_a_commune_official_sees_only_their_part_of_the_plan(client: Client, plan: Plan) -> None:
    official = login(client, "x-duc-trong.cv1")
    page = client.get(f"/plans/{plan.pk}/")
    visible = set(visible_tasks(official).filter(plan=plan).values_list("pk", flat=True))
    assert page.context["summary"]["total"] == len(visible) < plan.tasks.count()
    department_task = Task.objects.get(title="Báo cáo công tác CCHC năm 2026")
    assert department_task.pk not in visible
    assert client.get(f"/tasks/{department_task.pk}/").status_code == 404


def test_the_task_page_shows_fields_evidence_and_history(client: Client) -> None:
    login(client, "bcd2")
    task = Task.objects.filter(status=Status.DONE, partner_units__isnull=False).first()
    assert task is not None
    body = text(client.get(f"/tasks/{task.pk}/"))
    assert task.title in body and task.lead_unit.name in body and task.deliverable in body
    assert task.due_date.strftime("%d/%m/%Y") in body
    for unit in task.partner_units.all():
        assert unit.name in body
    evidence = task.evidence.get()
    assert evidence.document_number in body
    assert f"/evidence/{evidence.pk}/download/" in body
    assert "đã công nhận hoàn thành" in body and "đã tạo nhiệm vụ" in body
    assert re.search(r"\d{2}:\d{2} \d{2}/\d{2}/2026", body)  # Vietnamese date-time format


def test_subtasks_are_listed_under_their_parent(client: Client) -> None:
    login(client, "vp-ubnd.head")
    parent = Task.objects.filter(subtasks__isnull=False).distinct().first()
    assert parent is not None
    body = text(client.get(f"/tasks/{parent.pk}/"))
    for sub in parent.subtasks.all():
        assert sub.title in body


def test_evidence_downloads_for_those_who_see_the_task_only(client: Client) -> None:
    evidence = Evidence.objects.select_related("task__lead_unit").first()
    assert evidence is not None
    login(client, f"{evidence.task.lead_unit.code}.head")
    response = client.get(f"/evidence/{evidence.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]  # a FileResponse
    assert evidence.filename in response["Content-Disposition"]

    outsider = Official.objects.exclude(unit=evidence.task.lead_unit).filter(role=Role.OFFICIAL)
    stranger = next(
        o for o in outsider if not visible_tasks(o).filter(pk=evidence.task_id).exists()
    )
    client.force_login(stranger.user)
    assert client.get(f"/evidence/{evidence.pk}/download/").status_code == 404


def test_english_is_a_choice_not_the_browser_default(client: Client) -> None:
    login(client, "snv.cv1")
    assert "Việc của tôi" in text(client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "My tasks" in text(client.get("/"))


def test_every_role_can_open_every_page_it_reaches(client: Client, plan: Plan) -> None:
    for username in ("admin", "bcd1", "snv.head", "snv.cv2", "p-cam-ly.head", "p-cam-ly.cv1"):
        official = login(client, username)
        assert client.get("/").status_code == 200, username
        assert client.get(f"/plans/{plan.pk}/").status_code == 200, username
        task = visible_tasks(official).first()
        assert task is not None
        assert client.get(f"/tasks/{task.pk}/").status_code == 200, username
        client.logout()


def test_a_missing_static_file_is_not_found_by_any_finder(rf: Any) -> None:
    """The development server's static view answers 404, not 500, for a missing file."""
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.views import serve
    from django.http import Http404
    from django.test.utils import override_settings

    assert finders.find("tracker/khong-co.css") is None
    assert finders.find("tracker/khong-co.css", find_all=True) == []
    with override_settings(DEBUG=True), pytest.raises(Http404):
        serve(rf.get("/static/tracker/khong-co.css"), "tracker/khong-co.css")
    assert finders.find("tracker/site.js") is not None
