"""A person's deadlines as an iCalendar feed at a private address they can reset."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from plans.models import AuditEvent
from tasks import services
from tasks.feeds import feed_path
from tests.conftest import upload
from tests.factories import Province, sign_in

pytestmark = pytest.mark.django_db


def events(client: Client, path: str) -> dict[str, dt.date]:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)  # valid iCalendar, or this raises
    assert str(cal["version"]) == "2.0"
    return {str(e["summary"]): e.decoded("dtstart") for e in cal.walk("VEVENT")}


def test_the_feed_lists_exactly_the_persons_open_tasks(province: Province) -> None:
    p = province
    p.task(title="Kiểm tra nội bộ quý IV", due_date=dt.date(2026, 12, 15))
    finished = p.task(title="Báo cáo tháng 10", due_date=dt.date(2026, 11, 30))
    services.add_evidence(p.assignee, finished, file=upload(), filename="bc.pdf")
    services.submit_task(p.assignee, finished)
    services.review_task(p.lead_head, finished, decision="accept")
    cancelled = p.task(title="Việc đã huỷ", due_date=dt.date(2026, 12, 1))
    services.cancel_task(p.plan_head, cancelled, reason="Trùng")
    p.task(title="Việc của đồng nghiệp", assignees=(p.colleague,))
    anonymous = Client()  # a calendar program does not sign in
    assert events(anonymous, feed_path(p.assignee)) == {
        "Kiểm tra nội bộ quý IV": dt.date(2026, 12, 15)
    }


def test_resetting_the_address_makes_the_old_one_404(client: Client, province: Province) -> None:
    p = province
    p.task(title="Số hoá hồ sơ")
    old = feed_path(p.assignee)
    sign_in(client, p.assignee)
    profile = client.get("/accounts/profile/").content.decode()
    assert old in profile
    response = client.post("/accounts/calendar/reset/", follow=True)
    assert "địa chỉ mới" in response.content.decode()
    p.assignee.refresh_from_db()
    new = feed_path(p.assignee)
    assert new != old and new in response.content.decode()
    assert Client().get(old).status_code == 404
    assert "Số hoá hồ sơ" in events(Client(), new)
    assert AuditEvent.objects.filter(action="calendar_reset", object_id=p.assignee.pk).exists()


@pytest.mark.parametrize("token", ["1-abc", "x-y", "99999999-" + "0" * 32, "-", "1" * 20])
def test_a_guessed_address_is_not_found(province: Province, token: str) -> None:
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_another_persons_key_does_not_open_ones_own_feed(province: Province) -> None:
    p = province
    theirs = feed_path(p.colleague).rsplit("-", 1)[1]  # "<key>.ics"
    assert Client().get(f"/calendar/{p.assignee.pk}-{theirs}").status_code == 404
    own = feed_path(p.assignee)
    assert own.endswith(".ics") and Client().get(own).status_code == 200
