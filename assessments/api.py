"""The annual assessment's API (docs/api.md, docs/assessment.md).

Every write goes through assessments.services; readers go through the
permission-checked getters of assessments.sheets (404 for a sheet the caller
may not see).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StrictBool

from assessments import council, services
from assessments.history import events_of
from assessments.models import Assessment, Phase, Result, Sheet
from assessments.sheets import (
    Line,
    editable,
    get_assessment_for,
    get_sheet_for,
    group_lines,
    group_names,
    is_council,
    lines_of,
)
from kit.errors import NotAllowed
from kit.schemas import ERRORS, UPLOAD_ERRORS, Id, IsoDate, PathId, Text
from plans.apikit import caller
from plans.indexsets import scoring_tree
from plans.models import Plan

router = Router(tags=["assessments"])

Points = Annotated[Decimal, Field(ge=-100, le=100, max_digits=6, decimal_places=2)]
Locator = Annotated[str, Field(max_length=1000)]  # the service says the limit (200)


class AssessmentIn(Schema):
    self_closes_on: IsoDate
    appraisal_closes_on: IsoDate


class AssessmentPatch(Schema):
    self_closes_on: IsoDate | None = None
    appraisal_closes_on: IsoDate | None = None


class AssessmentOut(Schema):
    id: int
    plan_id: int
    as_of: dt.date
    self_closes_on: dt.date
    appraisal_closes_on: dt.date
    status: str


class EvidenceRef(Schema):
    evidence_id: Id | None = None
    file_id: Id | None = None
    locator: Locator = ""


class LineIn(Schema):
    self_points: Points | None = None
    explanation: Annotated[Text, Field(max_length=5000)] | None = None
    evidence: list[EvidenceRef] | None = None


class LineOut(Schema):
    code: str
    name: str
    max_points: str
    applicable: bool
    computed_points: str
    self_points: str
    explanation: str
    evidence: list[dict[str, Any]]
    appraised_points: str | None
    appraisal_comment: str


class GroupOut(Schema):
    """A group of the index set: its items added up, capped by its maximum."""

    code: str
    name: str
    computed_points: str
    self_points: str
    appraised_points: str
    applicable_max: str


class SheetOut(Schema):
    assessment_id: int
    unit_id: int
    status: str
    locked: bool
    submitted_at: dt.datetime | None
    return_comment: str
    items: list[LineOut]
    groups: list[GroupOut]


class AppraiseIn(Schema):
    points: Points
    comment: Annotated[Text, Field(max_length=5000)] = ""


class CommentIn(Schema):
    comment: Annotated[Text, Field(max_length=5000)]


class ReopenIn(Schema):
    reason: Annotated[Text, Field(max_length=5000)]
    until: IsoDate


class PublishIn(Schema):
    confirm: StrictBool = False


class FileOut(Schema):
    id: int
    filename: str
    size: int
    sha256: str


class ResultOut(Schema):
    unit_id: int
    level: str
    self_total: str
    appraised_total: str
    applicable_max: str
    index_pct: str | None
    rank: int | None
    group: str


class ResultsOut(Schema):
    published: bool
    units: list[ResultOut]


def _two(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def line_out(line: Line) -> dict[str, Any]:
    item = line.item
    return {
        "code": item.code,
        "name": item.name,
        "max_points": _two(item.max_points),
        "applicable": line.applicable,
        "computed_points": _two(line.computed_points),
        "self_points": _two(line.self_points),
        "explanation": item.explanation,
        "evidence": [
            {"evidence_id": e.evidence_id, "file_id": e.sheet_file_id, "locator": e.locator}
            for e in line.evidence
        ],
        "appraised_points": _two(item.appraised_points),
        "appraisal_comment": item.appraisal_comment,
    }


def sheet_out(sheet: Sheet) -> dict[str, Any]:
    today = timezone.localdate()
    lines = lines_of(sheet, today)
    tree = scoring_tree(sheet.index_set_id)
    return {
        "assessment_id": sheet.assessment_id,
        "unit_id": sheet.unit_id,
        "status": sheet.status,
        "locked": not editable(sheet, today) and sheet.status == "draft",
        "submitted_at": sheet.submitted_at,
        "return_comment": sheet.return_comment,
        "items": [line_out(x) for x in lines],
        "groups": [
            {
                "code": g.code,
                "name": g.name,
                "computed_points": str(g.computed),
                "self_points": str(g.own),
                "appraised_points": str(g.appraised),
                "applicable_max": str(g.applicable_max),
            }
            for g in group_lines(lines, tree, group_names(sheet.index_set_id))
        ],
    }


def assessment_out(a: Assessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "plan_id": a.plan_id,
        "as_of": a.self_closes_on,
        "self_closes_on": a.self_closes_on,
        "appraisal_closes_on": a.appraisal_closes_on,
        "status": a.status,
    }


@router.post("/plans/{plan_id}/assessments", response={201: AssessmentOut, **ERRORS})
def open_assessment(request: HttpRequest, plan_id: PathId, body: AssessmentIn) -> Status:
    """Open the plan's annual assessment (committee or admin)."""
    actor = caller(request)
    plan = get_object_or_404(Plan, pk=plan_id)
    made = services.open_assessment(
        actor,
        plan,
        self_closes_on=body.self_closes_on,
        appraisal_closes_on=body.appraisal_closes_on,
    )
    return Status(201, assessment_out(made))


