"""Every write to tasks: one function each, actor passed in, atomic, audited.

The pages and the API call these and nothing else. Each function checks the
actor's permission (NotAllowed, 403), the task's state (Conflict, 409) and the
values (Invalid, 422), then writes and records the change, all in one
transaction. A caller that passes the `version` it read gets a Conflict when
someone changed the task in between, instead of overwriting their change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from kit.errors import Conflict, Invalid, NotAllowed
from kit.filestore import atomic_with_files, stored
from plans import scoring
from plans.access import Action, Rel, allows, may_on_plan
from plans.models import (
    Area,
    Official,
    Plan,
    PlanStatus,
    SubCriterion,
    Unit,
    record,
)
from plans.rescore import scores_may_move
from plans.services import clean_or_invalid
from tasks import messages, refusals
from tasks.access import relations
from tasks.files import check_upload
from tasks.inbox.notify import done_with, notify
from tasks.models import (
    Evidence,
    ExtensionRequest,
    ExtensionStatus,
    Status,
    Task,
)

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
EDITABLE = (
    "title",
    "description",
    "area",
    "subcriterion",
    "deliverable",
    "due_date",
    "weight",
)
ASSIGNMENT = ("lead_unit_id", "partner_unit_ids", "assignee_ids")

# ---------------------------------------------------------------- helpers


def lock_task(task: Task) -> Task:
    """Re-read the task under a row lock (PostgreSQL), with its plan."""
    return Task.objects.select_for_update(of=("self",)).select_related("plan").get(pk=task.pk)


# What the scores read of a task: a change to any of these moves them (starting
# or handing in work does not; accepting sets completed_at; cancelling asks itself).
SCORED_FIELDS = frozenset({"completed_at", "due_date", "subcriterion", "lead_unit"})


def bump_version(task: Task, *fields: str) -> None:
    """Save the changed fields with a new version; scores follow when they read one of them."""
    task.version += 1
    task.save(update_fields=[*fields, "version", "updated_at"])
    if SCORED_FIELDS.intersection(fields):
        scores_may_move(task.plan)


def _full_clean(task: Task, constraints: bool = True) -> None:
    clean_or_invalid(
        task, exclude=["plan", "parent", "created_by", "area", "lead_unit"], constraints=constraints
    )


def check_date(field: str, value: dt.date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise Invalid(
            _("Enter a date between 2000 and 2100."),
            {field: _("Enter a date between 2000 and 2100.")},
        )


def required_text(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(message, {field: message})
    return value


def task_weight(value: Any) -> Decimal:
    """A task's weight (quy đổi): a number from 0 to 10 with at most two decimals."""
    try:
        weight = Decimal(str(value))
    except (InvalidOperation, ValueError):
        weight = Decimal("NaN")
    if not weight.is_finite() or not Decimal(0) <= weight <= Decimal(10):
        raise Invalid(_("The weight is a number from 0 to 10."), {"weight": _("From 0 to 10.")})
    if weight != weight.quantize(Decimal("0.01")):
        raise Invalid(
            _("The weight has at most two decimals."), {"weight": _("At most two decimals.")}
        )
    return weight


def check_reach(plan: Plan, lead_unit: Unit) -> None:
    """In a unit's own plan, every task is led by that unit or a unit under it.

    A unit's plan is scored through the province plan it implements: a task led
    by another unit would count against that unit's score without its say.
    The cooperating units may be any (they help; they are not scored for it).
    """
    if plan.parent_id is None or Unit.objects.is_within(lead_unit.pk, plan.unit_id):
        return
    message = _(
        "A unit's own plan holds that unit's work: the lead unit must be %(unit)s or a unit "
        "under it, and %(lead)s is not."
    ) % {"unit": plan.unit, "lead": lead_unit.name}
    raise Invalid(message, {"lead_unit_id": message})


def check_not_past(due_date: dt.date, confirmed: bool, today: dt.date | None = None) -> None:
    """A deadline already past when the task is made counts as overdue at once: it must be
    confirmed (`confirm_past_deadline`), or it is a typing slip."""
    today = today or timezone.localdate()
    if due_date < today and not confirmed:
        message = _(
            "The deadline %(date)s has already passed, so the task would be overdue at once. "
            "Confirm it (confirm_past_deadline) or choose a later date."
        ) % {"date": due_date.strftime("%d/%m/%Y")}
        raise Invalid(message, {"due_date": message})


