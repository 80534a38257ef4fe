"""Officials' task results: who reads them, every write to them, and the monthly freeze.

- Reading: a unit's results are its head's, the steering committee's and the
  administrators'; each official reads their own.
- Writes (each atomic and audited, actor passed in): the head marks a task's
  returns or delays as of objective cause (with a reason) or withdraws the
  mark; enters an official's general points (0 to 30); recomputes a closed
  period's frozen figures (with a reason). The head acts on their own unit's
  officials and on the tasks their unit leads; an administrator on any.
- `freeze_task_results(now)`: the job (django-q2, daily) that freezes each
  official's figures of the month just closed, and of the quarter when one
  closed with it: on the 1st it freezes them, on the other days it finds them
  frozen and writes nothing (a missed 1st is caught up); a frozen result stays
  put.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kit.errors import Conflict, Invalid, NotAllowed, NotFound
from plans.access import Action, may_on_unit
from plans.models import Official, Role, Unit
from plans.models.audit import record
from tasks.models import Task
from tasks.models.results import MarkKind, ObjectiveMark, PeriodResult
from tasks.results.periods import (
    Figures,
    OfficialResult,
    Period,
    last_closed_month,
    lines_of_officials,
    parse_period,
)


def unit_officials(unit: Unit) -> list[Official]:
    """Whose results a unit's page lists: its people with an active login, by name."""
    return list(
        Official.objects.filter(unit=unit, user__is_active=True)
        .exclude(role=Role.ADMIN)
        .order_by("full_name", "pk")
    )


def results_unit_for(actor: Official, unit_id: int) -> Unit:
    """The unit whose results the actor may read: 404 for none, 403 for another's."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("No such unit."))
    if may_on_unit(actor, Action.READ_RESULTS, unit.pk):
        return unit
    raise NotAllowed(_("A unit's task results are for its head and the steering committee."))


def results_of(officials: list[Official], period: Period) -> list[OfficialResult]:
    """Each official's result: frozen where frozen, else as it stands (two queries)."""
    rows = {
        r.official_id: r
        for r in PeriodResult.objects.filter(
            official__in=[o.pk for o in officials], period=period.text
        )
    }
    live = lines_of_officials(
        [o.pk for o in officials if not (o.pk in rows and rows[o.pk].frozen_at)], period
    )
    results = []
    for official in officials:
        row = rows.get(official.pk)
        if row is not None and row.frozen_at is not None:
            figures = Figures.from_json(row.figures)
        else:
            figures = Figures.of(live.get(official.pk, []))
        results.append(
            OfficialResult(
                official,
                figures,
                row.general_points if row else None,
                row.frozen_at if row else None,
            )
        )
    return results


def _head_of(actor: Official, unit_id: int | None) -> None:
    if may_on_unit(actor, Action.ASSESS_RESULTS, unit_id):
        return
    raise NotAllowed(_("Only the head of the official's unit (or an administrator) does this."))


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason."), {"reason": _("Give the reason.")})
    return reason


@transaction.atomic
def mark_objective(actor: Official, task: Task, kind: str, reason: str) -> ObjectiveMark:
    """The task's returns (or delays) had an objective cause: they take nothing off."""
    _head_of(actor, task.lead_unit_id)
    if kind not in MarkKind.values:
        raise Invalid(_("Mark returns or delays."), {"kind": _("Mark returns or delays.")})
    reason = _reason(reason)
    mark, _created = ObjectiveMark.objects.update_or_create(
        task=task, kind=kind, defaults={"reason": reason, "marked_by": actor}
    )
    record(actor, "marked_objective", task, kind=kind, reason=reason)
    return mark


@transaction.atomic
def unmark_objective(actor: Official, task: Task, kind: str) -> None:
    _head_of(actor, task.lead_unit_id)
    deleted, _rows = ObjectiveMark.objects.filter(task=task, kind=kind).delete()
    if deleted:
        record(actor, "unmarked_objective", task, kind=kind)


