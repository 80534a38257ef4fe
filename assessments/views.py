"""The annual assessment's pages: the assessment and its sheets, a unit's sheet, the results.

Thin: each form goes to one service of assessments.services; a refusal comes
back on the page it was sent from, with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments import council, exports, services
from assessments.history import history
from assessments.models import Assessment, Phase, Result, Sheet, SheetFile, SheetStatus
from assessments.sheets import (
    Line,
    closes_on,
    editable,
    get_assessment_for,
    get_sheet_for,
    group_lines,
    group_names,
    is_council,
    lines_of,
    phase_on,
    totals,
)
from kit import charts
from kit.charts import figure, separators
from kit.errors import DomainError
from kit.workbooks import xlsx_response
from plans.access import Action, may_on_unit
from plans.decorators import OfficialRequest, official_required
from plans.indexsets import scoring_tree
from plans.models import Plan
from plans.rules import explain
from tasks.files import file_response
from tasks.forms import date_field
from tasks.models import Evidence
from tasks.scores.days import indicator_names


class DatesForm(forms.Form):
    self_closes_on = date_field(gettext_lazy("Self-assessment closes on"))
    appraisal_closes_on = date_field(gettext_lazy("Appraisal closes on"))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=5000)
    until = date_field(gettext_lazy("Open until"))


def _fail(request: OfficialRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _back(sheet: Sheet, anchor: str = "") -> HttpResponse:
    url = reverse("assessments:assessment_sheet", args=[sheet.assessment_id, sheet.unit_id])
    return redirect(url + (f"#{anchor}" if anchor else ""))


# ---------------------------------------------------------------- opening and the list


@official_required
def assessment_open(request: OfficialRequest, pk: int) -> HttpResponse:
    """The committee opens a plan's assessment with its two closing dates."""
    plan = get_object_or_404(Plan, pk=pk)
    if not is_council(request.official):
        raise PermissionDenied(_("Only the steering committee (the appraisal council) does this."))
    existing = Assessment.objects.filter(plan=plan).first()
    if existing is not None:
        return redirect("assessments:assessment_detail", pk=existing.pk)
    form = DatesForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                made = services.open_assessment(request.official, plan, **form.cleaned_data)
            except DomainError as exc:
                for field, text in exc.errors.items():
                    form.add_error(field if field in form.fields else None, text)
                if not exc.errors:
                    form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("The assessment is open."))
                return redirect("assessments:assessment_detail", pk=made.pk)
    return render(request, "assessments/open.html", {"plan": plan, "form": form}, status=status)


def sheet_state(sheet: Sheet, today: dt.date) -> str:
    """What the council's list says of a sheet: its status, or "locked" if it closed unsent."""
    if sheet.status == SheetStatus.DRAFT and not editable(sheet, today):
        return "locked"
    return str(sheet.status)


STATE_LABELS = {
    "draft": gettext_lazy("Being filled in"),
    "locked": gettext_lazy("Locked unsubmitted"),
    "submitted": gettext_lazy("Submitted"),
    "returned": gettext_lazy("Returned"),
    "appraised": gettext_lazy("Appraised"),
}


@official_required
def assessment_detail(request: OfficialRequest, pk: int) -> HttpResponse:
    """The assessment: its dates and phase; for the council every sheet by status."""
    official = request.official
    a = get_assessment_for(official, pk)
    today = timezone.localdate()
    council = is_council(official)
    sheets = list(a.sheets.select_related("unit").order_by("level", "unit__name"))
    states = {s.pk: sheet_state(s, today) for s in sheets}
    wanted = request.GET.get("state", "")
    shown = [
        {"sheet": s, "state": states[s.pk], "label": STATE_LABELS[states[s.pk]]}
        for s in sheets
        if council and (not wanted or states[s.pk] == wanted)
    ]
    counts = Counter(states.values())
    own = next((s for s in sheets if s.unit_id == official.unit_id), None)
    return render(
        request,
        "assessments/detail.html",
        {
            "a": a,
            "phase": phase_on(a, today),
            "council": council,
            "rows": shown,
            "counts": [(k, STATE_LABELS[k], counts.get(k, 0)) for k in STATE_LABELS],
            "wanted": wanted,
            "own": own,
            "dates_form": DatesForm(
                initial={
                    "self_closes_on": a.self_closes_on,
                    "appraisal_closes_on": a.appraisal_closes_on,
                }
            ),
            "may_publish": council and a.status != Phase.PUBLISHED and today > a.self_closes_on,
            "early": today <= a.appraisal_closes_on,
        },
    )


@require_POST
@official_required
def assessment_dates(request: OfficialRequest, pk: int) -> HttpResponse:
    a = get_assessment_for(request.official, pk)
    form = DatesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the dates as dd/mm/yyyy."))
    else:
        try:
            services.change_dates(request.official, a, **form.cleaned_data)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("The dates are changed."))
    return redirect("assessments:assessment_detail", pk=a.pk)


