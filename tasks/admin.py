"""Admin for tasks, their evidence, and the reminders: policy, sent-log, inboxes."""

from django.contrib import admin
from django.http import HttpRequest

from tasks.models import (
    Evidence,
    ExtensionRequest,
    Notification,
    ReminderPolicy,
    SentReminder,
    Task,
)


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["filename", "document_number", "issued_on", "issuer", "sha256", "uploaded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "area", "lead_unit", "due_date", "status"]
    list_filter = ["plan", "status", "area__number", "lead_unit__level"]
    search_fields = ["title", "lead_unit__name"]
    list_select_related = ["plan", "area", "lead_unit"]
    raw_id_fields = ["parent", "lead_unit", "created_by"]
    filter_horizontal = ["partner_units", "assignees"]
    date_hierarchy = "due_date"
    inlines = [EvidenceInline]
    # The workflow moves these, through the task page or the API, with history.
    readonly_fields = ["status", "completed_at", "original_due_date", "version"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    """Requests for more time are decided on the task page; here they are read."""

    list_display = ["task", "requested_by", "current_due_date", "new_due_date", "status"]
    list_filter = ["status"]
    list_select_related = ["task", "requested_by"]
    readonly_fields = [f.name for f in ExtensionRequest._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    """Evidence is immutable once uploaded: the admin reads it only."""

    list_display = ["filename", "task", "document_number", "issued_on", "uploaded_by"]
    search_fields = ["filename", "document_number", "task__title"]
    list_select_related = ["task", "uploaded_by"]
    readonly_fields = [f.name for f in Evidence._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the job and the workflow only; the admin reads."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SentReminder)
class SentReminderAdmin(ReadOnlyAdmin):
    list_display = ["task", "kind", "due_date", "recipient", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["task__title", "recipient__full_name"]
    list_select_related = ["task", "recipient"]
    date_hierarchy = "claimed_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "task", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__full_name", "task__title"]
    list_select_related = ["recipient", "task"]
