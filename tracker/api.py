"""The one NinjaAPI, served at /api/v1/: routers of the apps below, auth, errors."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from assessments.api import router as assessments_router
from kit.errors import DomainError
from plans.api import router as plans_router
from plans.services import user_for_token
from tasks.api import router as tasks_router
from tasks.results.api import router as results_router
from tasks.scores.api import router as scores_router
from tracker.reports.views import router as reports_router


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token or len(token) > 200:
            return None
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SignedInSession(SessionAuth):
    """A browser's session; its CSRF token is checked only when someone is signed in.

    ninja's own session auth checks CSRF first: a client with no session, or a
    bad bearer token, got 403 "CSRF check Failed" where it needs 401.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


api = NinjaAPI(
    title="CCHC tracker API",
    version="1",
    description=(
        "Kế hoạch và nhiệm vụ cải cách hành chính: the contract of /api/v1/. "
        "Authenticate with a bearer token from POST /auth/token, or a browser session."
    ),
    auth=[BearerToken(), SignedInSession()],
    urls_namespace="api",
)
api.add_router("/", plans_router)
api.add_router("/", tasks_router)
api.add_router("/", scores_router)
api.add_router("/", assessments_router)
api.add_router("/", reports_router)
api.add_router("/", results_router)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": "Not authenticated."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


# A path id past the largest id there can be names nothing: 404, as a missing one does.
OUT_OF_RANGE = frozenset({"less_than_equal", "greater_than_equal", "int_parsing_size"})


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if any(
        tuple(e.get("loc", ()))[:1] == ("path",) and e.get("type") in OUT_OF_RANGE
        for e in exc.errors
    ):
        return api.create_response(request, {"detail": "Not found."}, status=404)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": "Invalid input.", "errors": errors}, status=422)


@api.exception_handler(DomainError)
def refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body: dict[str, Any] = {"detail": exc.message}
    if exc.errors:
        body["errors"] = [{"loc": [field], "msg": msg} for field, msg in exc.errors.items()]
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)
