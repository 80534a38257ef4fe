"""Static files, language selection, the upload size guard and the API's body types."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
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

    Each refusal comes before any view runs, and before the body is parsed
    where it can:
    - a text/plain or form-encoded body: 415 (django-ninja would parse any
      body as JSON whatever its Content-Type);
    - a JSON body over API_JSON_MAX_BYTES: 413, from its Content-Length, unread;
    - nested deeper than API_JSON_MAX_DEPTH (a body of 100,000 `[` made the
      parser recurse until it failed): 400, counted without parsing;
    - not JSON at all: 400; JSON but not an object: 422;
    - a NUL character in any text, of the body or of the query string (no
      database keeps it in text, PostgreSQL refuses it): 422 naming the field.
    """

    WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api(request):
            refusal = nul_in_query(request)
            if refusal is None and request.method in self.WRITES and _has_body(request):
                refusal = self.refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        kind = request.content_type or ""
        if kind == "multipart/form-data":
            return nul_in_fields(request)
        if kind != "application/json" and not kind.endswith("+json"):
            message = _("Send the body as JSON, with the header Content-Type: application/json.")
            return answer(request, 415, _("Unsupported content type"), message)
        if _length(request) > settings.API_JSON_MAX_BYTES:
            message = _("The body is too large: a JSON body may be up to %(size)s KB.") % {
                "size": settings.API_JSON_MAX_BYTES // 1024
            }
            return answer(request, 413, _("Too large"), message)
        body = request.body
        if depth(body) > settings.API_JSON_MAX_DEPTH:
            message = _("The body is nested too deeply (more than %(n)s levels).") % {
                "n": settings.API_JSON_MAX_DEPTH
            }
            return answer(request, 400, _("Bad request"), message)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return answer(request, 400, _("Bad request"), _("The body is not valid JSON."))
        if not isinstance(data, dict):
            message = _("The body must be a JSON object, with the fields by name.")
            return answer(request, 422, _("Invalid input"), message)
        where = nul_at(data, ["body"])
        if where is not None:
            return nul_refusal(where)
        return None


# A JSON string (with its escapes; an unclosed one runs to the end) or a bracket:
# strings are skipped whole. Possessive: no backtracking, so a body built to make
# the pattern try every split of a string still takes one pass.
JSON_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]')


def depth(body: bytes) -> int:
    """How deeply the JSON text nests its arrays and objects, read without parsing it."""
    level = deepest = 0
    for token in JSON_TOKENS.finditer(body):
        char = token.group()[:1]
        if char in (b"[", b"{"):
            level += 1
            deepest = max(deepest, level)
        elif char in (b"]", b"}"):
            level -= 1
    return deepest


def nul_at(value: Any, path: list[Any]) -> list[Any] | None:
    """Where a NUL character stands in the parsed JSON (a key or a text), or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return [*path, key]
            found = nul_at(item, [*path, key])
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_at(item, [*path, index])
            if found is not None:
                return found
    return None


def nul_in_query(request: HttpRequest) -> HttpResponse | None:
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return nul_refusal(["query", key.replace("\x00", "")])
    return None


def nul_in_fields(request: HttpRequest) -> HttpResponse | None:
    """The text fields of a multipart form (the files are not text)."""
    for key, values in request.POST.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return nul_refusal(["form", key.replace("\x00", "")])
    return None


def nul_refusal(where: list[Any]) -> JsonResponse:
    message = _("Text may not contain the NUL character (\\u0000).")
    return JsonResponse(
        {
            "detail": message,
            "errors": [{"loc": where, "msg": message, "type": "nul_character"}],
        },
        status=422,
    )


def _length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _has_body(request: HttpRequest) -> bool:
    return _length(request) > 0
