"""Writes on the ground floor: each is one function, actor passed in, atomic, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.access import Action, allows, plan_relations, role_relations, unit_relations
from plans.errors import Conflict, Invalid, NotAllowed, NotAuthenticated
from plans.indexsets import demo_index_sets
from plans.models import (
    DEFAULT_AREAS,
    ApiToken,
    Area,
    IndexSet,
    Indicator,
    IndicatorTarget,
    Measurement,
    Official,
    Plan,
    PlanStatus,
    Role,
    Unit,
    record,
)
from plans.rescore import scores_may_move
from plans.unitplans import units_under


def official_for(user: User | AnonymousUser) -> Official | None:
    """The official behind a login; a superuser without one gets an admin profile.

    api.md: "a superuser without an official profile gets one (role admin) on
    first use", so that `createsuperuser` bootstraps an empty installation.
    """
    if not user.is_authenticated:
        return None
    try:
        return user.official
    except Official.DoesNotExist:
        pass
    if not user.is_superuser:
        return None
    with transaction.atomic():
        official, created = Official.objects.get_or_create(
            user=user,
            defaults={"full_name": user.get_full_name() or user.get_username(), "role": Role.ADMIN},
        )
        if created:
            record(None, "created", official, role=Role.ADMIN, reason="superuser first use")
    return official


def add_default_areas(plan: Plan) -> list[Area]:
    """Give a plan the eight PAR INDEX areas it does not have yet."""
    have = set(plan.areas.values_list("number", flat=True))
    return Area.objects.bulk_create(
        [Area(plan=plan, number=n, name=name) for n, name in DEFAULT_AREAS if n not in have]
    )


# ---------------------------------------------------------------- API tokens


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    username: str, password: str, *, now: dt.datetime | None = None
) -> tuple[str, ApiToken]:
    """Trade a username and password for a bearer token (only its hash is kept)."""
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        raise NotAuthenticated(_("Wrong username or password."))
    if official_for(user) is None:
        raise NotAllowed(_("This login has no official profile yet. Ask an administrator."))
    raw = secrets.token_urlsafe(32)
    now = now or timezone.now()
    token = ApiToken.objects.create(
        user=user,
        key_hash=_hash(raw),
        expires_at=now + dt.timedelta(days=settings.API_TOKEN_DAYS),
    )
    return raw, token


def user_for_token(raw: str, *, now: dt.datetime | None = None) -> User | None:
    """The active login behind an unexpired token, or None."""
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(raw), expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Note the use at most once a minute: reading must not write on every request.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# ---------------------------------------------------------------- organisation


def _require_admin(actor: Official) -> None:
    if not allows(Action.MANAGE_ORGANISATION, frozenset(role_relations(actor))):
        raise NotAllowed(_("Only an administrator changes units and officials."))


def clean_or_invalid(obj: models.Model, exclude: list[str] | None = None) -> None:
    """Run the model's validation; turn its errors into Invalid (422) naming the fields."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = {field: " ".join(msgs) for field, msgs in exc.message_dict.items()}
        raise Invalid(_("Some values are not valid."), errors) from exc


def _parent(parent_id: int | None, unit: Unit | None = None) -> Unit | None:
    if parent_id is None:
        return None
    parent = Unit.objects.filter(pk=parent_id).first()
    if parent is None:
        raise Invalid(_("No such parent unit."), {"parent_id": _("No such parent unit.")})
    if unit is not None and unit.pk is not None:
        # Walk up from the new parent: meeting the unit itself would close a loop.
        seen: Unit | None = parent
        while seen is not None:
            if seen.pk == unit.pk:
                message = _("A unit cannot sit under itself or under one of its own units.")
                raise Invalid(message, {"parent_id": message})
            seen = seen.parent
    return parent


@transaction.atomic
def create_unit(
    actor: Official, *, code: str, name: str, level: str, parent_id: int | None = None
) -> Unit:
    """Add a unit to the province's tree (administrators only)."""
    _require_admin(actor)
    unit = Unit(code=code, name=(name or "").strip(), level=level, parent=_parent(parent_id))
    clean_or_invalid(unit)
    unit.save()
    record(actor, "created", unit, code=unit.code, name=unit.name, level=unit.level)
    return unit


