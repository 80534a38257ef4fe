"""Writes on the ground floor, for the plans: plans, units' own plans, indicators, figures.

Each is one function, actor passed in, atomic, audited, called alike by the
pages, the API and the admin.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kit.errors import Conflict, Invalid, NotAllowed
from plans.access import (
    Action,
    Rel,
    allows,
    may_on_unit,
    may_publish_ranking,
    plan_relations,
    unit_relations,
)
from plans.indexsets import standard_index_sets
from plans.models import (
    DEFAULT_AREAS,
    Area,
    IndexSet,
    Indicator,
    IndicatorTarget,
    Measurement,
    Official,
    Plan,
    PlanStatus,
    Unit,
    record,
)
from plans.rescore import scores_may_move
from plans.services import clean_or_invalid
from plans.unitplans import units_under


def add_default_areas(plan: Plan) -> list[Area]:
    """Give a plan the eight PAR INDEX areas it does not have yet."""
    have = set(plan.areas.values_list("number", flat=True))
    return Area.objects.bulk_create(
        [Area(plan=plan, number=n, name=name) for n, name in DEFAULT_AREAS if n not in have]
    )


def _require_plan_manager(actor: Official, unit_id: int | None) -> None:
    if not allows(Action.MANAGE_PLAN, plan_relations(actor, unit_id)):
        raise NotAllowed(_("Only an administrator or the head of the issuing unit does this."))


NOT_A_PROVINCE_PLAN = gettext_lazy(
    "Only an administrator or the head of a province-level unit issues a plan without a "
    "parent; a unit's own plan names the province plan it implements."
)


def _parent_plan(parent_id: int | None, year: int, unit_id: int) -> Plan | None:
    """The province plan a unit's plan implements: itself without parent, of the same year."""
    if parent_id is None:
        return None
    parent = Plan.objects.filter(pk=parent_id).first()
    message = None
    if parent is None:
        message = _("No such plan.")
    elif parent.parent_id is not None:
        message = _("A unit's plan implements the province plan, not another unit's plan.")
    elif parent.year != year:
        message = _("A unit's plan implements the province plan of its own year (%(year)s).") % {
            "year": parent.year
        }
    elif parent.unit_id == unit_id:
        message = _("The province plan's own unit is scored by the province plan itself.")
    if message:
        raise Invalid(message, {"parent_id": message})
    return parent


