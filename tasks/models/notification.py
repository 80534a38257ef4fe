"""An inbox message: what happened to a task, told to one person."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Official
from tasks.messages import describe
from tasks.models.task import Task


class Notification(models.Model):
    """One message in an official's in-app inbox: a reminder, or something that happened.

    The text is written when it is read, in the reader's language, from `kind`
    and `data` (the task's title and the dates as they were).
    """

    recipient = models.ForeignKey(
        Official,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30)
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # A message that asked for something (a review, a decision) once it was done,
    # by whoever did it: it is read as well, and says so in the inbox.
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The header's unread count and the inbox, newest first.
            models.Index(fields=["recipient", "read_at", "created_at"], name="inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def message(self) -> str:
        return describe(self.kind, self.data)
