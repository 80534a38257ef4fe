"""The ground floor's endpoints: tokens, who the caller is, units and officials."""

import datetime as dt

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from plans import services
from plans.errors import NotAllowed, NotFound
from plans.models import Level, Official, Role, Unit
from plans.schemas import ERRORS, Detail, Id, Page, PathId, text

router = Router(tags=["organisation"])


def caller(request: HttpRequest) -> Official:
    """The official making the request (token or session); 403 for a bare login."""
    official = services.official_for(request.auth)  # type: ignore[attr-defined]
    if official is None:
        raise NotAllowed("This login has no official profile.")
    return official


# ---------------------------------------------------------------- auth


class TokenIn(Schema):
    username: text(150, 1)  # type: ignore[valid-type]
    password: text(4096, 1)  # type: ignore[valid-type]


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 400: Detail, 401: Detail, 403: Detail, 422: Detail},
    tags=["auth"],
    summary="Trade a username and password for a bearer token",
)
def token(request: HttpRequest, body: TokenIn) -> TokenOut:
    raw, issued = services.issue_token(body.username, body.password)
    return TokenOut(token=raw, expires_at=issued.expires_at)


# ---------------------------------------------------------------- officials


class OfficialOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    unit_id: int | None
    role: str
    position: str

    @staticmethod
    def resolve_username(official: Official) -> str:
        return official.user.get_username()

    @staticmethod
    def resolve_email(official: Official) -> str:
        return official.user.email


class OfficialIn(Schema):
    username: text(150, 1)  # type: ignore[valid-type]
    full_name: text(150, 1)  # type: ignore[valid-type]
    email: text(254) = ""  # type: ignore[valid-type]
    unit_id: Id | None = None
    role: Role
    password: text(128, 1)  # type: ignore[valid-type]
    position: text(120) = ""  # type: ignore[valid-type]


@router.get("/me", response={200: OfficialOut, **ERRORS}, summary="The caller as an official")
def me(request: HttpRequest) -> Official:
    return caller(request)


@router.get("/officials", response={200: list[OfficialOut], **ERRORS}, summary="Officials")
@paginate(Page)
def list_officials(
    request: HttpRequest, unit_id: PathId | None = None, role: Role | None = None
) -> QuerySet[Official]:
    caller(request)
    officials = Official.objects.select_related("user").order_by("unit_id", "full_name", "id")
    if unit_id is not None:
        officials = officials.filter(unit_id=unit_id)
    if role is not None:
        officials = officials.filter(role=role)
    return officials


@router.get("/officials/{official_id}", response={200: OfficialOut, **ERRORS})
def get_official(request: HttpRequest, official_id: PathId) -> Official:
    caller(request)
    official = Official.objects.select_related("user").filter(pk=official_id).first()
    if official is None:
        raise NotFound("No such official.")
    return official


@router.post(
    "/officials",
    response={201: OfficialOut, **ERRORS},
    summary="Create a login and its official (admin)",
)
def create_official(request: HttpRequest, body: OfficialIn) -> Status:
    official = services.create_official(caller(request), **body.dict())
    return Status(201, Official.objects.select_related("user").get(pk=official.pk))


# ---------------------------------------------------------------- units


class UnitOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    head_id: int | None


class UnitIn(Schema):
    code: text(40, 1)  # type: ignore[valid-type]
    name: text(200, 1)  # type: ignore[valid-type]
    level: Level
    parent_id: Id | None = None


class UnitPatch(Schema):
    code: text(40, 1) | None = None  # type: ignore[valid-type]
    name: text(200, 1) | None = None  # type: ignore[valid-type]
    level: Level | None = None
    parent_id: Id | None = None


def units_with_head() -> QuerySet[Unit]:
    heads = Official.objects.filter(unit=OuterRef("pk"), role=Role.HEAD).values("pk")[:1]
    return Unit.objects.annotate(head_id=Subquery(heads)).order_by("level", "name", "id")


def unit_out(unit_id: int) -> Unit:
    unit = units_with_head().filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("No such unit.")
    return unit


@router.get("/units", response={200: list[UnitOut], **ERRORS}, summary="Units")
@paginate(Page)
def list_units(
    request: HttpRequest, level: Level | None = None, parent_id: PathId | None = None
) -> QuerySet[Unit]:
    caller(request)
    units = units_with_head()
    if level is not None:
        units = units.filter(level=level)
    if parent_id is not None:
        units = units.filter(parent_id=parent_id)
    return units


@router.post("/units", response={201: UnitOut, **ERRORS}, summary="Create a unit (admin)")
def create_unit(request: HttpRequest, body: UnitIn) -> Status:
    unit = services.create_unit(caller(request), **body.dict())
    return Status(201, unit_out(unit.pk))


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS})
def get_unit(request: HttpRequest, unit_id: PathId) -> Unit:
    caller(request)
    return unit_out(unit_id)


@router.patch("/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="Edit a unit (admin)")
def patch_unit(request: HttpRequest, unit_id: PathId, body: UnitPatch) -> Unit:
    actor = caller(request)
    unit = unit_out(unit_id)
    services.update_unit(actor, unit, **body.dict(exclude_unset=True))
    return unit_out(unit_id)
