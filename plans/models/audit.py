"""The audit trail: who changed what, when; the histories read it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models.organisation import Official

# What each audit action reads as in a history (api.md's action names).
ACTION_LABELS = {
    "created": _("created"),
    "edited": _("edited"),
    "assigned": _("assigned"),
    "started": _("started the work"),
    "evidence_added": _("added evidence"),
    "evidence_removed": _("removed evidence"),
    "submitted": _("submitted it as done"),
    "accepted": _("accepted it"),
    "returned": _("returned it"),
    "cancelled": _("cancelled it"),
    "extension_requested": _("asked for an extension"),
    "extension_decided": _("decided an extension request"),
    "scored": _("entered a score"),
    "scores_recomputed": _("recomputed the scores"),
    "deleted": _("deleted"),
}


# Field names in edit events, as people read them.
FIELD_LABELS = {
    "title": _("title"),
    "description": _("description"),
    "area": _("area"),
    "subcriterion": _("sub-criterion"),
    "deliverable": _("expected deliverable"),
    "lead_unit_id": _("lead unit"),
    "partner_unit_ids": _("cooperating units"),
    "assignee_ids": _("assignees"),
    "role": _("role"),
    "code": _("code"),
    "name": _("name"),
    "level": _("level"),
    "parent_id": _("parent unit"),
}


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def history_of(self, obj: models.Model) -> AuditEventQuerySet:
        """Every event of one object, oldest first (a task's history, page and API)."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).order_by("at", "id")


class AuditEvent(models.Model):
    """One change to one object: who, when, what (the task history reads these)."""

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        Official,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    # Dates and decimals are written as text (ISO dates), as the history reads them.
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["at", "id"]
        indexes = [
            # An object's history, oldest first (task page, /tasks/{id}/history).
            models.Index(fields=["content_type", "object_id", "at"], name="audit_object_history"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type.model}#{self.object_id}"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def detail(self) -> str:
        """The human part of the changes: a reason, a comment, a file name, a deadline moved.

        Edits list the fields they changed (their old and new values are in the
        API's history).
        """
        parts = [
            str(self.changes[k]) for k in ("reason", "comment", "filename") if self.changes.get(k)
        ]
        due = self.changes.get("due_date")
        if isinstance(due, list) and len(due) == 2:
            old, new = (dt.date.fromisoformat(d).strftime("%d/%m/%Y") for d in due)
            parts.append(f"{_('deadline')} {old} → {new}")
        if self.action in ("edited", "assigned"):
            names = [str(FIELD_LABELS.get(k, k)) for k in self.changes if k != "due_date"]
            parts.extend(names)
        return " · ".join(parts)


def record(actor: Official | None, action: str, obj: models.Model, **changes: Any) -> AuditEvent:
    """Write one audit event for obj; call it inside the write's transaction."""
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        changes=changes,
    )