@router.get("/assessments/{assessment_id}", response={200: AssessmentOut, **ERRORS})
def read_assessment(request: HttpRequest, assessment_id: PathId) -> dict[str, Any]:
    return assessment_out(get_assessment_for(caller(request), assessment_id))


@router.patch("/assessments/{assessment_id}", response={200: AssessmentOut, **ERRORS})
def change_dates(request: HttpRequest, assessment_id: PathId, body: AssessmentPatch) -> Any:
    """Extend or shorten a window; the status follows the dates at once."""
    actor = caller(request)
    a = get_assessment_for(actor, assessment_id)
    a = services.change_dates(
        actor, a, self_closes_on=body.self_closes_on, appraisal_closes_on=body.appraisal_closes_on
    )
    return assessment_out(a)


def _sheet(request: HttpRequest, assessment_id: int, unit_id: int) -> tuple[Any, Sheet]:
    actor = caller(request)
    return actor, get_sheet_for(actor, get_assessment_for(actor, assessment_id), unit_id)


@router.get("/assessments/{assessment_id}/units/{unit_id}", response={200: SheetOut, **ERRORS})
def read_sheet(request: HttpRequest, assessment_id: PathId, unit_id: PathId) -> Any:
    """A unit's sheet: its officials, the committee and admins read it."""
    _actor, sheet = _sheet(request, assessment_id, unit_id)
    return sheet_out(sheet)


@router.patch(
    "/assessments/{assessment_id}/units/{unit_id}/items/{code}",
    response={200: SheetOut, **ERRORS},
)
def edit_line(
    request: HttpRequest, assessment_id: PathId, unit_id: PathId, code: str, body: LineIn
) -> Any:
    """Change a line's points (with an explanation), explanation or evidence."""
    actor, sheet = _sheet(request, assessment_id, unit_id)
    sent = body.dict(exclude_unset=True)
    services.edit_line(
        actor,
        sheet,
        code,
        self_points=sent.get("self_points", services.UNSET),
        explanation=sent.get("explanation", services.UNSET),
        evidence=sent["evidence"] if sent.get("evidence") is not None else services.UNSET,
    )
    return sheet_out(sheet)


class StepOut(Schema):
    at: dt.datetime
    actor_id: int | None
    action: str
    changes: dict[str, Any]


@router.get(
    "/assessments/{assessment_id}/units/{unit_id}/history", response={200: list[StepOut], **ERRORS}
)
def sheet_history(request: HttpRequest, assessment_id: PathId, unit_id: PathId) -> Any:
    """Every step of the sheet, oldest first: lines changed and appraised, submitted, returned."""
    _actor, sheet = _sheet(request, assessment_id, unit_id)
    return list(events_of(sheet))


