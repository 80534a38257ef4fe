"""Error answers: the product's layout in the reader's language, JSON on the API, never a trace."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from plans.models import SecurityEvent, SecurityKind
from tasks.models import Task
from tests.conftest import login
from tracker import views

pytestmark = pytest.mark.django_db


def assert_product_page(html: str, title: str) -> None:
    assert f"<h1>{title}</h1>" in html
    assert 'class="top"' in html  # the product's header
    assert "Traceback" not in html and "URLconf" not in html and "urlpatterns" not in html


def test_another_units_task_is_a_404_page_in_vietnamese_and_json_on_the_api(
    client: Client,
) -> None:
    me = login(client, "snv.cv1")
    theirs = Task.objects.exclude(lead_unit=me.unit).exclude(partner_units=me.unit).first()
    assert theirs is not None
    page = client.get(f"/tasks/{theirs.pk}/")
    assert page.status_code == 404
    assert_product_page(page.content.decode(), "Không tìm thấy")
    assert "trang chủ" in page.content.decode()  # what to do next
    api = client.get(f"/api/v1/tasks/{theirs.pk}")
    assert api.status_code == 404 and "detail" in api.json()
    client.cookies["django_language"] = "en"
    assert_product_page(client.get(f"/tasks/{theirs.pk}/").content.decode(), "Not found")


def test_a_refusal_is_a_403_page_and_is_in_the_security_log(client: Client) -> None:
    login(client, "snv.cv1")
    page = client.get("/dashboard/")
    assert page.status_code == 403
    assert_product_page(page.content.decode(), "Không có quyền")
    logged = SecurityEvent.objects.get(kind=SecurityKind.REFUSED)
    assert logged.username == "snv.cv1" and logged.path == "/dashboard/"


def test_a_wrong_method_is_a_405_page_and_json_on_the_api(client: Client) -> None:
    login(client, "snv.cv1")
    page = client.get("/inbox/read-all/")
    assert page.status_code == 405 and page["Allow"] == "POST"
    assert_product_page(page.content.decode(), "Không thực hiện được theo cách này")
    api = client.delete("/api/v1/me")
    assert api.status_code == 405 and "detail" in api.json()


def test_a_bad_host_is_a_400_page(client: Client) -> None:
    page = client.get("/accounts/login/", HTTP_HOST="evil.example")
    assert page.status_code == 400
    assert "Yêu cầu không hợp lệ" in page.content.decode()


def test_a_fault_is_a_500_page_without_a_trace(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(request: object) -> None:
        raise RuntimeError("secret detail of the fault")

    monkeypatch.setattr(views, "overview_page", broken)
    client.raise_request_exception = False
    login(client, "bcd1")
    page = client.get("/")
    assert page.status_code == 500
    html = page.content.decode()
    assert_product_page(html, "Lỗi hệ thống")
    assert "secret detail" not in html


def test_a_database_that_does_not_answer_is_a_503_with_retry_after(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(request: object) -> None:
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")

    monkeypatch.setattr(views, "overview_page", down)
    client.raise_request_exception = False
    login(client, "bcd1")
    page = client.get("/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    html = page.content.decode()
    assert_product_page(html, "Tạm thời không phục vụ được")
    assert "5432" not in html
    assert "<nav>" not in html  # drawn without the database: no user, no inbox count
