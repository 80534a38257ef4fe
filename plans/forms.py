"""Page forms over the ground floor: figures, scores, dates; and how refusals land on them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kit.errors import DomainError
from plans.models import Unit


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A choice field of the form, whose choices are known only when the form is made."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """A model choice field (or a multiple one) of the form, whose queryset is set then."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def errors_onto(
    form: forms.BaseForm, exc: DomainError, names: dict[str, str] | None = None
) -> None:
    """Put a service's refusal on the form: on its fields where it names them.

    `names` maps the services' field names (the API's) to the form's.
    """
    for field, message in exc.errors.items():
        name = (names or {}).get(field, field)
        form.add_error(name if name in form.fields else None, message)
    if not exc.errors:
        form.add_error(None, exc.message)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class MeasurementForm(forms.Form):
    """A unit's figure for a period: numerator over denominator, never a bare percent."""

    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    period_start = forms.DateField(label=_("Period start"))
    period_end = forms.DateField(label=_("Period end"))
    numerator = forms.IntegerField(label=_("Numerator"), min_value=0, max_value=2**31 - 1)
    denominator = forms.IntegerField(label=_("Denominator"), min_value=1, max_value=2**31 - 1)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units
        if units.count() == 1:
            self.fields["unit"].initial = units.first()

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "unit_id": data["unit"].pk,
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "numerator": data["numerator"],
            "denominator": data["denominator"],
        }


class PeriodForm(forms.Form):
    period_end = forms.TypedChoiceField(label=_("Period ending"), required=False, empty_value=None)


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False)


class ManualScoreForm(forms.Form):
    """An appraiser's points for a unit on a manual sub-criterion, with the reason."""

    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    code = forms.ChoiceField(label=_("Sub-criterion"))
    points = forms.DecimalField(
        label=_("Points"),
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=2,
        localize=True,
        required=False,
        help_text=_("A penalty's points are taken away."),
    )
    not_applicable = forms.BooleanField(
        label=_("Not applicable to this unit"),
        required=False,
        help_text=_("A judged item only: it then leaves the unit's maximum."),
    )
    justification = forms.CharField(
        label=_("Justification"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("points") is None and not data.get("not_applicable"):
            self.add_error("points", _("Give the points, or mark the item not applicable."))
        return data

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Unit],
        codes: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units
        choice_field(self, "code").choices = codes


class UnitPlanForm(forms.Form):
    """A unit's own plan implementing the province plan: its document, as issued."""

    title = forms.CharField(label=_("Title"), max_length=300)
    document_number = forms.CharField(
        label=_("Document number"), max_length=60, help_text=_("e.g. 12/KH-SNV")
    )
    issued_on = forms.DateField(label=_("Issued on"), help_text=_("dd/mm/yyyy"))
