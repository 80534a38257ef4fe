"""The ground floor's endpoints: tokens, the caller, units, officials, plans, indicators, scores."""

import datetime as dt
import json
from dataclasses import asdict
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field, Strict

from kit.errors import DomainError, Invalid, NotFound, TooLarge
from kit.schemas import (
    ERRORS,
    MAX_ID,
    UPLOAD_ERRORS,
    XLSX_ANSWER,
    Detail,
    Id,
    IsoDate,
    Page,
    PathId,
    RequiredText40,
    RequiredText128,
    RequiredText150,
    RequiredText200,
    RequiredText300,
    RequiredText4096,
    Text60,
    Text120,
    Text254,
    Year,
)
from kit.workbooks import xlsx_response
from plans import indexbooks, planning, services
from plans.apikit import caller, get_plan
from plans.attainment import attainment, pct
from plans.indexsets import export_index_set, import_index_set, tree_document
from plans.models import (
    IndexSet,
    Indicator,
    IndicatorTarget,
    Level,
    Measurement,
    Official,
    Plan,
    PlanStatus,
    Role,
    Unit,
)
from plans.rules import document_schema

router = Router(tags=["organisation"])


# ---------------------------------------------------------------- auth


class TokenIn(Schema):
    username: RequiredText150
    password: RequiredText4096


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 400: Detail, 401: Detail, 403: Detail, 422: Detail, 429: Detail},
    tags=["auth"],
    summary="Trade a username and password for a bearer token",
)
def token(request: HttpRequest, body: TokenIn) -> TokenOut:
    raw, issued = services.issue_token(request, body.username, body.password)
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
    username: RequiredText150
    full_name: RequiredText150
    email: Text254 = ""
    unit_id: Id | None = None
    role: Role
    password: RequiredText128
    position: Text120 = ""


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
    code: RequiredText40
    name: RequiredText200
    level: Level
    parent_id: Id | None = None


class UnitPatch(Schema):
    code: RequiredText40 | None = None
    name: RequiredText200 | None = None
    level: Level | None = None
    parent_id: Id | None = None


def units_with_head() -> QuerySet[Unit]:
    heads = Official.objects.heads().filter(unit=OuterRef("pk")).values("pk")[:1]
    return Unit.objects.annotate(head_id=Subquery(heads)).in_order()


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


# ---------------------------------------------------------------- plans


class PlanOut(Schema):
    id: int
    unit_id: int
    parent_id: int | None
    year: int
    title: str
    document_number: str
    issued_on: dt.date | None
    status: str
    index_set_ids: list[int]
    ranking_public: bool

    @staticmethod
    def resolve_index_set_ids(plan: Plan) -> list[int]:
        return sorted(s.pk for s in plan.index_sets.all())


class PlanIn(Schema):
    unit_id: Id
    parent_id: Id | None = None
    year: Year
    title: RequiredText300
    document_number: Text60 = ""
    issued_on: IsoDate | None = None
    status: PlanStatus = PlanStatus.DRAFT
    index_set_ids: list[Id] | None = None


class PlanPatch(Schema):
    year: Year | None = None
    title: RequiredText300 | None = None
    document_number: Text60 | None = None
    issued_on: IsoDate | None = None
    status: PlanStatus | None = None
    index_set_ids: list[Id] | None = None


@router.get("/plans", response={200: list[PlanOut], **ERRORS}, tags=["plans"], summary="Plans")
@paginate(Page)
def list_plans(
    request: HttpRequest,
    year: int | None = None,
    unit_id: PathId | None = None,
    parent_id: PathId | None = None,
    status: PlanStatus | None = None,
) -> QuerySet[Plan]:
    caller(request)
    plans = Plan.objects.prefetch_related("index_sets").order_by("-year", "unit__name", "id")
    if year is not None:
        plans = plans.filter(year=year)
    if parent_id is not None:
        plans = plans.filter(parent_id=parent_id)
    if unit_id is not None:
        plans = plans.filter(unit_id=unit_id)
    if status is not None:
        plans = plans.filter(status=status)
    return plans


