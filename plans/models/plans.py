"""What is planned: annual plans (a province's and its units' own), areas, indicators, figures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from plans.models.organisation import Level, Official, TimeStamped, Unit

if TYPE_CHECKING:
    from plans.models.scores import IndexSet


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    CLOSED = "closed", _("Closed")


class Plan(TimeStamped):
    """An annual administrative-reform plan (Kế hoạch CCHC năm) issued by a unit."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=300)
    document_number = models.CharField(
        _("document number"), max_length=60, blank=True, help_text=_("e.g. 07/KH-UBND")
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("implements"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unit_plans",
        help_text=_("For a unit's own plan: the province plan it implements."),
    )
    # Off: each unit reads its own score, the committee every unit's. On ("công khai
    # xếp hạng"): everyone reads the ranking table (points, index, rank, group).
    ranking_public = models.BooleanField(
        _("ranking public"),
        default=False,
        help_text=_("Everyone may read the ranking table (points, index, rank, group)."),
    )
    index_sets: models.ManyToManyField[IndexSet, Any] = models.ManyToManyField(
        "IndexSet",
        verbose_name=_("index sets"),
        blank=True,
        related_name="plans",
        help_text=_("The scoring rules its units are scored by: one per unit level."),
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "unit__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="plan_year_range"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(issued_on__isnull=False),
                name="plan_issued_has_date",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="plan_not_own_parent"),
            # A unit implements a province plan with one plan of its own.
            models.UniqueConstraint(
                fields=["parent", "unit"],
                condition=Q(parent__isnull=False),
                name="one_unit_plan_per_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scored_plan_id(self) -> int:
        """The plan whose scores this plan's work moves: a unit's plan counts in its parent's."""
        return self.parent_id or self.pk


# The eight areas of the provincial PAR INDEX (Decision 876/QĐ-BNV, 2022): the
# default areas of a new plan, editable per plan.
DEFAULT_AREAS: list[tuple[int, str]] = [
    (1, "Công tác chỉ đạo, điều hành cải cách hành chính"),
    (2, "Cải cách thể chế"),
    (3, "Cải cách thủ tục hành chính"),
    (4, "Cải cách tổ chức bộ máy hành chính nhà nước"),
    (5, "Cải cách chế độ công vụ"),
    (6, "Cải cách tài chính công"),
    (7, "Xây dựng, phát triển Chính quyền điện tử, Chính quyền số"),
    (8, "Tác động của cải cách hành chính đến người dân, tổ chức và phát triển kinh tế - xã hội"),
]


class Area(models.Model):
    """An area (lĩnh vực) of a plan: the group its tasks belong to."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="areas"
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="area_number_unique_in_plan"),
            models.CheckConstraint(condition=Q(number__gte=1), name="area_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Indicator(TimeStamped):
    """A quantitative target (chỉ tiêu) of a plan, with a target per level."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=40, default="%")

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique_in_plan")
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorTarget(models.Model):
    """The target percentage of an indicator for one level (e.g. commune 40%)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    target_pct = models.DecimalField(
        _("target (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["indicator", "level"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="one_target_per_level"),
            models.CheckConstraint(
                condition=Q(target_pct__gte=0, target_pct__lte=100), name="target_pct_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.get_level_display()}: {self.target_pct}%"


class Measurement(TimeStamped):
    """A unit's reported figure for a period, kept as numerator and denominator.

    Level and province figures are sum(numerator) / sum(denominator), so the raw
    counts are stored, never only a percentage.
    """

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="measurements",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="measurements"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    numerator = models.PositiveIntegerField(_("numerator"))
    denominator = models.PositiveIntegerField(_("denominator"))
    reported_by = models.ForeignKey(
        Official,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "unit", "-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period_start", "period_end"],
                name="one_measurement_per_unit_period",
            ),
            models.CheckConstraint(condition=Q(denominator__gt=0), name="denominator_positive"),
            models.CheckConstraint(
                condition=Q(numerator__gte=0, numerator__lte=F("denominator")),
                name="numerator_within_denominator",
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")), name="period_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period_end:%d/%m/%Y}: {self.numerator}/{self.denominator}"
