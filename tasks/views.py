"""Pages that read tasks: a plan with its tasks, one task, evidence, the plan's scores."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kit.errors import DomainError
from kit.paging import paged
from kit.workbooks import xlsx_response
from plans.access import Action, allows, may_on_plan, may_on_unit
from plans.decorators import OfficialRequest, official_required
from plans.forms import choice_field, errors_onto
from plans.models import Official, Plan, Unit
from plans.unitplans import LATE, MISSING, unit_plans
from tasks import extensions, refusals, services
from tasks.access import (
    assigns_anyone,
    available_actions,
    evidence_file,
    get_evidence_for,
    get_extension_for,
    get_task_for,
    may,
    relations,
    review_queue_for,
    visible_tasks,
)
from tasks.appendix.export import tasks_workbook
from tasks.files import max_bytes
from tasks.forms import (
    CancelForm,
    DecideForm,
    EvidenceForm,
    ExtensionForm,
    ReviewForm,
    TaskForm,
    VersionForm,
)
from tasks.history import history_lines, returned_by
from tasks.models import (
    ExtensionStatus,
    Status,
    Task,
    TaskQuerySet,
    overdue_q,
)


class TaskFilterForm(forms.Form):
    """The plan page's filters; every field optional, carried in the URL."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *Status.choices],
    )
    area = forms.TypedChoiceField(
        label=gettext_lazy("Area"), required=False, coerce=int, empty_value=None
    )
    lead_unit = forms.TypedChoiceField(
        label=gettext_lazy("Lead unit"), required=False, coerce=int, empty_value=None
    )
    overdue = forms.ChoiceField(
        label=gettext_lazy("Overdue"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("yes", gettext_lazy("Overdue only")),
            ("no", gettext_lazy("Not overdue")),
        ],
    )
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)

    def __init__(self, plan: Plan, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "area").choices = [("", gettext_lazy("All"))] + [
            (a.number, str(a)) for a in plan.areas.all()
        ]
        units = Unit.objects.filter(led_tasks__plan=plan).distinct().in_order()
        choice_field(self, "lead_unit").choices = [("", gettext_lazy("All"))] + [
            (u.pk, u.name) for u in units
        ]

    def apply(self, tasks: TaskQuerySet) -> TaskQuerySet:
        """Narrow the tasks by the valid filters (invalid ones are ignored and shown)."""
        data = self.cleaned_data if self.is_valid() else {}
        overdue = {"yes": True, "no": False}.get(data.get("overdue") or "")
        return tasks.filtered(
            status=data.get("status"),
            area=data.get("area"),
            lead_unit_id=data.get("lead_unit"),
            overdue=overdue,
            q=data.get("q") or "",
        )


def summarize(tasks: TaskQuerySet) -> dict[str, int]:
    """Counts by state in one query (overdue computed against today)."""
    return tasks.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=Status.DONE)),
        submitted=Count("id", filter=Q(status=Status.SUBMITTED)),
        in_progress=Count("id", filter=Q(status=Status.IN_PROGRESS)),
        todo=Count("id", filter=Q(status=Status.TODO)),
        cancelled=Count("id", filter=Q(status=Status.CANCELLED)),
        overdue=Count("id", filter=overdue_q(timezone.localdate())),
    )


def with_list_relations(tasks: TaskQuerySet) -> TaskQuerySet:
    """What a task row shows, fetched in a fixed number of queries."""
    return tasks.select_related("lead_unit", "area", "parent").prefetch_related(
        Prefetch("assignees", queryset=Official.objects.only("id", "full_name"))
    )


@official_required
def plan_detail(request: OfficialRequest, pk: int) -> HttpResponse:
    """A plan and the tasks of it the official may see, filtered and paged."""
    plan = get_object_or_404(Plan.objects.select_related("unit", "parent"), pk=pk)
    form = TaskFilterForm(plan, request.GET or None)
    tasks = form.apply(visible_tasks(request.official).filter(plan=plan))
    page, query = paged(request, with_list_relations(tasks).order_by("due_date", "id"))
    today = timezone.localdate()
    own = unit_plans(plan, today)
    official = request.official
    return render(
        request,
        "tasks/plan_detail.html",
        {
            "plan": plan,
            "form": form,
            "page": page,
            "summary": summarize(tasks),
            "query": query,
            "today": today,
            "may_create": may_on_plan(official, Action.CREATE_TASK, plan),
            "unit_plans": own,
            "unit_plans_issued": sum(r.issued for r in own),
            "unit_plans_late": sum(r.state == LATE for r in own),
            "unit_plans_missing": sum(r.state == MISSING for r in own),
            "records_own_plan": may_on_unit(official, Action.RECORD_UNIT_PLAN, official.unit_id)
            and any(r.unit.pk == official.unit_id for r in own),
            "corrects_unit_plans": bool(own) and may_on_plan(official, Action.MANAGE_PLAN, plan),
        },
    )