@router.post(
    "/plans",
    response={201: PlanOut, **ERRORS},
    tags=["plans"],
    summary=(
        "Create the province plan (admin, or the head of a province-level unit; the demo "
        "index sets by default) or a unit's own plan with parent_id (admin, or that unit's head)"
    ),
)
def create_plan(request: HttpRequest, body: PlanIn) -> Status:
    plan = planning.create_plan(caller(request), **body.dict())
    return Status(201, plan)


@router.get("/plans/{plan_id}", response={200: PlanOut, **ERRORS}, tags=["plans"])
def read_plan(request: HttpRequest, plan_id: PathId) -> Plan:
    caller(request)
    return get_plan(plan_id)


@router.patch(
    "/plans/{plan_id}",
    response={200: PlanOut, **ERRORS},
    tags=["plans"],
    summary="Edit, issue or close a plan (admin, or the head of its unit)",
)
def patch_plan(request: HttpRequest, plan_id: PathId, body: PlanPatch) -> Plan:
    actor = caller(request)
    changes = body.dict(exclude_unset=True)
    for field in ("year", "title", "document_number", "status"):
        if field in changes and changes[field] is None:
            raise Invalid(
                _("Some values are not valid."), {field: _("This field cannot be empty.")}
            )
    return planning.update_plan(actor, get_plan(plan_id), **changes)


class IndexSetChoice(Schema):
    index_set_id: Id


# The level of a set scoring every level no other set scores, in a path.
EVERY_LEVEL = "all"


@router.put(
    "/plans/{plan_id}/index-sets/{level}",
    response={200: PlanOut, **ERRORS},
    tags=["plans"],
    summary="Score the plan's units of a level (or `all`: every other level) by this index "
    "set; the other levels keep theirs",
)
def put_plan_index_set(
    request: HttpRequest,
    plan_id: PathId,
    level: Literal["province", "department", "district", "commune", "all"],
    body: IndexSetChoice,
) -> Plan:
    actor = caller(request)
    plan = get_plan(plan_id)
    chosen = "" if level == EVERY_LEVEL else level
    return planning.set_index_set(actor, plan, chosen, body.index_set_id)


# ---------------------------------------------------------------- index sets

# The document a province writes, from the rule kinds registered when the API loads.
_DOCUMENT_SCHEMA = document_schema(list(Level.values), depth=3)


class GroupDoc(Schema):
    code: str
    from_pct: float


class IndexSetDoc(Schema):
    id: int
    year: int | None
    level: str
    name: str
    label: str
    source_document: str
    include_subtasks: bool
    cap_total: bool
    groups: list[GroupDoc]
    items: list[dict[str, Any]]

    @staticmethod
    def resolve_items(index_set: IndexSet | dict[str, Any]) -> list[dict[str, Any]]:
        if isinstance(index_set, dict):
            return list(index_set["items"])
        return tree_document(index_set)


@router.get(
    "/index-sets",
    response={200: list[IndexSetDoc], **ERRORS},
    tags=["scores"],
    summary="Index sets, each the whole document (its export)",
)
@paginate(Page)
def list_index_sets(
    request: HttpRequest, year: int | None = None, level: Level | None = None
) -> QuerySet[IndexSet]:
    caller(request)
    sets = IndexSet.objects.prefetch_related("criteria__subcriteria").order_by(
        F("year").desc(nulls_first=True), "level", "name", "id"
    )
    if year is not None:  # the sets of that year, and those serving any year
        sets = sets.filter(Q(year=year) | Q(year__isnull=True))
    if level is not None:
        sets = sets.filter(level=level)
    return sets


@router.get(
    "/index-sets/schema",
    response={200: dict[str, Any], **ERRORS},
    tags=["scores"],
    summary="The index-set document as JSON Schema, each rule kind with its parameters",
    description="Generated from the rule kinds the product knows: what a province writes to "
    "load its own scoring decision (POST /index-sets). The import checks more than a schema "
    "can say (bands cover 0 to 100% once, codes are unique), each fault in words.",
)
def index_set_schema(request: HttpRequest) -> dict[str, Any]:
    caller(request)
    schema = document_schema(list(Level.values))
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


