"""Who may see which task: every read of a task goes through here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from plans.access import (
    Action,
    Rel,
    allows,
    heads_unit,
    may_anywhere,
    may_on_unit,
    plan_relations,
)
from plans.models import Official, Unit
from tasks.files import file_response
from tasks.models import (
    Evidence,
    ExtensionRequest,
    ExtensionStatus,
    Notification,
    Status,
    Task,
    TaskQuerySet,
)


def visible_tasks(official: Official) -> TaskQuerySet:
    """The tasks an official may see.

    - administrators and the steering committee: all of them;
    - everyone else: tasks their unit leads, cooperates on or issued the plan
      of, and tasks they are assigned to;
    - a unit's head also: the tasks led by the units under theirs (three levels
      down: a district's communes), which they answer for and may cancel or
      re-date (Rel.LEAD_CHAIN_HEAD).
    Subqueries rather than joins, so that no row repeats and counts stay exact.
    """
    tasks: TaskQuerySet = Task.objects.all()
    if official.sees_everything:
        return tasks
    assigned = Task.assignees.through.objects.filter(official_id=official.pk)
    mine = Q(pk__in=assigned.values("task_id"))
    unit_id = official.unit_id
    if unit_id is not None:
        partner = Task.partner_units.through.objects.filter(unit_id=unit_id)
        mine |= (
            Q(lead_unit_id=unit_id) | Q(plan__unit_id=unit_id) | Q(pk__in=partner.values("task_id"))
        )
        if official.is_head:
            below = Unit.objects.filter(
                Q(parent_id=unit_id)
                | Q(parent__parent_id=unit_id)
                | Q(parent__parent__parent_id=unit_id)
            )
            mine |= Q(lead_unit_id__in=below.values("pk"))
    return tasks.filter(mine)


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


# The statuses each task action starts from; anything else is a conflict (409).
OPEN = frozenset({Status.TODO, Status.IN_PROGRESS})
NOT_CLOSED = frozenset({Status.TODO, Status.IN_PROGRESS, Status.SUBMITTED})
ALLOWED_FROM: dict[Action, frozenset[str]] = {
    Action.EDIT: NOT_CLOSED,
    Action.MOVE_DEADLINE: NOT_CLOSED,
    Action.REASSIGN: NOT_CLOSED,
    Action.NAME_PARTNERS: NOT_CLOSED,
    Action.ASSIGN: NOT_CLOSED,
    Action.ADD_SUBTASK: NOT_CLOSED,
    Action.START: frozenset({Status.TODO}),
    Action.ADD_EVIDENCE: OPEN,
    Action.REMOVE_EVIDENCE: OPEN,
    Action.SUBMIT: OPEN,
    Action.REVIEW: frozenset({Status.SUBMITTED}),
    Action.CANCEL: NOT_CLOSED,
    Action.REQUEST_EXTENSION: OPEN,
    Action.DECIDE_EXTENSION: NOT_CLOSED,
}
TASK_ACTIONS = tuple(ALLOWED_FROM)


def deadline_keeper_unit(task: Task) -> int:
    """The unit whose head keeps the task's deadline (decides requests for more time):
    the plan's issuing unit, or for a subtask the unit leading its parent."""
    return task.parent.lead_unit_id if task.parent is not None else task.plan.unit_id


def deadlines_kept_by(unit_id: int | None) -> Q:
    """The extension requests whose task's deadline that unit's head keeps, as a filter:
    tasks of the plan the unit issued, and subtasks whose parent the unit leads (the
    query of `deadline_keeper_unit`)."""
    return Q(task__parent__isnull=True, task__plan__unit_id=unit_id) | Q(
        task__parent__lead_unit_id=unit_id
    )


def opens_review_queue(official: Official) -> bool:
    """Whether the official has a review queue at all (an administrator, or a unit's head)."""
    return may_anywhere(official, Action.REVIEW_QUEUE) or may_on_unit(
        official, Action.REVIEW_QUEUE, official.unit_id
    )


