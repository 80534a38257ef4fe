"""Admin for the organisation and plans, labelled through the translation catalogue.

Units, officials, plans and indicator figures are written by their service
functions (plans.services, plans.planning) through plans.adminkit.ServiceAdmin; the rule book
and the areas are audited on every save; snapshots and the audit trail are
read only.
"""

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_stubs_ext import StrOrPromise

from kit.errors import DomainError
from kit.workbooks import xlsx_response
from plans import planning, services
from plans.accounts import lift_locks
from plans.adminkit import (
    AuditedAdmin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceAdmin,
    admin_actor,
)
from plans.indexbooks import index_set_workbook, load_document
from plans.indexsets import export_index_set
from plans.models import (
    ApiToken,
    Area,
    AuditEvent,
    Criterion,
    IdempotentRequest,
    IndexSet,
    Indicator,
    IndicatorTarget,
    Level,
    LoginLock,
    Measurement,
    Official,
    Plan,
    ScoreRequest,
    ScoreSnapshot,
    SecurityEvent,
    SubCriterion,
    Unit,
    UnitGroup,
    UnitLetterhead,
    levels_in_use,
)


class OfficialInline(ReadOnlyInline):
    model = Official
    fields = ["full_name", "user", "role", "position", "phone"]


@admin.register(Unit)
class UnitAdmin(ServiceAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    fields = ["code", "name", "level", "parent"]
    inlines = [OfficialInline]
    service_fields = {"parent_id": "parent"}

    def write(self, actor: Official, form: forms.ModelForm[Any], obj: Any) -> Unit:
        data = form.cleaned_data
        values = {
            "code": data["code"],
            "name": data["name"],
            "level": data["level"],
            "parent_id": data["parent"].pk if data["parent"] else None,
        }
        if obj is None:
            return services.create_unit(actor, **values)
        return services.update_unit(actor, obj, **values)


class OfficialAddForm(forms.ModelForm[Official]):
    """A new official comes with a new login."""

    username = forms.CharField(label=_("username"), max_length=150)
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput)
    email = forms.EmailField(label=_("e-mail"), required=False)

    class Meta:
        model = Official
        fields = ["full_name", "unit", "role", "position", "phone"]


