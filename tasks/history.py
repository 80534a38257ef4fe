"""A task's history as the task page shows it: each event with the people and units named."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from plans.models import AuditEvent, Official, Unit
from plans.models.audit import named_ids
from tasks.models import Task


@dataclass(frozen=True)
class Line:
    at: dt.datetime
    actor: Official | None
    action: str
    label: str
    detail: str
    comment: str = ""


def history_lines(task: Task) -> list[Line]:
    """Every event of the task, oldest first, in three queries whatever its length."""
    events = list(AuditEvent.objects.history_of(task).select_related("actor"))
    people_ids, unit_ids = named_ids(events)
    people = dict(Official.objects.filter(pk__in=people_ids).values_list("pk", "full_name"))
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    return [
        Line(
            e.at,
            e.actor,
            e.action,
            e.label,
            e.describe(people, units),
            e.changes.get("comment", ""),
        )
        for e in events
    ]


def returned_by(lines: list[Line]) -> Line | None:
    """The return the work now answers to: the last review step, if it was a return."""
    review = next(
        (x for x in reversed(lines) if x.action in ("submitted", "returned", "accepted")), None
    )
    return review if review is not None and review.action == "returned" else None
