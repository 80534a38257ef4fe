"""The tasks endpoints (docs/api.md): tasks, actions, evidence, extensions, history.

Every handler reads through the permission-checked getters (404 for what the
caller may not see) and writes through tasks.services (403, 409, 413, 415,
422 come from there as domain errors).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field, StrictBool

from kit.errors import Invalid, TooLarge
from kit.schemas import (
    ERRORS,
    UPLOAD_ERRORS,
    XLSX_ANSWER,
    Id,
    IsoDate,
    Page,
    PathId,
    RequiredText500,
    RequiredText5000,
    Text20,
    Text60,
    Text200,
    Text300,
    Text2000,
    Text5000,
    Text20000,
)
from kit.workbooks import xlsx_response
from plans.apikit import caller
from plans.models import AuditEvent, Official, Plan, Unit
from tasks import extensions, services
from tasks.access import (
    evidence_file,
    get_evidence_for,
    get_extension_for,
    get_notification_for,
    get_task_for,
    inbox,
    visible_tasks,
)
from tasks.appendix.export import tasks_workbook
from tasks.appendix.load import Imported, import_appendix
from tasks.appendix.read import MAX_BYTES
from tasks.inbox import services as inbox_services
from tasks.models import Evidence, ExtensionRequest, Notification, Task
from tasks.models import Status as TaskStatus

router = Router(tags=["tasks"])


# ---------------------------------------------------------------- schemas


class TaskOut(Schema):
    id: int
    plan_id: int
    parent_id: int | None
    title: str
    description: str
    area: int
    subcriterion: str | None
    lead_unit_id: int
    partner_unit_ids: list[int]
    assignee_ids: list[int]
    due_date: dt.date
    original_due_date: dt.date
    deliverable: str
    weight: Decimal
    status: str
    overdue: bool
    completed_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_area(task: Task) -> int:
        return task.area.number

    @staticmethod
    def resolve_subcriterion(task: Task) -> str | None:
        return task.subcriterion or None

    @staticmethod
    def resolve_partner_unit_ids(task: Task) -> list[int]:
        return sorted(u.pk for u in task.partner_units.all())

    @staticmethod
    def resolve_assignee_ids(task: Task) -> list[int]:
        return sorted(p.pk for p in task.assignees.all())

    @staticmethod
    def resolve_overdue(task: Task) -> bool:
        return task.is_overdue()


# A task's weight among an official's tasks of a month (quy đổi): 0 to 10.
Weight = Annotated[Decimal, Field(ge=0, le=10, decimal_places=2)]


class TaskIn(Schema):
    title: RequiredText500
    description: Text20000 = ""
    area: Id
    subcriterion: Text20 | None = None
    lead_unit_id: Id
    partner_unit_ids: list[Id] = []
    assignee_ids: list[Id] = []
    due_date: IsoDate
    deliverable: Text300 = ""
    weight: Weight = Decimal(1)
    parent_id: Id | None = None
    # A deadline already past makes the task overdue at once: say it is meant.
    confirm_past_deadline: StrictBool = False


class TaskPatch(Schema):
    """Only the fields sent change; `version`, if sent, must be the task's current one."""

    title: RequiredText500 | None = None
    description: Text20000 | None = None
    area: Id | None = None
    subcriterion: Text20 | None = None
    lead_unit_id: Id | None = None
    partner_unit_ids: list[Id] | None = None
    assignee_ids: list[Id] | None = None
    due_date: IsoDate | None = None
    deliverable: Text300 | None = None
    weight: Weight | None = None
    version: Id | None = None
    # Why the deadline moves: required when it has come or passed (kept in the history).
    reason: Text5000 = ""


class VersionIn(Schema):
    version: Id | None = None


class ReviewIn(Schema):
    decision: Literal["accept", "return"]
    comment: Text5000 = ""
    version: Id | None = None


class CancelIn(Schema):
    reason: RequiredText5000
    version: Id | None = None


class ExtensionIn(Schema):
    new_due_date: IsoDate
    reason: RequiredText5000


class DecideIn(Schema):
    approve: StrictBool
    comment: Text5000 = ""