@router.get(
    "/index-sets/template.xlsx",
    response=ERRORS,
    tags=["scores"],
    summary="The blank index-set workbook a province fills from its decision's table",
    openapi_extra=XLSX_ANSWER,
)
def index_set_template(request: HttpRequest) -> HttpResponse:
    caller(request)
    return xlsx_response(indexbooks.index_set_workbook(None), "bo-chi-so-mau.xlsx")


@router.get(
    "/index-sets/{index_set_id}.xlsx",
    response=ERRORS,
    tags=["scores"],
    summary="One index set as a workbook: one row per criterion and sub-criterion; it loads back",
    openapi_extra=XLSX_ANSWER,
)
def index_set_as_workbook(request: HttpRequest, index_set_id: PathId) -> HttpResponse:
    caller(request)
    index_set = IndexSet.objects.filter(pk=index_set_id).first()
    if index_set is None:
        raise NotFound(_("No such index set."))
    return xlsx_response(indexbooks.index_set_workbook(index_set), f"bo-chi-so-{index_set.pk}.xlsx")


@router.get(
    "/index-sets/{index_set_id}",
    response={200: IndexSetDoc, **ERRORS},
    tags=["scores"],
    summary="One index set as a document: download it, edit it, load it back as a new set",
)
def read_index_set(request: HttpRequest, index_set_id: PathId) -> dict[str, Any]:
    caller(request)
    index_set = IndexSet.objects.filter(pk=index_set_id).first()
    if index_set is None:
        raise NotFound(_("No such index set."))
    return export_index_set(index_set)