@transaction.atomic
def update_unit(actor: Official, unit: Unit, **changes: Any) -> Unit:
    """Rename, recode, re-level or move a unit (administrators only)."""
    _require_admin(actor)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    edited: dict[str, list[Any]] = {}
    for field in ("code", "name", "level"):
        if field in changes and changes[field] != getattr(unit, field):
            edited[field] = [getattr(unit, field), changes[field]]
            setattr(unit, field, changes[field])
    if "parent_id" in changes and changes["parent_id"] != unit.parent_id:
        edited["parent_id"] = [unit.parent_id, changes["parent_id"]]
        unit.parent = _parent(changes["parent_id"], unit)
    if edited:
        clean_or_invalid(unit)
        unit.save()
        record(actor, "edited", unit, **edited)
    return unit


@transaction.atomic
def create_official(
    actor: Official,
    *,
    username: str,
    full_name: str,
    password: str,
    role: str,
    unit_id: int | None = None,
    email: str = "",
    position: str = "",
) -> Official:
    """Create a login and its official; a new head replaces the unit's former head."""
    _require_admin(actor)
    unit = None
    if unit_id is not None:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise Invalid(_("No such unit."), {"unit_id": _("No such unit.")})
    if unit is None and role != Role.ADMIN:
        raise Invalid(
            _("Everyone but an administrator belongs to a unit."),
            {"unit_id": _("Everyone but an administrator belongs to a unit.")},
        )
    user_model = get_user_model()
    user = user_model(username=username, email=email or "")
    try:
        user.full_clean(exclude=["password"])
        validate_password(password, user)
    except ValidationError as exc:
        errors = (
            {f: " ".join(m) for f, m in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"password": " ".join(exc.messages)}
        )
        raise Invalid(_("Some values are not valid."), errors) from exc
    user.set_password(password)
    user.save()
    official = Official(
        user=user, full_name=(full_name or "").strip(), unit=unit, role=role, position=position
    )
    if role == Role.HEAD and unit is not None:
        _replace_head(actor, unit.pk)
    clean_or_invalid(official, exclude=["user"])
    official.save()
    record(actor, "created", official, username=username, unit_id=unit_id, role=role)
    return official


def _replace_head(actor: Official, unit_id: int, keep: Official | None = None) -> None:
    """A new head replaces the former one, who stays in the unit as an official."""
    former = Official.objects.filter(unit_id=unit_id, role=Role.HEAD)
    if keep is not None:
        former = former.exclude(pk=keep.pk)
    for person in former.select_for_update():
        person.role = Role.OFFICIAL
        person.save(update_fields=["role", "updated_at"])
        record(actor, "edited", person, role=[Role.HEAD, Role.OFFICIAL])


OFFICIAL_FIELDS = ("full_name", "unit_id", "role", "position", "phone")


@transaction.atomic
def update_official(actor: Official, official: Official, **changes: Any) -> Official:
    """Change an official's name, unit, role, position, phone, e-mail or whether they may log in.

    Administrators only. Making someone head replaces the unit's former head.
    """
    _require_admin(actor)
    unknown = set(changes) - {*OFFICIAL_FIELDS, "email", "is_active"}
    if unknown:
        raise Invalid(_("These fields cannot be changed: %s.") % ", ".join(sorted(unknown)))
    official = Official.objects.select_for_update().select_related("user").get(pk=official.pk)
    edited: dict[str, list[Any]] = {}
    for field in OFFICIAL_FIELDS:
        if field in changes and changes[field] != getattr(official, field):
            edited[field] = [getattr(official, field), changes[field]]
            setattr(official, field, changes[field])
    user = official.user
    for field in ("email", "is_active"):
        if field in changes and changes[field] != getattr(user, field):
            edited[field] = [getattr(user, field), changes[field]]
            setattr(user, field, changes[field])
    if not edited:
        return official
    unit_gone = (
        official.unit_id is not None and not Unit.objects.filter(pk=official.unit_id).exists()
    )
    if "unit_id" in edited and unit_gone:
        raise Invalid(_("No such unit."), {"unit_id": _("No such unit.")})
    if official.unit_id is None and official.role != Role.ADMIN:
        message = _("Everyone but an administrator belongs to a unit.")
        raise Invalid(message, {"unit_id": message})
    if official.role == Role.HEAD and official.unit_id is not None:
        _replace_head(actor, official.unit_id, keep=official)
    clean_or_invalid(official, exclude=["user"])
    official.save()
    if {"email", "is_active"} & set(edited):
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise Invalid(
                _("Some values are not valid."),
                {f: " ".join(m) for f, m in exc.message_dict.items()},
            ) from exc
        user.save(update_fields=["email", "is_active"])
    record(actor, "edited", official, **edited)
    return official


