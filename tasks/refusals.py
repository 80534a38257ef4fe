"""Who may change what in a task, in which state, and what a refusal says.

The services ask here before they write: permission first (NotAllowed, 403,
with the action's refusal), then a stale version, a closed plan or a wrong
state (Conflict, 409). FIELD_ACTIONS says which row of WHO_MAY each changed
field of a task needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kit.errors import Conflict, NotAllowed
from plans.access import Action, Rel, allows
from plans.models import AuditEvent, Official, PlanStatus
from tasks.access import ALLOWED_FROM, assigns_anyone, may
from tasks.models import Task

REFUSALS: dict[Action, Any] = {
    Action.CREATE_TASK: gettext_lazy(
        "Only the head of the plan's unit may add tasks to this plan."
    ),
    Action.EDIT: gettext_lazy(
        "Only the head of the lead unit or of the plan's unit may edit this task."
    ),
    Action.MOVE_DEADLINE: gettext_lazy(
        "Only the head of the plan's unit, or of a unit above the lead unit, moves a "
        "deadline; ask for an extension instead."
    ),
    Action.REASSIGN: gettext_lazy("Only the head of the plan's unit hands a task to another unit."),
    Action.NAME_PARTNERS: gettext_lazy(
        "Only the head of the plan's unit names the cooperating units."
    ),
    Action.ASSIGN: gettext_lazy(
        "Only the head of the lead unit, of a cooperating unit or of the plan's unit "
        "assigns officials."
    ),
    Action.ADD_SUBTASK: gettext_lazy(
        "Only the head of the lead unit or of the plan's unit may add subtasks."
    ),
    Action.START: gettext_lazy(
        "Only an assignee or the head of the lead unit may start this task."
    ),
    Action.ADD_EVIDENCE: gettext_lazy(
        "Only an assignee or the head of the lead unit may add evidence."
    ),
    Action.REMOVE_EVIDENCE: gettext_lazy(
        "Only an assignee or the head of the lead unit may remove evidence."
    ),
    Action.SUBMIT: gettext_lazy(
        "Only an assignee or the head of the lead unit may submit this task."
    ),
    Action.REVIEW: gettext_lazy("Only the head of the lead unit may review this task."),
    Action.CANCEL: gettext_lazy(
        "Only the head of the plan's unit, or of a unit above the lead unit, may cancel a task."
    ),
    Action.REQUEST_EXTENSION: gettext_lazy("Only an assignee may ask for more time."),
    Action.DECIDE_EXTENSION: gettext_lazy(
        "Only the head of the unit that issued the plan (for a subtask, of the unit leading "
        "its parent) decides a request for more time."
    ),
}

_EDITED = gettext_lazy("A task that is done or cancelled can no longer be edited.")
WRONG_STATE: dict[Action, Any] = {
    Action.EDIT: _EDITED,
    Action.MOVE_DEADLINE: _EDITED,
    Action.REASSIGN: _EDITED,
    Action.NAME_PARTNERS: _EDITED,
    Action.ASSIGN: _EDITED,
    Action.ADD_SUBTASK: gettext_lazy("A task that is done or cancelled cannot get new subtasks."),
    Action.START: gettext_lazy("Only a task still to do can be started; this one is %(status)s."),
    Action.ADD_EVIDENCE: gettext_lazy(
        "Evidence can be added only while the task is open; it is %(status)s."
    ),
    Action.REMOVE_EVIDENCE: gettext_lazy(
        "Evidence can be removed only while the task is open; it is %(status)s."
    ),
    Action.SUBMIT: gettext_lazy("Only an open task can be submitted; this one is %(status)s."),
    Action.REVIEW: gettext_lazy("Only a submitted task can be reviewed; this one is %(status)s."),
    Action.CANCEL: gettext_lazy("This task is already %(status)s."),
    Action.REQUEST_EXTENSION: gettext_lazy(
        "More time can be asked only while the task is open; it is %(status)s."
    ),
    Action.DECIDE_EXTENSION: gettext_lazy(
        "The task is %(status)s: there is no deadline left to move."
    ),
}


def check(
    actor: Official,
    action: Action,
    task: Task,
    version: int | None = None,
    rel: frozenset[Rel] | None = None,
) -> None:
    """Permission first (403), then a stale version or a wrong state (409).

    A 409 for a change this person already made (a request sent again after its
    answer was lost) says that it took effect, rather than that someone else
    changed the task.
    """
    if not may(actor, action, task, rel):
        raise NotAllowed(REFUSALS[action])
    try:
        check_state(action, task, version)
    except Conflict:
        already_done(actor, action, task)
        raise


# The history's actions that each task action leaves.
LEAVES: dict[Action, frozenset[str]] = {
    Action.START: frozenset({"started"}),
    Action.SUBMIT: frozenset({"submitted"}),
    Action.REVIEW: frozenset({"accepted", "returned"}),
    Action.CANCEL: frozenset({"cancelled"}),
}


def already_done(actor: Official, action: Action, task: Task) -> None:
    """Conflict saying the change took effect, when the task's last change is this
    person's own of this kind; nothing otherwise."""
    if action not in LEAVES:
        return
    last = AuditEvent.objects.history_of(task).order_by("-at", "-id").first()
    if last is None or last.actor_id != actor.pk or last.action not in LEAVES[action]:
        return
    raise Conflict(
        _(
            "This already took effect: you %(done)s at %(time)s, and the task is now "
            "%(status)s (version %(version)s). Nothing was changed again."
        )
        % {
            "done": last.label,
            "time": timezone.localtime(last.at).strftime("%H:%M %d/%m/%Y"),
            "status": task.get_status_display(),
            "version": task.version,
        }
    )


