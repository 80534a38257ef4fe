"""Admin for tasks and their evidence."""

from django.contrib import admin

from tasks.models import Evidence, ExtensionRequest, Task


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
