"""The security log: sign-ins, failures, lock-outs, refusals and revoked access."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecurityKind(models.TextChoices):
    LOGIN = "login", _("signed in")
    LOGIN_FAILED = "login_failed", _("failed sign-in")
    LOCKED_OUT = "locked_out", _("locked out")
    LOGOUT = "logout", _("signed out")
    REFUSED = "refused", _("permission refused")
    PASSWORD_CHANGED = "password_changed", _("password changed")
    PASSWORD_RESET = "password_reset", _("password reset")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    ACCESS_REVOKED = "access_revoked", _("tokens and sessions revoked")
    UNLOCKED = "unlocked", _("sign-in lock lifted")


class SecurityEvent(models.Model):
    """One line of the security log, read (never edited) in the admin."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SecurityKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = models.CharField(_("address requested"), max_length=300, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_kind_display()} {self.username}"


class LoginLock(AccessAttempt):
    """django-axes' count of failed sign-ins of one username from one address, as the
    admin lists them (Khóa đăng nhập); lifting one deletes it (plans.accounts.lift_locks)."""

    class Meta:
        proxy = True
        verbose_name = _("sign-in lock")
        verbose_name_plural = _("sign-in locks")
        ordering = ["-attempt_time"]


class IdempotentRequest(models.Model):
    """An API POST sent with an Idempotency-Key, and the answer it got (tracker.idempotency).

    The same key from the same login within EXPIRES answers this answer again
    and changes nothing more; a key sent with another request is refused.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("key"), max_length=200)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    body = models.BinaryField(_("answer"), blank=True, default=b"")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_login")
        ]
        indexes = [
            # The daily clean-up of keys past their 24 hours.
            models.Index(fields=["created_at"], name="idempotency_created"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"