def check_state(action: Action, task: Task, version: int | None) -> None:
    """A stale version, a closed plan or a task in the wrong state: 409."""
    if version is not None and version != task.version:
        raise Conflict(
            _(
                "Someone else changed this task after you opened it (version %(theirs)s, "
                "yours %(yours)s). Reload it and try again."
            )
            % {"theirs": task.version, "yours": version}
        )
    if task.plan.status == PlanStatus.CLOSED:
        raise Conflict(_("The plan is closed: its tasks can no longer change."))
    if task.status not in ALLOWED_FROM[action]:
        raise Conflict(WRONG_STATE[action] % {"status": task.get_status_display()})


def check_own_people(actor: Official, rel: frozenset[Rel], people: Iterable[Official]) -> None:
    """Below the plan's head, a head names or removes officials of their own unit only."""
    if assigns_anyone(rel):
        return
    others = sorted(p.full_name for p in people if p.unit_id != actor.unit_id)
    if others:
        message = _("You assign, or take off, officials of your own unit only; not %(names)s.") % {
            "names": ", ".join(others)
        }
        raise NotAllowed(message, {"assignee_ids": message})


# What each change to a task needs leave for.
FIELD_ACTIONS: dict[str, Action] = {
    "title": Action.EDIT,
    "description": Action.EDIT,
    "area": Action.EDIT,
    "subcriterion": Action.EDIT,
    "deliverable": Action.EDIT,
    "weight": Action.EDIT,
    "due_date": Action.MOVE_DEADLINE,
    "lead_unit_id": Action.REASSIGN,
    "partner_unit_ids": Action.NAME_PARTNERS,
    "assignee_ids": Action.ASSIGN,
}


def require(rel: frozenset[Rel], changed: Iterable[str]) -> None:
    """Each changed field's action must be allowed: 403 naming the first refused."""
    asked = set(changed)
    for field, action in FIELD_ACTIONS.items():
        if field in asked and not allows(action, rel):
            raise NotAllowed(REFUSALS[action])


def asked(task: Task, changes: dict[str, Any]) -> list[str]:
    """The fields whose given value differs from the task's, read as given (not yet checked)."""
    current: dict[str, Any] = {
        "title": task.title,
        "description": task.description,
        "area": task.area.number,
        "subcriterion": task.subcriterion,
        "deliverable": task.deliverable,
        "due_date": task.due_date,
        "lead_unit_id": task.lead_unit_id,
        "weight": task.weight,
    }
    asked = []
    for field, value in changes.items():
        if field == "partner_unit_ids":
            differs = set(value) - {task.lead_unit_id} != set(
                task.partner_units.values_list("pk", flat=True)
            )
        elif field == "assignee_ids":
            differs = set(value) != set(task.assignees.values_list("pk", flat=True))
        elif field == "weight":
            try:
                differs = Decimal(str(value)) != task.weight
            except (InvalidOperation, ValueError):
                differs = True  # not a number: the check of the value says so
        elif isinstance(current[field], str):
            differs = (value or "").strip() != current[field].strip()
        else:
            differs = value != current[field]
        if differs:
            asked.append(field)
    return asked
