"""An assignee's request for more time, and its decision."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from plans.models import Official, TimeStamped
from tasks.models.task import Task


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(TimeStamped):
    """An assignee's request to move a task's deadline, decided by the lead unit's head."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        Official, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    current_due_date = models.DateField(_("deadline when asked"))
    new_due_date = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        Official,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["created_at", "id"]
        constraints = [
            # One open question at a time: a second request waits for the first decision.
            models.UniqueConstraint(
                fields=["task"], condition=Q(status="pending"), name="one_pending_extension"
            ),
            models.CheckConstraint(
                condition=Q(new_due_date__gt=F("current_due_date")),
                name="extension_moves_deadline_later",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="extension_decided_iff_not_pending",
            ),
        ]
        indexes = [
            # The head's review queue: pending requests.
            models.Index(fields=["status", "task"], name="extension_status_task"),
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.new_due_date:%d/%m/%Y}"
