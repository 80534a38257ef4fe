"""The task page's forms: each one feeds one service function."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from plans.forms import choice_field, model_choice_field
from plans.models import Official, Plan, Unit
from tasks.models import Task

DATE_INPUT = forms.DateInput(
    format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
)
DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


def date_field(label: StrOrPromise, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=DATE_INPUT, input_formats=DATE_FORMATS
    )


class VersionForm(forms.Form):
    """The version of the task the user saw, so that a concurrent change is caught."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class ReviewForm(VersionForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("return", _("Return for more work"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return the work: say what is missing."),
    )


class CancelForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(forms.Form):
    new_due_date = date_field(_("New deadline"))
    reason = forms.CharField(
        label=_("Why more time is needed"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Refuse"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you refuse."),
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, OpenDocument, JPEG or PNG; at most %(mb)s MB."),
    )
    document_number = forms.CharField(
        label=_("Document number"), required=False, max_length=60, help_text=_("e.g. 15/KH-SNV")
    )
    issued_on = date_field(_("Issued on"), required=False)
    issuer = forms.CharField(label=_("Issuer"), required=False, max_length=200)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        help_text=_("Where in it the proof is."),
    )

    def __init__(self, *args: Any, max_mb: int = 20, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.help_text = field.help_text % {"mb": max_mb}
        # The browser checks the size before sending (tracker/static/tracker/site.js),
        # with the message the server gives after.
        field.widget.attrs.update(
            {
                "data-max-bytes": str(max_mb * 1048576),
                "data-too-large": gettext("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": "{size}", "limit": max_mb},
            }
        )


def deadline_reason_field() -> forms.CharField:
    """Why a deadline moves: required once it has come (tasks.services.reason_for_move);
    the task form's and the admin's."""
    return forms.CharField(
        label=_("Why the deadline moves"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required once the deadline has come or passed; kept in the history."),
    )


class TaskForm(VersionForm):
    """Create or edit a task: fields and assignment."""

    title = forms.CharField(label=_("Task"), max_length=500)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    area = forms.TypedChoiceField(label=_("Area"), coerce=int)
    subcriterion = forms.CharField(
        label=_("Sub-criterion"), required=False, max_length=20, help_text=_("e.g. 1.3")
    )
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    partner_units = forms.ModelMultipleChoiceField(
        label=_("Cooperating units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    assignees = forms.ModelMultipleChoiceField(
        label=_("Assignees"),
        queryset=Official.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Officials of the lead unit or of a cooperating unit."),
    )
    due_date = date_field(_("Deadline"))
    deliverable = forms.CharField(label=_("Expected deliverable"), required=False, max_length=300)
    weight = forms.DecimalField(
        label=_("Weight (quy đổi)"),
        min_value=0,
        max_value=10,
        decimal_places=2,
        initial=1,
        required=False,
        help_text=_("How much it counts in its officials' monthly results: 1 by default, 0 to 10."),
    )
    reason = deadline_reason_field()
    # Shown only when the deadline looks mistaken: ticking it keeps the deadline.
    confirm_deadline = forms.BooleanField(
        label=_("Keep this deadline all the same"), required=False, widget=forms.HiddenInput
    )

    def __init__(
        self,
        plan: Plan,
        *args: Any,
        task: Task | None = None,
        own_unit: int | None = None,
        **kwargs: Any,
    ) -> None:
        """`own_unit`: the editor assigns only this unit's officials; others' stay as they are."""
        if task is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": task.title,
                "description": task.description,
                "area": task.area.number,
                "subcriterion": task.subcriterion,
                "lead_unit": task.lead_unit_id,
                "partner_units": list(task.partner_units.values_list("pk", flat=True)),
                "assignees": list(task.assignees.values_list("pk", flat=True)),
                "due_date": task.due_date,
                "deliverable": task.deliverable,
                "weight": task.weight,
                "version": task.version,
            }
        super().__init__(*args, **kwargs)
        self.is_new = task is None
        if task is None:
            del self.fields["reason"]  # a new task has no deadline to move yet
        choice_field(self, "area").choices = [(a.number, str(a)) for a in plan.areas.all()]
        units = Unit.objects.in_order()
        model_choice_field(self, "lead_unit").queryset = units
        model_choice_field(self, "partner_units").queryset = units
        people = Official.objects.exclude(unit=None).select_related("unit")
        if task is not None:
            # Who may be named: the lead unit's and the cooperating units' officials.
            people = people.filter(
                Q(unit=task.lead_unit_id) | Q(unit__in=task.partner_units.values("pk"))
            )
        self.kept_assignees: list[int] = []
        if own_unit is not None:
            current = self.initial.get("assignees", [])
            self.kept_assignees = list(
                Official.objects.filter(pk__in=current)
                .exclude(unit=own_unit)
                .values_list("pk", flat=True)
            )
            self.initial["assignees"] = [pk for pk in current if pk not in self.kept_assignees]
            people = people.filter(unit=own_unit)
            self.fields["assignees"].help_text = _(
                "Officials of your unit; those of other units stay assigned."
            )
        self.plan = plan
        self.created_on = timezone.localdate(task.created_at) if task else timezone.localdate()
        assignees = model_choice_field(self, "assignees")
        assignees.queryset = people.order_by("unit__name", "full_name")
        assignees.label_from_instance = lambda obj: f"{obj.full_name} ({obj.unit})"  # type: ignore[method-assign]  # a label per form

    def deadline_doubt(self, due: dt.date) -> str:
        """Why a deadline looks mistaken (outside the plan's year, before the task was
        made), or "" when it does not."""
        if due.year != self.plan.year:
            return gettext(
                "The deadline %(date)s is outside the plan's year (%(year)s). Tick the box "
                "below to keep it."
            ) % {"date": due.strftime("%d/%m/%Y"), "year": self.plan.year}
        if due < self.created_on:
            return gettext(
                "The deadline %(date)s is before the task was created (%(created)s). Tick the "
                "box below to keep it."
            ) % {"date": due.strftime("%d/%m/%Y"), "created": self.created_on.strftime("%d/%m/%Y")}
        return ""

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        due = data.get("due_date")
        # A new task's deadline is checked even when it was offered (a subtask's parent's).
        changed = "due_date" in self.changed_data or self.is_new
        if due is not None and changed and not data.get("confirm_deadline"):
            doubt = self.deadline_doubt(due)
            if doubt:
                self.add_error("due_date", doubt)
                self.fields["confirm_deadline"].widget = forms.CheckboxInput()
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned values as the service functions take them (ids)."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "area": data["area"],
            "subcriterion": data["subcriterion"],
            "lead_unit_id": data["lead_unit"].pk,
            "partner_unit_ids": [u.pk for u in data["partner_units"]],
            "assignee_ids": [p.pk for p in data.get("assignees", [])] + self.kept_assignees,
            "due_date": data["due_date"],
            "deliverable": data["deliverable"],
            "weight": data["weight"] if data.get("weight") is not None else Decimal(1),
        }
