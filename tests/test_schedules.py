"""Start-up creates the background schedules once, however often it runs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from tracker.schedules import SCHEDULES

pytestmark = pytest.mark.django_db


def test_setup_schedules_is_idempotent() -> None:
    call_command("setup_schedules", stdout=io.StringIO())
    call_command("setup_schedules", stdout=io.StringIO())
    assert set(Schedule.objects.values_list("name", flat=True)) == set(SCHEDULES)
    session = Schedule.objects.get(name="clear-expired-sessions")
    assert session.func == "django.core.management.call_command"
    assert session.schedule_type == Schedule.DAILY


def test_the_nightly_rollup_first_runs_at_one_in_the_morning() -> None:
    call_command("setup_schedules", stdout=io.StringIO())
    rollup = Schedule.objects.get(name="score-rollup")
    assert rollup.func == "tasks.scores.rollup.rollup_issued_plans"
    assert rollup.schedule_type == Schedule.DAILY
    first = timezone.localtime(rollup.next_run)
    assert (first.hour, first.minute) == (1, 0)
    assert timezone.now() < first <= timezone.now() + dt.timedelta(days=1)
    # A restart keeps the run it had planned.
    call_command("setup_schedules", stdout=io.StringIO())
    assert Schedule.objects.get(name="score-rollup").next_run == rollup.next_run


def test_the_reminders_run_every_fifteen_minutes() -> None:
    call_command("setup_schedules", stdout=io.StringIO())
    reminders = Schedule.objects.get(name="send-reminders")
    assert reminders.func == "tasks.reminders.engine.send_reminders"
    assert (reminders.schedule_type, reminders.minutes) == (Schedule.MINUTES, 15)
