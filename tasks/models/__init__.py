"""The tasks' models, one module per concern: the task, its evidence, extensions, the inbox,
the reminders' records and the officials' task results."""

from tasks.models.evidence import Evidence, evidence_path
from tasks.models.extension import ExtensionRequest, ExtensionStatus
from tasks.models.notification import Notification
from tasks.models.reminders import ReminderPolicy, SentReminder, day_list, weekday_list
from tasks.models.results import MarkKind, ObjectiveMark, PeriodResult
from tasks.models.task import (
    CLOSED_STATUSES,
    Status,
    Task,
    TaskQuerySet,
    completion_day,
    not_done_by,
    open_q,
    overdue_q,
    searchable,
)

__all__ = [
    "CLOSED_STATUSES",
    "Evidence",
    "ExtensionRequest",
    "ExtensionStatus",
    "MarkKind",
    "Notification",
    "ObjectiveMark",
    "PeriodResult",
    "ReminderPolicy",
    "SentReminder",
    "Status",
    "Task",
    "TaskQuerySet",
    "completion_day",
    "day_list",
    "evidence_path",
    "not_done_by",
    "open_q",
    "overdue_q",
    "searchable",
    "weekday_list",
]
