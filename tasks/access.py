"""Who may see which task: every read of a task goes through here."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from plans.models import Official, Plan, Role
from tasks.models import Evidence, ExtensionRequest, Notification, Status, Task, TaskQuerySet


def visible_tasks(official: Official) -> TaskQuerySet:
    """The tasks an official may see.

    - administrators and the steering committee: all of them;
    - everyone else: tasks their unit leads, cooperates on or issued the plan
      of, and tasks they are assigned to.
    Subqueries rather than joins, so that no row repeats and counts stay exact.
    """
    tasks: TaskQuerySet = Task.objects.all()
    if official.sees_everything:
        return tasks
    partner = Task.partner_units.through.objects.filter(unit_id=official.unit_id)
    assigned = Task.assignees.through.objects.filter(official_id=official.pk)
    return tasks.filter(
        Q(lead_unit_id=official.unit_id)
        | Q(plan__unit_id=official.unit_id)
        | Q(pk__in=partner.values("task_id"))
        | Q(pk__in=assigned.values("task_id"))
    )


def get_task_for(official: Official, task_id: int) -> Task:
    """The task with this id if the official may see it; 404 otherwise (never 403)."""
    task = (
        visible_tasks(official)
        .select_related("plan__unit", "area", "lead_unit", "parent", "created_by")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise Http404("No such task.")
    return task


# Who may do what to a task, by their relation to it (api.md, issue "workflow"):
# - admin: everything;
# - the head of the plan's unit: creates tasks anywhere in the plan, edits and
#   cancels them;
# - the head of the lead unit: edits its tasks (not the lead unit nor the
#   deadline), breaks them into subtasks, assigns, reviews, decides extensions
#   and may do the assignees' work itself;
# - assignees: start, add and remove evidence, submit, ask for more time;
# - the steering committee and everyone else who sees the task: read only.
WHO_MAY: dict[str, frozenset[str]] = {
    "edit": frozenset({"admin", "plan_head", "lead_head"}),
    "add_subtask": frozenset({"admin", "plan_head", "lead_head"}),
    "start": frozenset({"admin", "lead_head", "assignee"}),
    "add_evidence": frozenset({"admin", "lead_head", "assignee"}),
    "remove_evidence": frozenset({"admin", "lead_head", "assignee"}),
    "submit": frozenset({"admin", "lead_head", "assignee"}),
    "review": frozenset({"admin", "lead_head"}),
    "cancel": frozenset({"admin", "plan_head"}),
    "request_extension": frozenset({"admin", "assignee"}),
    "decide_extension": frozenset({"admin", "lead_head"}),
}

# The statuses each action starts from; anything else is a conflict (409).
OPEN = frozenset({Status.TODO, Status.IN_PROGRESS})
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "edit": frozenset({Status.TODO, Status.IN_PROGRESS, Status.SUBMITTED}),
    "add_subtask": frozenset({Status.TODO, Status.IN_PROGRESS, Status.SUBMITTED}),
    "start": frozenset({Status.TODO}),
    "add_evidence": OPEN,
    "remove_evidence": OPEN,
    "submit": OPEN,
    "review": frozenset({Status.SUBMITTED}),
    "cancel": frozenset({Status.TODO, Status.IN_PROGRESS, Status.SUBMITTED}),
    "request_extension": OPEN,
    "decide_extension": OPEN | {Status.SUBMITTED},
}


def relations(official: Official, task: Task) -> frozenset[str]:
    """How an official stands to a task: admin, plan_head, lead_head, assignee."""
    found = set()
    if official.role == Role.ADMIN:
        found.add("admin")
    if official.role == Role.HEAD and official.unit_id == task.plan.unit_id:
        found.add("plan_head")
    if official.role == Role.HEAD and official.unit_id == task.lead_unit_id:
        found.add("lead_head")
    if task.pk and task.assignees.filter(pk=official.pk).exists():
        found.add("assignee")
    return frozenset(found)


def may(official: Official, action: str, task: Task, rel: frozenset[str] | None = None) -> bool:
    """Whether the official's role allows the action on this task (states aside)."""
    return bool(WHO_MAY[action] & (relations(official, task) if rel is None else rel))


def may_create_in(official: Official, plan: Plan) -> bool:
    """Tasks are created by admin and by the head of the unit that issued the plan."""
    return official.role == Role.ADMIN or (
        official.role == Role.HEAD and official.unit_id == plan.unit_id
    )


def available_actions(official: Official, task: Task) -> frozenset[str]:
    """The actions the official may take on the task now: allowed and in the right state."""
    rel = relations(official, task)
    return frozenset(
        action
        for action in WHO_MAY
        if WHO_MAY[action] & rel and task.status in ALLOWED_FROM[action]
    )


def get_evidence_for(official: Official, evidence_id: int) -> Evidence:
    """Evidence whose task the official may see; 404 otherwise."""
    evidence = Evidence.objects.select_related("task").filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404("No such evidence.")
    get_task_for(official, evidence.task_id)
    return evidence


def get_extension_for(official: Official, request_id: int) -> tuple[ExtensionRequest, Task]:
    """An extension request and its task, if the official may see the task; 404 otherwise."""
    ext = ExtensionRequest.objects.filter(pk=request_id).first()
    if ext is None:
        raise Http404("No such extension request.")
    return ext, get_task_for(official, ext.task_id)


def evidence_file(evidence: Evidence) -> FileResponse:
    """The stored file as a download under its cleaned name (404 if storage lost it)."""
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    return FileResponse(
        handle, as_attachment=True, filename=evidence.filename, content_type=evidence.content_type
    )


def may_score(official: Official) -> bool:
    """Running the roll-up and entering an appraiser's points: administrators and the committee."""
    return official.role in (Role.ADMIN, Role.COMMITTEE)


def inbox(actor: Official) -> QuerySet[Notification]:
    """The actor's own messages, newest first; nobody reads another's inbox."""
    return Notification.objects.filter(recipient=actor).order_by("-created_at", "-id")


def get_notification_for(actor: Official, pk: int) -> Notification:
    """One of the actor's messages, or 404 (also for someone else's)."""
    return get_object_or_404(inbox(actor), pk=pk)
