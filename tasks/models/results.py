"""The records of officials' task results (Decree 335/2025; tasks/results/periods.py computes them).

- `ObjectiveMark`: the head's word that a task's returns, or its delays, had
  an objective cause: they then take nothing off its quality, or its progress.
- `PeriodResult`: an official's figures for a month or a quarter. While its
  period is open it holds only the general points the head entered; once
  frozen (the monthly job, or a head's recomputation with a reason) it keeps
  the figures as they stood, and later changes to tasks move nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Official, Unit
from tasks.models.task import Task


class MarkKind(models.TextChoices):
    RETURN = "return", _("returns")
    DELAY = "delay", _("delays")


class ObjectiveMark(models.Model):
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="objective_marks"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MarkKind.choices)
    reason = models.TextField(_("reason"))
    marked_by = models.ForeignKey(
        Official, verbose_name=_("marked by"), on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("objective cause")
        verbose_name_plural = _("objective causes")
        constraints = [
            models.UniqueConstraint(fields=["task", "kind"], name="one_objective_mark_per_kind"),
            models.CheckConstraint(condition=~Q(reason=""), name="objective_mark_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"


class PeriodResult(models.Model):
    official = models.ForeignKey(
        Official,
        verbose_name=_("official"),
        on_delete=models.CASCADE,
        related_name="task_results",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=7)  # 2026-03 or 2026-q1
    general_points = models.DecimalField(
        _("general criteria points"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(30))],
    )
    # The figures as frozen (null while the period is open and nothing is frozen).
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)

    class Meta:
        verbose_name = _("task result")
        verbose_name_plural = _("task results")
        constraints = [
            models.UniqueConstraint(fields=["official", "period"], name="one_result_per_period"),
            models.CheckConstraint(
                condition=Q(general_points__isnull=True)
                | Q(general_points__gte=0, general_points__lte=30),
                name="general_points_range",
            ),
        ]
        indexes = [models.Index(fields=["unit", "period"], name="result_unit_period")]

    def __str__(self) -> str:
        return f"{self.official_id} {self.period}"
