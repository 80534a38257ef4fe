"""Admin for tasks, their evidence, manual scores and the reminders: policy, sent-log, inboxes.

A task is changed through tasks.services.update_task (its history shows the
administrator; its version moves), a manual score through
tasks.scores.days.enter_manual_score; tasks are created on the plan page and
cancelled on the task page, with a reason, never deleted here.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from plans.adminkit import AuditedAdmin, ReadOnlyAdmin, ServiceAdmin
from plans.models import ManualScore, Official
from tasks import services
from tasks.forms import deadline_reason_field
from tasks.models import (
    CLOSED_STATUSES,
    Evidence,
    ExtensionRequest,
    Notification,
    ReminderPolicy,
    SentReminder,
    Task,
)
from tasks.models.results import ObjectiveMark, PeriodResult
from tasks.scores import days as scores


class EvidenceInline(admin.TabularInline[Evidence, Task]):
    model = Evidence
    fields = ("filename", "document_number", "issued_on", "issuer", "sha256", "uploaded_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TaskAdminForm(forms.ModelForm[Task]):
    reason = deadline_reason_field()

    class Meta:
        model = Task
        fields = [
            "title",
            "description",
            "area",
            "subcriterion",
            "deliverable",
            "due_date",
            "lead_unit",
            "partner_units",
            "assignees",
            "version",
        ]
        # The version the administrator read: a change made meanwhile is a conflict.
        widgets = {"version": forms.HiddenInput}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "assignees" in self.fields:  # people told apart by their unit
            people = self.fields["assignees"]
            assert isinstance(people, forms.ModelMultipleChoiceField)
            people.queryset = Official.objects.select_related("unit").order_by(
                "unit__name", "full_name"
            )
            people.label_from_instance = lambda obj: f"{obj.full_name} ({obj.unit or '—'})"  # type: ignore[method-assign]  # a label per form


# The form's fields -> update_task's, with how each value is passed.
TASK_FIELDS = {
    "title": ("title", lambda v: v),
    "description": ("description", lambda v: v),
    "area": ("area", lambda v: v.number),
    "subcriterion": ("subcriterion", lambda v: v),
    "deliverable": ("deliverable", lambda v: v),
    "due_date": ("due_date", lambda v: v),
    "lead_unit": ("lead_unit_id", lambda v: v.pk),
    "partner_units": ("partner_unit_ids", lambda v: [u.pk for u in v]),
    "assignees": ("assignee_ids", lambda v: [p.pk for p in v]),
}


@admin.register(Task)
class TaskAdmin(ServiceAdmin):
    list_display = ["title", "plan", "area", "lead_unit", "due_date", "status"]
    list_filter = ["plan", "status", "area__number", "lead_unit__level"]
    search_fields = ["title", "lead_unit__name"]
    list_select_related = ["plan", "area", "lead_unit"]
    raw_id_fields = ["lead_unit"]
    filter_horizontal = ["partner_units", "assignees"]
    date_hierarchy = "due_date"
    inlines = [EvidenceInline]
    form = TaskAdminForm
    # The workflow moves these, through the task page or the API, with history.
    readonly_fields = ["plan", "parent", "status", "completed_at", "original_due_date"]
    service_fields = {
        "lead_unit_id": "lead_unit",
        "partner_unit_ids": "partner_units",
        "assignee_ids": "assignees",
        "reason": "reason",
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tasks are added on their plan's page, where the plan is chosen

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "area" in form.base_fields:  # its own plan's areas only
            area = form.base_fields["area"]
            assert isinstance(area, forms.ModelChoiceField)
            area.queryset = obj.plan.areas.order_by("number")
        return form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A task done or cancelled is the record of what happened: read here.
        closed = obj is not None and obj.status in CLOSED_STATUSES
        return super().has_change_permission(request, obj) and not closed

    def write(self, actor: Official, form: forms.ModelForm[Any], obj: Any) -> Task:
        data = form.cleaned_data
        changes = {
            name: convert(data[field])
            for field, (name, convert) in TASK_FIELDS.items()
            if field in form.changed_data
        }
        return services.update_task(
            actor, obj, version=data["version"], reason=data.get("reason", ""), **changes
        )


@admin.register(ManualScore)
class ManualScoreAdmin(ServiceAdmin):
    """Appraisers' points: added, never edited, so that the history stays whole."""

    list_display = [
        "plan",
        "unit",
        "subcriterion",
        "points",
        "not_applicable",
        "entered_by",
        "entered_at",
    ]
    list_filter = ["plan", "subcriterion__code"]
    list_select_related = ["plan", "unit", "subcriterion", "entered_by"]
    raw_id_fields = ["unit"]
    fields = ["plan", "unit", "subcriterion", "points", "not_applicable", "justification"]
    service_fields = {"unit_id": "unit", "code": "subcriterion"}

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an entry is never edited: a new one supersedes it

    def write(self, actor: Official, form: forms.ModelForm[Any], obj: Any) -> ManualScore:
        data = form.cleaned_data
        return scores.enter_manual_score(
            actor,
            data["plan"],
            unit_id=data["unit"].pk,
            code=data["subcriterion"].code,
            points=data["points"],
            justification=data["justification"],
            not_applicable=data["not_applicable"],
        )


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    """Requests for more time are decided on the task page; here they are read."""

    list_display = ["task", "requested_by", "current_due_date", "new_due_date", "status"]
    list_filter = ["status"]
    list_select_related = ["task", "requested_by"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """Evidence is immutable once uploaded: the admin reads it only."""

    list_display = ["filename", "task", "document_number", "issued_on", "uploaded_by"]
    search_fields = ["filename", "document_number", "task__title"]
    list_select_related = ["task", "uploaded_by"]


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(AuditedAdmin):
    """One policy: saved once, then edited; until then the job uses the defaults."""

    list_display = [
        "__str__",
        "before_days",
        "overdue_every",
        "office_days",
        "opens_at",
        "closes_at",
    ]
    fieldsets = [
        (None, {"fields": ["before_days", ("overdue_first", "overdue_every")]}),
        (None, {"fields": ["escalate_head_after", "escalate_committee_after"]}),
        (None, {"fields": [("review_first", "review_every")]}),
        (None, {"fields": ["office_days", ("opens_at", "closes_at")]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ReminderPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SentReminder)
class SentReminderAdmin(ReadOnlyAdmin):
    list_display = [
        "task",
        "subject",
        "kind",
        "due_date",
        "recipient",
        "sent_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["task__title", "subject", "recipient__full_name"]
    list_select_related = ["task", "recipient"]
    date_hierarchy = "claimed_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "task", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__full_name", "task__title"]
    list_select_related = ["recipient", "task"]


@admin.register(ObjectiveMark)
class ObjectiveMarkAdmin(ReadOnlyAdmin):
    """Written by the heads on the task-results pages (tasks.results.services)."""

    list_display = ("task", "kind", "reason", "marked_by", "marked_at")
    list_filter = ("kind",)


@admin.register(PeriodResult)
class PeriodResultAdmin(ReadOnlyAdmin):
    """Frozen by the monthly job, recomputed by the heads (tasks.results.services)."""

    list_display = ("official", "unit", "period", "general_points", "frozen_at")
    list_filter = ("period",)
