"""Pages over the ground floor: a plan's indicators, one indicator's figures, a unit's plan."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kit.errors import DomainError
from plans import planning
from plans.access import (
    Action,
    allows,
    may_anywhere,
    may_on_plan,
    may_on_unit,
    unit_relations,
)
from plans.attainment import attainment
from plans.decorators import OfficialRequest, official_required
from plans.forms import MeasurementForm, PeriodForm, UnitPlanForm, choice_field, errors_onto
from plans.models import Indicator, Official, Plan, PlanStatus, Unit
from plans.unitplans import own_plan, units_under


@official_required
def plan_indicators(request: OfficialRequest, pk: int) -> HttpResponse:
    """Each indicator of a plan: every level's target against its figure, who meets it."""
    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=pk)
    indicators = list(plan.indicators.prefetch_related("targets").order_by("code"))
    for indicator in indicators:
        indicator.levels = attainment(indicator)[1]  # type: ignore[attr-defined]  # for the template
    return render(request, "plans/indicators.html", {"plan": plan, "indicators": indicators})


def reportable_units(official: Official) -> QuerySet[Unit]:
    """The units whose figures this official may report (WHO_MAY's report_figure)."""
    if may_anywhere(official, Action.REPORT_FIGURE):
        return Unit.objects.order_by("name")  # an administrator: every unit
    unit_id = official.unit_id
    if unit_id is not None and allows(Action.REPORT_FIGURE, unit_relations(official, unit_id)):
        return Unit.objects.filter(pk=unit_id)
    return Unit.objects.none()


@official_required
def indicator_detail(request: OfficialRequest, pk: int) -> HttpResponse:
    """One indicator: units and levels against their targets; a form to report a figure."""
    indicator = get_object_or_404(Indicator.objects.select_related("plan"), pk=pk)
    units = reportable_units(request.official)
    form = MeasurementForm(request.POST or None, units=units) if units.exists() else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may not report figures for any unit."))
        if form.is_valid():
            try:
                measurement, created = planning.report_measurement(
                    request.official, indicator, **form.service_kwargs()
                )
            except DomainError as exc:
                errors_onto(form, exc)
                messages.error(request, exc.message)
                status = exc.status
            else:
                done = _("Figure recorded.") if created else _("Figure corrected.")
                messages.success(request, f"{done} {measurement}")
                return redirect("plans:indicator_detail", pk=indicator.pk)
        else:
            status = 422
    ends = list(
        indicator.measurements.order_by("-period_end")
        .values_list("period_end", flat=True)
        .distinct()
    )
    period = PeriodForm(request.GET or None)
    choice_field(period, "period_end").choices = [
        ("", _("Each unit's latest")),
        *[(d.isoformat(), d.strftime("%d/%m/%Y")) for d in ends],
    ]
    period_end = None
    if period.is_valid() and period.cleaned_data["period_end"]:
        period_end = dt.date.fromisoformat(period.cleaned_data["period_end"])
    figures, levels = attainment(indicator, period_end)
    return render(
        request,
        "plans/indicator_detail.html",
        {
            "plan": indicator.plan,
            "indicator": indicator,
            "figures": figures,
            "levels": levels,
            "form": form,
            "period": period,
        },
        status=status,
    )


@official_required
def unit_plan_edit(request: OfficialRequest, pk: int) -> HttpResponse:
    """A unit's plan implementing this one, as issued.

    - A unit's head records the unit's own plan; its date is kept once recorded.
    - The province plan's head (or an administrator) corrects a unit's plan,
      picked with `?unit=`.
    """
    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=pk, parent__isnull=True)
    official = request.official
    picked = request.GET.get("unit", "")
    keeper = may_on_plan(official, Action.MANAGE_PLAN, plan)
    if picked.isdigit() and keeper:
        unit = get_object_or_404(Unit, pk=int(picked))
        mine = own_plan(plan, unit.pk)
        if mine is None:
            raise Http404(_("This unit has not recorded its plan."))
    else:
        unit = official.unit  # type: ignore[assignment]  # checked just below
        covered = units_under(plan.unit_id) - {plan.unit_id}
        if (
            unit is None
            or unit.pk not in covered
            or not may_on_unit(official, Action.RECORD_UNIT_PLAN, unit.pk)
        ):
            raise PermissionDenied(_("The head of a unit under this plan records the unit's plan."))
        mine = own_plan(plan, unit.pk)
    initial: dict[str, object] = {
        "title": _("CCHC plan %(year)s of %(unit)s") % {"year": plan.year, "unit": unit}
    }
    if mine is not None:
        initial = {
            "title": mine.title,
            "document_number": mine.document_number,
            "issued_on": mine.issued_on,
        }
    form = UnitPlanForm(request.POST or None, initial=initial)
    date_kept = mine is not None and mine.issued_on is not None and not keeper
    if date_kept:
        form.fields["issued_on"].disabled = True
        form.fields["issued_on"].help_text = str(planning.DATE_KEPT)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if mine is not None and keeper:
                    planning.update_plan(
                        official, mine, status=PlanStatus.ISSUED, **form.cleaned_data
                    )
                else:
                    planning.record_unit_plan(official, plan, **form.cleaned_data)
            except DomainError as exc:
                errors_onto(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("The plan of %(unit)s is recorded as issued.") % {"unit": unit.name},
                )
                return redirect("tasks:plan_detail", pk=plan.pk)
    return render(
        request,
        "plans/unit_plan_form.html",
        {"plan": plan, "unit": unit, "mine": mine, "form": form},
        status=status,
    )
