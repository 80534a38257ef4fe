"""Sign-in throttling (django-axes) and the security log's receivers."""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Sum
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from plans.accounts import client_ip, lockout_message, log_event, revoke_access
from plans.models import SecurityKind
from tracker.errors import answer

__all__ = ["ThrottleHandler", "client_ip", "lockout_response"]


class ThrottleHandler(AxesDatabaseHandler):
    """Two locks that one person's typos cannot turn against an office behind one address.

    - a username from one address: LOGIN_FAILURE_LIMIT failures (5) lock that pair
      only; the same office's other people, and the administrator, still sign in;
    - an address: LOGIN_ADDRESS_FAILURE_LIMIT failures (50) across every username
      lock the address (someone trying many names);
    - a username alone is never locked, so nobody can lock another's account
      from elsewhere.
    Both counts run over the attempts axes keeps for its cool-off time.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The pair's failures; the pair's limit when the address is over its own."""
        ip = getattr(request, "axes_ip_address", None)
        username = get_client_username(request, credentials)
        attempts = AccessAttempt.objects.filter(
            ip_address=ip, attempt_time__gte=get_cool_off_threshold(request)
        )
        pair = attempts.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"]
        if (attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0) >= (
            settings.LOGIN_ADDRESS_FAILURE_LIMIT
        ):
            return max(pair or 0, settings.AXES_FAILURE_LIMIT)
        return pair or 0


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """429, as JSON on the API and as the login page's lock-out page elsewhere."""
    message = lockout_message(request)
    cool_off = get_cool_off(request)
    response = answer(request, 429, _("Signing in is locked"), message)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _password_changed(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """A new password, however it is set (the pages, the admin, changepassword), revokes the
    login's API tokens; Django ends its other sessions (they carry the old password's hash)."""
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    before = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if before is not None and before != instance.password:
        revoke_access(instance, reason=SecurityKind.PASSWORD_CHANGED)


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    log_event(SecurityKind.LOGIN, request, user=user)
    official = getattr(user, "official", None)
    if request is not None and official is not None and official.language:
        request.session["language"] = official.language


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        log_event(SecurityKind.LOGOUT, request, user=user)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is not None and getattr(request, "axes_locked_out", False):
        return  # logged once as a lock-out below
    log_event(SecurityKind.LOGIN_FAILED, request, username=str(credentials.get("username", "")))


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    log_event(SecurityKind.LOCKED_OUT, request, username=username or "")