@official_required
def plan_export(request: OfficialRequest, pk: int) -> HttpResponse:
    """The plan page's tasks, as filtered there, as an Excel appendix ("Tải Excel")."""
    plan = get_object_or_404(Plan, pk=pk)
    form = TaskFilterForm(plan, request.GET or None)
    tasks = form.apply(visible_tasks(request.official).filter(plan=plan))
    overdue = request.GET.get("overdue") == "yes"
    what = _("overdue tasks") if overdue else _("tasks")
    cancelled = request.GET.get("status") == Status.CANCELLED  # asked for by the filter
    data = tasks_workbook(
        plan,
        tasks,
        what,
        with_cancelled=cancelled,
        overdue_on=timezone.localdate() if overdue else None,
    )
    return xlsx_response(data, f"nhiem-vu-{plan.year}-{plan.pk}.xlsx")


def task_page(
    request: OfficialRequest,
    task: Task,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The task page with the forms of the actions this official may take now.

    `bound` carries a submitted form back with its errors, so nothing typed is lost.
    """
    official = request.official
    history = history_lines(task)
    subtasks = with_list_relations(visible_tasks(official).filter(parent=task))
    actions = available_actions(official, task)
    pending = list(
        task.extension_requests.filter(status=ExtensionStatus.PENDING).select_related(
            "requested_by"
        )
    )
    # Ask for more time while nothing waits and the deadline has not passed;
    # decide while something waits that someone else asked for.
    if pending or task.is_overdue():
        actions -= {Action.REQUEST_EXTENSION}
    if not pending or pending[0].requested_by_id == official.pk:
        actions -= {Action.DECIDE_EXTENSION}
    initial = {"version": task.version}
    page_forms: dict[str, forms.Form] = {
        "start": VersionForm(initial=initial),
        "submit": VersionForm(initial=initial),
        "review": ReviewForm(initial=initial),
        "cancel": CancelForm(initial=initial),
        "request_extension": ExtensionForm(),
        "decide_extension": DecideForm(),
        "add_evidence": EvidenceForm(max_mb=max_bytes() // 1048576),
    }
    page_forms.update(bound or {})
    return render(
        request,
        "tasks/task_detail.html",
        {
            "task": task,
            "partner_units": task.partner_units.order_by("name"),
            "assignees": task.assignees.select_related("unit").order_by("full_name"),
            "subtasks": subtasks,
            "evidence": task.evidence.select_related("uploaded_by"),
            "history": history,
            "returned": returned_by(history) if task.status == Status.IN_PROGRESS else None,
            "extensions": task.extension_requests.select_related("requested_by", "decided_by"),
            "pending": pending[0] if pending else None,
            "actions": actions,
            "forms": page_forms,
            "may_create": may_on_plan(official, Action.CREATE_TASK, task.plan),
            "today": timezone.localdate(),
        },
        status=status,
    )


@official_required
def task_detail(request: OfficialRequest, pk: int) -> HttpResponse:
    """Every field of a task, its subtasks, evidence, history and the actions allowed."""
    return task_page(request, get_task_for(request.official, pk))


def refused(
    request: OfficialRequest, task: Task, name: str, form: forms.Form, exc: DomainError
) -> HttpResponse:
    """Show a refusal on the form it came from, keeping what was typed."""
    errors_onto(form, exc, FORM_FIELDS)
    messages.error(request, exc.message)
    return task_page(request, get_task_for(request.official, task.pk), {name: form}, exc.status)


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "start": VersionForm,
    "submit": VersionForm,
    "review": ReviewForm,
    "cancel": CancelForm,
    "request_extension": ExtensionForm,
}


def run_action(actor: Official, task: Task, name: str, data: dict[str, Any]) -> str:
    """Call the service behind a task page button; answer the flash message."""
    version = data.get("version")
    if name == "start":
        services.start_task(actor, task, version=version)
        return _("Work started.")
    if name == "submit":
        services.submit_task(actor, task, version=version)
        return _("Submitted: the head of the lead unit will review it.")
    if name == "review":
        services.review_task(
            actor, task, decision=data["decision"], comment=data["comment"], version=version
        )
        if data["decision"] == "accept":
            return _("Accepted: the task is done.")
        return _("Returned to the assignees with your comment.")
    if name == "cancel":
        services.cancel_task(actor, task, reason=data["reason"], version=version)
        return _("The task is cancelled.")
    extensions.request_extension(
        actor, task, new_due_date=data["new_due_date"], reason=data["reason"]
    )
    if task.parent_id is not None:
        return _("Extension requested: the head of the unit leading the parent task will decide.")
    return _("Extension requested: the head of the unit that issued the plan will decide.")


@require_POST
@official_required
def task_action(request: OfficialRequest, pk: int, name: str) -> HttpResponse:
    """One of the task page's buttons: start, submit, review, cancel, ask for more time."""
    task = get_task_for(request.official, pk)
    if name not in ACTION_FORMS:
        raise Http404("No such action.")
    form = ACTION_FORMS[name](request.POST)
    if not form.is_valid():
        return task_page(request, task, {name: form}, 422)
    try:
        message = run_action(request.official, task, name, form.cleaned_data)
    except DomainError as exc:
        return refused(request, task, name, form, exc)
    messages.success(request, message)
    return redirect("tasks:task_detail", pk=task.pk)


@require_POST
@official_required
def evidence_upload(request: OfficialRequest, pk: int) -> HttpResponse:
    """Attach a file and its document's details to a task."""
    task = get_task_for(request.official, pk)
    form = EvidenceForm(request.POST, request.FILES, max_mb=max_bytes() // 1048576)
    if not form.is_valid():
        return task_page(request, task, {"add_evidence": form}, 422)
    data = form.cleaned_data
    try:
        evidence = services.add_evidence(
            request.official,
            task,
            file=data["file"],
            filename=data["file"].name,
            document_number=data["document_number"],
            issued_on=data["issued_on"],
            issuer=data["issuer"],
            note=data["note"],
        )
    except DomainError as exc:
        return refused(request, task, "add_evidence", form, exc)
    messages.success(request, _("Evidence added: %(name)s.") % {"name": evidence.filename})
    return redirect("tasks:task_detail", pk=task.pk)


@require_POST
@official_required
def evidence_delete(request: OfficialRequest, pk: int) -> HttpResponse:
    """Take back a file added by mistake."""
    evidence = get_evidence_for(request.official, pk)
    task = evidence.task
    try:
        services.remove_evidence(request.official, evidence)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Evidence removed: %(name)s.") % {"name": evidence.filename})
    return redirect("tasks:task_detail", pk=task.pk)


@require_POST
@official_required
def extension_decide(request: OfficialRequest, pk: int) -> HttpResponse:
    """The lead unit's head approves or refuses a request for more time."""
    ext, task = get_extension_for(request.official, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return task_page(request, task, {"decide_extension": form}, 422)
    try:
        extensions.decide_extension(
            request.official,
            ext,
            approve=form.cleaned_data["approve"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        return refused(request, task, "decide_extension", form, exc)
    if form.cleaned_data["approve"]:
        messages.success(request, _("Extension approved: the deadline has moved."))
    else:
        messages.success(request, _("Extension refused."))
    return redirect("tasks:task_detail", pk=task.pk)


def task_form_page(
    request: OfficialRequest,
    plan: Plan,
    form: TaskForm,
    task: Task | None,
    parent: Task | None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "tasks/task_form.html",
        {"plan": plan, "form": form, "task": task, "parent": parent},
        status=status,
    )


@official_required
def task_create(request: OfficialRequest, pk: int) -> HttpResponse:
    """A new task of a plan, or a subtask (?parent=id)."""
    plan = get_object_or_404(Plan, pk=pk)
    parent = None
    parent_id = request.GET.get("parent") or request.POST.get("parent")
    if parent_id:
        if not str(parent_id).isdigit():
            raise Http404("No such task.")
        parent = get_task_for(request.official, int(parent_id))
    plan_power = may_on_plan(request.official, Action.CREATE_TASK, plan)
    allowed = plan_power or (
        parent is not None and may(request.official, Action.ADD_SUBTASK, parent)
    )
    if not allowed:
        raise PermissionDenied(refusals.REFUSALS[Action.CREATE_TASK])
    initial: dict[str, Any] = {}
    if parent is not None:
        initial = {
            "area": parent.area.number,
            "subcriterion": parent.subcriterion,
            "lead_unit": parent.lead_unit_id,
            "due_date": parent.due_date,
        }
    # The plan's head names anyone of the lead or cooperating units; a lead unit's
    # head, adding a subtask, names their own officials.
    own_unit = None if plan_power else request.official.unit_id
    form = TaskForm(plan, request.POST or None, initial=initial, own_unit=own_unit)
    if request.method != "POST" or not form.is_valid():
        return task_form_page(request, plan, form, None, parent, 422 if form.is_bound else 200)
    kwargs = form.service_kwargs()
    try:
        # The form asked for confirmation of a deadline already past (deadline_doubt).
        task = services.create_task(
            request.official, plan, parent=parent, confirm_past_deadline=True, **kwargs
        )
    except DomainError as exc:
        errors_onto(form, exc, FORM_FIELDS)
        return task_form_page(request, plan, form, None, parent, exc.status)
    messages.success(request, _("Task created."))
    return redirect("tasks:task_detail", pk=task.pk)


# The services name fields as the API does; the forms by their model names.
FORM_FIELDS = {
    "lead_unit_id": "lead_unit",
    "partner_unit_ids": "partner_units",
    "assignee_ids": "assignees",
    "title": "title",
    "area": "area",
    "subcriterion": "subcriterion",
    "due_date": "due_date",
    "deliverable": "deliverable",
    "description": "description",
    "weight": "weight",
    "reason": "reason",
}


@official_required
def task_edit(request: OfficialRequest, pk: int) -> HttpResponse:
    """Edit a task's fields and assignment (heads of the lead unit or of the plan's unit)."""
    task = get_task_for(request.official, pk)
    rel = relations(request.official, task)
    if not (allows(Action.EDIT, rel) or allows(Action.ASSIGN, rel)):
        raise PermissionDenied(refusals.REFUSALS[Action.EDIT])
    form = TaskForm(
        task.plan,
        request.POST or None,
        task=task,
        own_unit=None if assigns_anyone(rel) else request.official.unit_id,
    )
    # What this person may not change is shown, not offered (the service checks again).
    for field, action in refusals.FIELD_ACTIONS.items():
        name = FORM_FIELDS[field]
        if name in form.fields and not allows(action, rel):
            form.fields[name].disabled = True
    if request.method != "POST" or not form.is_valid():
        return task_form_page(
            request, task.plan, form, task, task.parent, 422 if form.is_bound else 200
        )
    try:
        services.update_task(
            request.official,
            task,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data.get("reason", ""),
            **form.service_kwargs(),
        )
    except DomainError as exc:
        errors_onto(form, exc, FORM_FIELDS)
        return task_form_page(request, task.plan, form, task, task.parent, exc.status)
    messages.success(request, _("Changes saved."))
    return redirect("tasks:task_detail", pk=task.pk)


@official_required
def review_queue(request: OfficialRequest) -> HttpResponse:
    """What waits for this head: submitted work to review, requests for more time to decide."""
    official = request.official
    tasks, pending = review_queue_for(official)
    submitted = with_list_relations(tasks.select_related("plan")).order_by("updated_at", "id")
    extensions = pending.select_related("task", "requested_by", "task__lead_unit").order_by(
        "created_at", "id"
    )
    submitted_page, submitted_query = paged(request, submitted)
    extensions_page, extensions_query = paged(request, extensions, "xpage")
    return render(
        request,
        "tasks/review_queue.html",
        {
            "submitted": submitted_page,
            "submitted_query": submitted_query,
            "extensions": extensions_page,
            "extensions_query": extensions_query,
            "today": timezone.localdate(),
        },
    )


@official_required
def evidence_download(request: OfficialRequest, pk: int) -> FileResponse:
    """Send an evidence file to whoever may see its task; 404 to anyone else.

    `?inline=1` shows a PDF or an image in the browser (the council reads it so).
    """
    inline = request.GET.get("inline") == "1"
    return evidence_file(get_evidence_for(request.official, pk), inline=inline)
