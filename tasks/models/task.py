"""A task of a plan: its states, its deadline, its lead unit and assignees, its queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kit.text import fold
from plans.models import Area, Official, Plan, TimeStamped, Unit, subcriterion_code


class Status(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


CLOSED_STATUSES = (Status.DONE, Status.CANCELLED)


def completion_day(at: dt.datetime | None) -> dt.date | None:
    """The local day a task was completed on (Task.completed_on), None while it is not done."""
    return timezone.localdate(at) if at is not None else None


def open_q(prefix: str = "") -> Q:
    """Still to be finished: neither done nor cancelled.

    `prefix` reaches the task through a relation, e.g. "assigned_tasks__" in an
    annotation over officials.
    """
    return ~Q(**{f"{prefix}status__in": CLOSED_STATUSES})


def not_done_by(as_of: dt.date, prefix: str = "") -> Q:
    """Not accepted by the end of as_of (accepted later, or not at all): not done that day."""
    return Q(**{f"{prefix}completed_on__isnull": True}) | Q(**{f"{prefix}completed_on__gt": as_of})


def overdue_q(as_of: dt.date, prefix: str = "") -> Q:
    """Overdue on as_of: not cancelled, not accepted by that day, its deadline before it.

    The one definition of overdue, for today's lists and a past day's
    dashboards alike (work accepted later was overdue then).
    """
    return (
        ~Q(**{f"{prefix}status": Status.CANCELLED})
        & not_done_by(as_of, prefix)
        & Q(**{f"{prefix}due_date__lt": as_of})
    )


def searchable(title: str, description: str) -> str:
    """What the task lists' search reads: the title and description, folded."""
    return fold(f"{title}\n{description}")


class TaskQuerySet(models.QuerySet["Task"]):
    def open(self) -> TaskQuerySet:
        """Tasks still to be finished: neither done nor cancelled."""
        return self.filter(open_q())

    def scored(self, include_subtasks: bool) -> TaskQuerySet:
        """What an index set counts: every task if it counts subtasks, else top-level ones."""
        return self if include_subtasks else self.filter(parent__isnull=True)

    def overdue(self, today: dt.date | None = None) -> TaskQuerySet:
        """Open tasks whose current deadline has passed (computed, never stored)."""
        return self.filter(overdue_q(today or timezone.localdate()))

    def not_overdue(self, today: dt.date | None = None) -> TaskQuerySet:
        return self.exclude(pk__in=self.overdue(today).values("pk"))

    def filtered(
        self,
        *,
        status: str | None = None,
        area: int | None = None,
        lead_unit_id: int | None = None,
        assignee_id: int | None = None,
        parent_id: int | None = None,
        overdue: bool | None = None,
        q: str = "",
    ) -> TaskQuerySet:
        """The task lists' filters (the plan page, the API); each given one narrows."""
        tasks = self
        if status:
            tasks = tasks.filter(status=status)
        if area is not None:
            tasks = tasks.filter(area__number=area)
        if lead_unit_id is not None:
            tasks = tasks.filter(lead_unit_id=lead_unit_id)
        if assignee_id is not None:
            tasks = tasks.filter(assignees=assignee_id)
        if parent_id is not None:
            tasks = tasks.filter(parent_id=parent_id)
        if overdue is True:
            tasks = tasks.overdue()
        elif overdue is False:
            tasks = tasks.not_overdue()
        # Every word, in the title or the description, accents and case ignored:
        # "ke hoach" finds "Kế hoạch" (kit.text.fold).
        for word in fold(q).split():
            tasks = tasks.filter(search_text__contains=word)
        return tasks