@router.post(
    "/index-sets",
    response={201: IndexSetDoc, **UPLOAD_ERRORS},
    tags=["scores"],
    summary="Load a province's own index set from its document or its workbook (admin); "
    "refused whole, naming the item (or the workbook's row), when anything in it is wrong",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _DOCUMENT_SCHEMA},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {
                                "type": "string",
                                "format": "binary",
                                "description": "The workbook (.xlsx, as GET "
                                "/index-sets/template.xlsx) or the JSON document.",
                            }
                        },
                        "required": ["file"],
                    }
                },
            },
        }
    },
)
def load_index_set(request: HttpRequest) -> Status:
    actor = caller(request)
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            message = _("Send the workbook or the document as the form's file.")
            raise Invalid(message, {"file": message})
        if (upload.size or 0) > indexbooks.MAX_BYTES:
            raise TooLarge(_("An index-set workbook may be at most 2 MB."))
        index_set = indexbooks.load_document(actor, upload.read(), upload.name or "")
    else:
        try:
            document = json.loads(request.body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise DomainError(_("The body is not a JSON document.")) from None
        index_set = import_index_set(actor, document)
    return Status(201, export_index_set(index_set))


# ---------------------------------------------------------------- indicators


Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Count = Annotated[int, Strict(), Field(ge=0, le=MAX_ID)]


class TargetIn(Schema):
    level: Level
    target_pct: Percent


class TargetOut(Schema):
    level: str
    target_pct: float


class IndicatorIn(Schema):
    code: RequiredText40
    name: RequiredText300
    unit_of_measure: RequiredText40 = "%"
    targets: list[TargetIn] = []


class IndicatorOut(Schema):
    id: int
    plan_id: int
    code: str
    name: str
    unit_of_measure: str
    targets: list[TargetOut]

    @staticmethod
    def resolve_targets(indicator: Indicator) -> list[IndicatorTarget]:
        return list(indicator.targets.all())


def get_indicator(indicator_id: int) -> Indicator:
    indicator = (
        Indicator.objects.select_related("plan").prefetch_related("targets").filter(pk=indicator_id)
    ).first()
    if indicator is None:
        raise NotFound(_("No such indicator."))
    return indicator


@router.get(
    "/plans/{plan_id}/indicators", response={200: list[IndicatorOut], **ERRORS}, tags=["indicators"]
)
@paginate(Page)
def list_indicators(request: HttpRequest, plan_id: PathId) -> QuerySet[Indicator]:
    caller(request)
    plan = get_plan(plan_id)
    return plan.indicators.prefetch_related("targets").order_by("code", "id")


@router.post(
    "/plans/{plan_id}/indicators",
    response={201: IndicatorOut, **ERRORS},
    tags=["indicators"],
    summary="Add an indicator with a target per level (admin, or the head of the plan's unit)",
)
def create_indicator(request: HttpRequest, plan_id: PathId, body: IndicatorIn) -> Status:
    actor = caller(request)
    data = body.dict()
    indicator = planning.create_indicator(actor, get_plan(plan_id), **data)
    return Status(201, get_indicator(indicator.pk))


@router.get(
    "/indicators/{indicator_id}", response={200: IndicatorOut, **ERRORS}, tags=["indicators"]
)
def read_indicator(request: HttpRequest, indicator_id: PathId) -> Indicator:
    caller(request)
    return get_indicator(indicator_id)


class MeasurementIn(Schema):
    unit_id: Id
    period_start: IsoDate
    period_end: IsoDate
    numerator: Count
    denominator: Count


class MeasurementOut(Schema):
    id: int
    indicator_id: int
    unit_id: int
    period_start: dt.date
    period_end: dt.date
    numerator: int
    denominator: int
    actual_pct: float
    reported_by: int | None

    @staticmethod
    def resolve_actual_pct(m: Measurement) -> Decimal | None:
        return pct(m.numerator, m.denominator)

    @staticmethod
    def resolve_reported_by(m: Measurement) -> int | None:
        return m.reported_by_id


@router.post(
    "/indicators/{indicator_id}/measurements",
    response={200: MeasurementOut, 201: MeasurementOut, **ERRORS},
    tags=["indicators"],
    summary="Report a unit's figure for a period (201); the same period again corrects it (200)",
)
def report_measurement(request: HttpRequest, indicator_id: PathId, body: MeasurementIn) -> Status:
    actor = caller(request)
    measurement, created = planning.report_measurement(
        actor, get_indicator(indicator_id), **body.dict()
    )
    return Status(201 if created else 200, measurement)


@router.get(
    "/indicators/{indicator_id}/measurements",
    response={200: list[MeasurementOut], **ERRORS},
    tags=["indicators"],
)
@paginate(Page)
def list_measurements(
    request: HttpRequest,
    indicator_id: PathId,
    unit_id: PathId | None = None,
    period_end: IsoDate | None = None,
) -> QuerySet[Measurement]:
    caller(request)
    measurements = get_indicator(indicator_id).measurements.order_by("-period_end", "unit_id", "id")
    if unit_id is not None:
        measurements = measurements.filter(unit_id=unit_id)
    if period_end is not None:
        measurements = measurements.filter(period_end=period_end)
    return measurements


class UnitAttainmentOut(Schema):
    unit_id: int
    code: str
    name: str
    level: str
    numerator: int | None
    denominator: int | None
    period_end: dt.date | None
    actual_pct: float | None
    target_pct: float | None
    met: bool | None


class LevelAttainmentOut(Schema):
    level: str
    numerator: int
    denominator: int
    actual_pct: float | None
    target_pct: float | None
    met: bool | None
    units_meeting: int
    units_reported: int
    units_missing: int


class AttainmentOut(Schema):
    indicator_id: int
    period_end: dt.date | None
    units: list[UnitAttainmentOut]
    levels: list[LevelAttainmentOut]


@router.get(
    "/indicators/{indicator_id}/attainment",
    response={200: AttainmentOut, **ERRORS},
    tags=["indicators"],
    summary="Each unit and level against its target (period_end, default each unit's latest)",
)
def read_attainment(
    request: HttpRequest, indicator_id: PathId, period_end: IsoDate | None = None
) -> dict[str, Any]:
    caller(request)
    indicator = get_indicator(indicator_id)
    units, levels = attainment(indicator, period_end)
    return {
        "indicator_id": indicator.pk,
        "period_end": period_end,
        "units": [asdict(u) for u in units],
        "levels": [asdict(level) for level in levels],
    }