# ---------------------------------------------------------------- plans


def _require_plan_manager(actor: Official, unit_id: int | None) -> None:
    if not allows(Action.MANAGE_PLAN, plan_relations(actor, unit_id)):
        raise NotAllowed(_("Only an administrator or the head of the issuing unit does this."))


NOT_A_PROVINCE_PLAN = gettext_lazy(
    "Only an administrator or the head of a province-level unit issues a plan without a "
    "parent; a unit's own plan names the province plan it implements."
)


def _parent_plan(parent_id: int | None, year: int, unit_id: int) -> Plan | None:
    """The province plan a unit's plan implements: itself without parent, of the same year."""
    if parent_id is None:
        return None
    parent = Plan.objects.filter(pk=parent_id).first()
    message = None
    if parent is None:
        message = _("No such plan.")
    elif parent.parent_id is not None:
        message = _("A unit's plan implements the province plan, not another unit's plan.")
    elif parent.year != year:
        message = _("A unit's plan implements the province plan of its own year (%(year)s).") % {
            "year": parent.year
        }
    elif parent.unit_id == unit_id:
        message = _("The province plan's own unit is scored by the province plan itself.")
    if message:
        raise Invalid(message, {"parent_id": message})
    return parent


def _index_sets(index_set_ids: list[int] | None, year: int) -> list[IndexSet]:
    """The sets a plan is scored by, one per unit level; the demo sets of the year by default."""
    if index_set_ids is None:
        return demo_index_sets(year)
    found = {s.pk: s for s in IndexSet.objects.filter(pk__in=index_set_ids)}
    missing = [i for i in index_set_ids if i not in found]
    if missing:
        message = _("No such index set: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
        raise Invalid(message, {"index_set_ids": message})
    chosen = [found[i] for i in dict.fromkeys(index_set_ids)]
    problem = None
    if len({s.level for s in chosen}) != len(chosen):
        problem = _("Give one index set per unit level.")
    elif any(s.year != year for s in chosen):
        problem = _("The index sets of a plan are those of its year (%(year)s).") % {"year": year}
    elif len({s.include_subtasks for s in chosen}) > 1:
        problem = _("The index sets of a plan agree on whether subtasks count.")
    if problem:
        raise Invalid(problem, {"index_set_ids": problem})
    return chosen


def _check_unit_plan(parent: Plan, unit: Unit, plan: Plan, now: dt.datetime | None) -> None:
    """A unit's plan: of a unit under the province plan's unit, issued no later than today."""
    if unit.pk not in units_under(parent.unit_id):
        message = _("This unit is not one of the units the province plan covers.")
        raise Invalid(message, {"unit_id": message})
    if plan.issued_on is not None and plan.issued_on > timezone.localdate(now):
        message = _("A plan cannot have been issued after today.")
        raise Invalid(message, {"issued_on": message})
    if plan.issued_on is not None and parent.issued_on and plan.issued_on < parent.issued_on:
        message = _(
            "A unit's plan implements the province plan: it is issued on or after it (%(date)s)."
        ) % {"date": parent.issued_on.strftime("%d/%m/%Y")}
        raise Invalid(message, {"issued_on": message})


def _check_issue_date(plan: Plan) -> None:
    if plan.status != PlanStatus.DRAFT and plan.issued_on is None:
        message = _("An issued plan needs its issue date.")
        raise Invalid(message, {"issued_on": message})


@transaction.atomic
def create_plan(
    actor: Official,
    *,
    unit_id: int,
    year: int,
    title: str,
    document_number: str = "",
    issued_on: dt.date | None = None,
    status: str = PlanStatus.DRAFT,
    parent_id: int | None = None,
    index_set_ids: list[int] | None = None,
    now: dt.datetime | None = None,
) -> Plan:
    """Create an annual plan with the eight areas.

    - Without parent, the province plan: by an administrator or the head of a
      province-level unit; scored by one index set per level (the demo sets
      of its year unless others are given).
    - With parent, a unit's own plan implementing it: by an administrator or
      that unit's head, for that unit only; scored under its parent.
    """
    rel = plan_relations(actor, unit_id)
    if not allows(Action.MANAGE_PLAN, rel):
        raise NotAllowed(_("A unit's head creates plans for their own unit only."))
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Invalid(_("No such unit."), {"unit_id": _("No such unit.")})
    if parent_id is None and not allows(Action.ISSUE_PROVINCE_PLAN, rel):
        raise NotAllowed(str(NOT_A_PROVINCE_PLAN))
    plan = Plan(
        unit=unit,
        year=year,
        title=(title or "").strip(),
        document_number=document_number,
        issued_on=issued_on,
        status=status,
    )
    _check_issue_date(plan)
    clean_or_invalid(plan, exclude=["parent"])
    plan.parent = _parent_plan(parent_id, year, unit_id)
    if plan.parent is not None:
        _check_unit_plan(plan.parent, unit, plan, now)
        if Plan.objects.filter(parent=plan.parent, unit=unit).exists():
            message = _("This unit already has its plan implementing this one.")
            raise Invalid(message, {"unit_id": message})
    if plan.parent is not None and index_set_ids:
        message = _("A unit's plan is scored under the province plan: it takes no index set.")
        raise Invalid(message, {"index_set_ids": message})
    sets = [] if plan.parent is not None else _index_sets(index_set_ids, year)
    plan.save()
    plan.index_sets.set(sets)
    add_default_areas(plan)
    record(
        actor,
        "created",
        plan,
        title=plan.title,
        year=year,
        parent_id=parent_id,
        status=plan.status,
        index_set_ids=[s.pk for s in sets],
    )
    if plan.parent is not None and plan.status != PlanStatus.DRAFT:
        scores_may_move(plan, now=now)
    return plan


PLAN_FIELDS = ("year", "title", "document_number", "issued_on", "status")
DATE_KEPT = gettext_lazy(
    "The date a unit's plan was issued is recorded once: the head of the province plan's "
    "unit, or an administrator, corrects it."
)


@transaction.atomic
def record_unit_plan(
    actor: Official,
    province_plan: Plan,
    *,
    title: str,
    document_number: str,
    issued_on: dt.date,
    now: dt.datetime | None = None,
) -> Plan:
    """A unit's head records the unit's own plan implementing the province plan, as issued.

    Creates it, or issues the unit's draft; an issued plan's number and title
    may still be corrected, its date only by the province plan's head.
    """
    province_plan = Plan.objects.select_for_update().get(pk=province_plan.pk)
    if province_plan.parent_id is not None:
        raise Invalid(_("A unit's plan implements the province plan, not another unit's plan."))
    unit_id = actor.unit_id
    if not actor.is_head or unit_id is None:
        raise NotAllowed(_("The head of a unit records the unit's own plan."))
    mine = Plan.objects.filter(parent=province_plan, unit_id=unit_id).first()
    if mine is None:
        return create_plan(
            actor,
            unit_id=unit_id,
            parent_id=province_plan.pk,
            year=province_plan.year,
            title=title,
            document_number=document_number,
            issued_on=issued_on,
            status=PlanStatus.ISSUED,
            now=now,
        )
    return update_plan(
        actor,
        mine,
        now=now,
        title=title,
        document_number=document_number,
        issued_on=issued_on,
        status=PlanStatus.ISSUED,
    )


@transaction.atomic
def update_plan(
    actor: Official, plan: Plan, *, now: dt.datetime | None = None, **changes: Any
) -> Plan:
    """Edit a plan's fields, issue it, close it or give it other index sets."""
    plan = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("parent", "unit")
        .get(pk=plan.pk)
    )
    keeper = plan_relations(actor, plan.parent.unit_id) if plan.parent else frozenset()
    if not allows(Action.MANAGE_PLAN, keeper):  # the province plan's head may correct a unit's
        _require_plan_manager(actor, plan.unit_id)
    was_issued = plan.status != PlanStatus.DRAFT
    edited: dict[str, list[Any]] = {}
    for field in PLAN_FIELDS:
        if field in changes and changes[field] != getattr(plan, field):
            edited[field] = [getattr(plan, field), changes[field]]
            setattr(plan, field, changes[field])
    if "year" in edited and (plan.parent_id or plan.unit_plans.exists()):
        message = _("A unit's plan and the province plan it implements share their year.")
        raise Invalid(message, {"year": message})
    if plan.parent is not None and edited:
        # 1.1 reads the date a unit's plan was issued: once recorded, only the
        # province plan's head (or an administrator) corrects it.
        if (
            was_issued
            and {"issued_on", "status"} & set(edited)
            and not allows(Action.MANAGE_PLAN, keeper)
        ):
            raise NotAllowed(str(DATE_KEPT))
        _check_unit_plan(plan.parent, plan.unit, plan, now)
    new_sets = None
    if "year" in edited and changes.get("index_set_ids") is None:
        # Another year: the sets of that year (the demo's unless others are given).
        changes["index_set_ids"] = (
            None if not plan.index_sets.exists() else [s.pk for s in _index_sets(None, plan.year)]
        )
    if changes.get("index_set_ids") is not None:
        if plan.parent_id is not None:
            message = _("A unit's plan is scored under the province plan: it takes no index set.")
            raise Invalid(message, {"index_set_ids": message})
        old_ids = sorted(plan.index_sets.values_list("pk", flat=True))
        new_sets = _index_sets(changes["index_set_ids"], plan.year)
        if sorted(s.pk for s in new_sets) != old_ids:
            edited["index_set_ids"] = [old_ids, sorted(s.pk for s in new_sets)]
    if edited:
        _check_issue_date(plan)
        clean_or_invalid(plan)
        plan.save()
        if new_sets is not None:
            plan.index_sets.set(new_sets)
        record(actor, "edited", plan, **edited)
        if {"issued_on", "status", "index_set_ids"} & set(edited):
            scores_may_move(plan, now=now)
    return plan


