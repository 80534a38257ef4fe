"""Inbox messages for what happened to a task: assigned, submitted, returned, accepted, extended.

Called by the services inside their transaction, so a message exists exactly
when the change it tells of does. The actor is never told of their own act.
A message that waits for an act (a review, a decision) is marked done when
someone does it (`done_with`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from plans.models import Official
from tasks.models import Notification, Task


def notify(
    kind: str, task: Task, recipients: Iterable[Official | None], actor: Official, **data: Any
) -> list[Notification]:
    """Put one message per recipient (once each, never the actor) in their inbox."""
    people = {p.pk: p for p in recipients if p is not None and p.pk != actor.pk}
    body = {"title": task.title, "due": task.due_date.isoformat(), "actor": actor.full_name}
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(recipient=p, kind=kind, task=task, data={**body, **data}, created_at=now)
        for p in people.values()
    )


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