@require_POST
@official_required
def assessment_publish(request: OfficialRequest, pk: int) -> HttpResponse:
    a = get_assessment_for(request.official, pk)
    try:
        council.publish(request.official, a, confirm=request.POST.get("confirm") == "on")
    except DomainError as exc:
        _fail(request, exc)
        return redirect("assessments:assessment_detail", pk=a.pk)
    messages.success(request, _("The results are published."))
    return redirect("assessments:assessment_results", pk=a.pk)


# ---------------------------------------------------------------- a unit's sheet


def evidence_choices(sheet: Sheet) -> dict[str, list[Evidence]]:
    """The unit's task evidence, by the sub-criterion its task feeds ("" for untagged)."""
    plan = sheet.assessment.plan
    found: dict[str, list[Evidence]] = {}
    rows = (
        Evidence.objects.filter(task__lead_unit=sheet.unit_id, task__plan__in=plan_ids(plan))
        .select_related("task")
        .order_by("task__subcriterion", "task__title", "pk")
    )
    for e in rows:
        found.setdefault(e.task.subcriterion or "", []).append(e)
    return found


def plan_ids(plan: Plan) -> list[int]:
    return [plan.pk, *Plan.objects.filter(parent=plan).values_list("pk", flat=True)]


def line_row(
    line: Line, choices: dict[str, list[Evidence]], files: list[SheetFile], named: dict[str, str]
) -> dict[str, Any]:
    """What the sheet page shows of a line, and the evidence it may pick with their locators:
    first the evidence of the tasks that feed the line, then the unit's other, then the files."""
    picked = {
        (f"e{x.evidence_id}" if x.evidence_id else f"f{x.sheet_file_id}"): x.locator
        for x in line.evidence
    }

    def choice(key: str, name: str, label: str) -> dict[str, Any]:
        return {
            "key": key,
            "name": name,
            "label": label,
            "checked": key in picked,
            "locator": picked.get(key, ""),
        }

    code = line.item.code
    others = [e for tag, group in choices.items() if tag != code for e in group]
    uploaded = _("uploaded to the sheet")
    return {
        "line": line,
        "why": explain(line.why, named) if line.why else "",
        "tagged": [choice(f"e{e.pk}", str(e), e.task.title) for e in choices.get(code, [])],
        "others": [choice(f"e{e.pk}", str(e), e.task.title) for e in others],
        "files": [choice(f"f{f.pk}", f.filename, uploaded) for f in files],
    }


@official_required
def sheet_page(request: OfficialRequest, pk: int, unit_id: int) -> HttpResponse:
    """A unit's sheet: its officials fill it in, its head submits, the council appraises."""
    official = request.official
    a = get_assessment_for(official, pk)
    sheet = get_sheet_for(official, a, unit_id)
    today = timezone.localdate()
    lines = lines_of(sheet, today)
    may_edit = may_on_unit(official, Action.EDIT_SHEET, sheet.unit_id) and editable(sheet, today)
    council = is_council(official)
    appraising = (
        council
        and a.status != Phase.PUBLISHED
        and a.self_closes_on < today <= a.appraisal_closes_on
        and sheet.status != SheetStatus.RETURNED
    )
    choices = evidence_choices(sheet) if may_edit else {}
    files = list(sheet.files.all()) if may_edit else []
    named = indicator_names(a.plan)
    rows = [line_row(line, choices, files, named) for line in lines]
    tree = scoring_tree(sheet.index_set_id)
    t = totals(lines, tree)

    return render(
        request,
        "assessments/sheet.html",
        {
            "a": a,
            "sheet": sheet,
            "rows": rows,
            "totals": t,
            "group_lines": group_lines(lines, tree, group_names(sheet.index_set_id)),
            "may_edit": may_edit,
            "may_submit": may_edit and may_on_unit(official, Action.SUBMIT_SHEET, sheet.unit_id),
            "appraising": appraising,
            "may_return": appraising
            and sheet.status == SheetStatus.SUBMITTED
            and not sheet.returned_at,
            "may_reopen": council
            and sheet_state(sheet, today) == "locked"
            and a.status != Phase.PUBLISHED,
            "closes_on": closes_on(sheet),
            "state": STATE_LABELS[sheet_state(sheet, today)],
            "reopen_form": ReopenForm(),
            "history": history(sheet),
        },
    )


def _evidence_from(post: Any) -> list[dict[str, Any]]:
    """The picked evidence with its locators, as the service takes it."""
    refs = []
    for key in post.getlist("pick"):
        kind, _sep, number = key[:1], None, key[1:]
        if not number.isdigit() or kind not in ("e", "f"):
            continue
        ref: dict[str, Any] = {"locator": post.get(f"loc-{key}", "")}
        ref["evidence_id" if kind == "e" else "file_id"] = int(number)
        refs.append(ref)
    return refs