# ---------------------------------------------------------------- indicators


@transaction.atomic
def create_indicator(
    actor: Official,
    plan: Plan,
    *,
    code: str,
    name: str,
    unit_of_measure: str = "%",
    targets: list[dict[str, Any]],
) -> Indicator:
    """Add an indicator to a plan with its target per level (e.g. 70 / 60 / 40%)."""
    _require_plan_manager(actor, plan.unit_id)
    levels = [t["level"] for t in targets]
    if len(set(levels)) != len(levels):
        message = _("Give each level one target.")
        raise Invalid(message, {"targets": message})
    if Indicator.objects.filter(plan=plan, code=code).exists():
        message = _("This plan already has an indicator with this code.")
        raise Invalid(message, {"code": message})
    indicator = Indicator(
        plan=plan, code=code, name=(name or "").strip(), unit_of_measure=unit_of_measure
    )
    clean_or_invalid(indicator)
    indicator.save()
    rows = [
        IndicatorTarget(indicator=indicator, level=t["level"], target_pct=t["target_pct"])
        for t in targets
    ]
    for row in rows:
        clean_or_invalid(row, exclude=["indicator"])
    IndicatorTarget.objects.bulk_create(rows)
    record(
        actor,
        "created",
        indicator,
        code=code,
        targets={t["level"]: str(t["target_pct"]) for t in targets},
    )
    scores_may_move(plan)
    return indicator


