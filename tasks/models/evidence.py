"""What an assignee hands in for a task: a file, with the issued document's number and date."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Official
from tasks.models.task import Task


def evidence_path(instance: Evidence, filename: str) -> str:
    """Store evidence under the plan and task with a random name (the real name is a field).

    Nothing a user typed reaches the file system, and two files with one name
    never collide.
    """
    ext = PurePath(instance.filename or filename).suffix.lower()[:10]
    return f"evidence/{instance.task.plan_id}/{instance.task_id}/{uuid.uuid4().hex}{ext}"


class Evidence(models.Model):
    """Proof of a task's completion (tài liệu kiểm chứng): a file and the issued document."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=120)
    sha256 = models.CharField(
        _("SHA-256"), max_length=64, validators=[RegexValidator(r"^[0-9a-f]{64}$")]
    )
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True, help_text=_("Where in it the proof is."))
    uploaded_by = models.ForeignKey(
        Official, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return self.document_number or self.filename
