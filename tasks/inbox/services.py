"""The inbox's writes: a message read, every message read. Each reader changes only their own."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from kit.errors import NotAllowed
from plans.models import Official
from tasks.models import Notification


def mark_read(
    actor: Official, notification: Notification, *, now: dt.datetime | None = None
) -> Notification:
    """The recipient has read a message; reading it again keeps the first time.

    Not audited: it changes nothing but the reader's own inbox.
    """
    if notification.recipient_id != actor.pk:
        raise NotAllowed(_("This message is not yours."))
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(actor: Official, *, now: dt.datetime | None = None) -> int:
    """Everything in the actor's inbox read at once; answers how many were unread."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
