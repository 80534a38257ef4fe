"""The task results over the API (docs/api.md, docs/task-results.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from kit.schemas import ERRORS, PathId
from plans.apikit import caller
from tasks.results.periods import Period, excellent_over_cap, last_closed_month, parse_period
from tasks.results.services import results_of, results_unit_for, unit_officials

router = Router(tags=["task results"])


class ResultOut(Schema):
    official_id: int
    assigned: int
    completed: int
    quantity_pct: Decimal | None
    quality_pct: Decimal | None
    progress_pct: Decimal | None
    points: Decimal | None  # the 70-point task part
    general_points: Decimal | None  # the head's 30 general points, once entered
    total: Decimal | None
    grade: str | None  # excellent, good, completed, not_completed
    grade_provisional: bool  # read on the task part alone: no general points yet
    frozen: bool


class MyResultOut(ResultOut):
    period: str


class UnitResultsOut(Schema):
    period: str
    excellent_over_cap: bool
    officials: list[ResultOut]


def period_of(text: str | None) -> Period:
    today = timezone.localdate()
    return parse_period(text, today) if text else last_closed_month(today)


@router.get(
    "/units/{unit_id}/task-results",
    response={200: UnitResultsOut, **ERRORS},
    summary="Each official's task results for a month (2026-03) or quarter (2026-q1)",
)
def unit_task_results(
    request: HttpRequest, unit_id: PathId, period: str | None = None
) -> dict[str, Any]:
    unit = results_unit_for(caller(request), unit_id)
    chosen = period_of(period)
    results = results_of(unit_officials(unit), chosen)
    return {
        "period": chosen.text,
        "excellent_over_cap": excellent_over_cap(results),
        "officials": [r.as_api(chosen) for r in results],
    }


@router.get(
    "/me/task-results",
    response={200: MyResultOut, **ERRORS},
    summary="The caller's own task results for a month (2026-03) or quarter (2026-q1)",
)
def my_task_results(request: HttpRequest, period: str | None = None) -> dict[str, Any]:
    chosen = period_of(period)
    (result,) = results_of([caller(request)], chosen)
    return result.as_api(chosen)
