"""Writes on the ground floor, for the people: tokens, units, officials.

Each is one function, actor passed in, atomic, audited. The plans', their
units' plans' and their indicators' writes are plans.planning.
"""

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
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kit.errors import Invalid, NotAllowed, NotAuthenticated, TooManyAttempts, clean_or_invalid
from plans.access import Action, may_anywhere
from plans.accounts import lockout_message, log_event, revoke_access
from plans.models import (
    ApiToken,
    Official,
    Role,
    SecurityKind,
    Unit,
    record,
)


def official_for(user: User | AnonymousUser) -> Official | None:
    """The official behind a login; a superuser without one gets an admin profile.

    A superuser without an official profile gets one (role admin) on first use, so
    that `createsuperuser` bootstraps an empty installation (docs/configuration.md).
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


# ---------------------------------------------------------------- API tokens


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    request: HttpRequest, username: str, password: str, *, now: dt.datetime | None = None
) -> tuple[str, ApiToken]:
    """Trade a username and password for a bearer token (only its hash is kept).

    Sign-in throttling (django-axes) counts the failures as on the login page;
    a locked username or address is refused (429) whatever the password.
    """
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise TooManyAttempts(lockout_message(request))
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
    log_event(SecurityKind.TOKEN_ISSUED, request, user=user, detail=f"#{token.pk}")
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
    if not may_anywhere(actor, Action.MANAGE_ORGANISATION):
        raise NotAllowed(_("Only an administrator changes units and officials."))


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
    if edited.get("is_active") == [True, False]:
        revoke_access(user, reason=SecurityKind.ACCESS_REVOKED)
    record(actor, "edited", official, **edited)
    return official