class Task(TimeStamped):
    """A task (nhiệm vụ) of a plan, led by one unit, maybe broken into subtasks."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent task"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subtasks",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="tasks"
    )
    subcriterion = models.CharField(
        _("sub-criterion"),
        max_length=20,
        blank=True,
        validators=[subcriterion_code],
        help_text=_("The scored sub-criterion this task feeds, e.g. 1.3."),
    )
    title = models.CharField(_("task"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    # Title and description folded for search (kit.text.fold): lower case, no accents.
    search_text = models.TextField(editable=False, default="")
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    partner_units = models.ManyToManyField(
        Unit, verbose_name=_("cooperating units"), blank=True, related_name="partner_tasks"
    )
    assignees = models.ManyToManyField(
        Official, verbose_name=_("assignees"), blank=True, related_name="assigned_tasks"
    )
    due_date = models.DateField(_("deadline"))
    original_due_date = models.DateField(_("original deadline"))
    deliverable = models.CharField(_("expected deliverable"), max_length=300, blank=True)
    # Its weight among an official's tasks of a month (quy đổi; tasks.results.periods).
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10))],
        help_text=_("How much it counts in its officials' monthly results: 1 by default, 0 to 10."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.TODO
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # The local (Asia/Ho_Chi_Minh) day of completed_at, kept by save(): "done on
    # time" compares it with due_date in the roll-up and the dashboards, a plain
    # column comparison instead of a time-zone conversion on every row.
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    # The last time it was handed in for review: the review reminders count from it.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Raised by every write; a write that names the version it read is refused
    # (409) when someone else changed the task in between.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        Official,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=10), name="task_weight_range"
            ),
            models.CheckConstraint(
                condition=(Q(status="done") & Q(completed_at__isnull=False))
                | (~Q(status="done") & Q(completed_at__isnull=True)),
                name="task_completed_at_iff_done",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True, completed_on__isnull=True)
                | Q(completed_at__isnull=False, completed_on__isnull=False),
                name="task_completed_on_with_completed_at",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["todo", "in_progress", "submitted", "done", "cancelled"]),
                name="task_status_known",
            ),
        ]
        indexes = [
            # The plan page: a plan's tasks filtered by status, ordered by deadline.
            models.Index(fields=["plan", "status", "due_date"], name="task_plan_status_due"),
            # A unit's page and the head's home: tasks a unit leads, by status.
            models.Index(fields=["lead_unit", "status"], name="task_lead_status"),
            # The dashboards' counts of a plan by lead unit and area (tasks.progress.progress_by):
            # every column they read, so that the count never visits the table.
            models.Index(
                fields=[
                    "plan",
                    "lead_unit",
                    "area",
                    "status",
                    "parent",
                    "due_date",
                    "completed_on",
                ],
                name="task_plan_progress",
            ),
            # The roll-up's count (tasks.scores.rollup._grouped): a plan's top-level tasks in the
            # order of its GROUP BY (lead unit), with every column its counts read, so
            # that SQLite walks the index once and never visits the table.
            models.Index(
                fields=[
                    "plan",
                    "parent",
                    "lead_unit",
                    "subcriterion",
                    "status",
                    "due_date",
                    "completed_on",
                ],
                name="task_plan_rollup",
            ),
            # The dashboards' overdue lists: a plan's tasks by deadline, oldest first.
            models.Index(fields=["plan", "due_date"], name="task_plan_due"),
            # The reminder job: open tasks whose deadline is near or past.
            models.Index(fields=["due_date"], condition=open_q(), name="task_open_due"),
            # The reminder job: tasks waiting for their head's review.
            models.Index(
                fields=["submitted_at"], condition=Q(status="submitted"), name="task_waiting_review"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep completed_on the local day of completed_at and search_text the folded words.

        Bulk inserts set both themselves.
        """
        self.completed_on = completion_day(self.completed_at)
        self.search_text = searchable(self.title, self.description)
        fields = kwargs.get("update_fields")
        if fields is not None:
            derived = {
                "completed_at": "completed_on",
                "title": "search_text",
                "description": "search_text",
            }
            kwargs["update_fields"] = {*fields, *(derived[f] for f in fields if f in derived)}
        super().save(*args, **kwargs)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status not in CLOSED_STATUSES and self.due_date < (
            today or timezone.localdate()
        )

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def days_left(self) -> int:
        """Days until the deadline (negative when overdue)."""
        return (self.due_date - timezone.localdate()).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left) if self.overdue else 0

    @property
    def completed_on_time(self) -> bool | None:
        """Whether an accepted task was accepted on or before its deadline."""
        if self.completed_on is None:
            return None
        return self.completed_on <= self.due_date
