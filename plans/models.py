"""The ground floor: who plans (units, officials), what they plan, and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans import ruleparams, scoring

# A criterion or sub-criterion code, e.g. 1.3; tasks carry the code they feed.
subcriterion_code = RegexValidator(
    r"^\d+(\.\d+)*$", _("Use a code such as 1.3 (numbers separated by dots).")
)


class Level(models.TextChoices):
    """Administrative levels; since 07/2025 a province may have no districts."""

    PROVINCE = "province", _("Province")
    DEPARTMENT = "department", _("Department")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    COMMITTEE = "committee", _("Steering committee")
    HEAD = "head", _("Head of unit")
    OFFICIAL = "official", _("Official")


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Unit(TimeStamped):
    """An agency or local government (cơ quan, đơn vị) in the province's tree."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short identifier, e.g. snv.")
    )
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="unit_name_unique"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def head(self) -> Official | None:
        """The unit's head, if it has one (at most one: a database constraint)."""
        return Official.objects.head_of(self.pk)


class OfficialQuerySet(models.QuerySet["Official"]):
    def heads(self) -> OfficialQuerySet:
        """Heads of units whose login is active: who is shown as head, and told."""
        return self.filter(role=Role.HEAD, user__is_active=True)

    def committee(self) -> OfficialQuerySet:
        """Steering-committee members whose login is active: who is told of escalations."""
        return self.filter(role=Role.COMMITTEE, user__is_active=True)

    def head_of(self, unit_id: int) -> Official | None:
        return self.heads().filter(unit_id=unit_id).select_related("user").first()


class Official(TimeStamped):
    """A person who uses the product: one per login, in one unit, with one role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.CASCADE,
        related_name="official",
    )
    full_name = models.CharField(_("full name"), max_length=150)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OFFICIAL)
    position = models.CharField(_("position"), max_length=120, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\+?[0-9 .-]{8,20}$", _("Enter a valid phone number."))],
    )

    objects = OfficialQuerySet.as_manager()

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        ordering = ["full_name"]
        constraints = [
            # One head per unit: the head is the official of the unit whose role is head.
            models.UniqueConstraint(
                fields=["unit"], condition=Q(role="head"), name="one_head_per_unit"
            ),
            # Only an administrator may stand outside every unit.
            models.CheckConstraint(
                condition=Q(role="admin") | Q(unit__isnull=False), name="official_has_unit"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_committee(self) -> bool:
        return self.role == Role.COMMITTEE

    @property
    def is_head(self) -> bool:
        return self.role == Role.HEAD

    @property
    def is_plain_official(self) -> bool:
        return self.role == Role.OFFICIAL

    @property
    def sees_everything(self) -> bool:
        """Administrators and the steering committee read every unit's work."""
        return self.is_admin or self.is_committee


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.expires_at:%d/%m/%Y}"


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


class IndexSet(TimeStamped):
    """A PAR INDEX rule book (bộ chỉ số) of one year: criteria, sub-criteria, rules.

    Every province issues its own, and changes it yearly, so it is data edited in
    the admin. A plan is scored by one index set.
    """

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=Level.choices,
        blank=True,
        help_text=_("The level of the units it scores; empty for every level."),
    )
    name = models.CharField(_("name"), max_length=300)
    label = models.CharField(
        _("score label"),
        max_length=300,
        blank=True,
        help_text=_(
            "What the score is called on the pages, e.g. "
            "Lĩnh vực 1 — Công tác chỉ đạo, điều hành CCHC."
        ),
    )
    source_document = models.CharField(
        _("methodology"),
        max_length=300,
        blank=True,
        help_text=_("The text it follows, e.g. Quyết định 1187/QĐ-BNV."),
    )
    groups = models.JSONField(
        _("index groups"),
        default=list,
        blank=True,
        help_text=_('Bands of the index: [{"code": "A", "from_pct": 90}, ...].'),
    )
    include_subtasks = models.BooleanField(
        _("count subtasks"),
        default=False,
        help_text=_("Count subtasks as well; by default only a plan's top-level tasks count."),
    )

    class Meta:
        verbose_name = _("index set")
        verbose_name_plural = _("index sets")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "level", "name"], name="index_set_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    def clean(self) -> None:
        problem = ruleparams.check_groups(self.groups)
        if problem:
            raise ValidationError({"groups": problem})


