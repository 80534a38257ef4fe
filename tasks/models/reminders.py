"""The reminders' records: the policy (when and to whom) and the sent-log (each once).

tasks/reminders/engine.py runs the policy; these are its tables.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from plans.models import Official, TimeStamped
from tasks.models.task import Task


def day_list(value: str) -> None:
    """Days as numbers separated by commas, e.g. 7,3,1."""
    parts = [p.strip() for p in value.split(",")]
    if not value.strip() or not all(p.isdigit() and 0 < int(p) <= 365 for p in parts):
        raise ValidationError(_("Give whole days from 1 to 365 separated by commas, e.g. 7,3,1."))


def weekday_list(value: str) -> None:
    """ISO weekdays (1 Monday … 7 Sunday) separated by commas."""
    parts = [p.strip() for p in value.split(",")]
    if not value.strip() or not all(p in {"1", "2", "3", "4", "5", "6", "7"} for p in parts):
        raise ValidationError(_("Give weekdays from 1 (Monday) to 7 (Sunday), e.g. 1,2,3,4,5."))


class ReminderPolicy(TimeStamped):
    """When reminders and escalations go out, and to whom (one row, edited in the admin).

    The defaults (docs/reminders.md): 7, 3 and 1 days before the deadline; overdue
    on the day after it and then every 3 days; the lead unit's head from 3 days
    overdue and the steering committee from 7; the head reminded of a
    submitted task 1 day later and then every 3 days; mail on working days,
    07:30 to 17:00.
    """

    before_days = models.CharField(
        _("days before the deadline"),
        max_length=60,
        default="7,3,1",
        validators=[day_list],
        help_text=_("Reminders to the assignees, e.g. 7,3,1."),
    )
    overdue_first = models.PositiveSmallIntegerField(
        _("first overdue notice (days late)"), default=1, validators=[MinValueValidator(1)]
    )
    overdue_every = models.PositiveSmallIntegerField(
        _("then every (days)"), default=3, validators=[MinValueValidator(1)]
    )
    escalate_head_after = models.PositiveSmallIntegerField(
        _("tell the lead unit's head after (days late)"),
        default=3,
        validators=[MinValueValidator(1)],
    )
    escalate_committee_after = models.PositiveSmallIntegerField(
        _("tell the steering committee after (days late)"),
        default=7,
        validators=[MinValueValidator(1)],
    )
    review_first = models.PositiveSmallIntegerField(
        _("first review reminder (days after submission)"),
        default=1,
        validators=[MinValueValidator(1)],
    )
    review_every = models.PositiveSmallIntegerField(
        _("then every (days)"), default=3, validators=[MinValueValidator(1)]
    )
    office_days = models.CharField(
        _("sending days"),
        max_length=20,
        default="1,2,3,4,5",
        validators=[weekday_list],
        help_text=_("1 is Monday, 7 is Sunday."),
    )
    opens_at = models.TimeField(_("sending from"), default=dt.time(7, 30))
    closes_at = models.TimeField(_("sending until"), default=dt.time(17, 0))

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policy")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=F("closes_at")), name="reminder_hours_in_order"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Reminder policy"))

    @classmethod
    def current(cls) -> ReminderPolicy:
        """The policy in force: the saved one, or the defaults until an admin saves one."""
        return cls.objects.order_by("pk").first() or cls()

    @property
    def before(self) -> list[int]:
        return sorted({int(p) for p in self.before_days.split(",")})

    def is_open(self, local: dt.datetime) -> bool:
        """Whether mail may go out at this local time."""
        days = {int(p) for p in self.office_days.split(",")}
        return local.isoweekday() in days and self.opens_at <= local.time() < self.closes_at


class SentReminder(models.Model):
    """The sent-log of every reminder: one row per (subject, step, deadline, recipient),
    claimed before sending.

    The subject is a task, or something else that counts down to a day (an
    annual assessment's sheet), named as `subject` ("assessment:5"). The
    unique constraints are what make a step go out once however many runs
    overlap: a run inserts its claims and sends only the rows it inserted. A
    row whose mail failed keeps `sent_at` empty and the error, and is claimed
    again by the next run while the step is still the one due.
    """

    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="reminders",
        null=True,
        blank=True,
    )
    # What the reminder is about when it is not a task, as "kind:id".
    subject = models.CharField(_("subject"), max_length=40, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=30)
    # The deadline the step belongs to (a new deadline starts a new cycle); for
    # review reminders, the day the task was submitted.
    due_date = models.DateField(_("deadline"))
    recipient = models.ForeignKey(
        Official, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    claim = models.CharField(_("claimed by run"), max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "due_date", "recipient"],
                condition=Q(task__isnull=False),
                name="reminder_sent_once",
            ),
            models.UniqueConstraint(
                fields=["subject", "kind", "due_date", "recipient"],
                condition=Q(task__isnull=True),
                name="reminder_subject_sent_once",
            ),
            models.CheckConstraint(
                condition=Q(task__isnull=False, subject="") | Q(task__isnull=True) & ~Q(subject=""),
                name="reminder_one_subject",
            ),
        ]
        indexes = [
            # The run's delivery step: the rows it claimed and has not sent yet.
            models.Index(
                fields=["claim"], condition=Q(sent_at__isnull=True), name="reminder_unsent_claim"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.task_id or self.subject} → {self.recipient_id}"
