"""Error answers: a page in the product's layout, or a JSON `detail` on the API.

Django calls these for 400, 403, 404 and 500 (`handler400` … in tracker.urls);
`ErrorPages` gives the answers that views return without a body (405) the
same treatment. A database that does not answer (stopped, restarting, locked
past the busy timeout) is not a fault of the product: it answers 503 with
`Retry-After`, and the page is drawn without touching the database. A full
disk answers 507, saying what to tell the administrator.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kit.filestore import is_disk_full
from plans.accounts import log_event
from plans.models import SecurityKind

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 30


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def answer(
    request: HttpRequest, status: int, title: str, message: str, *, with_request: bool = True
) -> HttpResponse:
    """The JSON detail on the API, else the error page (`error.html`) with what to do next.

    Every error answer of the product goes through here (tracker.middleware's
    413 and tracker.security's lock-out too).
    """
    if is_api(request):
        return JsonResponse({"detail": message}, status=status)
    context = {"status": status, "title": title, "message": message}
    if with_request:
        return render(request, "error.html", context, status=status)
    # No request context: the header's user, inbox count and CSRF token would
    # each need the database this page may be about.
    return HttpResponse(render_to_string("error.html", {**context, "bare": True}), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return answer(
        request,
        400,
        _("Bad request"),
        _("The request could not be understood. Go back, check what you entered and try again."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    said = str(exception) if exception is not None else ""
    message = said or _("You may not do this. Ask your unit's head if you think you should.")
    return answer(request, 403, _("Not allowed"), message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return answer(
        request,
        404,
        _("Not found"),
        _(
            "This page does not exist, or you may not see it. Check the address, "
            "or start again from the home page."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """500; 507 when the disk is full; 503 with Retry-After when the database did not answer."""
    exc = sys.exc_info()[1]
    if is_disk_full(exc):
        return storage_full(request)
    if isinstance(exc, OperationalError | InterfaceError):
        return database_unavailable(request)
    return answer(
        request,
        500,
        _("Server error"),
        _(
            "Something went wrong on our side and nothing was saved. Try again in a "
            "moment; if it happens again, tell your administrator the time it happened."
        ),
        with_request=False,
    )


def database_unavailable(request: HttpRequest) -> HttpResponse:
    response = answer(
        request,
        503,
        _("Temporarily unavailable"),
        _(
            "The database is not answering, so nothing could be read or saved. "
            "Wait a minute and try again; nothing you saved before is lost."
        ),
        with_request=False,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def storage_full(request: HttpRequest) -> HttpResponse:
    """507: the server's disk is full. Nothing was saved, nothing saved before is lost,
    and the administrator is the one to tell (the health page shows the free space)."""
    log.error("The disk is full: a write was refused (%s %s)", request.method, request.path)
    return answer(
        request,
        507,
        _("The server is out of storage"),
        _(
            "The server has run out of storage space, so nothing you sent was saved; "
            "what was saved before is safe. Tell your administrator that the server's "
            "data folder is full and needs space freed, then try again."
        ),
        with_request=False,
    )


def method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    response = answer(
        request,
        405,
        _("Not allowed this way"),
        _("This address does not take a %(method)s request. Use the page's buttons and forms.")
        % {"method": request.method},
    )
    response["Allow"] = allowed
    return response


class ErrorPages:
    """Give the 405 answers of views (empty) and of the API (plain text) the product's answer;
    log every refusal (403)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        as_json = response.get("Content-Type", "").startswith("application/json")
        if response.status_code == 405 and not as_json:
            return method_not_allowed(request, response.get("Allow", ""))
        if response.status_code == 403:
            log_event(SecurityKind.REFUSED, request, detail=_detail(response))
        return response


def _detail(response: HttpResponse) -> str:
    """What a refusal said, when it said it as JSON (the API)."""
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            return str(json.loads(response.content).get("detail", ""))
        except (ValueError, AttributeError):
            return ""
    return ""
