"""The units' own plans under a province plan: who issued theirs, when, and who is late.

Sub-criterion 1.1 reads these plans (plans.rules.plan_issued_on_time); the
province plan's page lists them with the same deadline, so that the committee
sees who is late before the score says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from plans.models import Plan, PlanStatus, SubCriterion, Unit
from plans.rules import kind_of
from plans.rules.plan_issued_on_time import PlanIssuedOnTime, plan_issued_on_time

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"  # none issued, and the deadline has passed
NOT_YET_DUE = "not_yet_due"
# For a level whose index set does not judge the unit's plan (no 1.1):
ISSUED = "issued"
NOT_ISSUED = "not_issued"


@dataclass(frozen=True)
class UnitPlanRow:
    unit: Unit
    plan: Plan | None  # the unit's own plan (a draft too), if any
    deadline: dt.date | None  # 1.1's deadline for the unit's level, if its set has one
    state: str

    @property
    def issued(self) -> bool:
        return self.state in (ON_TIME, LATE, ISSUED)


def _deadlines(plan: Plan) -> dict[str, dt.date]:
    """1.1's deadline per level ("" for a set of every level), from the plan's index sets:
    a date, or the days after this plan's issue (none while it is not issued)."""
    found = {}
    issued = plan.issued_on if plan.status != PlanStatus.DRAFT else None
    kind = kind_of(PlanIssuedOnTime.name)
    subs = SubCriterion.objects.filter(
        criterion__index_set__plans=plan, rule=PlanIssuedOnTime.name
    ).select_related("criterion__index_set")
    for sub in subs:
        deadline = kind.for_plan(sub.as_rule(), issued).params.get("deadline")
        if deadline:
            found[sub.criterion.index_set.level] = dt.date.fromisoformat(deadline)
    return found


def tree_of(unit_id: int, units: Iterable[tuple[int, int | None]]) -> set[int]:
    """The unit and every unit below it, from (id, parent id) pairs."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in units:
        children.setdefault(parent_id, []).append(pk)
    tree, stack = set(), [unit_id]
    while stack:
        pk = stack.pop()
        if pk not in tree:
            tree.add(pk)
            stack.extend(children.get(pk, []))
    return tree


def units_under(unit_id: int) -> set[int]:
    """The unit and every unit below it in the tree (one query)."""
    return tree_of(unit_id, Unit.objects.values_list("pk", "parent_id"))


def state_of(issued_on: dt.date | None, deadline: dt.date | None, today: dt.date) -> str:
    """Where a unit's plan stands, judged as 1.1 judges it (plans.rules.plan_issued_on_time)."""
    if deadline is None:
        return ISSUED if issued_on is not None and issued_on <= today else NOT_ISSUED
    score = plan_issued_on_time(Decimal(1), issued_on, deadline, as_of=today)
    if not score.applicable:
        return NOT_YET_DUE
    if score.points == Decimal(1):
        return ON_TIME
    return LATE if score.why["issued_on"] else MISSING


def unit_plans(plan: Plan, today: dt.date) -> list[UnitPlanRow]:
    """Every unit the plan's index sets score, with its own plan: late and missing first.

    Empty for a unit's plan (only a province plan has units' plans under it).
    """
    if plan.parent_id is not None:
        return []
    deadlines = _deadlines(plan)
    levels = set(plan.index_sets.values_list("level", flat=True))
    tree = units_under(plan.unit_id) - {plan.unit_id}
    units = Unit.objects.filter(pk__in=tree).order_by("name")
    if "" not in levels:
        units = units.filter(level__in=levels)
    own = {p.unit_id: p for p in Plan.objects.filter(parent=plan).select_related("unit")}
    rows = []
    for unit in units:
        mine = own.get(unit.pk)
        level = unit.level if unit.level in levels else ""
        deadline = deadlines.get(level)
        issued_on = mine.issued_on if mine and mine.status != PlanStatus.DRAFT else None
        rows.append(UnitPlanRow(unit, mine, deadline, state_of(issued_on, deadline, today)))
    order = {MISSING: 0, LATE: 1, NOT_YET_DUE: 2, NOT_ISSUED: 3, ON_TIME: 4, ISSUED: 5}
    return sorted(rows, key=lambda r: order[r.state])


def own_plan(plan: Plan, unit_id: int | None) -> Plan | None:
    """A unit's own plan implementing this province plan, if it has one."""
    if unit_id is None:
        return None
    return Plan.objects.filter(Q(parent=plan) & Q(unit_id=unit_id)).first()
