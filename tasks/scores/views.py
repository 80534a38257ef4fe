"""The score pages: a plan's units ranked with the why, the recompute button, manual points."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kit.errors import DomainError, NotAllowed, NotFound
from kit.workbooks import xlsx_response
from plans import planning
from plans.access import (
    Action,
    may_anywhere,
    may_on_unit,
    may_publish_ranking,
    may_score,
    score_reach,
)
from plans.decorators import OfficialRequest, official_required
from plans.forms import AsOfForm, ManualScoreForm, errors_onto
from plans.models import Plan, SubCriterion, Unit
from plans.rules import entered_kinds, explain, kind_of
from plans.scoring import code_key
from tasks.scores import days as scores
from tasks.scores.export import scores_workbook


def scored_units(plan: Plan) -> QuerySet[Unit]:
    """The units an appraiser may score under a plan: those the roll-up has scored."""
    return Unit.objects.filter(snapshots__plan=plan).distinct().order_by("name")


def manual_codes(plan: Plan) -> list[tuple[str, str]]:
    """What an appraiser scores (judged items, bonuses, penalties), one choice per level's item.

    The value is "level:code": the same code can be an initiative for a sở and
    a penalty for a xã, and a choice never stands for both.
    """
    subs = SubCriterion.objects.filter(
        criterion__index_set__plans=plan, rule__in=entered_kinds()
    ).select_related("criterion__index_set")
    choices = []
    for sub in sorted(subs, key=lambda s: (s.criterion.index_set.level, code_key(s.code))):
        index_set = sub.criterion.index_set
        level = index_set.get_level_display() or _("every level")
        entered_as = kind_of(sub.rule).entered_as
        kind = str(entered_as) if entered_as else ""
        label = f"{level} · {sub.code}. {sub.name}"
        if kind and kind.lower() not in sub.name.lower():
            label += f" ({kind})"
        choices.append((f"{index_set.level}:{sub.code}", label))
    return choices


class LevelTable:
    """One level's rows of a day's scores, with its index set's headings."""

    def __init__(self, label: str, rows: list[Any], names: dict[str, str]) -> None:
        self.label = label
        self.rows = rows
        self.index_set = rows[0].index_set if rows else None
        self.headings = [{**part, "name": names.get(part["code"], "")} for part in rows[0].parts]


