"""Requests safe to retry: an API POST with an `Idempotency-Key` is answered once.

A client that lost the answer to a POST (a dropped connection, a worker
recycled under it) sends it again with the same `Idempotency-Key` header:

- the same key from the same login within 24 hours answers the first answer
  again, with `Idempotent-Replayed: true`, and creates nothing more;
- the same key with another request (another path or body) answers 422;
- while the first is still being answered, the second answers 409 with
  `Retry-After: 1`; a first that was cut off unanswered (its worker died)
  answers 409 saying its outcome is unknown, never run a second time;
- sign-in (`/api/v1/auth/`) is never kept: a token is shown once;
- an answer of 500 or more, 401 or 403 is not kept: nothing took effect, and
  the request may be tried again.
A POST without the header is answered as always. The key is any text of up
to 200 printable characters (a UUID is usual).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import IdempotentRequest
from plans.services import user_for_token
from tracker.errors import is_api

HEADER = "Idempotency-Key"
EXPIRES = dt.timedelta(hours=24)
# Answers that must not be kept: a new API token is shown once.
NEVER_KEPT = ("/api/v1/auth/",)
# A first request still without its answer after this long died with its worker:
# whether it took effect is unknown, and it is not run again.
ABANDONED = dt.timedelta(seconds=int(os.environ.get("WEB_TIMEOUT", "60")) * 2)


def fingerprint(request: HttpRequest) -> str:
    """The request as a SHA-256: method, path and query, and the body (for a multipart form,
    its fields and each file's name, size and content)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        for name, values in sorted(request.POST.lists()):
            digest.update(repr((name, values)).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(repr((name, upload.name, upload.size)).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def caller(request: HttpRequest) -> Any:
    """The login the API will act as: the bearer token's, else the session's (the API's own
    order, tracker.api), or None."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and len(header) < 220:
        user = user_for_token(header[7:].strip())
        if user is not None:
            return user
    return request.user if request.user.is_authenticated else None


def refusal(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


class IdempotencyMiddleware:
    """Answers a retried API POST from what its first sending got (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER, "")
        if not (key and request.method == "POST" and is_api(request)):
            return self.get_response(request)
        if request.path.startswith(NEVER_KEPT):
            return self.get_response(request)
        if len(key) > 200 or not key.isprintable():
            return refusal(422, _("An Idempotency-Key is up to 200 printable characters."))
        user = caller(request)
        if user is None:
            return self.get_response(request)  # 401 follows
        mark = fingerprint(request)
        now = timezone.now()
        IdempotentRequest.objects.filter(user=user, key=key, created_at__lt=now - EXPIRES).delete()
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    user=user, key=key, fingerprint=mark, created_at=now
                )
        except IntegrityError:
            return self.replay(user, key, mark)
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotentRequest.objects.filter(pk=row.pk).delete()
            raise
        if response.status_code >= 500 or response.status_code in (401, 403) or response.streaming:
            # Nothing took effect (a fault, no valid login): it may be tried again.
            IdempotentRequest.objects.filter(pk=row.pk).delete()
            return response
        IdempotentRequest.objects.filter(pk=row.pk).update(
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=response.content,
        )
        return response

    def replay(self, user: Any, key: str, mark: str) -> HttpResponse:
        first = IdempotentRequest.objects.filter(user=user, key=key).first()
        if first is None:  # it was answered 500 and forgotten meanwhile: try again
            return refusal(409, _("Send the request again."))
        if first.fingerprint != mark:
            return refusal(
                422,
                _("This Idempotency-Key was sent with another request: use a new key."),
            )
        if first.status is None:
            if timezone.now() - first.created_at > ABANDONED:
                return refusal(
                    409,
                    _(
                        "The first request with this Idempotency-Key was cut off before it "
                        "was answered: check whether it took effect before sending it again "
                        "with a new key."
                    ),
                )
            answer = refusal(
                409, _("The first request with this Idempotency-Key is still being answered.")
            )
            answer["Retry-After"] = "1"
            return answer
        response = HttpResponse(
            bytes(first.body), status=first.status, content_type=first.content_type or None
        )
        response["Idempotent-Replayed"] = "true"
        return response


def forget_expired(now: dt.datetime | None = None) -> int:
    """The daily job: keys older than 24 hours are forgotten; answers how many."""
    cutoff = (now or timezone.now()) - EXPIRES
    deleted, _per_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