def review_queue_for(official: Official) -> tuple[TaskQuerySet, QuerySet[ExtensionRequest]]:
    """What waits for the official: submitted work to review, requests for more time to decide.

    A head's unit's work and the requests they decide (never their own); an
    administrator's, everything. 403 for anyone else (WHO_MAY, REVIEW_QUEUE).
    """
    if may_anywhere(official, Action.REVIEW_QUEUE):
        tasks, requests = Task.objects.all(), ExtensionRequest.objects.all()
    elif opens_review_queue(official):
        tasks = Task.objects.filter(lead_unit_id=official.unit_id)
        requests = ExtensionRequest.objects.filter(deadlines_kept_by(official.unit_id))
    else:
        raise PermissionDenied(_("The review queue is for heads of units."))
    pending = requests.filter(status=ExtensionStatus.PENDING).exclude(requested_by=official)
    return tasks.filter(status=Status.SUBMITTED), pending


def lead_chain(task: Task) -> list[int]:
    """The units whose heads answer for the task's lead unit in this plan, nearest first.

    - the units above the lead unit, up to and including the plan's own unit;
    - a task led by a unit outside the plan's reach (possible only in data made
      before a unit's plan was held to its own units): the lead unit itself and
      every unit above it, so that the unit whose score it lowers can undo it.
    """
    plan_unit = task.plan.unit_id
    if task.lead_unit_id == plan_unit:
        return []
    above = Unit.objects.chain_above(task.lead_unit_id)
    if plan_unit in above:
        return above[: above.index(plan_unit) + 1]
    return [task.lead_unit_id, *above]


def relations(official: Official, task: Task) -> frozenset[Rel]:
    """How an official stands to a task: its plan's relations, then lead, partner, assignee."""
    found = set(plan_relations(official, task.plan.unit_id))
    if heads_unit(official, task.lead_unit_id):
        found.add(Rel.LEAD_HEAD)
    if (
        official.is_head
        and official.unit_id is not None
        and Rel.PLAN_HEAD not in found
        and task.lead_unit_id is not None
        and official.unit_id in lead_chain(task)
    ):
        found.add(Rel.LEAD_CHAIN_HEAD)
    if heads_unit(official, deadline_keeper_unit(task)):
        found.add(Rel.DEADLINE_KEEPER)
    unit_id = official.unit_id
    if official.is_head and unit_id and task.pk and task.partner_units.filter(pk=unit_id).exists():
        found.add(Rel.PARTNER_HEAD)
    if task.pk and task.assignees.filter(pk=official.pk).exists():
        found.add(Rel.ASSIGNEE)
    return frozenset(found)


def assigns_anyone(rel: frozenset[Rel]) -> bool:
    """The plan's head (and admin) name anyone of the task's units; other heads, their own."""
    return bool({Rel.ADMIN, Rel.PLAN_HEAD} & rel)


def may(official: Official, action: Action, task: Task, rel: frozenset[Rel] | None = None) -> bool:
    """Whether the official's relation to the task allows the action (states aside)."""
    return allows(action, relations(official, task) if rel is None else rel)


def available_actions(official: Official, task: Task) -> frozenset[Action]:
    """The task actions the official may take now: allowed and in the right state."""
    rel = relations(official, task)
    return frozenset(
        action
        for action in TASK_ACTIONS
        if allows(action, rel) and task.status in ALLOWED_FROM[action]
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


def evidence_file(evidence: Evidence, *, inline: bool = False) -> FileResponse:
    """The stored file under its cleaned name: a download, or shown in the browser."""
    return file_response(evidence.file, evidence.filename, evidence.content_type, inline=inline)


def inbox(actor: Official) -> QuerySet[Notification]:
    """The actor's own messages, newest first; nobody reads another's inbox."""
    return Notification.objects.filter(recipient=actor).order_by("-created_at", "-id")


def get_notification_for(actor: Official, pk: int) -> Notification:
    """One of the actor's messages, or 404 (also for someone else's)."""
    return get_object_or_404(inbox(actor), pk=pk)