class OfficialChangeForm(forms.ModelForm[Official]):
    email = forms.EmailField(label=_("e-mail"), required=False)
    is_active = forms.BooleanField(
        label=_("may log in"),
        required=False,
        help_text=_("Untick for someone who has left: their history stays."),
    )

    class Meta:
        model = Official
        fields = ["full_name", "unit", "role", "position", "phone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("email", self.instance.user.email)
            self.initial.setdefault("is_active", self.instance.user.is_active)


@admin.register(Official)
class OfficialAdmin(ServiceAdmin):
    list_display = ["full_name", "user", "unit", "role", "position"]
    list_filter = ["role", "unit__level"]
    search_fields = ["full_name", "user__username", "user__email", "unit__name"]
    list_select_related = ["user", "unit"]
    raw_id_fields = ["unit"]
    service_fields = {"unit_id": "unit"}

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        kwargs["form"] = OfficialChangeForm if obj is not None else OfficialAddForm
        kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        base = ("full_name", "unit", "role", "position", "phone", "email")
        return (*base, "is_active") if obj is not None else ("username", "password", *base)

    def write(self, actor: Official, form: forms.ModelForm[Any], obj: Any) -> Official:
        data = form.cleaned_data
        values = {
            "full_name": data["full_name"],
            "unit_id": data["unit"].pk if data["unit"] else None,
            "role": data["role"],
            "position": data["position"],
        }
        if obj is None:
            made = services.create_official(
                actor,
                username=data["username"],
                password=data["password"],
                email=data["email"],
                **values,
            )
            if data["phone"]:
                made = services.update_official(actor, made, phone=data["phone"])
            return made
        return services.update_official(
            actor,
            obj,
            phone=data["phone"],
            email=data["email"],
            is_active=data["is_active"],
            **values,
        )


class AreaInline(ReadOnlyInline):
    model = Area
    fields = ["number", "name"]


class PlanForm(forms.ModelForm[Plan]):
    class Meta:
        model = Plan
        fields = [
            "unit",
            "parent",
            "year",
            "title",
            "document_number",
            "issued_on",
            "status",
            "index_sets",
        ]


@admin.register(Plan)
class PlanAdmin(ServiceAdmin):
    list_display = [
        "title",
        "unit",
        "year",
        "document_number",
        "issued_on",
        "status",
        "parent",
    ]
    list_filter = ["year", "status", ("parent", admin.EmptyFieldListFilter)]
    search_fields = ["title", "document_number"]
    list_select_related = ["unit"]
    form = PlanForm
    inlines = [AreaInline]
    service_fields = {"unit_id": "unit", "parent_id": "parent", "index_set_ids": "index_sets"}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A plan stays its unit's and implements what it did: another is a new plan.
        return ["unit", "parent"] if obj is not None else []

    def write(self, actor: Official, form: forms.ModelForm[Any], obj: Any) -> Plan:
        data = form.cleaned_data
        values = {
            "year": data["year"],
            "title": data["title"],
            "document_number": data["document_number"],
            "issued_on": data["issued_on"],
            "status": data["status"],
            "index_set_ids": [s.pk for s in data["index_sets"]] or None,
        }
        if obj is None:
            parent = data["parent"]
            return planning.create_plan(
                actor, unit_id=data["unit"].pk, parent_id=parent.pk if parent else None, **values
            )
        if obj.parent_id is not None:
            values.pop("index_set_ids")
        return planning.update_plan(actor, obj, **values)


class IndicatorTargetInline(ReadOnlyInline):
    model = IndicatorTarget
    fields = ["level", "target_pct"]


@admin.register(Area)
class AreaAdmin(AuditedAdmin):
    list_display = ["number", "name", "plan"]
    list_filter = ["plan"]
    search_fields = ["name"]


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(ReadOnlyAdmin):
    """Set with their indicator, when it is added."""

    list_display = ["indicator", "level", "target_pct"]
    list_filter = ["level", "indicator__plan"]
    list_select_related = ["indicator"]


def target_field(level: StrOrPromise) -> forms.DecimalField:
    return forms.DecimalField(
        label=format_lazy("{} (%): {}", _("target"), level),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
    )


class IndicatorAddForm(forms.ModelForm[Indicator]):
    """An indicator with its target per level, as create_indicator takes them."""

    target_province = target_field(Level.PROVINCE.label)
    target_department = target_field(Level.DEPARTMENT.label)
    target_district = target_field(Level.DISTRICT.label)
    target_commune = target_field(Level.COMMUNE.label)

    class Meta:
        model = Indicator
        fields = ["plan", "code", "name", "unit_of_measure"]

    def targets(self) -> list[dict[str, Any]]:
        return [
            {"level": level, "target_pct": self.cleaned_data[f"target_{level}"]}
            for level, _label in Level.choices
            if self.cleaned_data.get(f"target_{level}") is not None
        ]


@admin.register(Indicator)
class IndicatorAdmin(ServiceAdmin):
    """Added here or through the API (plans.planning.create_indicator), then read."""

    list_display = ["code", "name", "plan", "unit_of_measure"]
    list_filter = ["plan"]
    search_fields = ["code", "name"]
    inlines = [IndicatorTargetInline]
    form = IndicatorAddForm

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        base = ("plan", "code", "name", "unit_of_measure")
        if obj is not None:
            return base
        return (*base, *(f"target_{level}" for level, _label in levels_in_use()))

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return [IndicatorTargetInline] if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # no service changes an indicator once added

    def write(self, actor: Official, form: forms.ModelForm[Any], obj: Any) -> Indicator:
        assert isinstance(form, IndicatorAddForm)
        data = form.cleaned_data
        return planning.create_indicator(
            actor,
            data["plan"],
            code=data["code"],
            name=data["name"],
            unit_of_measure=data["unit_of_measure"],
            targets=form.targets(),
        )


class MeasurementForm(forms.ModelForm[Measurement]):
    class Meta:
        model = Measurement
        fields = ["indicator", "unit", "period_start", "period_end", "numerator", "denominator"]


@admin.register(Measurement)
class MeasurementAdmin(ServiceAdmin):
    """A unit's figure: reporting the same period again corrects it, with its history."""

    list_display = ["indicator", "unit", "period_start", "period_end", "numerator", "denominator"]
    list_filter = ["indicator", "unit__level", "period_end"]
    search_fields = ["unit__name"]
    list_select_related = ["indicator", "unit"]
    raw_id_fields = ["unit"]
    form = MeasurementForm
    service_fields = {"unit_id": "unit"}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A figure is corrected in place; another unit or period is another figure.
        return ["indicator", "unit", "period_start", "period_end"] if obj is not None else []

    def write(self, actor: Official, form: forms.ModelForm[Any], obj: Any) -> Measurement:
        data = form.cleaned_data
        if obj is None:
            indicator, unit_id = data["indicator"], data["unit"].pk
            start, end = data["period_start"], data["period_end"]
        else:
            saved = Measurement.objects.select_related("indicator").get(pk=obj.pk)
            indicator, unit_id = saved.indicator, saved.unit_id
            start, end = saved.period_start, saved.period_end
        measurement, _created = planning.report_measurement(
            actor,
            indicator,
            unit_id=unit_id,
            period_start=start,
            period_end=end,
            numerator=data["numerator"],
            denominator=data["denominator"],
        )
        return measurement


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail is written by the services, never edited."""

    list_display = ["at", "actor", "action", "content_type", "object_id"]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "at"


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """Sign-ins, failures, lock-outs, refusals and revoked access, as they happened.

    A locked-out username or address is unlocked under "Sign-in locks" (LoginLockAdmin).
    """

    list_display = ["at", "kind", "username", "ip_address", "path", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address", "path"]
    date_hierarchy = "at"


@admin.register(IdempotentRequest)
class IdempotentRequestAdmin(ReadOnlyAdmin):
    """API POSTs sent with an Idempotency-Key in the last 24 hours, and the status answered."""

    list_display = ["created_at", "user", "key", "status"]
    list_select_related = ["user"]
    search_fields = ["key", "user__username"]
    fields = ["created_at", "user", "key", "fingerprint", "status", "content_type"]


@admin.register(LoginLock)
class LoginLockAdmin(admin.ModelAdmin[LoginLock]):
    """The failed sign-ins counted now, one row per username and address; the action
    "Lift the selected locks" deletes them (plans.accounts.lift_locks, logged)."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time", "locked"]
    search_fields = ["username", "ip_address"]
    readonly_fields = ["username", "ip_address", "user_agent", "failures_since_start"]
    fields = ["username", "ip_address", "user_agent", "failures_since_start"]
    actions = ["lift"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LoginLock]:
        """Only the counts still within the cool-off time: older ones lock nothing."""
        since = timezone.now() - settings.AXES_COOLOFF_TIME
        return super().get_queryset(request).filter(attempt_time__gte=since)

    @admin.display(boolean=True, description=_("locked"))
    def locked(self, obj: LoginLock) -> bool:
        return obj.failures_since_start >= settings.AXES_FAILURE_LIMIT

    @admin.action(description=_("Lift the selected locks"))
    def lift(self, request: HttpRequest, queryset: QuerySet[LoginLock]) -> None:
        lifted = lift_locks(admin_actor(request), queryset)
        self.message_user(
            request,
            ngettext("%(n)d lock lifted.", "%(n)d locks lifted.", lifted) % {"n": lifted},
            messages.SUCCESS,
        )

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # lifting is the only way, and it is logged
        return actions

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a lock is lifted (logged), never deleted


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Tokens are issued by POST /api/v1/auth/token; delete one here to revoke it."""

    list_display = ["user", "created_at", "expires_at", "last_used_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "key_hash", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


class CriterionInline(admin.TabularInline[Criterion, IndexSet]):
    model = Criterion
    extra = 0
    show_change_link = True


class IndexSetUploadForm(forms.Form):
    document = forms.FileField(
        label=_("Index set (workbook or JSON)"),
        help_text=_(
            "The workbook filled from the decision's table (the blank template is offered "
            "here), or a document as downloaded here or from GET /api/v1/index-sets/{id}."
        ),
    )


@admin.register(IndexSet)
class IndexSetAdmin(AuditedAdmin):
    """A province's rule book: edit its criteria here and their sub-criteria on each criterion.

    A whole set also travels as one JSON document: download it (the list's
    action), edit it, and load it back as a new set (the "load" button).
    """

    list_display = ["name", "year", "level", "label", "source_document"]
    list_filter = ["year", "level"]
    search_fields = ["name", "label", "source_document"]
    inlines = [CriterionInline]
    actions = ["download_json", "download_workbook"]
    change_list_template = "admin/plans/indexset/change_list.html"

    @admin.action(description=_("Download as a workbook"))
    def download_workbook(self, request: HttpRequest, queryset: QuerySet[IndexSet]) -> HttpResponse:
        index_set = queryset.order_by("-pk").first()
        assert index_set is not None  # the admin runs an action on a selection only
        return xlsx_response(index_set_workbook(index_set), f"bo-chi-so-{index_set.pk}.xlsx")

    @admin.action(description=_("Download as JSON"))
    def download_json(self, request: HttpRequest, queryset: QuerySet[IndexSet]) -> HttpResponse:
        documents = [export_index_set(s) for s in queryset.order_by("-year", "level", "name")]
        body = documents[0] if len(documents) == 1 else documents
        name = f"index-set-{documents[0]['id']}.json" if len(documents) == 1 else "index-sets.json"
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="plans_indexset_upload",
        )
        template = path(
            "template.xlsx",
            self.admin_site.admin_view(self.template_view),
            name="plans_indexset_template",
        )
        return [upload, template, *super().get_urls()]

    def template_view(self, request: HttpRequest) -> HttpResponse:
        """The blank workbook a province fills from its decision's table."""
        return xlsx_response(index_set_workbook(None), "bo-chi-so-mau.xlsx")

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Load a set from its JSON document: all or nothing, each fault named."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IndexSetUploadForm(request.POST or None, request.FILES or None)
        problems: list[tuple[str, str]] = []
        status = 200
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["document"]
            try:
                made = load_document(admin_actor(request), upload.read(), upload.name or "")
            except DomainError as exc:
                form.add_error("document", exc.message)
                problems = sorted((exc.errors or {}).items())
            else:
                self.message_user(request, _("Index set “%(name)s” loaded.") % {"name": made.name})
                return redirect("admin:plans_indexset_change", made.pk)
            status = 422
        context = {
            **self.admin_site.each_context(request),
            "title": _("Load an index set from a file"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return render(request, "admin/plans/indexset/upload.html", context, status=status)


class SubCriterionInline(admin.StackedInline[SubCriterion, Criterion]):
    model = SubCriterion
    extra = 0
    fields = ["code", "name", "max_points", "rule", "params"]


@admin.register(Criterion)
class CriterionAdmin(AuditedAdmin):
    list_display = ["code", "name", "index_set"]
    list_filter = ["index_set"]
    inlines = [SubCriterionInline]


@admin.register(SubCriterion)
class SubCriterionAdmin(AuditedAdmin):
    list_display = ["code", "name", "criterion", "max_points", "rule"]
    list_filter = ["criterion__index_set", "rule"]
    list_select_related = ["criterion"]


@admin.register(ScoreRequest)
class ScoreRequestAdmin(ReadOnlyAdmin):
    """Plans whose scores of today wait for the worker (written by the changes, run at once)."""

    list_display = ["plan", "requested_at"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    """Written by the roll-up."""

    list_display = ["plan", "as_of", "unit", "level", "points", "index_pct", "group", "rank"]
    list_filter = ["plan", "as_of", "level"]
    list_select_related = ["plan", "unit"]
    date_hierarchy = "as_of"


@admin.register(UnitLetterhead)
class UnitLetterheadAdmin(AuditedAdmin):
    """How each unit's reports are headed and signed; empty fields are derived."""

    list_display = ["unit", "abbreviation", "place", "signer_name"]
    search_fields = ["unit__name", "abbreviation", "place"]
    autocomplete_fields = ["unit"]


@admin.register(UnitGroup)
class UnitGroupAdmin(AuditedAdmin):
    """The phrases an appendix uses for several units: a province adds its own here."""

    list_display = ["phrase", "level"]
    list_filter = ["level"]
    search_fields = ["phrase"]
    filter_horizontal = ["units"]
