"""The reminder job: who is told what and when, once, with catch-up and sending hours."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from plans.models import Official, Plan, Role
from tasks import extensions, services
from tasks.models import (
    Notification,
    ReminderPolicy,
    SentReminder,
    Status,
    Task,
    completion_day,
)
from tasks.reminders.engine import send_reminders
from tests.conftest import TODAY, login, new_task, official, unit_of, upload

pytestmark = pytest.mark.django_db

DEADLINE = TODAY + dt.timedelta(days=10)  # Wednesday 02/12/2026


def at(day: dt.date, hour: int = 8, minute: int = 0) -> dt.datetime:
    """A local time in Hà Nội."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def on(offset: int) -> dt.datetime:
    """08:00 on the deadline plus offset days."""
    return at(DEADLINE + dt.timedelta(days=offset))


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    """Messages read outside a request speak the active language: Vietnamese here."""
    with translation.override("vi"):
        yield


@pytest.fixture
def every_day(db: None) -> ReminderPolicy:
    """The default policy, sending on all seven days: the series can be walked day by day."""
    return ReminderPolicy.objects.create(office_days="1,2,3,4,5,6,7")


def make_task(
    plan: Plan, *, assignees: tuple[str, ...] = ("snv.cv1",), due: dt.date = DEADLINE
) -> Task:
    return new_task(
        plan,
        title="Xây dựng quy chế phối hợp tiếp nhận hồ sơ trực tuyến",
        due_date=due,
        assignees=assignees,
    )


def sent(task: Task) -> set[tuple[str, str]]:
    """(kind, username) of everything sent for the task so far."""
    return set(
        SentReminder.objects.filter(task=task, sent_at__isnull=False).values_list(
            "kind", "recipient__user__username"
        )
    )


def walk(task: Task, when: dt.datetime) -> set[tuple[str, str]]:
    """Run the job at `when`; answer what it newly sent for the task."""
    before = sent(task)
    send_reminders(when)
    return sent(task) - before


def test_one_task_through_its_whole_life(plan: Plan, every_day: ReminderPolicy) -> None:
    task = make_task(plan)
    cv1, head = "snv.cv1", "snv.head"
    committee = {
        u for (u,) in Official.objects.filter(role=Role.COMMITTEE).values_list("user__username")
    }
    assert committee == {"bcd1", "bcd2"}

    assert walk(task, on(-10)) == set()
    assert walk(task, on(-8)) == set()
    assert walk(task, on(-7)) == {("due-7", cv1)}
    assert walk(task, on(-7) + dt.timedelta(hours=2)) == set()  # a second run that day
    assert walk(task, on(-5)) == set()
    assert walk(task, on(-3)) == {("due-3", cv1)}
    assert walk(task, on(-1)) == {("due-1", cv1)}
    assert walk(task, on(0)) == set()  # the deadline itself: D-1 was the last
    assert walk(task, on(1)) == {("overdue+1", cv1)}
    assert walk(task, on(2)) == set()
    assert walk(task, on(3)) == {("escalate-head", head)}
    assert walk(task, on(4)) == {("overdue+4", cv1)}
    assert walk(task, on(5)) == set()
    assert walk(task, on(7)) == {("overdue+7", cv1)} | {
        ("escalate-committee", u) for u in committee
    }
    assert walk(task, on(7)) == set()

    services.add_evidence(official(cv1), task, file=upload(), document_number="15/BC-SNV")
    services.submit_task(official(cv1), task, now=on(7))
    services.review_task(official(head), task, decision="accept", now=on(8))
    for offset in (8, 9, 10, 11, 13, 14):
        assert walk(task, on(offset)) == set()

    # Each step once, to whom it belongs, with the deadline of its cycle.
    rows = SentReminder.objects.filter(task=task)
    assert rows.count() == 9
    assert set(rows.values_list("due_date", flat=True)) == {DEADLINE}
    assert not rows.filter(sent_at__isnull=True).exists()
    inbox = Notification.objects.filter(task=task, kind__in=rows.values("kind"))
    assert inbox.count() == 9
    accepted = Notification.objects.get(task=task, kind="accepted")
    assert accepted.recipient.user.username == cv1
    assert "đã chấp nhận" in accepted.message