def _index_sets(index_set_ids: list[int] | None, year: int) -> list[IndexSet]:
    """The sets a plan is scored by, one per unit level; by default the year's standard sets."""
    if index_set_ids is None:
        return standard_index_sets(year)
    found = {s.pk: s for s in IndexSet.objects.filter(pk__in=index_set_ids)}
    missing = [i for i in index_set_ids if i not in found]
    if missing:
        message = _("No such index set: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
        raise Invalid(message, {"index_set_ids": message})
    chosen = [found[i] for i in dict.fromkeys(index_set_ids)]
    _check_sets(chosen, year)
    return chosen


def _check_sets(chosen: list[IndexSet], year: int) -> None:
    """One set per level, each of the plan's year or of any year, agreeing on subtasks."""
    problem = None
    if len({s.level for s in chosen}) != len(chosen):
        problem = _("Give one index set per unit level.")
    elif any(s.year not in (None, year) for s in chosen):
        problem = _("The index sets of a plan are those of its year (%(year)s) or of any year.") % {
            "year": year
        }
    elif len({s.include_subtasks for s in chosen}) > 1:
        problem = _("The index sets of a plan agree on whether subtasks count.")
    if problem:
        raise Invalid(problem, {"index_set_ids": problem})


def _with_levels(plan: Plan, chosen: list[IndexSet]) -> list[IndexSet]:
    """The plan's sets with `chosen` in place of those of their levels; the others kept."""
    levels = {s.level for s in chosen}
    kept = [s for s in plan.index_sets.all() if s.level not in levels]
    merged = kept + chosen
    _check_sets(merged, plan.year)
    return merged


def _check_unit_plan(parent: Plan, unit: Unit, plan: Plan, now: dt.datetime | None) -> None:
    """A unit's plan: of a unit under the province plan's unit, issued no later than today."""
    if unit.pk not in units_under(parent.unit_id):
        message = _("This unit is not one of the units the province plan covers.")
        raise Invalid(message, {"unit_id": message})
    if plan.issued_on is not None and plan.issued_on > timezone.localdate(now):
        message = _("A plan cannot have been issued after today.")
        raise Invalid(message, {"issued_on": message})
    if plan.issued_on is not None and parent.issued_on and plan.issued_on < parent.issued_on:
        message = _(
            "A unit's plan implements the province plan: it is issued on or after it (%(date)s)."
        ) % {"date": parent.issued_on.strftime("%d/%m/%Y")}
        raise Invalid(message, {"issued_on": message})


def _check_issue_date(plan: Plan) -> None:
    if plan.status != PlanStatus.DRAFT and plan.issued_on is None:
        message = _("An issued plan needs its issue date.")
        raise Invalid(message, {"issued_on": message})


@transaction.atomic
def create_plan(
    actor: Official,
    *,
    unit_id: int,
    year: int,
    title: str,
    document_number: str = "",
    issued_on: dt.date | None = None,
    status: str = PlanStatus.DRAFT,
    parent_id: int | None = None,
    index_set_ids: list[int] | None = None,
    now: dt.datetime | None = None,
) -> Plan:
    """Create an annual plan with the eight areas.

    - Without parent, the province plan: by an administrator or the head of a
      province-level unit; scored by one index set per level (the standard sets
      of its year unless others are given).
    - With parent, a unit's own plan implementing it: by an administrator or
      that unit's head, for that unit only; scored under its parent.
    """
    rel = plan_relations(actor, unit_id)
    if not allows(Action.MANAGE_PLAN, rel):
        raise NotAllowed(_("A unit's head creates plans for their own unit only."))
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Invalid(_("No such unit."), {"unit_id": _("No such unit.")})
    if parent_id is None and not allows(Action.ISSUE_PROVINCE_PLAN, rel):
        raise NotAllowed(str(NOT_A_PROVINCE_PLAN))
    plan = Plan(
        unit=unit,
        year=year,
        title=(title or "").strip(),
        document_number=document_number,
        issued_on=issued_on,
        status=status,
    )
    _check_issue_date(plan)
    clean_or_invalid(plan, exclude=["parent"])
    plan.parent = _parent_plan(parent_id, year, unit_id)
    if plan.parent is not None:
        _check_unit_plan(plan.parent, unit, plan, now)
        if Plan.objects.filter(parent=plan.parent, unit=unit).exists():
            message = _("This unit already has its plan implementing this one.")
            raise Invalid(message, {"unit_id": message})
    if plan.parent is not None and index_set_ids:
        message = _("A unit's plan is scored under the province plan: it takes no index set.")
        raise Invalid(message, {"index_set_ids": message})
    sets = [] if plan.parent is not None else _index_sets(index_set_ids, year)
    plan.save()
    plan.index_sets.set(sets)
    add_default_areas(plan)
    record(
        actor,
        "created",
        plan,
        title=plan.title,
        year=year,
        parent_id=parent_id,
        status=plan.status,
        index_set_ids=[s.pk for s in sets],
    )
    if plan.parent is not None and plan.status != PlanStatus.DRAFT:
        scores_may_move(plan, now=now)
    return plan


PLAN_FIELDS = ("year", "title", "document_number", "issued_on", "status")
DATE_KEPT = gettext_lazy(
    "The date a unit's plan was issued is recorded once: the head of the province plan's "
    "unit, or an administrator, corrects it."
)


@transaction.atomic
def record_unit_plan(
    actor: Official,
    province_plan: Plan,
    *,
    title: str,
    document_number: str,
    issued_on: dt.date,
    now: dt.datetime | None = None,
) -> Plan:
    """A unit's head records the unit's own plan implementing the province plan, as issued.

    Creates it, or issues the unit's draft; an issued plan's number and title
    may still be corrected, its date only by the province plan's head.
    """
    province_plan = Plan.objects.select_for_update().get(pk=province_plan.pk)
    if province_plan.parent_id is not None:
        raise Invalid(_("A unit's plan implements the province plan, not another unit's plan."))
    unit_id = actor.unit_id
    if unit_id is None or not may_on_unit(actor, Action.RECORD_UNIT_PLAN, unit_id):
        raise NotAllowed(_("The head of a unit records the unit's own plan."))
    mine = Plan.objects.filter(parent=province_plan, unit_id=unit_id).first()
    if mine is None:
        return create_plan(
            actor,
            unit_id=unit_id,
            parent_id=province_plan.pk,
            year=province_plan.year,
            title=title,
            document_number=document_number,
            issued_on=issued_on,
            status=PlanStatus.ISSUED,
            now=now,
        )
    return update_plan(
        actor,
        mine,
        now=now,
        title=title,
        document_number=document_number,
        issued_on=issued_on,
        status=PlanStatus.ISSUED,
    )


def _require_keeper(actor: Official, plan: Plan) -> frozenset[Rel]:
    """Who may change a plan: its unit's manager, or (for a unit's own plan) the province
    plan's head; answers the actor's relations to the province plan's unit."""
    keeper = plan_relations(actor, plan.parent.unit_id) if plan.parent else frozenset()
    if not allows(Action.MANAGE_PLAN, keeper):
        _require_plan_manager(actor, plan.unit_id)
    return keeper


@transaction.atomic
def update_plan(
    actor: Official, plan: Plan, *, now: dt.datetime | None = None, **changes: Any
) -> Plan:
    """Edit a plan's fields, issue it, close it or give it other index sets."""
    plan = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("parent", "unit")
        .get(pk=plan.pk)
    )
    keeper = _require_keeper(actor, plan)
    was_issued = plan.status != PlanStatus.DRAFT
    edited: dict[str, list[Any]] = {}
    for field in PLAN_FIELDS:
        if field in changes and changes[field] != getattr(plan, field):
            edited[field] = [getattr(plan, field), changes[field]]
            setattr(plan, field, changes[field])
    if "year" in edited and (plan.parent_id or plan.unit_plans.exists()):
        message = _("A unit's plan and the province plan it implements share their year.")
        raise Invalid(message, {"year": message})
    if plan.parent is not None and edited:
        # 1.1 reads the date a unit's plan was issued: once recorded, only the
        # province plan's head (or an administrator) corrects it.
        if (
            was_issued
            and {"issued_on", "status"} & set(edited)
            and not allows(Action.MANAGE_PLAN, keeper)
        ):
            raise NotAllowed(str(DATE_KEPT))
        _check_unit_plan(plan.parent, plan.unit, plan, now)
    new_sets = None
    if "year" in edited and changes.get("index_set_ids") is None and plan.index_sets.exists():
        # Another year: the sets of any year stay, the others give way to that
        # year's standard sets.
        serving = [s for s in plan.index_sets.all() if s.year is None]
        standard = _index_sets(None, plan.year)
        new_sets = serving + [s for s in standard if s.level not in {k.level for k in serving}]
        _check_sets(new_sets, plan.year)
    elif changes.get("index_set_ids") is not None:
        if plan.parent_id is not None:
            message = _("A unit's plan is scored under the province plan: it takes no index set.")
            raise Invalid(message, {"index_set_ids": message})
        # The levels named change; the others keep their sets.
        new_sets = _with_levels(plan, _index_sets(changes["index_set_ids"], plan.year))
    if new_sets is not None:
        old_ids = sorted(plan.index_sets.values_list("pk", flat=True))
        if sorted(s.pk for s in new_sets) != old_ids:
            edited["index_set_ids"] = [old_ids, sorted(s.pk for s in new_sets)]
    if edited:
        _check_issue_date(plan)
        clean_or_invalid(plan)
        plan.save()
        if new_sets is not None:
            plan.index_sets.set(new_sets)
        record(actor, "edited", plan, **edited)
        if {"issued_on", "status", "index_set_ids"} & set(edited):
            scores_may_move(plan, now=now)
    return plan


