"""Sign-in throttling (django-axes): five failures lock a username or an address for a while."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from kit.errors import NotAllowed
from plans.accounts import lift_locks
from plans.models import LoginLock, Official, SecurityEvent, SecurityKind
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


def test_five_wrong_passwords_lock_that_username_from_that_address(client: Client) -> None:
    assert [page_login(client, "snv.cv1", "sai") for _ in range(4)] == [200] * 4
    assert page_login(client, "snv.cv1", "sai") == 429
    locked = client.post(
        "/accounts/login/", {"username": "snv.cv1", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Tạm khóa đăng nhập" in html and "15 phút" in html
    assert locked["Retry-After"] == "900"
    # The same person from another address is not locked: nobody locks another's account.
    assert page_login(Client(), "snv.cv1", PASSWORD, ip="10.9.9.9") == 302
    # After the cool-off, the right password works again from the first address.
    with time_machine.travel(dt.timedelta(minutes=16)):
        assert page_login(Client(), "snv.cv1", PASSWORD) == 302


def test_one_persons_typos_leave_the_office_and_the_administrator_signing_in(
    client: Client,
) -> None:
    for _ in range(5):
        page_login(client, "snv.cv1", "sai", ip="10.0.0.1")
    assert page_login(Client(), "snv.cv1", PASSWORD, ip="10.0.0.1") == 429
    # Colleagues behind the same address, on the site's and the admin's login pages.
    assert page_login(Client(), "snv.cv2", PASSWORD, ip="10.0.0.1") == 302
    admin = Client().post(
        "/admin/login/",
        {"username": "admin", "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert admin.status_code == 302 and admin["Location"] == "/admin/"


def test_wrong_passwords_from_many_addresses_do_not_lock_the_administrator(
    client: Client,
) -> None:
    for n in range(10):
        assert page_login(Client(), "admin", "sai", ip=f"10.5.5.{n}") == 200
    assert page_login(client, "admin", PASSWORD, ip="10.5.5.99") == 302


def test_an_address_trying_many_usernames_is_locked_after_fifty_failures(client: Client) -> None:
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 50
    for n in range(49):
        assert page_login(client, f"ai-do-{n}", "sai", ip="10.7.7.7") == 200
    assert page_login(client, "ai-do-49", "sai", ip="10.7.7.7") == 429
    # Every username from that address now waits, the right password too ...
    assert page_login(client, "snv.cv1", PASSWORD, ip="10.7.7.7") == 429
    # ... and the same person elsewhere signs in.
    assert page_login(Client(), "snv.cv1", PASSWORD, ip="10.7.7.8") == 302


def test_the_token_endpoint_answers_429_with_a_detail(client: Client) -> None:
    for _ in range(4):
        assert api_login(client, "snv.cv2", "sai")[0] == 401
    status, detail = api_login(client, "snv.cv2", PASSWORD)
    assert status == 200  # fewer than five failures: the right password still works
    assert api_login(client, "snv.cv2", "sai")[0] == 429
    status, detail = api_login(client, "snv.cv2", PASSWORD)
    assert status == 429
    assert "locked for 15 minutes" in detail


def test_the_admin_lifts_a_lock_with_a_button_and_the_security_log_tells_it(
    client: Client,
) -> None:
    for _ in range(5):
        page_login(client, "snv.head", "sai")
    assert page_login(client, "snv.head", PASSWORD) == 429
    admin = Client()
    admin.post(
        "/accounts/login/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    listing = admin.get("/admin/plans/loginlock/")
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "Khóa đăng nhập" in html and "snv.head" in html and "Mở các khóa đã chọn" in html
    lock = AccessAttempt.objects.get(username="snv.head")
    lifted = admin.post(
        "/admin/plans/loginlock/",
        {"action": "lift", "_selected_action": [lock.pk]},
        follow=True,
    )
    assert "Đã mở 1 khóa." in lifted.content.decode()
    assert not AccessAttempt.objects.filter(username="snv.head").exists()
    assert page_login(client, "snv.head", PASSWORD) == 302
    kinds = list(
        SecurityEvent.objects.filter(username="snv.head")
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds[:4] == [SecurityKind.LOGIN_FAILED] * 4
    assert kinds[-3:] == [SecurityKind.LOCKED_OUT, SecurityKind.UNLOCKED, SecurityKind.LOGIN]
    unlocked = SecurityEvent.objects.get(username="snv.head", kind=SecurityKind.UNLOCKED)
    assert unlocked.ip_address == "10.0.0.1" and unlocked.detail.startswith("mở khóa bởi ")
    log = admin.get("/admin/plans/securityevent/?q=snv.head").content.decode()
    assert "bị khóa đăng nhập" in log and "mở khóa đăng nhập" in log


def test_only_an_administrator_lifts_a_lock() -> None:
    head = Official.objects.get(user__username="snv.head")
    with pytest.raises(NotAllowed):
        lift_locks(head, LoginLock.objects.all())