class Criterion(models.Model):
    """A criterion (tiêu chí) of an index set, e.g. 1. Công tác chỉ đạo, điều hành CCHC."""

    index_set = models.ForeignKey(
        IndexSet, verbose_name=_("index set"), on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.CharField(_("code"), max_length=20, validators=[subcriterion_code])
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["index_set", "code"]
        constraints = [
            models.UniqueConstraint(fields=["index_set", "code"], name="criterion_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class SubCriterion(models.Model):
    """A scored sub-criterion (tiêu chí thành phần): maximum points and the rule giving them."""

    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="subcriteria"
    )
    code = models.CharField(_("code"), max_length=20, validators=[subcriterion_code])
    name = models.CharField(_("name"), max_length=300)
    max_points = models.DecimalField(
        _("maximum points"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("For a bonus or a penalty: its cap."),
    )
    rule = models.CharField(_("rule"), max_length=30, choices=scoring.RULE_KINDS)
    params = models.JSONField(
        _("rule parameters"),
        default=dict,
        blank=True,
        help_text=_(
            'E.g. {"tasks": "all", "bands": [{"from": 100, "points": "full"}, '
            '{"from": 80, "points": "proportional"}, {"from": 0, "points": "zero"}]}; '
            '{"deadline": "2026-01-31", "late_points": 0.5}; '
            '{"indicator": "hscv-mang", "below": "proportional"}.'
        ),
    )

    class Meta:
        verbose_name = _("sub-criterion")
        verbose_name_plural = _("sub-criteria")
        ordering = ["criterion", "code"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "code"], name="subcriterion_code_unique"),
            models.CheckConstraint(
                condition=Q(max_points__gte=0, max_points__lte=100),
                name="subcriterion_points_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    def clean(self) -> None:
        if self.max_points is None or not self.rule:
            return
        errors = ruleparams.check_params(self.rule, self.params, self.max_points)
        if errors:
            field = "rule" if "rule" in errors else "params"
            raise ValidationError({field: " ".join(f"{k}: {v}" for k, v in errors.items())})

    def as_rule(self) -> scoring.Rule:
        return scoring.Rule(
            code=self.code, kind=self.rule, max_points=self.max_points, params=self.params
        )


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


class ManualScore(models.Model):
    """An appraiser's points for a unit on a manual sub-criterion; every entry is kept.

    The latest entry counts; the earlier ones are its history.
    """

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="manual_scores"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="manual_scores"
    )
    subcriterion = models.ForeignKey(
        SubCriterion,
        verbose_name=_("sub-criterion"),
        on_delete=models.PROTECT,
        related_name="manual_scores",
    )
    points = models.DecimalField(
        _("points"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    justification = models.TextField(_("justification"))
    not_applicable = models.BooleanField(
        _("not applicable"),
        default=False,
        help_text=_("The appraiser finds nothing to judge for this unit: it leaves the maximum."),
    )
    entered_by = models.ForeignKey(
        Official, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("manual score")
        verbose_name_plural = _("manual scores")
        ordering = ["plan", "unit", "subcriterion", "-entered_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=0), name="manual_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.subcriterion.code}: {self.points}"


class ScoreSnapshot(models.Model):
    """A unit's leadership-and-direction score under a plan on one day, with every why.

    One row per plan, unit and day; re-running the roll-up replaces that day's.
    The dashboards' trend lines read these rows over time.
    """

    # Derived data, written thousands at a time and recomputed at will: the
    # database does not check its keys at each commit (checking 3,400 rows'
    # keys took a fifth of a province's roll-up). The ORM still cascades a
    # plan's deletion to them and protects a unit that has some.
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="snapshots",
        db_constraint=False,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="snapshots",
        db_constraint=False,
    )
    as_of = models.DateField(_("as of"))
    # The unit's level when scored: history keeps the districts after 07/2025.
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    max_points = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=2)
    # The maximum of the parts that apply (domain.md): the index is points over it.
    applicable_max = models.DecimalField(
        _("applicable maximum"), max_digits=6, decimal_places=2, default=0
    )
    index_pct = models.DecimalField(
        _("index (%)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    group = models.CharField(_("group"), max_length=10, blank=True)
    # Null when nothing applies: no index, no rank.
    rank = models.PositiveIntegerField(_("rank in its level"), null=True, blank=True)
    # Unchecked as the keys above (the ORM sets it to null when a set goes).
    index_set = models.ForeignKey(
        IndexSet,
        verbose_name=_("index set"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    # [{code, points, max_points, applicable, why}] in the index set's order; why
    # is a dict (plans.scoring), points are strings with two decimals (negative
    # for a penalty). The names are the index set's.
    parts = models.JSONField(_("sub-criteria"), default=list)
    # The unit's counted tasks that day, whatever their tag (plans.scoring.Counts):
    # the dashboards' completion trend sums these per day. Null on days scored
    # before these were kept.
    tasks_due = models.PositiveIntegerField(_("tasks due"), null=True)
    tasks_done = models.PositiveIntegerField(_("tasks done"), null=True)
    tasks_on_time = models.PositiveIntegerField(_("tasks done on time"), null=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")
        ordering = ["plan", "-as_of", "level", "rank", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit", "as_of"], name="one_snapshot_per_plan_unit_day"
            ),
        ]
        indexes = [
            # /plans/{id}/scores: the latest day on or before as_of, then that day's rows.
            models.Index(fields=["plan", "as_of", "level", "rank"], name="snapshot_plan_day"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.as_of:%d/%m/%Y}: {self.points}"


class ScoreRequest(models.Model):
    """A plan whose scores of today wait to be recomputed after a change (one row per plan).

    Written in the change's own transaction, so that no committed change is
    left unscored; the worker deletes it once the scores it asked for are
    stored (tasks.rescore.run_score_request).
    """

    plan = models.OneToOneField(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="score_request",
    )
    requested_at = models.DateTimeField(_("requested at"))
    # Moves with every change: the worker drops the request only if no change
    # came in while it ran (a time could repeat; a counter does not).
    generation = models.PositiveBigIntegerField(_("changes"), default=1)

    class Meta:
        verbose_name = _("score request")
        verbose_name_plural = _("score requests")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.requested_at:%d/%m/%Y %H:%M:%S}"


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
