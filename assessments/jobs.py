"""The assessment's background jobs: plain functions taking `now`, idempotent.

- `advance_assessments`: each open assessment's phase follows its dates, and
  the sheets whose window closed are locked as they stood.
- `assessment_reminders_due`: heads whose sheet is not submitted, 7, 3 and 1
  days before the self-assessment closes; the council, when the appraisal
  closes within 3 days with sheets not appraised. A source of the reminder
  engine (tasks.reminders.engine): its run claims each (assessment, step,
  closing day, recipient) in the one sent-log, sends it once in the policy's
  days and hours with the recipient's other reminders, retries a failed mail
  and posts it to the inbox; a missed day sends the step then due, and a
  window moved starts its steps again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Phase, Sheet, SheetStatus
from assessments.services import advance
from plans.models import Official
from tasks.models import ReminderPolicy
from tasks.reminders.engine import Due

SELF_STEPS = (7, 3, 1)  # days before the self-assessment closes
APPRAISAL_STEP = 3  # days before the appraisal closes


def advance_assessments(now: dt.datetime | None = None) -> int:
    """Every assessment not published brought to its dates; the number of sheets locked."""
    now = now or timezone.now()
    locked = 0
    for assessment in Assessment.objects.exclude(status=Phase.PUBLISHED).select_related("plan"):
        with transaction.atomic():
            locked += len(advance(assessment, now))
    return locked


def self_step(days_left: int) -> int | None:
    """The self-assessment step due with `days_left` days to go (a missed one is sent late)."""
    due = [step for step in SELF_STEPS if days_left <= step]
    return min(due) if due and days_left >= 0 else None


def assessment_reminders_due(policy: ReminderPolicy, today: dt.date) -> dict[Due, dict[str, Any]]:
    """The assessment's reminders due today, for the reminder engine to claim and send.

    Registered with the engine at start-up (AssessmentsConfig.ready): sent in its
    days and hours, each (assessment, step, closing day, recipient) once.
    """
    due: dict[Due, dict[str, Any]] = {}
    for assessment in Assessment.objects.exclude(status=Phase.PUBLISHED).select_related("plan"):
        step = self_step((assessment.self_closes_on - today).days)
        if step is not None:
            waiting = Sheet.objects.filter(
                assessment=assessment, status=SheetStatus.DRAFT, fixed_at__isnull=True
            ).values("unit_id")
            heads = Official.objects.heads().filter(unit__in=waiting).values_list("pk", flat=True)
            closes = assessment.self_closes_on
            _add(due, assessment, f"assessment-self-{step}", closes, heads, today)
        left = (assessment.appraisal_closes_on - today).days
        if (
            assessment.self_closes_on < today
            and 0 <= left <= APPRAISAL_STEP
            and assessment.sheets.exclude(status=SheetStatus.APPRAISED).exists()
        ):
            council = Official.objects.committee().values_list("pk", flat=True)
            closes = assessment.appraisal_closes_on
            _add(due, assessment, "assessment-appraisal", closes, council, today)
    return due


def _add(
    due: dict[Due, dict[str, Any]],
    assessment: Assessment,
    kind: str,
    closes: dt.date,
    people: Iterable[int],
    today: dt.date,
) -> None:
    data = {
        "title": assessment.plan.title,
        "plan": assessment.plan.document_number or assessment.plan.title,
        "due": closes.isoformat(),
        "days": (closes - today).days,
        "url": reverse("assessments:assessment_detail", args=[assessment.pk]),
    }
    for person in people:
        due[Due(None, kind, closes, person, f"assessment:{assessment.pk}")] = data
