"""Pages that read tasks: a plan with its tasks, one task, an evidence download."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.decorators import OfficialRequest, official_required
from plans.models import AuditEvent, Official, Plan, Unit
from tasks.access import get_task_for, visible_tasks
from tasks.models import Evidence, Status, TaskQuerySet, overdue_q

PAGE_SIZE = 50


class TaskFilterForm(forms.Form):
    """The plan page's filters; every field optional, carried in the URL."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )
    area = forms.TypedChoiceField(label=_("Area"), required=False, coerce=int, empty_value=None)
    lead_unit = forms.TypedChoiceField(
        label=_("Lead unit"), required=False, coerce=int, empty_value=None
    )
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        required=False,
        choices=[("", _("All")), ("yes", _("Overdue only")), ("no", _("Not overdue"))],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, plan: Plan, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("All"))] + [
            (a.number, str(a)) for a in plan.areas.all()
        ]
        units = Unit.objects.filter(led_tasks__plan=plan).distinct().order_by("level", "name")
        self.fields["lead_unit"].choices = [("", _("All"))] + [(u.pk, u.name) for u in units]

    def apply(self, tasks: TaskQuerySet) -> TaskQuerySet:
        """Narrow the tasks by the valid filters (invalid ones are ignored and shown)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("status"):
            tasks = tasks.filter(status=data["status"])
        if data.get("area"):
            tasks = tasks.filter(area__number=data["area"])
        if data.get("lead_unit"):
            tasks = tasks.filter(lead_unit_id=data["lead_unit"])
        if data.get("overdue") == "yes":
            tasks = tasks.overdue()
        elif data.get("overdue") == "no":
            tasks = tasks.not_overdue()
        if data.get("q"):
            tasks = tasks.filter(title__icontains=data["q"])
        return tasks


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
    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=pk)
    form = TaskFilterForm(plan, request.GET or None)
    tasks = form.apply(visible_tasks(request.official).filter(plan=plan))
    page = Paginator(with_list_relations(tasks).order_by("due_date", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tasks/plan_detail.html",
        {
            "plan": plan,
            "form": form,
            "page": page,
            "summary": summarize(tasks),
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


@official_required
def task_detail(request: OfficialRequest, pk: int) -> HttpResponse:
    """Every field of a task, its subtasks, evidence and history."""
    task = get_task_for(request.official, pk)
    history = (
        AuditEvent.objects.filter(
            content_type__app_label="tasks", content_type__model="task", object_id=task.pk
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    subtasks = with_list_relations(visible_tasks(request.official).filter(parent=task))
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
            "today": timezone.localdate(),
        },
    )


@official_required
def evidence_download(request: OfficialRequest, pk: int) -> FileResponse:
    """Send an evidence file to whoever may see its task; 404 to anyone else."""
    evidence = get_object_or_404(Evidence.objects.select_related("task"), pk=pk)
    get_task_for(request.official, evidence.task_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.filename,
        content_type=evidence.content_type,
    )