@transaction.atomic
def set_index_set(
    actor: Official, plan: Plan, level: str, index_set_id: int, *, now: dt.datetime | None = None
) -> Plan:
    """Score the plan's units of `level` ("" for every level no other set scores) by this set;
    the other levels keep theirs."""
    _require_keeper(actor, plan)
    index_set = IndexSet.objects.filter(pk=index_set_id).first()
    if index_set is None:
        message = _("No such index set: %(ids)s.") % {"ids": index_set_id}
        raise Invalid(message, {"index_set_id": message})
    if index_set.level != level:
        message = _("This index set scores another level (%(level)s).") % {
            "level": index_set.get_level_display() or _("every level")
        }
        raise Invalid(message, {"index_set_id": message})
    return update_plan(actor, plan, now=now, index_set_ids=[index_set.pk])


@transaction.atomic
def set_ranking_public(actor: Official, plan: Plan, public: bool) -> Plan:
    """The committee opens the plan's ranking table to everyone ("công khai xếp hạng"),
    or closes it again; recorded in the plan's history."""
    if not may_publish_ranking(actor):
        raise NotAllowed(_("Only the steering committee makes the ranking public."))
    plan = Plan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
    if plan.parent_id is not None:
        message = _("A unit's plan is ranked under the province plan: publish that one's.")
        raise Invalid(message, {"public": message})
    if plan.ranking_public != public:
        record(actor, "edited", plan, ranking_public=[plan.ranking_public, public])
        plan.ranking_public = public
        plan.save(update_fields=["ranking_public", "updated_at"])
    return plan