@transaction.atomic
def report_measurement(
    actor: Official,
    indicator: Indicator,
    *,
    unit_id: int,
    period_start: dt.date,
    period_end: dt.date,
    numerator: int,
    denominator: int,
) -> tuple[Measurement, bool]:
    """Record a unit's figure for a period; reporting the same period again corrects it.

    Answers the measurement and whether it is new.
    """
    if not allows(Action.REPORT_FIGURE, unit_relations(actor, unit_id)):
        raise NotAllowed(
            _("Only the unit's head and officials, or an administrator, report its figures.")
        )
    if indicator.plan.status == PlanStatus.CLOSED:
        raise Conflict(_("This plan is closed."))
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Invalid(_("No such unit."), {"unit_id": _("No such unit.")})
    errors = {}
    if denominator <= 0:
        errors["denominator"] = _("The denominator must be greater than zero.")
    if not 0 <= numerator <= max(denominator, 0):
        errors["numerator"] = _("The numerator must lie between 0 and the denominator.")
    if period_start > period_end:
        errors["period_end"] = _("The period ends before it starts.")
    if errors:
        raise Invalid(_("Some values are not valid."), errors)
    measurement = (
        Measurement.objects.select_for_update()
        .filter(indicator=indicator, unit=unit, period_start=period_start, period_end=period_end)
        .first()
    )
    created = measurement is None
    if measurement is None:
        measurement = Measurement(
            indicator=indicator, unit=unit, period_start=period_start, period_end=period_end
        )
        old = None
    else:
        old = [measurement.numerator, measurement.denominator]
    measurement.numerator, measurement.denominator = numerator, denominator
    measurement.reported_by = actor
    clean_or_invalid(measurement, exclude=["indicator", "unit", "reported_by"])
    measurement.save()
    if created:
        record(actor, "created", measurement, figure=[numerator, denominator])
    elif old != [numerator, denominator]:
        record(actor, "edited", measurement, figure=[old, [numerator, denominator]])
    if created or old != [numerator, denominator]:
        scores_may_move(indicator.plan)
    return measurement, created
