"""Writes on the ground floor: each is one function, actor passed in, atomic, audited."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from plans.models import DEFAULT_AREAS, Area, Official, Plan, Role, record


def official_for(user: AbstractBaseUser | AnonymousUser) -> Official | None:
    """The official behind a login; a superuser without one gets an admin profile.

    api.md: "a superuser without an official profile gets one (role admin) on
    first use", so that `createsuperuser` bootstraps an empty installation.
    """
    if not user.is_authenticated:
        return None
    try:
        return user.official  # type: ignore[union-attr]
    except Official.DoesNotExist:
        pass
    if not user.is_superuser:  # type: ignore[union-attr]
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
