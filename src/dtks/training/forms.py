"""Forms of the bimtek pages: parse input; the actions decide and name the field they refuse."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BudgetCategory, FacilityItem, Mode

RUPIAH = {"min_value": 0, "max_digits": 15, "decimal_places": 0}
YEAR = {"min_value": 2000, "max_value": 2100}


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.CharField(label=_("Topic"), required=False, widget=forms.Textarea({"rows": 2}))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput({"type": "date"}))
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices)
    place = forms.CharField(label=_("Place or link"), max_length=300, required=False)
    cost = forms.DecimalField(label=_("Cost (Rp)"), initial=0, **RUPIAH)
    organiser = forms.CharField(label=_("Organiser"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 3}))


class MaterialForm(forms.Form):
    file = forms.FileField(
        label=_("Material (PDF, PPTX, DOCX, JPEG, PNG)"),
        widget=forms.ClearableFileInput({"accept": ".pdf,.pptx,.docx,.jpg,.jpeg,.png"}),
    )


class PlanForm(forms.Form):
    planned_sessions = forms.IntegerField(label=_("Planned sessions"), min_value=0, max_value=99)
    planned_online = forms.IntegerField(label=_("Of which online"), min_value=0, max_value=99)
    planned_budget = forms.DecimalField(label=_("Planned bimtek budget (Rp)"), **RUPIAH)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 2}))


class BudgetLineForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), **YEAR)
    category = forms.ChoiceField(label=_("Category"), choices=BudgetCategory.choices)
    description = forms.CharField(label=_("Description"), max_length=300)
    planned = forms.DecimalField(label=_("Planned (Rp)"), initial=0, **RUPIAH)
    realised = forms.DecimalField(label=_("Realised (Rp)"), initial=0, **RUPIAH)


class FacilityNeedForm(forms.Form):
    item = forms.ChoiceField(label=_("Item"), choices=FacilityItem.choices)
    needed = forms.IntegerField(label=_("Staff who need it"), min_value=0)
    available = forms.IntegerField(label=_("Available"), min_value=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


def add_domain_error(form: forms.Form, exc: Exception) -> None:
    """Put an action's refusal on the field it names (or on the form)."""
    field = getattr(exc, "field", None)
    message = getattr(exc, "message", str(exc))
    form.add_error(field if field in form.fields else None, message)
