"""The task-result pages: a unit's officials for a period, one's tasks, one's own; Excel."""

from __future__ import annotations

import datetime as dt
from typing import NoReturn

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kit.errors import DomainError
from kit.workbooks import fill_sheet, new_workbook, to_bytes, xlsx_response
from plans.access import Action, may_on_unit
from plans.decorators import OfficialRequest, official_required
from plans.models import AuditEvent, Official
from tasks.models import Task
from tasks.models.results import MarkKind, ObjectiveMark
from tasks.results.periods import (
    OfficialResult,
    Period,
    excellent_over_cap,
    grade_names,
    last_closed_month,
    parse_period,
)
from tasks.results.services import (
    mark_objective,
    recompute_results,
    results_of,
    results_unit_for,
    set_general_points,
    unit_officials,
    unmark_objective,
)


def chosen_period(request: OfficialRequest) -> Period:
    """The period asked for (?period=), else the month just closed; a bad one is said."""
    today = timezone.localdate()
    text = request.GET.get("period") or request.POST.get("period")
    if text:
        try:
            return parse_period(text, today)
        except DomainError as exc:
            messages.error(request, exc.message)
    return last_closed_month(today)


def period_choices(today: dt.date) -> list[tuple[str, str]]:
    """The quarters and months of this year and last begun by today, the latest first."""
    choices: list[tuple[str, str]] = []
    for year in (today.year, today.year - 1):
        for quarter in range(4, 0, -1):
            if dt.date(year, quarter * 3 - 2, 1) > today:
                continue
            q = parse_period(f"{year}-q{quarter}", today)
            choices.append((q.text, q.label))
            for month in range(quarter * 3, quarter * 3 - 3, -1):
                if dt.date(year, month, 1) <= today:
                    m = parse_period(f"{year}-{month:02d}", today)
                    choices.append((m.text, m.label))
    return choices


def raise_for_page(exc: DomainError) -> NoReturn:
    """A refusal as the error page: 404 for what may not be seen, 403 otherwise."""
    if exc.status == 404:
        raise Http404(exc.message)
    raise PermissionDenied(exc.message)


@official_required
def unit_results(request: OfficialRequest, pk: int) -> HttpResponse:
    """The head's page: each official's figures for the period, the grades, the 20% cap."""
    try:
        unit = results_unit_for(request.official, pk)
    except DomainError as exc:
        raise_for_page(exc)
    period = chosen_period(request)
    results = results_of(unit_officials(unit), period)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            results_workbook(unit.name, period, results), f"ket-qua-{unit.code}-{period.text}.xlsx"
        )
    history = (
        AuditEvent.objects.history_of(unit)
        .filter(action__in=("results_recomputed", "results_frozen"))
        .select_related("actor")
        .order_by("-at")[:20]
    )
    head = may_on_unit(request.official, Action.ASSESS_RESULTS, unit.pk)
    return render(
        request,
        "tasks/results_unit.html",
        {
            "unit": unit,
            "period": period,
            "periods": period_choices(timezone.localdate()),
            "results": results,
            "over_cap": excellent_over_cap(results),
            "closed": period.closed(timezone.localdate()),
            "history": history,
            "may_write": head,
            "formula": formula_text(),
        },
    )


def formula_text() -> str:
    w = settings.TASK_RESULT_FORMULA
    return _(
        "Task part = 70 × (%(a)s × quantity + %(b)s × quality + %(c)s × progress) ÷ "
        "(%(a)s + %(b)s + %(c)s) ÷ 100. The decree's appendix sets how the three combine; "
        "this formula is the product's setting (TASK_RESULT_FORMULA), the plain mean by default."
    ) % {"a": w["quantity"], "b": w["quality"], "c": w["progress"]}


def official_page(
    request: OfficialRequest, official: Official, period: Period, may_mark: bool
) -> HttpResponse:
    (result,) = results_of([official], period)
    ids = [line.task_id for line in result.figures.lines]
    marks = {
        (m.task_id, m.kind): m
        for m in ObjectiveMark.objects.filter(task__in=ids).select_related("marked_by")
    }
    rows = [
        {
            "line": line,
            # (kind, its mark, how many there are to mark): the page offers a mark where
            # there is something to excuse, and its withdrawal where there is a mark.
            "marks": [
                (MarkKind.RETURN.value, marks.get((line.task_id, MarkKind.RETURN)), line.returns),
                (MarkKind.DELAY.value, marks.get((line.task_id, MarkKind.DELAY)), line.delays),
            ],
        }
        for line in result.figures.lines
    ]
    return render(
        request,
        "tasks/results_official.html",
        {
            "person": official,
            "period": period,
            "periods": period_choices(timezone.localdate()),
            "result": result,
            "rows": rows,
            "may_mark": may_mark,
            "formula": formula_text(),
        },
    )


