"""Assessment reminders: each head whose sheet waits, 7, 3 and 1 days before the window
closes, and the council 3 days before the appraisal closes, once each however often
the reminder engine runs; delivered to the inbox and to a real SMTP server, with the
recipient's other reminders, from the one sent-log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import translation

from assessments import services
from tasks.models import Notification, SentReminder
from tasks.reminders.engine import send_reminders
from tests.conftest import NOW
from tests.factories import Province
from tests.jobs.test_reminder_mail import Mailbox, body
from tests.jobs.test_reminder_mail import smtp as smtp

pytestmark = pytest.mark.django_db


def on(day: dt.date, hour: int = 9) -> dt.datetime:
    return NOW.replace(year=day.year, month=day.month, day=day.day, hour=hour)


def kinds(person: Any) -> list[str]:
    return list(
        Notification.objects.filter(recipient=person, kind__startswith="assessment")
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_heads_are_reminded_7_3_and_1_days_before_once_each(
    province: Province, smtp: Mailbox
) -> None:
    p = province
    closes = dt.date(2026, 12, 10)
    a = services.open_assessment(
        p.committee, p.plan, self_closes_on=closes, appraisal_closes_on=dt.date(2026, 12, 20)
    )
    services.submit_sheet(p.other_head, a.sheets.get(unit=p.other), now=NOW)
    for day in range(22, 31):  # 22/11 to 30/11: more than 7 days to go
        send_reminders(on(dt.date(2026, 11, day)))
    assert kinds(p.lead_head) == []
    for days_before in (7, 7, 6, 5, 3, 3, 2, 1, 1, 0):
        for hour in (8, 14):
            send_reminders(on(closes - dt.timedelta(days=days_before), hour))
    assert kinds(p.lead_head) == ["assessment-self-7", "assessment-self-3", "assessment-self-1"]
    assert kinds(p.other_head) == []  # submitted: nothing to remind
    sent = smtp.to(p.lead_head.user.email)
    assert len(sent) == 3
    assert str(sent[0]["Subject"]).strip() == "[CCHC] 1 việc cần anh/chị lưu ý"
    assert f"/assessments/{a.pk}/" in body(sent[0], "plain")
    assert smtp.to(p.other_head.user.email) == []
    note = Notification.objects.filter(recipient=p.lead_head).order_by("id").last()
    assert note is not None
    with translation.override("vi"):
        assert note.message == (
            "Phiếu tự đánh giá “Kế hoạch CCHC năm 2026” của đơn vị còn 1 ngày nữa hết hạn "
            "(10/12/2026) mà chưa gửi."
        )
    logged = SentReminder.objects.filter(recipient=p.lead_head, subject=f"assessment:{a.pk}")
    assert sorted(logged.values_list("kind", "due_date")) == [
        ("assessment-self-1", closes),
        ("assessment-self-3", closes),
        ("assessment-self-7", closes),
    ]
    assert all(r.sent_at is not None and r.task_id is None for r in logged)


def test_the_council_is_reminded_when_the_appraisal_closes_with_sheets_waiting(
    province: Province,
) -> None:
    p = province
    a = services.open_assessment(
        p.committee,
        p.plan,
        self_closes_on=dt.date(2026, 11, 25),
        appraisal_closes_on=dt.date(2026, 12, 5),
    )
    days = [dt.date(2026, 11, 30), dt.date(2026, 12, 2), dt.date(2026, 12, 2), dt.date(2026, 12, 4)]
    for day in days:
        with time_machine.travel(on(day)):
            send_reminders(on(day))
    assert kinds(p.committee) == ["assessment-appraisal"]
    # Moved two days later, the appraisal window counts down again: one more reminder.
    with time_machine.travel(on(dt.date(2026, 12, 4))):
        services.change_dates(p.committee, a, appraisal_closes_on=dt.date(2026, 12, 7))
        send_reminders(on(dt.date(2026, 12, 4)))
        send_reminders(on(dt.date(2026, 12, 4), 15))
    assert kinds(p.committee) == ["assessment-appraisal", "assessment-appraisal"]
    # Moved again on a Saturday: outside the sending days nothing goes; Monday it does.
    with time_machine.travel(on(dt.date(2026, 12, 5))):
        services.change_dates(p.committee, a, appraisal_closes_on=dt.date(2026, 12, 8))
        send_reminders(on(dt.date(2026, 12, 5)))
    assert len(kinds(p.committee)) == 2
    send_reminders(on(dt.date(2026, 12, 7)))
    assert len(kinds(p.committee)) == 3
    note = (
        Notification.objects.filter(recipient=p.committee, kind="assessment-appraisal")
        .order_by("id")
        .last()
    )
    assert note is not None and note.data["url"] == f"/assessments/{a.pk}/"
