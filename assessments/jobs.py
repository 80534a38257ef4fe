"""The assessment's background jobs: plain functions taking `now`, idempotent.

- `advance_assessments`: each open assessment's phase follows its dates, and
  the sheets whose window closed are locked as they stood.
- `send_assessment_reminders`: heads whose sheet is not submitted, 7, 3 and 1
  days before the self-assessment closes; the council, when the appraisal
  closes within 3 days with sheets not appraised. Each (assessment, step,
  recipient) once, however often the job runs (the sent-log's unique row is
  claimed before anything is sent); a missed day sends the step then due, and
  a window moved starts its steps again. Sent in the task reminders' days and
  hours (the reminder policy).
  The message goes to the inbox and by mail, as the task reminders do.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.models import Assessment, Phase, SentAssessmentReminder, Sheet, SheetStatus
from assessments.services import advance
from plans.models import Official, Role
from tasks.inbox.notify import Message, post
from tasks.messages import describe
from tasks.models import ReminderPolicy

log = logging.getLogger(__name__)

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


@dataclass
class ReminderRun:
    sent: dict[str, int] = field(default_factory=dict)  # kind -> messages sent


def self_step(days_left: int) -> int | None:
    """The self-assessment step due with `days_left` days to go (a missed one is sent late)."""
    due = [step for step in SELF_STEPS if days_left <= step]
    return min(due) if due and days_left >= 0 else None


def send_assessment_reminders(now: dt.datetime | None = None) -> ReminderRun:
    """Send each assessment reminder that is due at `now`, once each."""
    now = now or timezone.now()
    run = ReminderRun()
    if not ReminderPolicy.current().is_open(timezone.localtime(now)):
        return run  # outside the sending days and hours, as the task reminders
    today = timezone.localdate(now)
    for assessment in Assessment.objects.exclude(status=Phase.PUBLISHED).select_related("plan"):
        step = self_step((assessment.self_closes_on - today).days)
        if step is not None:
            waiting = Sheet.objects.filter(
                assessment=assessment, status=SheetStatus.DRAFT, fixed_at__isnull=True
            ).values("unit_id")
            heads = Official.objects.heads().filter(unit__in=waiting).select_related("user")
            _send(run, assessment, f"assessment-self-{step}", heads, today)
        left = (assessment.appraisal_closes_on - today).days
        if assessment.self_closes_on < today and 0 <= left <= APPRAISAL_STEP:
            undone = assessment.sheets.exclude(status=SheetStatus.APPRAISED).exists()
            if undone:
                council = Official.objects.filter(
                    role=Role.COMMITTEE, user__is_active=True
                ).select_related("user")
                _send(run, assessment, "assessment-appraisal", council, today)
    return run


def _send(
    run: ReminderRun,
    assessment: Assessment,
    kind: str,
    people: object,
    today: dt.date,
) -> None:
    closes = (
        assessment.appraisal_closes_on
        if kind == "assessment-appraisal"
        else assessment.self_closes_on
    )
    data = {
        "title": assessment.plan.title,
        "due": closes.isoformat(),
        "days": (closes - today).days,
        "url": reverse("assessments:assessment_detail", args=[assessment.pk]),
    }
    for person in people:  # type: ignore[attr-defined]  # a queryset of officials
        try:
            with transaction.atomic():
                SentAssessmentReminder.objects.create(
                    assessment=assessment, kind=kind, closes_on=closes, recipient=person
                )
                post([Message(person, kind, data)])
        except IntegrityError:
            continue  # sent already (or by a run alongside)
        run.sent[kind] = run.sent.get(kind, 0) + 1
        if person.user.email:
            with translation.override(settings.LANGUAGE_CODE):
                text = describe(kind, data)
                try:
                    send_mail(
                        _("CCHC assessment: %(title)s") % data,
                        f"{text}\n\n{settings.SITE_URL.rstrip('/')}{data['url']}",
                        None,
                        [person.user.email],
                    )
                except OSError as exc:  # the inbox has it; the mail server is outside
                    log.warning("Assessment reminder to %s failed: %s", person.user.email, exc)
