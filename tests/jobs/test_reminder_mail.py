"""Reminders through a real SMTP server on loopback: the text arrives intact, failures retry."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.test.utils import override_settings

from plans.models import Official, Plan, ScoreSnapshot
from tasks.models import ReminderPolicy, SentReminder, Task
from tasks.reminders.engine import send_reminders
from tests.conftest import new_task

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2026, 11, 27)  # a Friday
MONDAY = dt.datetime(2026, 11, 23, 8, 0, tzinfo=HCM)  # D-4: its D-7 is due


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and refuses what it is told to."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.refuse: set[str] = set()  # recipient addresses answered 451
        self.down = False  # every message answered 421

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.down:
            return "421 4.3.2 Dịch vụ tạm ngừng"
        if address in self.refuse:
            return "451 4.3.0 Hộp thư tạm thời không nhận"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for _address in envelope.rcpt_tos:
            self.received.append(
                email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            )
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=5,
        ):
            yield box
    finally:
        controller.stop()


@pytest.fixture
def task(plan: Plan) -> Task:
    ReminderPolicy.objects.create()  # the defaults: Monday 08:00 is within the hours
    return new_task(
        plan,
        title="Số hoá kết quả giải quyết thủ tục hành chính còn hiệu lực",
        due_date=DEADLINE,
        assignees=("snv.cv1", "snv.cv2"),
        area=7,
    )


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    return part.get_content()


def test_the_vietnamese_subject_and_body_arrive_intact(smtp: Mailbox, task: Task) -> None:
    run = send_reminders(MONDAY)
    assert run.failed == {}
    (message,) = smtp.to("snv.cv1@lamdong.example")
    # Django folds an encoded subject onto a second line; the parser keeps the fold's space.
    subject = str(message["Subject"]).strip()
    assert subject.startswith("[CCHC] ") and subject.endswith("việc cần anh/chị lưu ý")
    text = body(message, "plain")
    assert "Kính gửi" in text and "Tính đến ngày 23/11/2026" in text
    assert "Số hoá kết quả giải quyết thủ tục hành chính còn hiệu lực" in text
    assert "27/11/2026" in text and "còn 4 ngày" in text
    assert f"/tasks/{task.pk}/" in text
    html = body(message, "html")
    assert "Số hoá kết quả giải quyết thủ tục hành chính còn hiệu lực" in html
    assert "<table" in html


def test_a_refused_mail_is_retried_next_run_and_the_others_still_go(
    smtp: Mailbox, task: Task
) -> None:
    smtp.refuse = {"snv.cv1@lamdong.example"}
    first = send_reminders(MONDAY)
    assert first.failed["due-7"] >= 1
    refused = SentReminder.objects.get(task=task, recipient__user__username="snv.cv1")
    assert refused.sent_at is None and refused.attempts == 1
    assert "451" in refused.last_error
    assert len(smtp.to("snv.cv2@lamdong.example")) == 1  # the other assignee got hers
    delivered = len(smtp.received)

    smtp.refuse = set()
    second = send_reminders(MONDAY + dt.timedelta(minutes=15))
    assert second.sent == first.failed and second.failed == {}
    refused.refresh_from_db()
    assert refused.sent_at is not None and refused.attempts == 2 and refused.last_error == ""
    assert len(smtp.to("snv.cv1@lamdong.example")) == 1
    assert len(smtp.to("snv.cv2@lamdong.example")) == 1  # not doubled
    assert len(smtp.received) == delivered + 1

    third = send_reminders(MONDAY + dt.timedelta(minutes=30))
    assert third.sent == {} and len(smtp.received) == delivered + 1


def test_a_mail_sent_again_after_a_crash_is_the_same_message(smtp: Mailbox, task: Task) -> None:
    """A run killed between the server's acceptance and the mark leaves its items to the next."""
    send_reminders(MONDAY)
    (first,) = smtp.to("snv.cv1@lamdong.example")
    (other,) = smtp.to("snv.cv2@lamdong.example")
    assert first["Message-ID"] != other["Message-ID"]
    # What a killed run leaves: taken by the server, not marked, the claim expired.
    theirs = SentReminder.objects.filter(recipient__user__username="snv.cv1")
    count = theirs.update(sent_at=None, claim="run-that-died", claimed_at=MONDAY)
    later = send_reminders(MONDAY + dt.timedelta(minutes=15))
    assert sum(later.sent.values()) == count
    _, again = smtp.to("snv.cv1@lamdong.example")
    assert again["Message-ID"] == first["Message-ID"]
    assert again["Message-ID"].endswith(">") and "@" in again["Message-ID"]
    assert len(smtp.to("snv.cv2@lamdong.example")) == 1


def test_a_server_that_is_down_loses_nothing(smtp: Mailbox, task: Task) -> None:
    smtp.down = True
    first = send_reminders(MONDAY)
    assert first.sent == {} and sum(first.failed.values()) >= 2
    mine = SentReminder.objects.filter(task=task)
    assert mine.count() == 2 and not mine.filter(sent_at__isnull=False).exists()
    assert all(r.last_error for r in mine)

    smtp.down = False
    second = send_reminders(MONDAY + dt.timedelta(minutes=15))
    assert second.failed == {}
    assert second.sent == first.failed
    assert not mine.filter(sent_at__isnull=True).exists()
    assert len(smtp.to("snv.cv1@lamdong.example")) == 1
    assert len(smtp.to("snv.cv2@lamdong.example")) == 1


def test_a_failed_step_that_is_no_longer_due_is_not_sent_late(smtp: Mailbox, task: Task) -> None:
    """Refused on D-4 (its D-7); by D-3 the D-3 reminder goes instead of both."""
    smtp.refuse = {"snv.cv1@lamdong.example"}
    send_reminders(MONDAY)
    smtp.refuse = set()
    send_reminders(MONDAY + dt.timedelta(days=1))
    (late,) = smtp.to("snv.cv1@lamdong.example")
    assert "còn 3 ngày" in body(late, "plain")
    assert set(
        SentReminder.objects.filter(
            task=task, recipient__user__username="snv.cv1", sent_at__isnull=False
        ).values_list("kind", flat=True)
    ) == {"due-3"}


def test_a_heads_mail_carries_the_units_index_group_and_rank(smtp: Mailbox, task: Task) -> None:
    send_reminders(MONDAY)
    heads = {
        o.user.email: o
        for o in Official.objects.heads().select_related("user", "unit")
        if o.unit is not None
    }
    checked = 0
    for message in smtp.received:
        head = heads.get(str(message["To"]))
        if head is None:
            continue
        snap = (
            ScoreSnapshot.objects.filter(plan=task.plan, unit=head.unit).order_by("-as_of").first()
        )
        if snap is None or snap.index_pct is None:
            continue
        text = body(message, "plain")
        index = f"{snap.index_pct:.2f}".replace(".", ",")
        assert "Điểm của đơn vị" in text and "Lĩnh vực 1 — Công tác chỉ đạo, điều hành CCHC" in text
        assert f"chỉ số {index}%" in text and f"nhóm {snap.group}" in text
        assert f"hạng {snap.rank}" in text
        checked += 1
    assert checked > 0
