"""Admin for the organisation and plans, labelled through the translation catalogue."""

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from plans.models import (
    ApiToken,
    Area,
    AuditEvent,
    Criterion,
    IndexSet,
    Indicator,
    IndicatorTarget,
    ManualScore,
    Measurement,
    Official,
    Plan,
    ScoreSnapshot,
    SubCriterion,
    Unit,
)
from plans.services import official_for


class OfficialInline(admin.TabularInline):
    model = Official
    fields = ["full_name", "user", "role", "position", "phone"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    inlines = [OfficialInline]


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ["full_name", "user", "unit", "role", "position"]
    list_filter = ["role", "unit__level"]
    search_fields = ["full_name", "user__username", "user__email", "unit__name"]
    list_select_related = ["user", "unit"]
    raw_id_fields = ["user", "unit"]


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "unit",
        "year",
        "document_number",
        "issued_on",
        "status",
        "index_set",
    ]
    list_filter = ["year", "status"]
    search_fields = ["title", "document_number"]
    list_select_related = ["unit"]
    inlines = [AreaInline]


class IndicatorTargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 0


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "plan"]
    list_filter = ["plan"]
    search_fields = ["name"]


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "level", "target_pct"]
    list_filter = ["level", "indicator__plan"]
    list_select_related = ["indicator"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "plan", "unit_of_measure"]
    list_filter = ["plan"]
    search_fields = ["code", "name"]
    inlines = [IndicatorTargetInline]


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["indicator", "unit", "period_start", "period_end", "numerator", "denominator"]
    list_filter = ["indicator", "unit__level", "period_end"]
    search_fields = ["unit__name"]
    list_select_related = ["indicator", "unit"]
    raw_id_fields = ["unit", "reported_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by the services, never edited."""

    list_display = ["at", "actor", "action", "content_type", "object_id"]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "at"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by POST /api/v1/auth/token; delete one here to revoke it."""

    list_display = ["user", "created_at", "expires_at", "last_used_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "key_hash", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    show_change_link = True


@admin.register(IndexSet)
class IndexSetAdmin(admin.ModelAdmin):
    """A province's rule book: edit its criteria here and their sub-criteria on each criterion."""

    list_display = ["name", "year", "level", "source_document", "include_subtasks"]
    list_filter = ["year", "level"]
    search_fields = ["name", "source_document"]
    inlines = [CriterionInline]


class SubCriterionInline(admin.StackedInline):
    model = SubCriterion
    extra = 0
    fields = ["code", "name", "max_points", "rule", "tasks_counted", "bands", "deadline"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "index_set"]
    list_filter = ["index_set"]
    inlines = [SubCriterionInline]


@admin.register(SubCriterion)
class SubCriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "criterion", "max_points", "rule", "tasks_counted"]
    list_filter = ["criterion__index_set", "rule"]
    list_select_related = ["criterion"]


@admin.register(ManualScore)
class ManualScoreAdmin(admin.ModelAdmin):
    """Appraisers' points: added, never edited, so that the history stays whole."""

    list_display = ["plan", "unit", "subcriterion", "points", "entered_by", "entered_at"]
    list_filter = ["plan", "subcriterion__code"]
    list_select_related = ["plan", "unit", "subcriterion", "entered_by"]
    raw_id_fields = ["unit"]
    fields = ["plan", "unit", "subcriterion", "points", "justification"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ManualScore, form: ModelForm, change: bool
    ) -> None:
        obj.entered_by = official_for(request.user)
        super().save_model(request, obj, form, change)


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(admin.ModelAdmin):
    """Read-only: written by the roll-up."""

    list_display = ["plan", "as_of", "unit", "level", "points", "rank"]
    list_filter = ["plan", "as_of", "level"]
    list_select_related = ["plan", "unit"]
    date_hierarchy = "as_of"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
