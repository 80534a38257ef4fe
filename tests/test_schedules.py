"""Start-up creates the background schedules once, however often it runs."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
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
