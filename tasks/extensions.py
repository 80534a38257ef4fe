"""Requests for more time: an assignee asks, whoever keeps the deadline decides.

Writes as every write of tasks.services: actor passed in, checked, atomic,
audited; the head who decides is told of each request, every assignee of the
decision, and the request's inbox message is marked handled once decided.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kit.errors import Conflict, Invalid, NotAllowed
from plans.access import Action
from plans.models import Official, record
from tasks import refusals
from tasks.access import deadline_keeper_unit
from tasks.inbox.notify import done_with, notify
from tasks.models import ExtensionRequest, ExtensionStatus, Task
from tasks.services import bump_version, check_date, lock_task, required_text


@transaction.atomic
def request_extension(
    actor: Official,
    task: Task,
    *,
    new_due_date: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> ExtensionRequest:
    """An assignee asks to move the deadline; one request waits at a time.

    Only while the deadline has not passed: a task already overdue stays
    overdue (the deadline day itself is still in time).
    """
    task = lock_task(task)
    refusals.check(actor, Action.REQUEST_EXTENSION, task)
    reason = required_text("reason", reason, _("Say why more time is needed."))
    check_date("new_due_date", new_due_date)
    if task.due_date < (today or timezone.localdate()):
        message = _(
            "The deadline (%(date)s) has passed: more time can be asked only before it. "
            "The task stays overdue; the head of the unit that issued the plan can still "
            "move its deadline."
        ) % {"date": task.due_date.strftime("%d/%m/%Y")}
        raise Invalid(message, {"new_due_date": message})
    if new_due_date <= task.due_date:
        message = _("The new deadline must be after the current one (%(date)s).") % {
            "date": task.due_date.strftime("%d/%m/%Y")
        }
        raise Invalid(message, {"new_due_date": message})
    if task.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise Conflict(_("An extension request for this task is already waiting for a decision."))
    ext = ExtensionRequest.objects.create(
        task=task,
        requested_by=actor,
        current_due_date=task.due_date,
        new_due_date=new_due_date,
        reason=reason,
    )
    bump_version(task)
    # The deadline does not move until the request is approved: the history
    # reads [current, asked] as the date asked for (AuditEvent.describe).
    record(
        actor,
        "extension_requested",
        task,
        extension_id=ext.pk,
        due_date=[task.due_date.isoformat(), new_due_date.isoformat()],
        reason=reason,
    )
    notify(
        "extension_requested",
        task,
        [Official.objects.head_of(deadline_keeper_unit(task))],
        actor,
        new_due=new_due_date.isoformat(),
        reason=reason,
    )
    return ext


@transaction.atomic
def decide_extension(
    actor: Official,
    ext: ExtensionRequest,
    *,
    approve: bool,
    comment: str = "",
    now: dt.datetime | None = None,
) -> ExtensionRequest:
    """Whoever keeps the deadline approves (it moves, the original stays) or refuses.

    That is the head of the unit that issued the plan, or for a subtask the head
    of the unit leading its parent (or admin); never the person who asked.
    """
    task = lock_task(ext.task)
    ext = ExtensionRequest.objects.select_for_update().get(pk=ext.pk)
    refusals.check(actor, Action.DECIDE_EXTENSION, task)
    if ext.requested_by_id == actor.pk:
        raise NotAllowed(_("Nobody decides their own request for more time."))
    if ext.status != ExtensionStatus.PENDING:
        raise Conflict(
            _("This request was already decided (%(status)s).")
            % {"status": ext.get_status_display()}
        )
    comment = (comment or "").strip()
    if not approve:
        required_text("comment", comment, _("Say why the request is refused."))
    ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    ext.decided_by = actor
    ext.decided_at = now or timezone.now()
    ext.comment = comment
    ext.save(update_fields=["status", "decided_by", "decided_at", "comment", "updated_at"])
    changes: dict[str, Any] = {"extension_id": ext.pk, "approved": approve, "comment": comment}
    if approve:
        changes["due_date"] = [task.due_date.isoformat(), ext.new_due_date.isoformat()]
        task.due_date = ext.new_due_date
        bump_version(task, "due_date")
    else:
        bump_version(task)
    record(actor, "extension_decided", task, **changes)
    done_with(task, "extension_requested", now=ext.decided_at)
    notify(
        "extension_decided",
        task,
        [ext.requested_by, *task.assignees.all()],
        actor,
        approved=approve,
        new_due=ext.new_due_date.isoformat(),
        comment=comment,
    )
    return ext
