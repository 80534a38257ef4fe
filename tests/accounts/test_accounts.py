"""A person's own account: profile, password change and reset, tokens, deactivation."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from kit.errors import Invalid
from plans import services
from plans.models import ApiToken, AuditEvent, Official, SecurityEvent, SecurityKind
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Mùa-thu-Hà-Nội-2026"


def token_for(client: Client, username: str, password: str = PASSWORD) -> str:
    answer = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    return str(answer.json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_changing_the_password_ends_other_sessions_and_tokens_but_not_this_one() -> None:
    here, elsewhere, api = Client(), Client(), Client()
    login(here, "snv.cv1")
    login(elsewhere, "snv.cv1")
    token = token_for(api, "snv.cv1")
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 200

    wrong = here.post(
        "/accounts/password/",
        {"old_password": "sai", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and 'class="error"' in wrong.content.decode()
    assert here.get("/").status_code == 200 and elsewhere.get("/").status_code == 200
    changed = here.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Đã đổi mật khẩu" in changed.content.decode()
    assert here.get("/").status_code == 200  # this session stays
    assert elsewhere.get("/").status_code == 302  # the other one is signed out
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert not ApiToken.objects.filter(user__username="snv.cv1").exists()
    assert SecurityEvent.objects.filter(
        kind=SecurityKind.PASSWORD_CHANGED, username="snv.cv1"
    ).exists()


def test_a_password_reset_by_mail_sets_a_new_password_and_revokes_tokens(client: Client) -> None:
    person = Official.objects.select_related("user").get(user__username="snv.cv2")
    api = Client()
    token = token_for(api, "snv.cv2")
    page = client.get("/accounts/login/")
    assert "Quên mật khẩu?" in page.content.decode()
    sent = client.post("/accounts/password/reset/", {"email": person.user.email}, follow=True)
    assert "Kiểm tra hộp thư" in sent.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "[CCHC] Đặt mật khẩu mới"
    assert person.full_name in mail.outbox[0].body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert "Đặt mật khẩu mới" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Đã đặt mật khẩu mới" in done.content.decode()
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 401
    fresh = Client()
    answer = fresh.post("/accounts/login/", {"username": "snv.cv2", "password": NEW_PASSWORD})
    assert answer.status_code == 302
    # The link is good once.
    again = client.get(link.group(1), follow=True)
    assert "không còn hiệu lực" in again.content.decode()


def test_the_profile_saves_name_mail_phone_and_language_and_refuses_bad_values(
    client: Client,
) -> None:
    me = login(client, "snv.cv1")
    bad = client.post(
        "/accounts/profile/",
        {"full_name": "Nguyễn Văn Mới", "email": "không-phải-thư", "phone": "12", "language": ""},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Nguyễn Văn Mới" in html  # what was typed is kept
    me.refresh_from_db()
    assert me.full_name != "Nguyễn Văn Mới"
    changes = {
        "full_name": "Nguyễn Văn Mới",
        "email": "moi@lamdong.example",
        "phone": "0263 3822 111",
        "language": "en",
    }
    # The same address, even typed with spaces, takes no password.
    kept = client.post(
        "/accounts/profile/",
        {
            **changes,
            "email": " snv.cv1@lamdong.example ",
            "full_name": "Nguyễn Văn Một",
            "language": "",
        },
    )
    assert kept.status_code == 302
    me.refresh_from_db()
    assert me.full_name == "Nguyễn Văn Một"
    # Password resets go to the e-mail address: changing it takes the password,
    # and a wrong one counts as a failed sign-in.
    failed = SecurityEvent.objects.filter(kind=SecurityKind.LOGIN_FAILED, username="snv.cv1")
    assert not failed.exists()
    for wrong in ("", "not-the-password"):
        refused = client.post("/accounts/profile/", {**changes, "password": wrong})
        assert refused.status_code == 400
        assert "Nhập mật khẩu hiện tại để đổi địa chỉ thư điện tử." in refused.content.decode()
        me.refresh_from_db()
        assert me.user.email == "snv.cv1@lamdong.example" and me.full_name != "Nguyễn Văn Mới"
    assert failed.count() == 2
    saved = client.post("/accounts/profile/", {**changes, "password": PASSWORD}, follow=True)
    assert "Đã lưu hồ sơ của bạn." in saved.content.decode()
    assert '<html lang="en">' in saved.content.decode()  # the pages now speak English
    me.refresh_from_db()
    assert (me.full_name, me.user.email, me.phone, me.language) == (
        "Nguyễn Văn Mới",
        "moi@lamdong.example",
        "0263 3822 111",
        "en",
    )
    assert AuditEvent.objects.history_of(me).filter(action="edited").exists()
    # A new sign-in on another browser speaks the profile's language.
    other = Client()
    other.post("/accounts/login/", {"username": "snv.cv1", "password": PASSWORD})
    assert "Your profile" in other.get("/accounts/profile/").content.decode()


def test_a_person_lists_and_revokes_their_own_tokens_only(client: Client) -> None:
    api = Client()
    mine = token_for(api, "snv.cv1")
    theirs = token_for(api, "snv.cv2")
    login(client, "snv.cv1")
    page = client.get("/accounts/profile/").content.decode()
    assert page.count("Thu hồi</button>") == 1
    other = ApiToken.objects.get(user__username="snv.cv2")
    refused = client.post(f"/accounts/tokens/{other.pk}/revoke/", follow=True)
    assert "Không có mã truy cập này" in refused.content.decode()
    assert api.get("/api/v1/me", headers=bearer(theirs)).status_code == 200
    own = ApiToken.objects.get(user__username="snv.cv1")
    client.post(f"/accounts/tokens/{own.pk}/revoke/")
    assert api.get("/api/v1/me", headers=bearer(mine)).status_code == 401


def test_deactivating_an_official_revokes_their_tokens_and_sessions() -> None:
    browser, api = Client(), Client()
    login(browser, "snv.cv1")
    token = token_for(api, "snv.cv1")
    admin = Official.objects.get(user__username="admin")
    person = Official.objects.get(user__username="snv.cv1")
    services.update_official(admin, person, is_active=False)
    assert not ApiToken.objects.filter(user=person.user).exists()
    assert browser.get("/").status_code == 302
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize(
    ("password", "said"),
    [
        (" " * 10, "Mật khẩu không được chỉ gồm dấu cách."),
        (PASSWORD, "Mật khẩu này đã bị công bố"),
        ("CCHC2026", "Mật khẩu này đã bị công bố"),
    ],
)
def test_a_blank_or_published_password_is_refused_by_every_path(
    client: Client, password: str, said: str
) -> None:
    login(client, "snv.cv1")
    page = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert page.status_code == 200 and said in page.content.decode()
    admin = Official.objects.get(user__username="admin")
    with pytest.raises(Invalid) as refused:
        services.create_official(
            admin,
            username="snv.cv9",
            password=password,
            full_name="Đỗ Văn E",
            role="official",
            unit_id=Official.objects.get(user__username="snv.cv1").unit_id,
        )
    assert "password" in refused.value.errors
    assert not Official.objects.filter(user__username="snv.cv9").exists()
    # Nothing was changed: the old password is still the one.
    assert Official.objects.get(user__username="snv.cv1").user.check_password(PASSWORD)
