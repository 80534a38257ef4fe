"""The inbox's one way in: `post` writes every message, whoever sends it.

- `notify`: what happened to a task (assigned, submitted, returned, accepted,
  extended), called by the services inside their transaction, so a message
  exists exactly when the change it tells of does; the actor is never told of
  their own act;
- the reminder engine (tasks.reminders) posts what it sends by mail, the
  annual assessment's reminders among them;
- a message that waits for an act (a review, a decision) is marked done when
  someone does it (`done_with`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from plans.models import Official
from tasks.models import Notification, Task


@dataclass(frozen=True)
class Message:
    """One inbox message: its kind and data (written out in the reader's language when read)."""

    recipient: Official
    kind: str
    data: dict[str, Any]
    task_id: int | None = None
    # A message of the past (the demo's trail): when it came, and when it was read.
    at: dt.datetime | None = None
    read_at: dt.datetime | None = None


def post(messages: Iterable[Message], *, now: dt.datetime | None = None) -> list[Notification]:
    """Put the messages in their recipients' inboxes, in one insert."""
    when = now or timezone.now()
    return Notification.objects.bulk_create(
        Notification(
            recipient=m.recipient,
            kind=m.kind,
            task_id=m.task_id,
            data=m.data,
            created_at=m.at or when,
            read_at=m.read_at,
        )
        for m in messages
    )


def notify(
    kind: str, task: Task, recipients: Iterable[Official | None], actor: Official, **data: Any
) -> list[Notification]:
    """Put one message per recipient (once each, never the actor) in their inbox."""
    people = {p.pk: p for p in recipients if p is not None and p.pk != actor.pk}
    body = {"title": task.title, "due": task.due_date.isoformat(), "actor": actor.full_name}
    return post(Message(p, kind, {**body, **data}, task.pk) for p in people.values())


def done_with(task: Task, *kinds: str, now: dt.datetime | None = None) -> int:
    """Mark the task's waiting messages of these kinds (or kind prefixes such as "review+")
    done, and read, in every inbox; the number marked."""
    when = now or timezone.now()
    which = Q()
    for kind in kinds:
        which |= Q(kind__startswith=kind) if kind.endswith("+") else Q(kind=kind)
    waiting = Notification.objects.filter(which, task=task, done_at__isnull=True)
    marked = waiting.filter(read_at__isnull=True).update(read_at=when, done_at=when)
    return marked + waiting.update(done_at=when)