def test_each_mail_lists_the_task_with_its_deadline_and_days(
    plan: Plan, every_day: ReminderPolicy
) -> None:
    task = make_task(plan)
    mail.outbox.clear()
    run = send_reminders(on(-3))
    assert run.sent["due-3"] >= 1
    (to_cv1,) = [m for m in mail.outbox if m.to == ["snv.cv1@lamdong.example"]]
    assert task.title in to_cv1.body
    assert "02/12/2026" in to_cv1.body and "còn 3 ngày" in to_cv1.body
    assert f"/tasks/{task.pk}/" in to_cv1.body
    assert isinstance(to_cv1, EmailMultiAlternatives)
    html, kind = to_cv1.alternatives[0]
    assert isinstance(html, str)
    assert kind == "text/html" and task.title in html and "02/12/2026" in html


def test_one_mail_per_person_per_run_whatever_is_due(plan: Plan, every_day: ReminderPolicy) -> None:
    first = make_task(plan, due=TODAY + dt.timedelta(days=3))
    second = make_task(plan, due=TODAY + dt.timedelta(days=1))
    mail.outbox.clear()
    send_reminders(at(TODAY))
    to_cv1 = [m for m in mail.outbox if m.to == ["snv.cv1@lamdong.example"]]
    assert len(to_cv1) == 1
    assert first.title in to_cv1[0].body
    assert {("due-3", "snv.cv1")} <= sent(first) and {("due-1", "snv.cv1")} <= sent(second)
    # Each item is logged on its own.
    assert (
        SentReminder.objects.filter(
            task__in=[first, second], recipient__user__username="snv.cv1"
        ).count()
        == 2
    )


def test_a_run_after_a_gap_sends_only_the_latest_step_of_each_series(
    plan: Plan, every_day: ReminderPolicy
) -> None:
    task = make_task(plan)
    # The worker was down from D-8 to D-2: D-7 and D-3 fell in the gap.
    assert walk(task, on(-2)) == {("due-3", "snv.cv1")}
    # Down again until eight days late: overdue+1, +4 and the head's escalation were missed.
    assert walk(task, on(8)) == {
        ("overdue+7", "snv.cv1"),
        ("escalate-head", "snv.head"),
        ("escalate-committee", "bcd1"),
        ("escalate-committee", "bcd2"),
    }


def test_a_new_deadline_starts_a_new_cycle(plan: Plan, every_day: ReminderPolicy) -> None:
    task = make_task(plan)
    assert walk(task, on(-3)) == {("due-3", "snv.cv1")}
    ext = extensions.request_extension(
        official("snv.cv1"),
        task,
        new_due_date=DEADLINE + dt.timedelta(days=20),
        reason="Chờ số liệu",
    )
    extensions.decide_extension(official("ubnd-tinh.head"), ext, approve=True)
    assert walk(task, on(-1)) == set()  # the old deadline's D-1 is no longer due
    assert walk(task, on(13)) == {("due-7", "snv.cv1")}
    assert set(SentReminder.objects.filter(task=task).values_list("kind", "due_date")) == {
        ("due-3", DEADLINE),
        ("due-7", DEADLINE + dt.timedelta(days=20)),
    }
    decided = Notification.objects.get(task=task, kind="extension_decided")
    assert decided.recipient == official("snv.cv1") and "22/12/2026" in decided.message


def test_without_assignees_the_head_is_reminded(plan: Plan, every_day: ReminderPolicy) -> None:
    task = make_task(plan, assignees=())
    assert walk(task, on(-7)) == {("due-7", "snv.head")}
    assert walk(task, on(1)) == {("overdue+1", "snv.head")}


