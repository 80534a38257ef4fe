"""Who plans: units in the province's tree, the officials in them, their API tokens."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


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


# How unit lists read: the province, its departments (sở), districts, communes.
LEVEL_RANK = {Level.PROVINCE: 0, Level.DEPARTMENT: 1, Level.DISTRICT: 2, Level.COMMUNE: 3}


# How deep the tree may go (province, district, commune, and a spare): a guard
# against a loop in data written around the constraints.
MAX_DEPTH = 8


class UnitQuerySet(models.QuerySet["Unit"]):
    def in_order(self) -> UnitQuerySet:
        """Province first, then departments, districts and communes, each by name."""
        rank = models.Case(
            *(models.When(level=level, then=models.Value(n)) for level, n in LEVEL_RANK.items()),
            default=models.Value(9),
        )
        return self.alias(level_rank=rank).order_by("level_rank", "name", "id")

    def chain_above(self, unit_id: int) -> list[int]:
        """The units above this one in the tree, nearest first (one query a level)."""
        chain: list[int] = []
        current: int | None = unit_id
        while current is not None and len(chain) < MAX_DEPTH:
            current = self.filter(pk=current).values_list("parent_id", flat=True).first()
            if current is None or current in chain or current == unit_id:
                break
            chain.append(current)
        return chain

    def is_within(self, unit_id: int, top_id: int) -> bool:
        """Whether the unit is `top_id` or below it, at any depth."""
        return unit_id == top_id or top_id in self.chain_above(unit_id)


def levels_in_use() -> list[tuple[str, str]]:
    """The levels to offer: district only where the province still has districts
    (since the July 2025 merger most have none)."""
    has_districts = Unit.objects.filter(level=Level.DISTRICT).exists()
    return [(v, str(label)) for v, label in Level.choices if has_districts or v != Level.DISTRICT]


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

    objects = UnitQuerySet.as_manager()

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


class UnitLetterhead(models.Model):
    """How a unit's administrative documents are headed and signed (Decree 30/2020/NĐ-CP).

    Every field may stay empty: the reports then derive it from the unit's
    name and kind (tracker.reports.frame); a province fills in what differs.
    """

    unit = models.OneToOneField(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="letterhead"
    )
    issuer = models.TextField(
        _("issuing body"),
        blank=True,
        help_text=_(
            "As the letterhead writes it, one line each, the superior abbreviated first: "
            "UBND TỈNH LÂM ĐỒNG, then SỞ NỘI VỤ on the next line."
        ),
    )
    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=30,
        blank=True,
        help_text=_("In the document's number, Số: …/BC-UBND: e.g. UBND, SNV."),
    )
    place = models.CharField(
        _("place"), max_length=100, blank=True, help_text=_("Before the date: e.g. Lâm Đồng.")
    )
    signer_position = models.TextField(
        _("signature block"),
        blank=True,
        help_text=_("One line each: TM. ỦY BAN NHÂN DÂN, then KT. CHỦ TỊCH, then PHÓ CHỦ TỊCH."),
    )
    signer_name = models.CharField(
        _("signer"), max_length=150, blank=True, help_text=_("Empty: the unit's head.")
    )
    recipients = models.TextField(
        _("recipients"),
        blank=True,
        help_text=_("One per line, as Nơi nhận lists them; Lưu: VT comes last by itself."),
    )

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterheads")

    def __str__(self) -> str:
        return str(self.unit)


class UnitGroup(models.Model):
    """A phrase a plan's appendix uses for several units at once ("các sở, ban, ngành").

    It names every unit of its level (under the plan's unit) and the units
    listed with it; a phrase with neither ("các cơ quan, đơn vị liên quan")
    names no unit and is kept as text in the task's note. Provinces add
    their own phrases in the admin.
    """

    phrase = models.CharField(
        _("phrase"),
        max_length=200,
        unique=True,
        help_text=_("As the appendix writes it; case, accents and commas do not matter."),
    )
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=Level.choices,
        blank=True,
        help_text=_("Every unit of this level under the plan's unit."),
    )
    units = models.ManyToManyField(
        Unit,
        verbose_name=_("units"),
        blank=True,
        related_name="+",
        help_text=_("Units it names besides those of its level."),
    )

    class Meta:
        verbose_name = _("group of units")
        verbose_name_plural = _("groups of units")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase


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
    # The language of the pages after sign-in and of the mails; blank: the site's.
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)
    # The private calendar address is derived from this (tasks.feeds): a reset moves
    # it on by one, and every address given before answers 404.
    calendar_generation = models.PositiveIntegerField(
        _("calendar address generation"), default=0, editable=False
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
