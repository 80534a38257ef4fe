"""Inbox messages for what happened to a task: assigned, submitted, returned, accepted, extended.

Called by the services inside their transaction, so a message exists exactly
when the change it tells of does. The actor is never told of their own act.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
