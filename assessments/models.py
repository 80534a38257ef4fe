"""The annual assessment: each unit's sheet of its score, self-assessed, appraised, published.

- An Assessment of a plan has two windows: self-assessment until
  `self_closes_on`, appraisal until `appraisal_closes_on`; its status moves
  with the dates (assessments.jobs) and with publication.
- A Sheet per scored unit holds one Item per sub-criterion of its level's
  index set. Until the sheet is fixed (submitted, or locked when its window
  closes) its computed points follow the roll-up; fixing stores them.
- Evidence on a line is the unit's own: a task's evidence or a file uploaded
  to the sheet, each with a locator ("trang 3, mục II").
- Publication freezes a Result per unit: later changes to tasks move nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import PurePath

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import IndexSet, Level, Official, Plan, TimeStamped, Unit
from tasks.models import Evidence

LOCATOR_MAX = 200


class Phase(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    APPRAISAL = "appraisal", _("Appraisal")
    PUBLISHED = "published", _("Published")


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPRAISED = "appraised", _("Appraised")


class Assessment(TimeStamped):
    """A plan's annual assessment (one per plan), opened by the committee."""

    plan = models.OneToOneField(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="assessment"
    )
    self_closes_on = models.DateField(_("self-assessment closes on"))
    appraisal_closes_on = models.DateField(_("appraisal closes on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Phase.choices, default=Phase.SELF_ASSESSMENT
    )
    opened_by = models.ForeignKey(
        Official, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        Official,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(appraisal_closes_on__gt=F("self_closes_on")),
                name="assessment_appraisal_after_self",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["self_assessment", "appraisal", "published"]),
                name="assessment_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} ({self.self_closes_on:%d/%m/%Y})"

    @property
    def as_of(self) -> dt.date:
        """The day the sheets' computed points are of: the self-assessment window's end."""
        return self.self_closes_on


class Sheet(TimeStamped):
    """One unit's self-assessment of its score, then the council's appraisal of it."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="sheets"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    index_set = models.ForeignKey(
        IndexSet,
        verbose_name=_("index set"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    # When its computed and self points were fixed: submitted, or locked as it
    # stood when its window closed. Null: the computed points follow the roll-up.
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    computed_on = models.DateField(_("computed points of"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        Official,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_comment = models.TextField(_("why it was returned"), blank=True)
    # The committee reopened a locked sheet: its unit edits it until this day.
    open_until = models.DateField(_("open until"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment sheet")
        verbose_name_plural = _("assessment sheets")
        ordering = ["assessment", "level", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "unit"], name="one_sheet_per_unit"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "returned", "appraised"]),
                name="sheet_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.assessment}"


class Item(models.Model):
    """One sub-criterion of a sheet: computed, self-assessed and appraised points."""

    sheet = models.ForeignKey(
        Sheet, verbose_name=_("sheet"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=300)
    rule = models.CharField(_("rule"), max_length=30)
    max_points = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=2)
    applicable = models.BooleanField(_("applicable"), default=True)
    computed_points = models.DecimalField(
        _("computed points"), max_digits=6, decimal_places=2, default=0
    )
    computed_why = models.JSONField(_("why"), default=dict, blank=True)
    # Null until the unit changes it: the line then says what was computed.
    self_points = models.DecimalField(
        _("self-assessed points"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    explanation = models.TextField(_("explanation"), blank=True)
    appraised_points = models.DecimalField(
        _("appraised points"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    appraisal_comment = models.TextField(_("appraisal comment"), blank=True)
    appraised_by = models.ForeignKey(
        Official,
        verbose_name=_("appraised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    appraised_at = models.DateTimeField(_("appraised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment line")
        verbose_name_plural = _("assessment lines")
        ordering = ["sheet", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "code"], name="one_line_per_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.sheet}"

    @property
    def own_points(self) -> Decimal:
        """What the unit claims: its figure, or the computed one when it changed none."""
        return self.computed_points if self.self_points is None else self.self_points


def sheet_file_path(instance: SheetFile, filename: str) -> str:
    """Under the assessment and sheet, by a random name (the real name is a field)."""
    ext = PurePath(instance.filename or filename).suffix.lower()[:10]
    return f"assessments/{instance.sheet.assessment_id}/{instance.sheet_id}/{uuid.uuid4().hex}{ext}"


class SheetFile(models.Model):
    """A document uploaded to a sheet, for a line that no task's evidence proves."""

    sheet = models.ForeignKey(
        Sheet, verbose_name=_("sheet"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=sheet_file_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=120)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        Official, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("sheet file")
        verbose_name_plural = _("sheet files")

    def __str__(self) -> str:
        return self.filename


class ItemEvidence(models.Model):
    """A line's proof: a task's evidence or a sheet's file, and where in it the proof is."""

    item = models.ForeignKey(
        Item, verbose_name=_("line"), on_delete=models.CASCADE, related_name="evidence"
    )
    evidence = models.ForeignKey(
        Evidence,
        verbose_name=_("task evidence"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sheet_file = models.ForeignKey(
        SheetFile,
        verbose_name=_("sheet file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    locator = models.CharField(_("where in it"), max_length=LOCATOR_MAX, blank=True)

    class Meta:
        verbose_name = _("line evidence")
        verbose_name_plural = _("line evidence")
        constraints = [
            models.CheckConstraint(
                condition=Q(evidence__isnull=False, sheet_file__isnull=True)
                | Q(evidence__isnull=True, sheet_file__isnull=False),
                name="line_evidence_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.locator}"


class Result(models.Model):
    """A unit's published result, frozen: nothing computed later moves it."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="results"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    self_total = models.DecimalField(_("self-assessed total"), max_digits=7, decimal_places=2)
    appraised_total = models.DecimalField(_("appraised total"), max_digits=7, decimal_places=2)
    applicable_max = models.DecimalField(_("applicable maximum"), max_digits=7, decimal_places=2)
    self_index_pct = models.DecimalField(
        _("self-assessed index (%)"), max_digits=7, decimal_places=2, null=True
    )
    index_pct = models.DecimalField(_("index (%)"), max_digits=7, decimal_places=2, null=True)
    rank = models.PositiveIntegerField(_("rank in its level"), null=True)
    group = models.CharField(_("group"), max_length=10, blank=True)
    # {code: [self points, appraised points]} as published, for the export.
    lines = models.JSONField(_("lines"), default=dict)

    class Meta:
        verbose_name = _("published result")
        verbose_name_plural = _("published results")
        ordering = ["assessment", "level", "rank", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "unit"], name="one_result_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.index_pct}"
