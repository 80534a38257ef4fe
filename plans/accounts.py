"""People's own accounts: the security log, their profile, their tokens, revoked access.

Passwords are changed and reset through Django's views (tracker.accounts);
whatever changes a password or deactivates a login calls `revoke_access`, so
that the API tokens stop working at once. Other sessions end by themselves:
Django ties a session to the password's hash, and refuses inactive logins.
"""

from __future__ import annotations

import ipaddress

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kit.errors import Invalid, NotAllowed, NotFound, clean_or_invalid
from plans.access import Action, may_anywhere
from plans.models import ApiToken, LoginLock, Official, SecurityEvent, SecurityKind, record

AnyUser = AbstractBaseUser | AnonymousUser


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or behind TRUSTED_PROXY_COUNT proxies the
    address the nearest trusted proxy saw (X-Forwarded-For, counted from the right)."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()
    ]
    if hops and len(forwarded) >= hops and _is_address(forwarded[-hops]):
        return forwarded[-hops]
    remote = request.META.get("REMOTE_ADDR") or ""
    return remote if _is_address(remote) else None


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def lockout_message(request: HttpRequest) -> str:
    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else 0
    if not minutes:
        return _("Too many failed sign-ins. Ask an administrator to unlock this login.")
    return ngettext(
        "Too many failed sign-ins: signing in is locked for %(minutes)d minute. "
        "Wait, or ask an administrator to unlock it.",
        "Too many failed sign-ins: signing in is locked for %(minutes)d minutes. "
        "Wait, or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def log_event(
    kind: SecurityKind,
    request: HttpRequest | None = None,
    *,
    user: AnyUser | None = None,
    username: str = "",
    detail: str = "",
) -> SecurityEvent:
    """Write one line of the security log."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    known = user if user is not None and user.is_authenticated else None
    return SecurityEvent.objects.create(
        kind=kind,
        user_id=known.pk if known is not None else None,
        username=(username or (known.get_username() if known is not None else ""))[:150],
        ip_address=client_ip(request) if request is not None else None,
        path=request.get_full_path()[:300] if request is not None else "",
        detail=detail[:500],
    )


@transaction.atomic
def revoke_access(
    user: AbstractBaseUser, *, reason: SecurityKind, request: HttpRequest | None = None
) -> int:
    """Revoke every API token of a login (after a password change or reset, or when
    it is deactivated); the number revoked. Sessions follow by themselves (above)."""
    count, _by_model = ApiToken.objects.filter(user_id=user.pk).delete()
    detail = ngettext("%(count)d API token revoked", "%(count)d API tokens revoked", count) % {
        "count": count
    }
    log_event(reason, request, user=user, detail=detail)
    return count


def my_tokens(user: AbstractBaseUser) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user_id=user.pk).order_by("-created_at"))


@transaction.atomic
def revoke_token(
    user: AbstractBaseUser, token_id: int, *, request: HttpRequest | None = None
) -> None:
    """Revoke one of the person's own tokens; another's is not found."""
    deleted, _by_model = ApiToken.objects.filter(user_id=user.pk, pk=token_id).delete()
    if not deleted:
        raise NotFound(_("No such token of yours."))
    log_event(SecurityKind.TOKEN_REVOKED, request, user=user, detail=f"#{token_id}")


@transaction.atomic
def update_profile(
    official: Official,
    *,
    full_name: str,
    email: str,
    phone: str,
    language: str,
    password_confirmed: bool = False,
) -> Official:
    """A person's own name, address, phone and language; checked, audited.

    A new e-mail address takes the person's current password, confirmed by the
    caller through the authentication backends (so that failures are counted
    and locked like sign-ins): password resets go to that address, so a
    session left open must not be enough to take the account.
    """
    official = Official.objects.select_for_update().select_related("user").get(pk=official.pk)
    if email.strip() != official.user.email and not password_confirmed:
        message = _("Enter your current password to change your e-mail address.")
        raise Invalid(message, {"password": message})
    before = {
        "full_name": official.full_name,
        "email": official.user.email,
        "phone": official.phone,
        "language": official.language,
    }
    official.full_name, official.phone, official.language = full_name.strip(), phone, language
    official.user.email = email.strip()
    clean_or_invalid(official, exclude=["user", "unit", "role"])
    clean_or_invalid(official.user, exclude=["password", "username"])
    after = {
        "full_name": official.full_name,
        "email": official.user.email,
        "phone": official.phone,
        "language": official.language,
    }
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        official.save()
        official.user.save(update_fields=["email"])
        record(official, "edited", official, **changes)
    return official


@transaction.atomic
def reset_calendar(official: Official) -> Official:
    """A new private calendar address for the person; the old one stops working."""
    Official.objects.filter(pk=official.pk).update(calendar_generation=F("calendar_generation") + 1)
    official.refresh_from_db(fields=["calendar_generation"])
    record(official, "calendar_reset", official)
    return official


class KnownPasswordValidator:
    """Refuse a password that is blank once stripped, or one of KNOWN_PASSWORDS.

    Django's own validators let ten spaces through (long enough, not common,
    not numeric), and the demo's published password would pass them all.
    """

    def validate(self, password: str, user: object = None) -> None:
        if not (password or "").strip():
            raise ValidationError(_("The password cannot be only spaces."), code="password_blank")
        known = {p.casefold() for p in settings.KNOWN_PASSWORDS}
        if password.strip().casefold() in known:
            raise ValidationError(
                _(
                    "This password is published (the demo's, or on the list of known "
                    "passwords): choose one of your own."
                ),
                code="password_known",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be blank, nor a published password such as the demo's.")


@transaction.atomic
def lift_locks(actor: Official, locks: QuerySet[LoginLock]) -> int:
    """An administrator lifts sign-in locks: their counters go, the security log keeps a line
    per username and address lifted, naming who lifted it. Answers how many were lifted."""
    if not may_anywhere(actor, Action.LIFT_LOCK):
        raise NotAllowed(_("Only an administrator lifts a sign-in lock."))
    lifted = list(locks.values_list("username", "ip_address").distinct())
    locks.delete()
    for username, ip in lifted:
        SecurityEvent.objects.create(
            kind=SecurityKind.UNLOCKED,
            user=actor.user,
            username=(username or "")[:150],
            ip_address=ip if ip and _is_address(ip) else None,
            detail=(_("lifted by %(name)s") % {"name": actor.full_name})[:500],
        )
    return len(lifted)