def general_points(value: Any) -> Decimal:
    try:
        points = Decimal(str(value))
    except (InvalidOperation, ValueError):
        points = Decimal("NaN")
    if not points.is_finite() or not Decimal(0) <= points <= Decimal(30):
        raise Invalid(
            _("The general criteria points are a number from 0 to 30."),
            {"general_points": _("From 0 to 30.")},
        )
    return points.quantize(Decimal("0.01"))


@transaction.atomic
def set_general_points(
    actor: Official, official: Official, period: Period, points: Any
) -> PeriodResult:
    """The head's 30 general points for one of their officials and a period."""
    _head_of(actor, official.unit_id)
    if official.unit_id is None:
        raise Invalid(_("This person belongs to no unit."))
    value = general_points(points)
    row, _created = PeriodResult.objects.select_for_update().get_or_create(
        official=official, period=period.text, defaults={"unit_id": official.unit_id}
    )
    old = row.general_points
    row.general_points = value
    row.save(update_fields=["general_points"])
    record(
        actor,
        "general_points",
        official,
        period=period.text,
        general_points=[str(old) if old is not None else None, str(value)],
    )
    return row


def _freeze(
    officials: list[Official], period: Period, now: dt.datetime, *, again: bool
) -> dict[int, tuple[Any, Any]]:
    """Write each official's figures as they stand; (old points, new points) per official.

    Without `again` an already frozen result is left as it is.
    """
    if not again:
        frozen = set(
            PeriodResult.objects.filter(
                official__in=[o.pk for o in officials],
                period=period.text,
                frozen_at__isnull=False,
            ).values_list("official_id", flat=True)
        )
        officials = [o for o in officials if o.pk not in frozen]
    lines = lines_of_officials([o.pk for o in officials], period)
    changed: dict[int, tuple[Any, Any]] = {}
    for official in officials:
        figures = Figures.of(lines.get(official.pk, []))
        try:
            with transaction.atomic():
                row, _created = PeriodResult.objects.select_for_update().get_or_create(
                    official=official, period=period.text, defaults={"unit_id": official.unit_id}
                )
        except IntegrityError:  # another run made it meanwhile
            row = PeriodResult.objects.select_for_update().get(
                official=official, period=period.text
            )
        if row.frozen_at is not None and not again:
            continue
        old = row.figures.get("points") if row.frozen_at else None
        row.figures = figures.to_json()
        row.frozen_at = now
        row.unit_id = official.unit_id or row.unit_id
        row.save(update_fields=["figures", "frozen_at", "unit"])
        changed[official.pk] = (old, row.figures.get("points"))
    return changed


def freeze_task_results(now: dt.datetime | None = None) -> int:
    """Freeze the month just closed (and its quarter when one closed): how many results.

    Idempotent: a frozen result is never frozen again by the job.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    month = last_closed_month(today)
    periods = [month]
    if month.end.month % 3 == 0:
        periods.append(parse_period(f"{month.end.year}-q{month.end.month // 3}", today))
    frozen = 0
    for unit in Unit.objects.filter(officials__isnull=False).distinct():
        people = unit_officials(unit)
        for period in periods:
            with transaction.atomic():
                done = _freeze(people, period, now, again=False)
                if done:
                    record(None, "results_frozen", unit, period=period.text, officials=len(done))
                frozen += len(done)
    return frozen


@transaction.atomic
def recompute_results(
    actor: Official, unit: Unit, period: Period, reason: str, now: dt.datetime | None = None
) -> dict[int, tuple[Any, Any]]:
    """Freeze a closed period's figures again as the tasks now stand, saying why."""
    _head_of(actor, unit.pk)
    reason = _reason(reason)
    now = now or timezone.now()
    if not period.closed(timezone.localdate(now)):
        raise Conflict(_("The period is still open: its figures follow the tasks until it closes."))
    changed = _freeze(unit_officials(unit), period, now, again=True)
    record(
        actor,
        "results_recomputed",
        unit,
        period=period.text,
        reason=reason,
        points={str(pk): list(pair) for pk, pair in changed.items()},
    )
    return changed
