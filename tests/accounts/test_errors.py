"""Error answers: the product's layout in the reader's language, JSON on the API, never a trace."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from django.test.utils import override_settings

from plans.models import SecurityEvent, SecurityKind
from tasks.models import Task
from tests.conftest import PASSWORD, login
from tracker import views

ROOT = Path(__file__).resolve().parents[2]
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


OUTAGE = """
import json, time
from django.core.management import call_command
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)  # as the start command does
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(raise_request_exception=False)
started = time.monotonic()
api = client.get("/api/v1/me", headers={"Authorization": "Bearer " + "x" * 40})
client.cookies["sessionid"] = "a-session-the-database-would-hold"
page = client.get("/")
print(json.dumps({
    "api": [api.status_code, api["Content-Type"], api.get("Retry-After"), api.content.decode()],
    "page": [page.status_code, page.get("Retry-After"), page.content.decode()],
    "seconds": time.monotonic() - started,
}))
"""


def test_a_real_outage_answers_503_on_pages_and_the_api(tmp_path: Path) -> None:
    """A PostgreSQL that is not there (nothing listens on its port): no mock."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # free, and nothing will listen on it
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG"}}
    env.update(
        {"DATA_DIR": str(tmp_path), "DATABASE_URL": f"postgres://cchc@127.0.0.1:{port}/cchc"}
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", OUTAGE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout.strip().splitlines()[-1])
    status, kind, retry, body = said["api"]
    assert (status, kind, retry) == (503, "application/json", "30")
    assert "database" in json.loads(body)["detail"]
    status, retry, html = said["page"]
    assert (status, retry) == (503, "30")
    assert "<h1>Tạm thời không phục vụ được</h1>" in html and "Traceback" not in html
    assert said["seconds"] < 15  # refused connections: no hang


def test_a_redis_that_is_down_leaves_the_signed_in_pages_working(client: Client) -> None:
    """REDIS_URL pointing at a closed port: the sessions are read from the database."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    down = {
        "default": {
            "BACKEND": "tracker.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    cached_db = "django.contrib.sessions.backends.cached_db"
    with override_settings(CACHES=down, SESSION_ENGINE=cached_db):
        assert (
            client.post(
                "/accounts/login/", {"username": "snv.cv1", "password": PASSWORD}
            ).status_code
            == 302
        )
        started = time.monotonic()
        home = client.get("/")
        assert home.status_code == 200 and "Nhiệm vụ" in home.content.decode()
        assert client.get("/api/v1/me").json()["username"] == "snv.cv1"
        assert client.post("/accounts/logout/").status_code == 302
        assert client.get("/").status_code == 302  # signed out: to the login page
        assert time.monotonic() - started < 10  # refused at once, no hang
