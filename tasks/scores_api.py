"""The scores API: a plan's stored scores, recomputing them, an appraiser's points."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from plans import scoring
from plans.apikit import caller, get_plan
from plans.models import ManualScore, Plan
from plans.schemas import ERRORS, Id, IsoDate, Page, PathId, RequiredText20, RequiredText2000
from tasks import scores

router = Router(tags=["scores"])


class SubScoreOut(Schema):
    code: str
    name: str
    points: float
    max_points: float
    why: str
    why_data: dict[str, Any]


class UnitScoreOut(Schema):
    unit_id: int
    code: str
    name: str
    level: str
    points: float
    max_points: float
    rank: int
    subcriteria: list[SubScoreOut]


class ScoresOut(Schema):
    plan_id: int
    as_of: dt.date
    computed_at: dt.datetime | None
    units: list[UnitScoreOut]


def scores_out(plan: Plan, as_of: dt.date) -> dict[str, Any]:
    """The stored roll-up of the latest day on or before as_of (404 when none)."""
    day, rows = scores.score_day(plan, as_of)
    names = scores.subcriterion_names(plan)
    return {
        "plan_id": plan.pk,
        "as_of": day,
        "computed_at": max((s.computed_at for s in rows), default=None),
        "units": [
            {
                "unit_id": s.unit_id,
                "code": s.unit.code,
                "name": s.unit.name,
                "level": s.level,
                "points": s.points,
                "max_points": s.max_points,
                "rank": s.rank,
                "subcriteria": [
                    {
                        **part,
                        "name": names.get(part["code"], ""),
                        "why": scoring.explain(part["why"]),
                        "why_data": part["why"],
                    }
                    for part in s.parts
                ],
            }
            for s in rows
        ],
    }


@router.get(
    "/plans/{plan_id}/scores",
    response={200: ScoresOut, **ERRORS},
    tags=["scores"],
    summary="The latest roll-up on or before as_of (default today), units ranked per level",
)
def read_scores(
    request: HttpRequest, plan_id: PathId, as_of: IsoDate | None = None
) -> dict[str, Any]:
    caller(request)
    return scores_out(get_plan(plan_id), as_of or timezone.localdate())


@router.post(
    "/plans/{plan_id}/rollup",
    response={200: ScoresOut, **ERRORS},
    tags=["scores"],
    summary="Run the roll-up now (admin, committee) and answer its scores",
)
def run_rollup(
    request: HttpRequest, plan_id: PathId, as_of: IsoDate | None = None
) -> dict[str, Any]:
    plan = get_plan(plan_id)
    as_of = as_of or timezone.localdate()
    scores.recompute_scores(caller(request), plan, as_of)
    return scores_out(plan, as_of)


class ManualScoreIn(Schema):
    unit_id: Id
    code: RequiredText20
    points: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
    justification: RequiredText2000


class ManualScoreOut(Schema):
    id: int
    unit_id: int
    code: str
    points: float
    justification: str
    entered_by: int
    entered_at: dt.datetime

    @staticmethod
    def resolve_code(entry: ManualScore) -> str:
        return entry.subcriterion.code

    @staticmethod
    def resolve_entered_by(entry: ManualScore) -> int:
        return entry.entered_by_id


@router.get(
    "/plans/{plan_id}/manual-scores",
    response={200: list[ManualScoreOut], **ERRORS},
    tags=["scores"],
    summary="Every manual score entered under the plan, newest first (the latest counts)",
)
@paginate(Page)
def list_manual_scores(
    request: HttpRequest, plan_id: PathId, unit_id: PathId | None = None
) -> QuerySet[ManualScore]:
    caller(request)
    entries = get_plan(plan_id).manual_scores.select_related("subcriterion")
    if unit_id is not None:
        entries = entries.filter(unit_id=unit_id)
    return entries.order_by("-entered_at", "-id")


@router.post(
    "/plans/{plan_id}/manual-scores",
    response={201: ManualScoreOut, **ERRORS},
    tags=["scores"],
    summary="Score a manual sub-criterion for a unit (admin, committee); today's roll-up reruns",
)
def add_manual_score(request: HttpRequest, plan_id: PathId, body: ManualScoreIn) -> Status:
    actor = caller(request)
    plan = get_plan(plan_id)
    entry = scores.enter_manual_score(actor, plan, **body.dict())
    return Status(201, ManualScore.objects.select_related("subcriterion").get(pk=entry.pk))
