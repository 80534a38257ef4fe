"""How units are scored: index sets (rule books), appraisers' entries, the stored days, requests."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans import rules, scoring
from plans.models.organisation import Level, Official, TimeStamped, Unit
from plans.models.plans import Plan

# A criterion or sub-criterion code, e.g. 1.3; tasks carry the code they feed.
subcriterion_code = RegexValidator(
    r"^\d+(\.\d+)*$", _("Use a code such as 1.3 (numbers separated by dots).")
)


class IndexSet(TimeStamped):
    """A PAR INDEX rule book (bộ chỉ số): criteria (groups of any depth), sub-criteria, rules.

    Every province issues its own, and changes it when it decides to, so it is
    data edited in the admin or loaded from a file. A plan is scored by one
    set per unit level.
    """

    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("Empty: it serves any year's plan until the province replaces it."),
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
    cap_total = models.BooleanField(
        _("total capped at the maximum"),
        default=True,
        help_text=_(
            "A unit's total never exceeds its applicable maximum: a bonus recovers lost "
            "points, never more."
        ),
    )

    class Meta:
        verbose_name = _("index set")
        verbose_name_plural = _("index sets")
        ordering = [models.F("year").desc(nulls_first=True), "name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "level", "name"], name="index_set_unique"),
            models.UniqueConstraint(
                fields=["level", "name"],
                condition=Q(year__isnull=True),
                name="index_set_unique_any_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})" if self.year else self.name

    def clean(self) -> None:
        problem = scoring.check_groups(self.groups)
        if problem:
            raise ValidationError({"groups": problem})


class Criterion(models.Model):
    """A group of an index set (tiêu chí): e.g. 1. Công tác chỉ đạo, điều hành CCHC, or 1.1
    under it; its points are the sum of its items', capped by its own maximum when given."""

    index_set = models.ForeignKey(
        IndexSet, verbose_name=_("index set"), on_delete=models.CASCADE, related_name="criteria"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=20, validators=[subcriterion_code])
    name = models.CharField(_("name"), max_length=300)
    max_points = models.DecimalField(
        _("maximum points"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Empty: the sum of its items' maxima."),
    )

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
    rule = models.CharField(_("rule"), max_length=30, choices=rules.rule_choices)
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
        errors = rules.check_params(self.rule, self.params, self.max_points)
        if errors:
            field = "rule" if "rule" in errors else "params"
            raise ValidationError({field: " ".join(f"{k}: {v}" for k, v in errors.items())})

    def as_rule(self) -> rules.Rule:
        return rules.Rule(
            code=self.code, kind=self.rule, max_points=self.max_points, params=self.params
        )


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
    # The maximum of the parts that apply (docs/scoring.md): the index is points over it.
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
    # is a dict (plans.rules), points are strings with two decimals (negative
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
    stored (tasks.scores.rescore.run_score_request).
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
