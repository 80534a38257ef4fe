"""Page access: a logged-in user with an official profile."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

from plans.models import Official
from plans.services import official_for


class OfficialRequest(HttpRequest):
    """A request whose user has an official profile (set by official_required)."""

    official: Official


View = Callable[..., HttpResponseBase]


def official_required(view: View) -> View:
    """Log in first; then refuse (403) a login that is not an official's."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        official = official_for(request.user)
        if official is None:
            raise PermissionDenied(
                _("This login has no official profile yet. Ask an administrator to add one.")
            )
        cast(OfficialRequest, request).official = official
        return view(request, *args, **kwargs)

    return wrapper
