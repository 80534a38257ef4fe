"""An installation made by the previous version upgrades with what it had sent kept.

The assessment's sent-log moved into the reminder engine's: a database migrated
to the version before, holding an assessment reminder already sent, is
migrated forward, and the engine then counts that reminder as sent.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.jobs.conftest import ROOT, embedded_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

BEFORE = [("assessments", "0003_reminder_closing_day"), ("tasks", "0010_task_results")]

# Run in the upgraded installation's own process, on the previous version's tables.
MAKE_OLD_ROWS = """
import datetime as dt
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
apps = MigrationExecutor(connection).loader.project_state(
    [("assessments", "0003_reminder_closing_day"), ("tasks", "0010_task_results")]
).apps
Unit = apps.get_model("plans", "Unit")
User = apps.get_model("auth", "User")
Official = apps.get_model("plans", "Official")
Plan = apps.get_model("plans", "Plan")
Assessment = apps.get_model("assessments", "Assessment")
Sent = apps.get_model("assessments", "SentAssessmentReminder")
unit = Unit.objects.create(code="snv", name="Sở Nội vụ", level="department")
head = Official.objects.create(
    user=User.objects.create(username="snv.head"), unit=unit, role="head", full_name="Giám đốc"
)
plan = Plan.objects.create(
    unit=unit, year=2026, title="Kế hoạch CCHC năm 2026", status="issued",
    issued_on=dt.date(2026, 1, 15),
)
a = Assessment.objects.create(
    plan=plan, self_closes_on=dt.date(2026, 12, 10), appraisal_closes_on=dt.date(2026, 12, 20),
    opened_by=head,
)
Sent.objects.create(
    assessment=a, kind="assessment-self-7", closes_on=dt.date(2026, 12, 10), recipient=head,
    sent_at=dt.datetime(2026, 12, 3, 2, tzinfo=dt.UTC),
)
print("IDS", a.pk, head.pk)
"""

READ_NEW_ROWS = """
from tasks.models import SentReminder
for r in SentReminder.objects.all():
    print("ROW", r.task_id, r.subject, r.kind, r.due_date, r.recipient_id, r.sent_at is not None)
"""


def manage(folder: Path, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=embedded_env(folder),
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded installation's upgrade")
def test_sent_assessment_reminders_survive_the_upgrade(tmp_path: Path) -> None:
    for app, name in BEFORE:
        manage(tmp_path, "migrate", app, name, "--noinput", "-v", "0")
    said = manage(tmp_path, "shell", stdin=MAKE_OLD_ROWS)
    assessment_id, head_id = next(x for x in said.splitlines() if x.startswith("IDS")).split()[1:]
    manage(tmp_path, "migrate", "--noinput", "-v", "0")
    said = manage(tmp_path, "shell", stdin=READ_NEW_ROWS)
    rows = [x for x in said.splitlines() if x.startswith("ROW")]
    assert rows == [
        f"ROW None assessment:{assessment_id} assessment-self-7 2026-12-10 {head_id} True"
    ]
