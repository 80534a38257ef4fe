"""The one NinjaAPI, served at /api/v1/: routers of the apps below, auth, errors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from plans.api import router as plans_router

api = NinjaAPI(
    title="CCHC tracker API",
    version="1",
    description="Kế hoạch và nhiệm vụ cải cách hành chính: the contract of /api/v1/.",
    auth=[django_auth],
    urls_namespace="api",
)
api.add_router("/", plans_router)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Not authenticated."}, status=401)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Invalid input.", "errors": exc.errors}, status=422
    )