@require_POST
@official_required
def line_edit(request: OfficialRequest, pk: int, unit_id: int, code: str) -> HttpResponse:
    a = get_assessment_for(request.official, pk)
    sheet = get_sheet_for(request.official, a, unit_id)
    points: Any = (request.POST.get("self_points") or "").strip().replace(",", ".") or None
    line = next((x for x in lines_of(sheet, timezone.localdate()) if x.item.code == code), None)
    if line is not None and line.item.self_points is None and points is not None:
        # The form shows the computed figure: sent back unchanged, it stays the
        # computed one (and follows the roll-up), not a figure of the unit's.
        try:
            if Decimal(points) == line.computed_points:
                points = None
        except ArithmeticError:
            pass  # the service says what is wrong with it
    try:
        services.edit_line(
            request.official,
            sheet,
            code,
            self_points=services.UNSET if points is None else points,
            explanation=request.POST.get("explanation", ""),
            evidence=_evidence_from(request.POST),
        )
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Line %(code)s saved.") % {"code": code})
    return _back(sheet, f"line-{code}")


@require_POST
@official_required
def sheet_upload(request: OfficialRequest, pk: int, unit_id: int) -> HttpResponse:
    a = get_assessment_for(request.official, pk)
    sheet = get_sheet_for(request.official, a, unit_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return _back(sheet, "files")
    try:
        stored = services.add_sheet_file(request.official, sheet, file=upload, filename=upload.name)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("File added: %(name)s.") % {"name": stored.filename})
    return _back(sheet, "files")


@require_POST
@official_required
def sheet_submit(request: OfficialRequest, pk: int, unit_id: int) -> HttpResponse:
    a = get_assessment_for(request.official, pk)
    sheet = get_sheet_for(request.official, a, unit_id)
    try:
        services.submit_sheet(request.official, sheet)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The sheet is submitted."))
    return _back(sheet)


@require_POST
@official_required
def line_appraise(request: OfficialRequest, pk: int, unit_id: int, code: str) -> HttpResponse:
    a = get_assessment_for(request.official, pk)
    sheet = get_sheet_for(request.official, a, unit_id)
    points = (request.POST.get("points") or "").strip().replace(",", ".")
    try:
        council.appraise_line(
            request.official, sheet, code, points=points, comment=request.POST.get("comment", "")
        )
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Line %(code)s appraised.") % {"code": code})
    return _back(sheet, f"line-{code}")


@require_POST
@official_required
def sheet_return(request: OfficialRequest, pk: int, unit_id: int) -> HttpResponse:
    a = get_assessment_for(request.official, pk)
    sheet = get_sheet_for(request.official, a, unit_id)
    try:
        council.return_sheet(request.official, sheet, comment=request.POST.get("comment", ""))
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The sheet is returned to its unit."))
    return _back(sheet)


@require_POST
@official_required
def sheet_reopen(request: OfficialRequest, pk: int, unit_id: int) -> HttpResponse:
    a = get_assessment_for(request.official, pk)
    sheet = get_sheet_for(request.official, a, unit_id)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason and the day, dd/mm/yyyy."))
        return _back(sheet)
    try:
        council.reopen_sheet(request.official, sheet, **form.cleaned_data)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The sheet is open to its unit again."))
    return _back(sheet)


@official_required
def sheet_file(request: OfficialRequest, pk: int) -> FileResponse:
    """A sheet's file, for the unit's officials and the council; 404 to anyone else."""
    stored = get_object_or_404(SheetFile.objects.select_related("sheet"), pk=pk)
    official = request.official
    if not may_on_unit(official, Action.READ_SHEET, stored.sheet.unit_id):
        raise Http404
    inline = request.GET.get("inline") == "1"
    return file_response(stored.file, stored.filename, stored.content_type, inline=inline)


# ---------------------------------------------------------------- results


def visible_results(official: Any, a: Assessment) -> list[Result]:
    """Published results for everyone; before publication, as they stand, for the council."""
    if a.status == Phase.PUBLISHED:
        return list(a.results.select_related("unit").order_by("level", "rank", "unit__name"))
    if not is_council(official):
        raise PermissionDenied(_("The results are not published yet."))
    return council.results_of(a, timezone.localdate())


@official_required
def results_page(request: OfficialRequest, pk: int) -> HttpResponse:
    a = get_assessment_for(request.official, pk)
    rows = visible_results(request.official, a)
    chart = charts.self_and_appraised(
        [
            (
                r.unit.name,
                # A bar opens the unit's sheet for those who may read it.
                reverse("assessments:assessment_sheet", args=[a.pk, r.unit_id])
                if may_on_unit(request.official, Action.READ_SHEET, r.unit_id)
                else "",
                r.self_index_pct,
                r.index_pct,
            )
            for r in rows
        ],
        separators(),
        _("Self-assessed"),
        _("Appraised"),
        _("Index (%)"),
    )
    return render(
        request,
        "assessments/results.html",
        {
            "a": a,
            "rows": rows,
            "published": a.status == Phase.PUBLISHED,
            "chart": figure("results", chart),
            "self_average": _average([r.self_total for r in rows]),
            "appraised_average": _average([r.appraised_total for r in rows]),
        },
    )


def _average(values: list[Decimal]) -> Decimal | None:
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01")) if values else None


@official_required
def results_xlsx(request: OfficialRequest, pk: int) -> HttpResponse:
    a = get_assessment_for(request.official, pk)
    rows = visible_results(request.official, a)
    data = exports.results_workbook(a, rows)
    return xlsx_response(data, f"ket-qua-danh-gia-{a.plan.year}.xlsx")
