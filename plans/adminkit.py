"""The admin's writes go through the same paths as the pages' and the API's.

- `ServiceAdmin`: a model whose writes have a service function (tasks, plans,
  units, officials, measurements, manual scores). The admin's form is checked
  by running the service in a savepoint that is always rolled back, so that
  a refusal shows on the form with what was typed; the save then calls the
  service for real, with the administrator as the actor.
- `AuditedAdmin`: the rule book and settings edited only here (index sets,
  criteria, areas, indicators' targets, the reminder policy): every save and
  delete, inlines included, writes an audit event with the administrator as
  the actor and the old and new values, in the admin's own transaction.
- `ReadOnlyAdmin`: written by the workflow or the jobs only; read here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms.models import construct_instance
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from kit.errors import DomainError
from plans.forms import errors_onto
from plans.models import Official, record
from plans.services import official_for


def admin_actor(request: HttpRequest) -> Official:
    """The administrator behind an admin request (a superuser gets a profile on first use).

    Found once per request, before any form check: a profile made inside the
    check's savepoint would be rolled back with it.
    """
    known = request.__dict__.get("admin_actor")
    if isinstance(known, Official):
        return known
    official = official_for(request.user)
    if official is None:
        raise PermissionDenied("This login has no official profile.")
    request.__dict__["admin_actor"] = official
    return official


def _plain(value: Any) -> Any:
    """A form value as the audit trail stores it: models by id, lists of them by ids."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet):
        return sorted(value.values_list("pk", flat=True))
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def form_changes(form: forms.ModelForm[Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for what the form changed."""
    return {
        name: [_plain(form.initial.get(name)), _plain(form.cleaned_data.get(name))]
        for name in form.changed_data
    }


class _DryRun(Exception):
    """Raised inside the savepoint of a form check to roll the service's writes back."""


class ServiceAdmin(admin.ModelAdmin[Any]):
    """An admin whose add and change call a service function (see the module's note)."""

    # The services' field names (the API's) -> this form's, where they differ.
    service_fields: ClassVar[dict[str, str]] = {}

    def write(
        self, actor: Official, form: forms.ModelForm[Any], obj: models.Model | None
    ) -> models.Model:
        """Call the service for this form's values; obj is None when adding."""
        raise NotImplementedError

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        form_class = super().get_form(request, obj, change, **kwargs)
        model_admin = self
        admin_actor(request)  # outside the check's savepoint

        class Checked(form_class):  # type: ignore[misc,valid-type]  # built by the admin
            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                if not self._errors:
                    model_admin.check_with_service(request, self, obj)
                return cleaned

            def _post_clean(self) -> None:
                # The service validated the whole change, other rows included
                # (a new head replaces the former one): the instance's own
                # validation would judge it alone, before that.
                instance = cast(forms.ModelForm[Any], self).instance
                try:
                    self.instance = construct_instance(
                        self, instance, self._meta.fields, self._meta.exclude
                    )
                except ValidationError as exc:
                    self._update_errors(exc)

        return Checked

    def check_with_service(
        self, request: HttpRequest, form: forms.ModelForm[Any], obj: models.Model | None
    ) -> None:
        """Run the service in a savepoint that is rolled back; put a refusal on the form."""
        try:
            with transaction.atomic():
                self.write(admin_actor(request), form, obj)
                raise _DryRun
        except _DryRun:
            pass
        except DomainError as exc:
            errors_onto(form, exc, self.service_fields)

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> None:
        saved = self.write(admin_actor(request), form, obj if change else None)
        obj.pk = saved.pk

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """A refusal between the form's check and the save (someone else's change
        came in between): the whole save is rolled back, and the form says why."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm[Any],
        formsets: Iterable[Any],
        change: bool,
    ) -> None:
        """The service has written the relations; only the (read-only) inlines remain."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin[Any]):
    """An admin whose every save and delete, inlines included, is in the audit trail."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change:
            changes = form_changes(form)
            if changes:
                record(admin_actor(request), "edited", obj, **changes)
        else:
            record(admin_actor(request), "created", obj, **form_changes(form))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record(admin_actor(request), "deleted", obj, name=str(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        actor = admin_actor(request)
        for obj in queryset:
            record(actor, "deleted", obj, name=str(obj))
        super().delete_queryset(request, queryset)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm[Any], formset: Any, change: bool
    ) -> None:
        actor = admin_actor(request)
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk is not None]
        for obj in deleted:
            record(actor, "deleted", obj, name=str(obj))
        changed = [
            (f, f.instance.pk is None)
            for f in formset.forms
            if f.has_changed() and f not in formset.deleted_forms
        ]
        super().save_formset(request, form, formset, change)
        for inline_form, added in changed:
            if inline_form.instance.pk is not None:
                action = "created" if added else "edited"
                record(actor, action, inline_form.instance, **form_changes(inline_form))


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Written by the workflow and the jobs only; the admin reads."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline[Any, Any]):
    """Related records shown beside their parent, changed on their own page."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