@official_required
def official_results(request: OfficialRequest, pk: int, official_id: int) -> HttpResponse:
    """The tasks behind one official's figures, with the head's marks."""
    try:
        unit = results_unit_for(request.official, pk)
    except DomainError as exc:
        raise_for_page(exc)
    person = Official.objects.filter(pk=official_id, unit=unit).select_related("unit").first()
    if person is None:
        raise Http404(_("No such official in this unit."))
    period = chosen_period(request)
    me = request.official
    return official_page(request, person, period, may_on_unit(me, Action.ASSESS_RESULTS, unit.pk))


@official_required
def my_results(request: OfficialRequest) -> HttpResponse:
    """An official's own figures and the tasks behind them."""
    return official_page(request, request.official, chosen_period(request), False)


def back(request: OfficialRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else default)


def posted_id(request: OfficialRequest, name: str) -> int:
    """An id the form sent; 0 (nothing) for anything else than a number."""
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else 0


@official_required
@require_POST
def results_write(request: OfficialRequest, pk: int) -> HttpResponse:
    """The head's writes from the pages: general points, a mark, its withdrawal, a recompute."""
    me = request.official
    default = reverse("tasks:unit_results", args=[pk])
    try:
        unit = results_unit_for(me, pk)
        period = parse_period(request.POST.get("period", ""), timezone.localdate())
        what = request.POST.get("what", "")
        if what == "general":
            person = Official.objects.filter(pk=posted_id(request, "official")).first()
            if person is None or person.unit_id != unit.pk:
                raise DomainError(_("This official is not of this unit."))
            set_general_points(me, person, period, request.POST.get("points", ""))
            messages.success(request, _("The general criteria points are saved."))
        elif what in ("mark", "unmark"):
            task = Task.objects.filter(pk=posted_id(request, "task")).first()
            if task is None or task.lead_unit_id != unit.pk:
                raise DomainError(_("This task is not led by this unit."))
            kind = request.POST.get("kind", "")
            if what == "mark":
                mark_objective(me, task, kind, request.POST.get("reason", ""))
                messages.success(request, _("The objective cause is recorded."))
            else:
                unmark_objective(me, task, kind)
                messages.success(request, _("The objective cause is withdrawn."))
        elif what == "recompute":
            changed = recompute_results(me, unit, period, request.POST.get("reason", ""))
            messages.success(
                request,
                _("The figures of %(n)s officials are recomputed.") % {"n": len(changed)},
            )
        else:
            raise DomainError(_("Nothing to do."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return back(request, f"{default}?period={request.POST.get('period', '')}")


def results_workbook(unit_name: str, period: Period, results: list[OfficialResult]) -> bytes:
    book, sheet = new_workbook()
    sheet.title = period.text
    names = grade_names()
    fill_sheet(
        sheet,
        _("Task results of %(unit)s, %(period)s") % {"unit": unit_name, "period": period.label},
        [
            _("Official"),
            _("Assigned"),
            _("Completed"),
            _("Quantity (%)"),
            _("Quality (%)"),
            _("Progress (%)"),
            _("Task part (70)"),
            _("General criteria (30)"),
            _("Total"),
            _("Grade"),
            _("Frozen"),
        ],
        [
            [
                r.official.full_name,
                r.figures.assigned,
                r.figures.completed,
                r.figures.quantity_pct,
                r.figures.quality_pct,
                r.figures.progress_pct,
                r.figures.points,
                r.general_points,
                r.total,
                (
                    names.get(r.grade or "", "")
                    + (f" ({_('provisional')})" if r.provisional and r.grade else "")
                ),
                timezone.localtime(r.frozen_at).strftime("%d/%m/%Y %H:%M") if r.frozen_at else "",
            ]
            for r in results
        ],
        [30, 10, 10, 12, 12, 12, 12, 14, 10, 26, 18],
        frozen_columns=1,
    )
    return to_bytes(book)