def test_submitted_work_reminds_the_head_not_the_official(
    plan: Plan, every_day: ReminderPolicy
) -> None:
    task = make_task(plan)
    cv1 = official("snv.cv1")
    services.add_evidence(cv1, task, file=upload(), document_number="16/BC-SNV")
    submitted = on(-6)
    services.submit_task(cv1, task, now=submitted)
    told = Notification.objects.get(task=task, kind="submitted")
    assert told.recipient == official("snv.head") and "chờ bạn duyệt" in told.message
    assert walk(task, on(-5)) == {("review+1", "snv.head")}
    assert walk(task, on(-4)) == set()
    assert walk(task, on(-3)) == set()  # no D-3 for the official: the head holds the task
    assert walk(task, on(-2)) == {("review+4", "snv.head")}
    services.review_task(official("snv.head"), task, decision="return", comment="Thiếu phụ lục")
    returned = Notification.objects.get(task=task, kind="returned")
    assert returned.recipient == cv1 and "Thiếu phụ lục" in returned.message
    assert walk(task, on(-1)) == {("due-1", "snv.cv1")}


@pytest.mark.parametrize("status", [Status.DONE, Status.CANCELLED])
def test_nothing_for_finished_work(plan: Plan, every_day: ReminderPolicy, status: str) -> None:
    task = make_task(plan)
    if status == Status.CANCELLED:
        services.cancel_task(official("ubnd-tinh.head"), task, reason="Điều chỉnh kế hoạch")
    else:
        services.add_evidence(official("snv.cv1"), task, file=upload(), document_number="17/BC")
        services.submit_task(official("snv.cv1"), task)
        services.review_task(official("snv.head"), task, decision="accept")
    for offset in (-7, -3, -1, 1, 3, 7, 10):
        assert walk(task, on(offset)) == set()


def test_mail_waits_for_the_sending_hours(plan: Plan) -> None:
    """Default policy: Monday to Friday, 07:30-17:00; what falls due outside goes at the opening."""
    monday = dt.date(2026, 11, 30)
    task = make_task(plan, due=monday)  # its D-1 falls on Sunday 29/11
    assert send_reminders(at(dt.date(2026, 11, 29), 10)).closed  # Sunday
    assert send_reminders(at(monday, 7, 29)).closed
    assert send_reminders(at(monday, 17, 0)).closed
    assert sent(task) == set()
    opening = send_reminders(at(monday, 7, 30))
    assert not opening.closed
    assert sent(task) == {("due-1", "snv.cv1")}


def test_the_policy_is_read_from_the_admin(plan: Plan) -> None:
    ReminderPolicy.objects.create(
        before_days="5", office_days="1,2,3,4,5,6,7", opens_at=dt.time(6), closes_at=dt.time(22)
    )
    task = make_task(plan)
    assert walk(task, on(-7)) == set()
    assert walk(task, on(-5) + dt.timedelta(hours=13)) == {("due-5", "snv.cv1")}  # 21:00


def test_events_reach_the_inbox_and_never_the_actor(plan: Plan) -> None:
    task = make_task(plan, assignees=("snv.cv2",))
    assigned = Notification.objects.filter(task=task, kind="assigned")
    assert {n.recipient.user.username for n in assigned} == {"snv.cv2", "snv.head"}
    services.update_task(
        official("ubnd-tinh.head"),
        task,
        assignee_ids=[official("snv.cv2").pk, official("snv.cv1").pk],
    )
    assert set(assigned.values_list("recipient__user__username", flat=True)) == {
        "snv.cv2",
        "snv.head",
        "snv.cv1",
    }
    assert not Notification.objects.filter(recipient=official("ubnd-tinh.head")).exists()
    # The head breaking the task down is not told of their own subtask.
    head = official("snv.head")
    sub = services.create_task(
        head,
        plan,
        parent=task,
        title="Dự thảo quy chế",
        area=3,
        lead_unit_id=unit_of("snv.head"),
        due_date=DEADLINE,
        assignee_ids=[official("snv.cv1").pk],
        confirm_past_deadline=True,
    )
    assert set(
        Notification.objects.filter(task=sub).values_list("recipient__user__username", flat=True)
    ) == {"snv.cv1"}