@router.post(
    "/assessments/{assessment_id}/units/{unit_id}/evidence",
    response={201: FileOut, **UPLOAD_ERRORS},
)
def upload(
    request: HttpRequest, assessment_id: PathId, unit_id: PathId, file: File[UploadedFile]
) -> Status:
    """A document for the sheet (the same kinds and limit as task evidence)."""
    actor, sheet = _sheet(request, assessment_id, unit_id)
    stored = services.add_sheet_file(actor, sheet, file=file, filename=file.name)
    return Status(201, stored)


@router.post(
    "/assessments/{assessment_id}/units/{unit_id}/submit", response={200: SheetOut, **ERRORS}
)
def submit(request: HttpRequest, assessment_id: PathId, unit_id: PathId) -> Any:
    """The unit's head submits; every line is fixed as it stands."""
    actor, sheet = _sheet(request, assessment_id, unit_id)
    return sheet_out(services.submit_sheet(actor, sheet))


@router.post(
    "/assessments/{assessment_id}/units/{unit_id}/items/{code}/appraise",
    response={200: SheetOut, **ERRORS},
)
def appraise(
    request: HttpRequest, assessment_id: PathId, unit_id: PathId, code: str, body: AppraiseIn
) -> Any:
    """A council member's points for a line, with a comment."""
    actor, sheet = _sheet(request, assessment_id, unit_id)
    council.appraise_line(actor, sheet, code, points=body.points, comment=body.comment)
    sheet.refresh_from_db()
    return sheet_out(sheet)


@router.post(
    "/assessments/{assessment_id}/units/{unit_id}/return", response={200: SheetOut, **ERRORS}
)
def return_sheet(
    request: HttpRequest, assessment_id: PathId, unit_id: PathId, body: CommentIn
) -> Any:
    """Back to the unit once, for more explanation."""
    actor, sheet = _sheet(request, assessment_id, unit_id)
    return sheet_out(council.return_sheet(actor, sheet, comment=body.comment))


@router.post(
    "/assessments/{assessment_id}/units/{unit_id}/reopen", response={200: SheetOut, **ERRORS}
)
def reopen(request: HttpRequest, assessment_id: PathId, unit_id: PathId, body: ReopenIn) -> Any:
    """A locked sheet opened again for its unit, with a reason, until a day."""
    actor, sheet = _sheet(request, assessment_id, unit_id)
    return sheet_out(council.reopen_sheet(actor, sheet, reason=body.reason, until=body.until))


@router.post("/assessments/{assessment_id}/publish", response={200: AssessmentOut, **ERRORS})
def publish(request: HttpRequest, assessment_id: PathId, body: PublishIn) -> Any:
    """Freeze the results (confirm to publish before the appraisal window closes)."""
    actor = caller(request)
    a = council.publish(actor, get_assessment_for(actor, assessment_id), confirm=body.confirm)
    return assessment_out(a)


@router.get("/assessments/{assessment_id}/results", response={200: ResultsOut, **ERRORS})
def results(request: HttpRequest, assessment_id: PathId) -> Any:
    """Everyone once published; before that the committee and admins (as they stand)."""
    actor = caller(request)
    a = get_assessment_for(actor, assessment_id)
    published = a.status == Phase.PUBLISHED
    if not published and not is_council(actor):
        raise NotAllowed(_("The results are not published yet."))
    rows: list[Result] = (
        list(a.results.select_related("unit"))
        if published
        else council.results_of(a, timezone.localdate())
    )
    return {
        "published": published,
        "units": [
            {
                "unit_id": r.unit_id,
                "level": r.level,
                "self_total": _two(r.self_total),
                "appraised_total": _two(r.appraised_total),
                "applicable_max": _two(r.applicable_max),
                "index_pct": _two(r.index_pct),
                "rank": r.rank,
                "group": r.group,
            }
            for r in rows
        ],
    }
