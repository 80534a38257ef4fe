"""The annual assessment in the admin: read only; every step is taken on its pages or the API."""

from __future__ import annotations

from django.contrib import admin

from assessments.models import Assessment, Item, Result, Sheet
from plans.adminkit import ReadOnlyAdmin, ReadOnlyInline


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["plan", "self_closes_on", "appraisal_closes_on", "status", "published_at"]
    list_filter = ["status"]
    list_select_related = ["plan"]


class ItemInline(ReadOnlyInline):
    model = Item
    fields = ("code", "name", "applicable", "computed_points", "self_points", "appraised_points")
    readonly_fields = (
        "code",
        "name",
        "applicable",
        "computed_points",
        "self_points",
        "appraised_points",
    )
    show_change_link = False


@admin.register(Sheet)
class SheetAdmin(ReadOnlyAdmin):
    list_display = ["unit", "assessment", "status", "submitted_at", "fixed_at"]
    list_filter = ["status", "level"]
    list_select_related = ["unit", "assessment__plan"]
    search_fields = ["unit__name"]
    inlines = [ItemInline]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ["unit", "assessment", "self_total", "appraised_total", "index_pct", "rank"]
    list_filter = ["level"]
    list_select_related = ["unit", "assessment__plan"]