def test_the_queries_do_not_grow_with_tasks_that_have_nothing_due(
    plan: Plan, every_day: ReminderPolicy
) -> None:
    make_task(plan)
    now = on(-7)

    def queries_of_a_run() -> tuple[int, int]:
        """The run's query count and what it sent, then undone so that it can run again."""
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            run = send_reminders(now)
            transaction.set_rollback(True)
        return len(captured), sum(run.sent.values())

    small = queries_of_a_run()
    area, unit = plan.areas.first(), unit_of("snv.head")
    later = DEADLINE + dt.timedelta(days=60)
    done_at = timezone.now() - dt.timedelta(days=30)
    Task.objects.bulk_create(
        [
            Task(
                plan=plan,
                area=area,
                lead_unit_id=unit,
                title=f"Việc còn xa {i}",
                due_date=later,
                original_due_date=later,
            )
            for i in range(1500)
        ]
        + [
            Task(
                plan=plan,
                area=area,
                lead_unit_id=unit,
                title=f"Việc đã xong {i}",
                due_date=TODAY - dt.timedelta(days=40),
                original_due_date=TODAY - dt.timedelta(days=40),
                status=Status.DONE,
                completed_at=done_at,
                completed_on=completion_day(done_at),
            )
            for i in range(1500)
        ]
    )
    large = queries_of_a_run()
    assert small[1] > 0
    assert large == small


def test_the_command_prints_what_it_sent_of_each_kind(
    plan: Plan, every_day: ReminderPolicy
) -> None:
    make_task(plan)
    out = io.StringIO()
    call_command("send_reminders", "--now", "2026-11-25T08:00", stdout=out)
    assert out.getvalue().startswith("25/11/2026 08:00: sent ")
    assert "due-7: " in out.getvalue() and "mails)" in out.getvalue()
    out = io.StringIO()
    call_command("send_reminders", "--now", "2026-11-25T08:05", stdout=out)
    assert "sent nothing (0 mails)" in out.getvalue()
    with pytest.raises(CommandError, match="--now"):
        call_command("send_reminders", "--now", "ngày mai")


def test_a_claim_left_by_a_dead_run_is_taken_over_after_the_lease(
    plan: Plan, every_day: ReminderPolicy
) -> None:
    task = make_task(plan)
    claimed = on(-7)
    SentReminder.objects.create(
        task=task,
        kind="due-7",
        due_date=DEADLINE,
        recipient=official("snv.cv1"),
        claim="a-run-that-died",
        claimed_at=claimed,
    )
    assert walk(task, claimed + dt.timedelta(minutes=5)) == set()  # maybe still sending
    assert walk(task, claimed + dt.timedelta(minutes=11)) == {("due-7", "snv.cv1")}
    assert SentReminder.objects.get(task=task).attempts == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("before_days", "7, ba"), ("before_days", "0"), ("office_days", "1,8"), ("office_days", "")],
)
def test_an_unusable_policy_is_refused_with_a_message(field: str, value: str) -> None:
    policy = ReminderPolicy(**{field: value})
    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert field in refused.value.message_dict


def test_the_admin_saves_the_policy_once_and_shows_bad_values(client: Client) -> None:
    login(client, "admin")
    form = {
        "before_days": "10,5,1",
        "overdue_first": "1",
        "overdue_every": "2",
        "escalate_head_after": "3",
        "escalate_committee_after": "7",
        "review_first": "1",
        "review_every": "3",
        "office_days": "1,2,3,4,5,6",
        "opens_at": "07:00",
        "closes_at": "17:30",
    }
    bad = client.post("/admin/tasks/reminderpolicy/add/", {**form, "office_days": "1,9"})
    assert bad.status_code == 200 and "thứ Hai" in bad.content.decode()
    assert not ReminderPolicy.objects.exists()
    saved = client.post("/admin/tasks/reminderpolicy/add/", form)
    assert saved.status_code == 302
    assert ReminderPolicy.current().before == [1, 5, 10]
    assert client.get("/admin/tasks/reminderpolicy/add/").status_code == 403  # one policy