def scores_page(
    request: OfficialRequest,
    plan: Plan,
    manual_form: ManualScoreForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The plan's score table: units ranked per level, points per sub-criterion with the why."""
    as_of_form = AsOfForm(request.GET or None)
    as_of = timezone.localdate()
    if as_of_form.is_valid() and as_of_form.cleaned_data["as_of"]:
        as_of = as_of_form.cleaned_data["as_of"]
    try:
        day, rows = scores.score_day(plan, as_of, with_index_set=True)
    except NotFound as exc:
        day, rows, missing = None, [], exc.message
    else:
        missing = ""
    official = request.official
    reach = score_reach(official, plan)
    rows = [row for row in rows if reach.shows(row.unit_id)]
    by_level: dict[str, list[Any]] = {}
    named = scores.indicator_names(plan)
    for row in rows:
        # A line of the public ranking shows no parts: those are the unit's and the committee's.
        row.cells = (  # type: ignore[attr-defined]  # for the template
            [(part, explain(part["why"], named)) for part in row.parts]
            if reach.detailed(row.unit_id)
            else [(None, "") for _part in row.parts]
        )
        by_level.setdefault(row.get_level_display(), []).append(row)
    names = scores.subcriterion_names(plan)
    levels = [
        LevelTable(label, same, names.get(same[0].index_set_id or 0, {}))
        for label, same in by_level.items()
    ]
    if not as_of_form.is_bound or (as_of_form.is_valid() and not as_of_form.cleaned_data["as_of"]):
        # The field shows the day the table is of.
        as_of_form = AsOfForm(initial={"as_of": day or as_of})
    codes = manual_codes(plan)
    scorer = may_score(official)
    if scorer and codes and manual_form is None:
        manual_form = ManualScoreForm(
            units=scored_units(plan),
            codes=codes,
        )
    history = (
        plan.manual_scores.select_related("unit", "subcriterion", "entered_by").order_by(
            "-entered_at", "-id"
        )[:20]
        if codes and reach.every_unit  # the appraisers' comments are the committee's
        else []
    )
    return render(
        request,
        "tasks/scores.html",
        {
            "plan": plan,
            "day": day,
            "missing": missing,
            "levels": levels,
            "computed_at": max((r.computed_at for r in rows), default=None),
            "as_of_form": as_of_form,
            # Committee and admins open any unit's page, a head their own, officials none.
            "linked_units": None
            if may_anywhere(official, Action.READ_OVERVIEW)
            else {
                u
                for u in [official.unit_id]
                if u is not None and may_on_unit(official, Action.READ_UNIT_DASHBOARD, u)
            },
            "asked": as_of,
            "may_score": scorer,
            "manual_form": manual_form if scorer else None,
            "history": history,
            "today": timezone.localdate(),
            "reach": reach,
            "may_publish": may_publish_ranking(official),
        },
        status=status,
    )


@official_required
def plan_scores(request: OfficialRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=pk)
    if plan.parent_id is not None:  # a unit's plan is scored under the province plan
        return redirect("tasks:plan_scores", pk=plan.parent_id)
    return scores_page(request, plan)


@official_required
def plan_scores_xlsx(request: OfficialRequest, pk: int) -> HttpResponse:
    """The score table of the day the page shows ("Tải Excel")."""
    plan = get_object_or_404(Plan, pk=pk)
    form = AsOfForm(request.GET or None)
    as_of = timezone.localdate()
    if form.is_valid() and form.cleaned_data["as_of"]:
        as_of = form.cleaned_data["as_of"]
    try:
        day, rows = scores.score_day(plan, as_of)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    book = scores_workbook(plan, day, rows, score_reach(request.official, plan))
    return xlsx_response(book, f"diem-{plan.pk}-{day:%Y%m%d}.xlsx")


@official_required
@require_POST
def plan_ranking_public(request: OfficialRequest, pk: int) -> HttpResponse:
    """The committee makes the ranking table public, or private again."""
    plan = get_object_or_404(Plan, pk=pk)
    public = request.POST.get("public") == "1"
    try:
        planning.set_ranking_public(request.official, plan, public)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The ranking is now public.") if public else _("The ranking is no longer public."),
        )
    return redirect("tasks:plan_scores", pk=plan.pk)


@official_required
@require_POST
def plan_rollup(request: OfficialRequest, pk: int) -> HttpResponse:
    """Run the roll-up now for a date (today by default): the committee's button."""
    plan = get_object_or_404(Plan, pk=pk)
    form = AsOfForm(request.POST)
    as_of = timezone.localdate()
    if form.is_valid() and form.cleaned_data["as_of"]:
        as_of = form.cleaned_data["as_of"]
    try:
        snapshots = scores.recompute_scores(request.official, plan, as_of)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Scores computed as of %(date)s for %(n)s units.")
            % {"date": as_of.strftime("%d/%m/%Y"), "n": len(snapshots)},
        )
    return redirect(f"{reverse('tasks:plan_scores', args=[plan.pk])}?as_of={as_of:%d/%m/%Y}")


@official_required
@require_POST
def plan_manual_score(request: OfficialRequest, pk: int) -> HttpResponse:
    """An appraiser enters points for a manual sub-criterion; today's roll-up reruns."""
    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=pk)
    if not may_score(request.official):
        raise PermissionDenied(scores.SCORERS_ONLY)
    form = ManualScoreForm(
        request.POST,
        units=scored_units(plan),
        codes=manual_codes(plan),
    )
    if not form.is_valid():
        return scores_page(request, plan, form, 422)
    unit = form.cleaned_data["unit"]
    level, code = form.cleaned_data["code"].split(":", 1)
    if level and level != unit.level:
        form.add_error(
            "code",
            _("This item is in the index set of another level than %(unit)s's.")
            % {"unit": unit.name},
        )
        return scores_page(request, plan, form, 422)
    try:
        scores.enter_manual_score(
            request.official,
            plan,
            unit_id=unit.pk,
            code=code,
            points=form.cleaned_data["points"],
            justification=form.cleaned_data["justification"],
            not_applicable=form.cleaned_data["not_applicable"],
        )
    except DomainError as exc:
        errors_onto(form, exc, {"unit_id": "unit"})
        messages.error(request, exc.message)
        return scores_page(request, plan, form, exc.status)
    messages.success(request, _("Score entered; today's scores follow within a minute."))
    return redirect("tasks:plan_scores", pk=plan.pk)