class ExtensionOut(Schema):
    id: int
    task_id: int
    status: str
    current_due_date: dt.date
    new_due_date: dt.date
    reason: str
    requested_by: int
    created_at: dt.datetime
    decided_by: int | None
    decided_at: dt.datetime | None
    comment: str

    @staticmethod
    def resolve_requested_by(ext: ExtensionRequest) -> int:
        return ext.requested_by_id

    @staticmethod
    def resolve_decided_by(ext: ExtensionRequest) -> int | None:
        return ext.decided_by_id


class EvidenceOut(Schema):
    id: int
    task_id: int
    filename: str
    size: int
    sha256: str
    content_type: str
    document_number: str
    issued_on: dt.date | None
    issuer: str
    note: str
    uploaded_by: int
    uploaded_at: dt.datetime
    download_url: str

    @staticmethod
    def resolve_uploaded_by(evidence: Evidence) -> int:
        return evidence.uploaded_by_id

    @staticmethod
    def resolve_download_url(evidence: Evidence) -> str:
        return reverse("api:evidence_download", args=[evidence.pk])


class HistoryOut(Schema):
    at: dt.datetime
    actor_id: int | None
    action: str
    changes: dict[str, Any]


# ---------------------------------------------------------------- readers


def with_ids(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """What TaskOut needs, in a fixed number of queries whatever the count."""
    return tasks.select_related("area").prefetch_related(
        Prefetch("partner_units", queryset=Unit.objects.only("id")),
        Prefetch("assignees", queryset=Official.objects.only("id")),
    )


def fresh(actor: Official, task_id: int) -> Task:
    """The task as it is now, for the answer of an action."""
    get_task_for(actor, task_id)
    return with_ids(Task.objects.filter(pk=task_id)).get()


def version_from(request: HttpRequest, body_version: int | None) -> int | None:
    """The version the client read: the body's `version`, else an If-Match header."""
    if body_version is not None:
        return body_version
    header = request.headers.get("If-Match", "").strip().strip('W/"').strip('"')
    return int(header) if header.isdigit() and len(header) < 10 else None


# ---------------------------------------------------------------- tasks


@router.get("/plans/{plan_id}/tasks", response={200: list[TaskOut], **ERRORS})
@paginate(Page)
def list_tasks(
    request: HttpRequest,
    plan_id: PathId,
    status: TaskStatus | None = None,
    lead_unit_id: PathId | None = None,
    assignee_id: PathId | None = None,
    overdue: bool | None = None,
    parent_id: PathId | None = None,
    q: Annotated[str, Query(max_length=100)] = "",
) -> QuerySet[Task]:
    """A plan's tasks that the caller may see, by deadline; filters combine.

    `q`: words of the title or description, ignoring case and accents.
    """
    actor = caller(request)
    plan = get_object_or_404(Plan, pk=plan_id)
    tasks = (
        visible_tasks(actor)
        .filter(plan=plan)
        .filtered(
            status=status,
            lead_unit_id=lead_unit_id,
            assignee_id=assignee_id,
            parent_id=parent_id,
            overdue=overdue,
            q=q,
        )
    )
    return with_ids(tasks.order_by("due_date", "id"))


@router.post("/plans/{plan_id}/tasks", response={201: TaskOut, **ERRORS})
def create_task(request: HttpRequest, plan_id: PathId, body: TaskIn) -> Status:
    """Add a task, or a subtask with `parent_id` (heads of the plan's or the lead unit)."""
    actor = caller(request)
    plan = get_object_or_404(Plan, pk=plan_id)
    data = body.dict()
    parent_id = data.pop("parent_id")
    parent = get_task_for(actor, parent_id) if parent_id is not None else None
    task = services.create_task(actor, plan, parent=parent, **data)
    return Status(201, fresh(actor, task.pk))


@router.get("/tasks/{task_id}", response={200: TaskOut, **ERRORS})
def get_task(request: HttpRequest, task_id: PathId) -> Task:
    return fresh(caller(request), task_id)


@router.patch("/tasks/{task_id}", response={200: TaskOut, **ERRORS})
def patch_task(request: HttpRequest, task_id: PathId, body: TaskPatch) -> Task:
    """Edit fields and assignment; the status changes only through the actions."""
    actor = caller(request)
    task = get_task_for(actor, task_id)
    changes = body.dict(exclude_unset=True)
    version = version_from(request, changes.pop("version", None))
    for field in ("title", "area", "lead_unit_id", "due_date"):
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be null.", {field: "This field is required."})
    for field in ("partner_unit_ids", "assignee_ids"):
        if field in changes and changes[field] is None:
            changes[field] = []
    services.update_task(actor, task, version=version, **changes)
    return fresh(actor, task_id)


@router.post("/tasks/{task_id}/start", response={200: TaskOut, **ERRORS})
def start(request: HttpRequest, task_id: PathId, body: VersionIn | None = None) -> Task:
    actor = caller(request)
    task = get_task_for(actor, task_id)
    services.start_task(actor, task, version=version_from(request, body.version if body else None))
    return fresh(actor, task_id)


@router.post("/tasks/{task_id}/submit", response={200: TaskOut, **ERRORS})
def submit(request: HttpRequest, task_id: PathId, body: VersionIn | None = None) -> Task:
    actor = caller(request)
    task = get_task_for(actor, task_id)
    services.submit_task(actor, task, version=version_from(request, body.version if body else None))
    return fresh(actor, task_id)


@router.post("/tasks/{task_id}/review", response={200: TaskOut, **ERRORS})
def review(request: HttpRequest, task_id: PathId, body: ReviewIn) -> Task:
    actor = caller(request)
    task = get_task_for(actor, task_id)
    services.review_task(
        actor,
        task,
        decision=body.decision,
        comment=body.comment,
        version=version_from(request, body.version),
    )
    return fresh(actor, task_id)


@router.post("/tasks/{task_id}/cancel", response={200: TaskOut, **ERRORS})
def cancel(request: HttpRequest, task_id: PathId, body: CancelIn) -> Task:
    actor = caller(request)
    task = get_task_for(actor, task_id)
    services.cancel_task(
        actor, task, reason=body.reason, version=version_from(request, body.version)
    )
    return fresh(actor, task_id)


@router.get("/tasks/{task_id}/history", response={200: list[HistoryOut], **ERRORS})
@paginate(Page)
def history(request: HttpRequest, task_id: PathId) -> QuerySet[AuditEvent]:
    """Every change to the task, oldest first."""
    return AuditEvent.objects.history_of(get_task_for(caller(request), task_id))


# ---------------------------------------------------------------- evidence


@router.post("/tasks/{task_id}/evidence", response={201: EvidenceOut, **UPLOAD_ERRORS})
def upload_evidence(
    request: HttpRequest,
    task_id: PathId,
    file: File[UploadedFile],
    document_number: Text60 = Form(""),
    issued_on: IsoDate | None = Form(None),
    issuer: Text200 = Form(""),
    note: Text2000 = Form(""),
) -> Status:
    """Attach a file (PDF, Word, Excel, OpenDocument, JPEG, PNG) and its document's details."""
    actor = caller(request)
    task = get_task_for(actor, task_id)
    evidence = services.add_evidence(
        actor,
        task,
        file=file,
        filename=file.name,
        document_number=document_number,
        issued_on=issued_on,
        issuer=issuer,
        note=note,
    )
    return Status(201, evidence)


@router.get("/tasks/{task_id}/evidence", response={200: list[EvidenceOut], **ERRORS})
@paginate(Page)
def list_evidence(request: HttpRequest, task_id: PathId) -> QuerySet[Evidence]:
    task = get_task_for(caller(request), task_id)
    return task.evidence.order_by("uploaded_at", "id")


@router.get(
    "/evidence/{evidence_id}/download",
    url_name="evidence_download",
    # The 200 is described below only: declared here too, the document would
    # hold two "200" keys (an int and a string) and the docs page would not load.
    response=ERRORS,
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, as uploaded",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_evidence(request: HttpRequest, evidence_id: PathId) -> FileResponse:
    return evidence_file(get_evidence_for(caller(request), evidence_id))


class ImportRowOut(Schema):
    row: int
    number: str
    title: str
    lead_unit: str
    due_date: dt.date
    area: int
    parent: str | None


class ImportErrorOut(Schema):
    row: int
    number: str
    title: str
    column: str
    message: str


class ImportOut(Schema):
    rows: int
    dry_run: bool
    created: list[ImportRowOut]
    errors: list[ImportErrorOut]
    warnings: list[ImportErrorOut]


@router.post("/plans/{plan_id}/import", response={200: ImportOut, **UPLOAD_ERRORS})
def import_tasks(
    request: HttpRequest,
    plan_id: PathId,
    file: File[UploadedFile],
    dry_run: bool = True,
    area: Annotated[int, Query(ge=1, le=20)] = 1,
    confirm_warnings: bool = False,
) -> Imported:
    """The plan appendix (.xlsx, .docx, .csv): a dry run by default; `dry_run=false`
    creates every task, or none when any row has an error. Warnings (a deadline
    outside the plan's year, or past) must be confirmed with `confirm_warnings=true`."""
    actor = caller(request)
    plan = get_object_or_404(Plan, pk=plan_id)
    if (file.size or 0) > MAX_BYTES:
        raise TooLarge(_("An appendix may be at most 10 MB."))
    return import_appendix(
        actor,
        plan,
        file.read(),
        file.name or "",
        dry_run=dry_run,
        default_area=area,
        confirm_warnings=confirm_warnings,
    )


@router.get("/plans/{plan_id}/export.xlsx", response=ERRORS, openapi_extra=XLSX_ANSWER)
def export_tasks(request: HttpRequest, plan_id: PathId) -> HttpResponse:
    """The plan's tasks the caller may see, as the appendix workbook (re-importable columns)."""
    actor = caller(request)
    plan = get_object_or_404(Plan, pk=plan_id)
    data = tasks_workbook(plan, visible_tasks(actor).filter(plan=plan))
    return xlsx_response(data, f"nhiem-vu-{plan.year}-{plan.pk}.xlsx")


@router.delete("/evidence/{evidence_id}", response={204: None, **ERRORS})
def delete_evidence(request: HttpRequest, evidence_id: PathId) -> Status:
    """Remove a file added by mistake, while the task is still open."""
    actor = caller(request)
    services.remove_evidence(actor, get_evidence_for(actor, evidence_id))
    return Status(204, None)


# ---------------------------------------------------------------- extensions


@router.post("/tasks/{task_id}/extension-requests", response={201: ExtensionOut, **ERRORS})
def ask_extension(request: HttpRequest, task_id: PathId, body: ExtensionIn) -> Status:
    actor = caller(request)
    task = get_task_for(actor, task_id)
    ext = extensions.request_extension(
        actor, task, new_due_date=body.new_due_date, reason=body.reason
    )
    return Status(201, ext)


@router.get("/tasks/{task_id}/extension-requests", response={200: list[ExtensionOut], **ERRORS})
@paginate(Page)
def list_extensions(request: HttpRequest, task_id: PathId) -> QuerySet[ExtensionRequest]:
    task = get_task_for(caller(request), task_id)
    return task.extension_requests.order_by("created_at", "id")


@router.post("/extension-requests/{request_id}/decide", response={200: ExtensionOut, **ERRORS})
def decide(request: HttpRequest, request_id: PathId, body: DecideIn) -> ExtensionRequest:
    actor = caller(request)
    ext, _task = get_extension_for(actor, request_id)
    ext = extensions.decide_extension(actor, ext, approve=body.approve, comment=body.comment)
    return ext


# ---------------------------------------------------------------- the inbox


class NotificationOut(Schema):
    id: int
    kind: str
    task_id: int | None
    message: str
    created_at: dt.datetime
    read_at: dt.datetime | None


@router.get(
    "/notifications",
    response={200: list[NotificationOut], **ERRORS},
    tags=["notifications"],
)
@paginate(Page)
def notifications(request: HttpRequest, unread: bool | None = None) -> QuerySet[Notification]:
    """The caller's inbox, newest first: reminders and what happened to their tasks."""
    messages = inbox(caller(request))
    if unread is True:
        messages = messages.filter(read_at__isnull=True)
    elif unread is False:
        messages = messages.filter(read_at__isnull=False)
    return messages


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    tags=["notifications"],
)
def read_notification(request: HttpRequest, notification_id: PathId) -> Notification:
    """Mark one of the caller's messages read (again is fine); 404 for anyone else's."""
    actor = caller(request)
    return inbox_services.mark_read(actor, get_notification_for(actor, notification_id))