def reason_for_move(task: Task, new_due: dt.date, reason: str, today: dt.date) -> str:
    """A deadline that has come, or passed, moves only with a reason, kept in the history."""
    reason = (reason or "").strip()
    if new_due != task.due_date and task.due_date <= today and not reason:
        message = _(
            "The deadline %(date)s has come or passed: say why it moves (reason); the reason "
            "is kept in the task's history."
        ) % {"date": task.due_date.strftime("%d/%m/%Y")}
        raise Invalid(message, {"reason": message})
    return reason


def _area(plan: Plan, number: int) -> Area:
    """The plan's area of that number (from its prefetched areas, when a caller
    creating many tasks prefetched them)."""
    area = next((a for a in plan.areas.all() if a.number == number), None)
    if area is None:
        raise Invalid(
            _("This plan has no area %(number)s.") % {"number": number},
            {"area": _("This plan has no area %(number)s.") % {"number": number}},
        )
    return area


def _units(field: str, ids: Iterable[int]) -> list[Unit]:
    wanted = set(ids)
    units = list(Unit.objects.filter(pk__in=wanted))
    missing = wanted - {u.pk for u in units}
    if missing:
        message = _("No unit with id %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}
        raise Invalid(message, {field: message})
    return units


def _assignees(ids: Iterable[int], allowed_units: set[int]) -> list[Official]:
    """Named officials, each of the lead unit or of a cooperating unit."""
    wanted = set(ids)
    if not wanted:
        return []
    people = list(Official.objects.filter(pk__in=wanted))
    missing = wanted - {p.pk for p in people}
    if missing:
        message = _("No official with id %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}
        raise Invalid(message, {"assignee_ids": message})
    outside = [p.full_name for p in people if p.unit_id not in allowed_units]
    if outside:
        message = _("Assignees must work in the lead unit or a cooperating unit: %(names)s.") % {
            "names": ", ".join(outside)
        }
        raise Invalid(message, {"assignee_ids": message})
    return people


# ---------------------------------------------------------------- create, edit


@transaction.atomic
def create_task(
    actor: Official,
    plan: Plan,
    *,
    title: str,
    area: int,
    lead_unit_id: int,
    due_date: dt.date,
    description: str = "",
    subcriterion: str | None = "",
    deliverable: str = "",
    partner_unit_ids: Iterable[int] = (),
    assignee_ids: Iterable[int] = (),
    parent: Task | None = None,
    imported_from: str = "",
    weight: Decimal | int | str = 1,
    confirm_past_deadline: bool = False,
) -> Task:
    """Add a task (or a subtask of `parent`) to a plan.

    `imported_from`: the appendix file it came from, said in its history.
    `confirm_past_deadline`: the deadline is already past, and meant so.

    - the head of the plan's unit (or admin) adds tasks anywhere in the plan;
    - the head of a lead unit adds subtasks to its own tasks, led by its unit
      and assigned to its own officials.
    """
    plan_power = may_on_plan(actor, Action.CREATE_TASK, plan)
    rel: frozenset[Rel] = frozenset()
    if parent is not None:
        parent = lock_task(parent)
        if parent.plan_id != plan.pk:
            raise Invalid(
                _("The parent task belongs to another plan."),
                {"parent_id": _("The parent task belongs to another plan.")},
            )
        rel = relations(actor, parent)
        if plan_power:
            refusals.check_state(Action.ADD_SUBTASK, parent, None)
        else:
            refusals.check(actor, Action.ADD_SUBTASK, parent, rel=rel)
            if lead_unit_id != parent.lead_unit_id:
                raise NotAllowed(_("Your subtasks are led by your own unit."))
    elif not plan_power:
        raise NotAllowed(refusals.REFUSALS[Action.CREATE_TASK])
    if plan_power:
        rel = rel | {Rel.PLAN_HEAD}
    if plan.status == PlanStatus.CLOSED:
        raise Conflict(_("The plan is closed: its tasks can no longer change."))
    title = required_text("title", title, _("Give the task a title."))
    check_date("due_date", due_date)
    check_not_past(due_date, confirm_past_deadline)
    partner_ids = set(partner_unit_ids)
    named = {u.pk: u for u in Unit.objects.filter(pk__in={lead_unit_id, *partner_ids})}
    if lead_unit_id not in named:
        _units("lead_unit_id", [lead_unit_id])  # raises, naming the field
    lead_unit = named[lead_unit_id]
    check_reach(plan, lead_unit)
    if partner_ids - set(named):
        _units("partner_unit_ids", partner_ids)  # raises, naming the field
    partners = [named[pk] for pk in sorted(partner_ids) if pk != lead_unit.pk]
    if partners and not allows(Action.NAME_PARTNERS, rel):
        raise NotAllowed(refusals.REFUSALS[Action.NAME_PARTNERS])
    people = _assignees(assignee_ids, {lead_unit.pk} | {u.pk for u in partners})
    task = Task(
        plan=plan,
        parent=parent,
        area=_area(plan, area),
        subcriterion=_subcriterion(plan, subcriterion),
        title=title,
        description=description or "",
        lead_unit=lead_unit,
        due_date=due_date,
        original_due_date=due_date,
        deliverable=deliverable or "",
        weight=task_weight(weight),
        created_by=actor,
    )
    # A new task is to do, never completed: its status constraints hold.
    _full_clean(task, constraints=False)
    task.save()
    scores_may_move(plan)
    # A new task has no links yet: add them, without reading what is there.
    if partners:
        task.partner_units.add(*partners)
    if people:
        task.assignees.add(*people)
    record(
        actor,
        "created",
        task,
        title=task.title,
        area=area,
        lead_unit_id=lead_unit.pk,
        due_date=due_date,
        parent_id=parent.pk if parent else None,
        **({"imported_from": imported_from} if imported_from else {}),
    )
    if partners or people:
        record(
            actor,
            "assigned",
            task,
            partner_unit_ids=sorted(u.pk for u in partners),
            assignee_ids=sorted(p.pk for p in people),
        )
    notify("assigned", task, people, actor)
    head = lead_unit.head
    if head is not None and head not in people:
        notify("assigned", task, [head], actor, as_head=True)
    return task


@transaction.atomic
def update_task(  # noqa: C901 (one check per field a change may touch, in one transaction)
    actor: Official,
    task: Task,
    *,
    version: int | None = None,
    reason: str = "",
    today: dt.date | None = None,
    **changes: Any,
) -> Task:
    """Change a task's fields and assignment; only what is given changes.

    `reason`: why the deadline moves; required once the deadline has come
    (the day itself, or overdue), and kept in the history beside the dates.

    Fields: title, description, area (number), subcriterion, deliverable,
    due_date, lead_unit_id, partner_unit_ids, assignee_ids. Field changes are
    recorded as "edited", assignment changes as "assigned", each with the old
    and new values. What each change needs is refusals.FIELD_ACTIONS over WHO_MAY:
    - only the head of the plan's unit (or admin) moves the deadline, hands
      the task to another lead unit or names its cooperating units: the lead
      unit's head asks for more time through an extension request;
    - the heads of the lead and cooperating units assign their own officials.
    """
    unknown = set(changes) - set(refusals.FIELD_ACTIONS)
    if unknown:
        raise Invalid(_("These fields cannot be changed: %s.") % ", ".join(sorted(unknown)))
    task = lock_task(task)
    rel = relations(actor, task)
    # Permission before values: what the caller asks to change, read as given.
    asked = refusals.asked(task, changes)
    if not asked and not (allows(Action.EDIT, rel) or allows(Action.ASSIGN, rel)):
        raise NotAllowed(refusals.REFUSALS[Action.EDIT])
    refusals.require(rel, asked)
    refusals.check_state(Action.EDIT, task, version)

    edited: dict[str, list[Any]] = {}
    for field in EDITABLE:
        if field not in changes:
            continue
        new = changes[field]
        if field == "area":
            new = _area(task.plan, new)
        elif field == "title":
            new = required_text("title", new, _("Give the task a title."))
        elif field == "due_date":
            check_date("due_date", new)
            reason = reason_for_move(task, new, reason, today or timezone.localdate())
        elif field == "subcriterion":
            new = _subcriterion(task.plan, new)
        elif field in ("description", "deliverable"):
            new = new or ""
        elif field == "weight":
            new = task_weight(new)
        old = getattr(task, field)
        if old != new:
            setattr(task, field, new)
            if field == "area":
                old, new = old.number, new.number
            edited[field] = [old, new]

    assigned: dict[str, list[Any]] = {}
    lead_id = changes.get("lead_unit_id", task.lead_unit_id)
    if lead_id != task.lead_unit_id:
        (lead,) = _units("lead_unit_id", [lead_id])
        check_reach(task.plan, lead)
        assigned["lead_unit_id"] = [task.lead_unit_id, lead.pk]
        task.lead_unit = lead
    old_partners = sorted(task.partner_units.values_list("pk", flat=True))
    partner_ids = old_partners
    if "partner_unit_ids" in changes:
        partner_ids = sorted(u.pk for u in _units("partner_unit_ids", changes["partner_unit_ids"]))
    # The lead unit is never also a cooperating unit (a partner made lead leaves the list).
    partner_ids = [pk for pk in partner_ids if pk != lead_id]
    if partner_ids != old_partners:
        assigned["partner_unit_ids"] = [old_partners, partner_ids]
    old_people = sorted(task.assignees.values_list("pk", flat=True))
    people_ids = old_people
    if "assignee_ids" in changes:
        people_ids = sorted(
            p.pk for p in _assignees(changes["assignee_ids"], {lead_id, *partner_ids})
        )
    elif assigned:
        # The units changed: the people already named must still belong to one of them.
        _assignees(people_ids, {lead_id, *partner_ids})
    if people_ids != old_people:
        assigned["assignee_ids"] = [old_people, people_ids]

    if not edited and not assigned:
        return task
    refusals.require(rel, [*edited, *assigned])
    if "assignee_ids" in assigned:
        moved = set(people_ids) ^ set(old_people)
        refusals.check_own_people(actor, rel, Official.objects.filter(pk__in=moved))
    _full_clean(task)
    bump_version(
        task,
        *[f for f in EDITABLE if f in edited],
        *(["lead_unit"] if "lead_unit_id" in assigned else []),
    )
    if "partner_unit_ids" in assigned:
        task.partner_units.set(partner_ids)
    if "assignee_ids" in assigned:
        task.assignees.set(people_ids)
    if edited:
        why = {"reason": reason} if "due_date" in edited and reason else {}
        record(actor, "edited", task, **edited, **why)
    if assigned:
        record(actor, "assigned", task, **assigned)
        newcomers = set(people_ids) - set(old_people)
        notify("assigned", task, Official.objects.filter(pk__in=newcomers), actor)
        if "lead_unit_id" in assigned:
            head = task.lead_unit.head
            if head is not None and head.pk not in newcomers:
                notify("assigned", task, [head], actor, as_head=True)
    return task


# ---------------------------------------------------------------- the work


@transaction.atomic
def start_task(actor: Official, task: Task, *, version: int | None = None) -> Task:
    """An assignee starts the work: todo → in progress."""
    task = lock_task(task)
    refusals.check(actor, Action.START, task, version)
    task.status = Status.IN_PROGRESS
    bump_version(task, "status")
    record(actor, "started", task, status=[Status.TODO, Status.IN_PROGRESS])
    return task


@atomic_with_files
def add_evidence(
    actor: Official,
    task: Task,
    *,
    file: File,
    filename: str | None = None,
    document_number: str = "",
    issued_on: dt.date | None = None,
    issuer: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Evidence:
    """Attach a file and the issued document it proves, while the task is open.

    The file is identified by its content, measured and fingerprinted (SHA-256)
    before anything is stored; a refusal stores nothing.
    """
    task = lock_task(task)
    refusals.check(actor, Action.ADD_EVIDENCE, task)
    checked = check_upload(file, filename or file.name or "")
    if issued_on is not None:
        check_date("issued_on", issued_on)
    evidence = Evidence(
        task=task,
        filename=checked.filename,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        document_number=(document_number or "").strip(),
        issued_on=issued_on,
        issuer=(issuer or "").strip(),
        note=(note or "").strip(),
        uploaded_by=actor,
        uploaded_at=now or timezone.now(),
    )
    clean_or_invalid(evidence, exclude=["task", "file", "uploaded_by"])
    evidence.file.save(checked.filename, file, save=False)
    stored(evidence.file.storage, evidence.file.name)  # gone again unless the row commits
    try:
        evidence.save()
        bump_version(task)
        record(
            actor,
            "evidence_added",
            task,
            evidence_id=evidence.pk,
            filename=evidence.filename,
            sha256=evidence.sha256,
            document_number=evidence.document_number,
        )
    except BaseException:
        # The database rolls back; the stored file must not outlive it.
        evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def remove_evidence(actor: Official, evidence: Evidence) -> Task:
    """Take back a file uploaded by mistake; never once the task is submitted or accepted."""
    task = lock_task(evidence.task)
    refusals.check(actor, Action.REMOVE_EVIDENCE, task)
    name, sha = evidence.filename, evidence.sha256
    stored = evidence.file.name
    try:
        with transaction.atomic():
            evidence.delete()
    except ProtectedError:
        # Cited elsewhere (a line of an annual assessment sheet): the proof stays.
        raise Conflict(
            _("This evidence is cited on an assessment sheet: remove it there first.")
        ) from None
    bump_version(task)
    record(actor, "evidence_removed", task, filename=name, sha256=sha)
    storage = evidence.file.storage
    transaction.on_commit(lambda: storage.delete(stored))
    return task


@transaction.atomic
def submit_task(
    actor: Official,
    task: Task,
    *,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """An assignee says the work is done; it needs at least one piece of evidence."""
    task = lock_task(task)
    refusals.check(actor, Action.SUBMIT, task, version)
    if not task.evidence.exists():
        raise Conflict(_("Attach at least one piece of evidence before submitting."))
    old = task.status
    task.status = Status.SUBMITTED
    task.submitted_at = now or timezone.now()
    bump_version(task, "status", "submitted_at")
    record(actor, "submitted", task, status=[old, Status.SUBMITTED])
    notify("submitted", task, [Official.objects.head_of(task.lead_unit_id)], actor)
    return task


@transaction.atomic
def review_task(
    actor: Official,
    task: Task,
    *,
    decision: str,
    comment: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """The lead unit's head accepts (done, completion time recorded) or returns the work."""
    if decision not in ("accept", "return"):
        raise Invalid(_("Decide accept or return."), {"decision": _("Decide accept or return.")})
    comment = (comment or "").strip()
    task = lock_task(task)
    refusals.check(actor, Action.REVIEW, task, version)
    done_with(task, "submitted", messages.REVIEW, now=now)
    if decision == "accept":
        task.status = Status.DONE
        task.completed_at = now or timezone.now()
        bump_version(task, "status", "completed_at")
        record(actor, "accepted", task, status=[Status.SUBMITTED, Status.DONE], comment=comment)
        notify("accepted", task, task.assignees.select_related("user"), actor, comment=comment)
    else:
        required_text("comment", comment, _("Say what is missing when you return the work."))
        task.status = Status.IN_PROGRESS
        bump_version(task, "status")
        record(
            actor, "returned", task, status=[Status.SUBMITTED, Status.IN_PROGRESS], comment=comment
        )
        notify("returned", task, task.assignees.select_related("user"), actor, comment=comment)
    return task


@transaction.atomic
def cancel_task(actor: Official, task: Task, *, reason: str, version: int | None = None) -> Task:
    """The plan's issuing unit withdraws a task; a reason is required."""
    reason = (reason or "").strip()
    task = lock_task(task)
    refusals.check(actor, Action.CANCEL, task, version)
    required_text("reason", reason, _("Give the reason for cancelling."))
    old = task.status
    task.status = Status.CANCELLED
    bump_version(task, "status")
    ExtensionRequest.objects.filter(task=task, status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.REFUSED,
        decided_by=actor,
        decided_at=timezone.now(),
        comment=_("The task was cancelled."),
    )
    record(actor, "cancelled", task, status=[old, Status.CANCELLED], reason=reason)
    # Nothing about it waits for anyone any more.
    done_with(task, "submitted", messages.REVIEW, "extension_requested")
    scores_may_move(task.plan)
    return task


# ---------------------------------------------------------------- scores


def tagged_codes(plan_id: int | None) -> set[str]:
    """The codes a task of the plan may be tagged with: its sets' sub-criteria, and the
    codes they read (`codes`): a tag no item reads would never count."""
    known: set[str] = set()
    for code, params in SubCriterion.objects.filter(
        criterion__index_set__plans=plan_id
    ).values_list("code", "params"):
        known.add(code)
        known.update(params.get("codes") or ())
    return known


def _subcriterion(plan: Plan, code: str | None) -> str:
    """A tag must name a code of the plan's index sets (an item, a group, or a code an item
    reads in its `codes`), or it would never count."""
    code = (code or "").strip()
    if not code:
        return code
    known = tagged_codes(plan.scored_plan_id)
    if known and code not in known:
        codes = ", ".join(sorted(known, key=scoring.code_key))
        message = _(
            "The plan's index sets have no sub-criterion %(code)s (they have %(codes)s)."
        ) % {
            "code": code,
            "codes": codes,
        }
        raise Invalid(message, {"subcriterion": message})
    return code