# ---------------------------------------------------------------- indicators


@transaction.atomic
def create_indicator(
    actor: Official,
    plan: Plan,
    *,
    code: str,
    name: str,
    unit_of_measure: str = "%",
    targets: list[dict[str, Any]],
) -> Indicator:
    """Add an indicator to a plan with its target per level (e.g. 70 / 60 / 40%)."""
    _require_plan_manager(actor, plan.unit_id)
    levels = [t["level"] for t in targets]
    if len(set(levels)) != len(levels):
        message = _("Give each level one target.")
        raise Invalid(message, {"targets": message})
    if Indicator.objects.filter(plan=plan, code=code).exists():
        message = _("This plan already has an indicator with this code.")
        raise Invalid(message, {"code": message})
    indicator = Indicator(
        plan=plan, code=code, name=(name or "").strip(), unit_of_measure=unit_of_measure
    )
    clean_or_invalid(indicator)
    indicator.save()
    rows = [
        IndicatorTarget(indicator=indicator, level=t["level"], target_pct=t["target_pct"])
        for t in targets
    ]
    for row in rows:
        clean_or_invalid(row, exclude=["indicator"])
    IndicatorTarget.objects.bulk_create(rows)
    record(
        actor,
        "created",
        indicator,
        code=code,
        targets={t["level"]: str(t["target_pct"]) for t in targets},
    )
    scores_may_move(plan)
    return indicator


@transaction.atomic
def report_measurement(
    actor: Official,
    indicator: Indicator,
    *,
    unit_id: int,
    period_start: dt.date,
    period_end: dt.date,
    numerator: int,
    denominator: int,
) -> tuple[Measurement, bool]:
    """Record a unit's figure for a period; reporting the same period again corrects it.

    Answers the measurement and whether it is new.
    """
    if not allows(Action.REPORT_FIGURE, unit_relations(actor, unit_id)):
        raise NotAllowed(
            _("Only the unit's head and officials, or an administrator, report its figures.")
        )
    if indicator.plan.status == PlanStatus.CLOSED:
        raise Conflict(_("This plan is closed."))
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Invalid(_("No such unit."), {"unit_id": _("No such unit.")})
    errors = {}
    if denominator <= 0:
        errors["denominator"] = _("The denominator must be greater than zero.")
    if not 0 <= numerator <= max(denominator, 0):
        errors["numerator"] = _("The numerator must lie between 0 and the denominator.")
    if period_start > period_end:
        errors["period_end"] = _("The period ends before it starts.")
    if errors:
        raise Invalid(_("Some values are not valid."), errors)
    measurement = (
        Measurement.objects.select_for_update()
        .filter(indicator=indicator, unit=unit, period_start=period_start, period_end=period_end)
        .first()
    )
    created = measurement is None
    if measurement is None:
        measurement = Measurement(
            indicator=indicator, unit=unit, period_start=period_start, period_end=period_end
        )
        old = None
    else:
        old = [measurement.numerator, measurement.denominator]
    measurement.numerator, measurement.denominator = numerator, denominator
    measurement.reported_by = actor
    clean_or_invalid(measurement, exclude=["indicator", "unit", "reported_by"])
    measurement.save()
    if created:
        record(actor, "created", measurement, figure=[numerator, denominator])
    elif old != [numerator, denominator]:
        record(actor, "edited", measurement, figure=[old, [numerator, denominator]])
    if created or old != [numerator, denominator]:
        scores_may_move(indicator.plan)
    return measurement, created
