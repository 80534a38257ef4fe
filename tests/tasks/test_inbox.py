"""The in-app inbox: the header's unread count, the inbox page, and the API's notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tasks.models import Notification, Task
from tests.conftest import TODAY
from tests.factories import Province, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(province: Province) -> Task:
    """A new task for the assignee: their inbox gets "assigned"."""
    return province.task(
        title="Tổng hợp báo cáo CCHC quý IV", due_date=TODAY + dt.timedelta(days=20)
    )


def test_the_header_shows_the_unread_count_and_the_inbox_lists_it(
    client: Client, province: Province, assigned: Task
) -> None:
    sign_in(client, province.assignee)
    home = client.get("/").content.decode()
    assert 'class="unread"' in home and ">1</span>" in home
    page = client.get("/inbox/").content.decode()
    assert "Tổng hợp báo cáo CCHC quý IV" in page
    assert "đã giao cho bạn nhiệm vụ" in page and "12/12/2026" in page
    assert "1 chưa đọc" in page


def test_opening_a_message_marks_it_read_and_leads_to_the_task(
    client: Client, province: Province, assigned: Task
) -> None:
    sign_in(client, province.assignee)
    note = Notification.objects.get(task=assigned, recipient=province.assignee)
    response = client.get(f"/inbox/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/tasks/{assigned.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'class="unread"' not in client.get("/").content.decode()


def test_mark_all_read(client: Client, province: Province, assigned: Task) -> None:
    sign_in(client, province.lead_head)
    assert Notification.objects.filter(recipient=province.lead_head, read_at=None).exists()
    response = client.post("/inbox/read-all/", follow=True)
    assert "đã đọc" in response.content.decode()
    assert not Notification.objects.filter(recipient=province.lead_head, read_at=None).exists()


def test_nobody_reads_or_marks_another_persons_message(
    client: Client, province: Province, assigned: Task
) -> None:
    note = Notification.objects.get(task=assigned, recipient=province.assignee)
    sign_in(client, province.colleague)
    assert client.post(f"/inbox/{note.pk}/read/").status_code == 404
    assert "Tổng hợp báo cáo CCHC quý IV" not in client.get("/inbox/").content.decode()
    assert client.post(f"/api/v1/notifications/{note.pk}/read").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_reading_needs_a_post(client: Client, province: Province, assigned: Task) -> None:
    note = Notification.objects.get(task=assigned, recipient=province.assignee)
    sign_in(client, province.assignee)
    assert client.get(f"/inbox/{note.pk}/read/").status_code == 405


def test_the_api_lists_the_inbox_and_marks_read(
    client: Client, province: Province, assigned: Task
) -> None:
    sign_in(client, province.assignee)
    body = client.get("/api/v1/notifications").json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert set(item) == {"id", "kind", "task_id", "message", "created_at", "read_at"}
    assert item["kind"] == "assigned" and item["task_id"] == assigned.pk
    assert item["read_at"] is None and "Tổng hợp báo cáo CCHC quý IV" in item["message"]

    read = client.post(f"/api/v1/notifications/{item['id']}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    again = client.post(f"/api/v1/notifications/{item['id']}/read")
    assert again.json()["read_at"] == read.json()["read_at"]  # the first reading is kept
    assert client.get("/api/v1/notifications?unread=true").json()["count"] == 0
    assert client.get("/api/v1/notifications?unread=false").json()["count"] == 1


def test_the_api_message_follows_the_language(
    client: Client, province: Province, assigned: Task
) -> None:
    sign_in(client, province.assignee)
    client.cookies["django_language"] = "en"
    (item,) = client.get("/api/v1/notifications").json()["items"]
    assert item["message"].endswith(
        "assigned “Tổng hợp báo cáo CCHC quý IV” to you (deadline 12/12/2026)."
    )
