"""The scores API: a plan's stored scores, recomputing them, an appraiser's points."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field, StrictBool

from kit.schemas import (
    ERRORS,
    XLSX_ANSWER,
    Id,
    IsoDate,
    Page,
    PathId,
    RequiredText20,
    RequiredText2000,
)
from kit.workbooks import xlsx_response
from plans import planning, rules, scoring
from plans.access import ScoreReach, score_reach
from plans.apikit import caller, get_plan
from plans.models import ManualScore, Plan
from tasks.scores import days as scores
from tasks.scores.export import scores_workbook

router = Router(tags=["scores"])


class SubScoreOut(Schema):
    code: str
    name: str
    points: str
    max_points: str
    applicable: bool
    group: bool  # a group's subtotal (its items added up), not a sub-criterion
    why: str
    why_data: dict[str, Any]


class UnitScoreOut(Schema):
    unit_id: int
    code: str
    name: str
    level: str
    index_set_id: int | None
    points: str
    max_points: str
    applicable_max: str
    index_pct: str | None
    group: str | None
    rank: int | None
    computed_at: dt.datetime
    subcriteria: list[SubScoreOut]


class ScoredByOut(Schema):
    id: int
    level: str
    name: str
    label: str
    source_document: str


class ScoresOut(Schema):
    plan_id: int
    as_of: dt.date
    computed_at: dt.datetime | None
    index_sets: list[ScoredByOut]
    units: list[UnitScoreOut]


def _two(value: Decimal | None) -> str | None:
    return None if value is None else str(scoring.round_points(value))


def scores_out(plan: Plan, as_of: dt.date, reach: ScoreReach | None = None) -> dict[str, Any]:
    """The stored roll-up of the latest day on or before as_of (404 when none).

    `reach` (plans.access.score_reach): the units the reader sees, and those whose
    parts (subcriteria, with their whys) it reads; None: everything.
    """
    day, rows = scores.score_day(plan, as_of)
    if reach is not None:
        rows = [s for s in rows if reach.shows(s.unit_id)]
    names = scores.subcriterion_names(plan)
    named = scores.indicator_names(plan)
    return {
        "plan_id": plan.pk,
        "as_of": day,
        "computed_at": max((s.computed_at for s in rows), default=None),
        "index_sets": list(
            plan.index_sets.order_by("level").values(
                "id", "level", "name", "label", "source_document"
            )
        ),
        "units": [
            {
                "unit_id": s.unit_id,
                "code": s.unit.code,
                "name": s.unit.name,
                "level": s.level,
                "index_set_id": s.index_set_id,
                "points": _two(s.points),
                "max_points": _two(s.max_points),
                "applicable_max": _two(s.applicable_max),
                "index_pct": _two(s.index_pct),
                "group": s.group or None,
                "rank": s.rank,
                "computed_at": s.computed_at,
                "subcriteria": [
                    {
                        "code": part["code"],
                        "points": part["points"],
                        "max_points": part["max_points"],
                        "applicable": part.get("applicable", True),
                        "group": bool(part.get("group")),
                        "name": names.get(s.index_set_id or 0, {}).get(part["code"], ""),
                        "why": rules.explain(part["why"], named),
                        "why_data": part["why"],
                    }
                    for part in s.parts
                    if reach is None or reach.detailed(s.unit_id)
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
    """The committee and admins read every unit with its parts; a unit's people their own
    unit's parts, and the other units' lines (no parts) once the ranking is public."""
    actor = caller(request)
    plan = get_plan(plan_id)
    return scores_out(plan, as_of or timezone.localdate(), score_reach(actor, plan))


@router.get(
    "/plans/{plan_id}/scores.xlsx",
    response=ERRORS,
    tags=["scores"],
    summary="The score table of the latest roll-up on or before as_of, as an Excel workbook",
    openapi_extra=XLSX_ANSWER,
)
def scores_xlsx(
    request: HttpRequest, plan_id: PathId, as_of: IsoDate | None = None
) -> HttpResponse:
    actor = caller(request)
    plan = get_plan(plan_id)
    day, rows = scores.score_day(plan, as_of or timezone.localdate())
    book = scores_workbook(plan, day, rows, score_reach(actor, plan))
    return xlsx_response(book, f"diem-{plan.pk}-{day:%Y%m%d}.xlsx")


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
    points: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] | None = None
    justification: RequiredText2000
    not_applicable: StrictBool = False


class ManualScoreOut(Schema):
    id: int
    unit_id: int
    code: str
    points: float
    justification: str
    not_applicable: bool
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
    actor = caller(request)
    plan = get_plan(plan_id)
    entries = plan.manual_scores.select_related("subcriterion")
    reach = score_reach(actor, plan)
    if not reach.every_unit:  # the appraisers' reasons: the committee's, and each unit its own
        entries = entries.filter(unit_id=reach.own_unit or 0)
    if unit_id is not None:
        entries = entries.filter(unit_id=unit_id)
    return entries.order_by("-entered_at", "-id")


class RankingIn(Schema):
    public: StrictBool


class RankingOut(Schema):
    plan_id: int
    ranking_public: bool


@router.put(
    "/plans/{plan_id}/ranking-public",
    response={200: RankingOut, **ERRORS},
    tags=["scores"],
    summary=(
        "Make the plan's ranking table (points, index, rank, group) readable by everyone, "
        "or by the committee and each unit for its own line only (committee, admin)"
    ),
)
def put_ranking_public(request: HttpRequest, plan_id: PathId, body: RankingIn) -> dict[str, Any]:
    plan = planning.set_ranking_public(caller(request), get_plan(plan_id), body.public)
    return {"plan_id": plan.pk, "ranking_public": plan.ranking_public}


@router.post(
    "/plans/{plan_id}/manual-scores",
    response={201: ManualScoreOut, **ERRORS},
    tags=["scores"],
    summary=(
        "Score a judged item, a bonus or a penalty for a unit (admin, committee), or mark a "
        "judged item not applicable; today's scores follow"
    ),
)
def add_manual_score(request: HttpRequest, plan_id: PathId, body: ManualScoreIn) -> Status:
    actor = caller(request)
    plan = get_plan(plan_id)
    entry = scores.enter_manual_score(actor, plan, **body.dict())
    return Status(201, ManualScore.objects.select_related("subcriterion").get(pk=entry.pk))
