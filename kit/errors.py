"""Domain errors raised by the services; pages show their message, the API its status."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _


class DomainError(Exception):
    """A write refused for a reason the user can act on.

    `errors` names the fields at fault ({field: message}) when there are any.
    """

    status = 400

    def __init__(
        self, message: str | Promise, errors: Mapping[str, str | Promise] | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.errors = {field: str(text) for field, text in (errors or {}).items()}


class NotAllowed(DomainError):
    """The user may see the object but not do this to it."""

    status = 403


class NotFound(DomainError):
    """The object does not exist, or the user may not see it."""

    status = 404


class Conflict(DomainError):
    """The object is not in a state that allows this (or changed meanwhile)."""

    status = 409


class TooLarge(DomainError):
    status = 413


class UnsupportedType(DomainError):
    status = 415


class Invalid(DomainError):
    """One or more values are not acceptable; `errors` says which."""

    status = 422


class NotAuthenticated(DomainError):
    status = 401


class TooManyAttempts(DomainError):
    """Signing in is locked for a while after too many failures."""

    status = 429


def clean_or_invalid(
    obj: models.Model, exclude: list[str] | None = None, constraints: bool = True
) -> None:
    """Run the model's validation; turn its errors into Invalid (422) naming the fields.

    `constraints=False` leaves out the model's constraints (a query each) where
    the caller knows they hold: the database still enforces them.
    """
    try:
        obj.full_clean(exclude=exclude, validate_constraints=constraints)
    except ValidationError as exc:
        errors = {field: " ".join(msgs) for field, msgs in exc.message_dict.items()}
        raise Invalid(_("Some values are not valid."), errors) from exc
