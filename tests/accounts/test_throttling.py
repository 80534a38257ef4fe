"""Sign-in throttling (django-axes): five failures lock a username or an address for a while."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from plans.models import SecurityEvent, SecurityKind
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def page_login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> int:
    answer = client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )
    return answer.status_code


def api_login(
    client: Client, username: str, password: str, ip: str = "10.0.0.1"
) -> tuple[int, str]:
    answer = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )
    return answer.status_code, str(answer.json().get("detail", ""))


def test_five_wrong_passwords_lock_the_login_page_even_for_the_right_one(client: Client) -> None:
    assert [page_login(client, "snv.cv1", "sai") for _ in range(4)] == [200] * 4
    assert page_login(client, "snv.cv1", "sai") == 429
    locked = client.post(
        "/accounts/login/", {"username": "snv.cv1", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Tạm khóa đăng nhập" in html and "15 phút" in html
    assert locked["Retry-After"] == "900"
    # The username is locked from another address too.
    assert page_login(Client(), "snv.cv1", PASSWORD, ip="10.9.9.9") == 429
    # After the cool-off, the right password works again.
    with time_machine.travel(dt.timedelta(minutes=16)):
        assert page_login(Client(), "snv.cv1", PASSWORD, ip="10.9.9.9") == 302


def test_the_token_endpoint_answers_429_with_a_detail(client: Client) -> None:
    for _ in range(4):
        assert api_login(client, "snv.cv2", "sai")[0] == 401
    status, detail = api_login(client, "snv.cv2", PASSWORD)
    assert status == 200  # fewer than five failures: the right password still works
    assert api_login(client, "snv.cv2", "sai")[0] == 429
    status, detail = api_login(client, "snv.cv2", PASSWORD)
    assert status == 429
    assert "locked for 15 minutes" in detail


def test_an_address_trying_many_usernames_is_locked(client: Client) -> None:
    for name in ("a1", "a2", "a3", "a4"):
        assert page_login(client, name, "sai", ip="10.7.7.7") == 200
    assert page_login(client, "a5", "sai", ip="10.7.7.7") == 429
    assert page_login(client, "snv.cv1", PASSWORD, ip="10.7.7.7") == 429
    assert page_login(client, "snv.cv1", PASSWORD, ip="10.7.7.8") == 302  # another address


def test_the_admin_unlocks_and_the_security_log_tells_what_happened(client: Client) -> None:
    for _ in range(5):
        page_login(client, "snv.head", "sai")
    assert page_login(client, "snv.head", PASSWORD) == 429
    admin = Client()
    admin.post(
        "/accounts/login/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    attempts = admin.get("/admin/axes/accessattempt/?q=snv.head")
    assert attempts.status_code == 200 and "snv.head" in attempts.content.decode()
    call_command("axes_reset_username", "snv.head")
    call_command("axes_reset_ip", "10.0.0.1")
    assert not AccessAttempt.objects.filter(username="snv.head").exists()
    assert page_login(client, "snv.head", PASSWORD) == 302
    kinds = list(
        SecurityEvent.objects.filter(username="snv.head")
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds[:4] == [SecurityKind.LOGIN_FAILED] * 4
    assert SecurityKind.LOCKED_OUT in kinds and kinds[-1] == SecurityKind.LOGIN
    log = admin.get("/admin/plans/securityevent/?q=snv.head").content.decode()
    assert "bị khóa đăng nhập" in log and "đăng nhập không thành công" in log
