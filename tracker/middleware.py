"""Static files, language selection, the upload size guard and the API's body types."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from whitenoise.middleware import WhiteNoiseMiddleware

from tracker.assets import VERSIONED
from tracker.errors import answer, is_api


class StaticFiles(WhiteNoiseMiddleware):
    """WhiteNoise, which also caches for good the vendor files whose name carries a version."""

    def immutable_file_test(self, path: str, url: str) -> bool:
        return bool(VERSIONED.search(url)) or super().immutable_file_test(path, url)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Pages: the language cookie's language, else Vietnamese. API: English by default.

    Django's own middleware follows the browser's Accept-Language, which would
    show English to every official whose browser happens to be in English; the
    pages are Vietnamese first, so only an explicit choice (the language
    switcher sets the cookie) or the person's profile changes them. The API speaks English, like its
    field names, unless the client asks for Vietnamese with Accept-Language.
    """

    def process_request(self, request: HttpRequest) -> None:
        """Pick the language for this request."""
        offered = dict(settings.LANGUAGES)
        if is_api(request):
            header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
            wanted = [lang.split("-")[0].lower() for lang, _q in parse_accept_lang_header(header)]
            code = next((lang for lang in wanted if lang in offered), "en")
        else:
            code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            if code not in offered:
                # The signed-in person's own language (their profile, kept at sign-in);
                # a database that does not answer leaves the site's (its 503 page follows).
                try:
                    code = (
                        request.session.get("language", "") if hasattr(request, "session") else ""
                    )
                except DatabaseError:
                    code = ""
            if code not in offered:
                code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


class UploadLimitMiddleware:
    """Refuse a body far over the evidence limit before anything reads it (413).

    The services check each file's own size, and the page refuses a file over
    the limit with its form and what was typed in it; this stops only a body
    several times the limit from being spooled to disk first (the browser
    refuses any file over the limit before sending it).
    """

    TIMES = 5

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.EVIDENCE_MAX_BYTES
        if length > limit * self.TIMES:
            message = _("The upload is too large: the limit is %(limit)s MB a file.") % {
                "limit": limit // 1048576
            }
            return answer(request, 413, _("Too large"), message)
        return self.get_response(request)


class ApiBodyMiddleware:
    """The API reads JSON objects sent as JSON, and files sent as multipart forms.

    django-ninja would parse any body as JSON whatever its Content-Type, and
    take a bare JSON string as a whole value: a text/plain or form-encoded
    body is refused with 415, a JSON body that is not an object with 422, a
    body that is not JSON at all with 400, each before any view runs.
    """

    WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api(request) and request.method in self.WRITES and _has_body(request):
            refusal = self.refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        kind = request.content_type or ""
        if kind == "multipart/form-data":
            return None
        if kind != "application/json" and not kind.endswith("+json"):
            message = _("Send the body as JSON, with the header Content-Type: application/json.")
            return answer(request, 415, _("Unsupported content type"), message)
        try:
            data = json.loads(request.body)
        except ValueError:
            return answer(request, 400, _("Bad request"), _("The body is not valid JSON."))
        if not isinstance(data, dict):
            message = _("The body must be a JSON object, with the fields by name.")
            return answer(request, 422, _("Invalid input"), message)
        return None


def _has_body(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        return False
