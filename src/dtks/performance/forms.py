"""Forms of the performance pages; the rules themselves live in `actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dtks.accounts.models import User

from .models import (
    ANNUAL,
    Aspect,
    Employee,
    EmployeeKind,
    Indicator,
    Measure,
    Regime,
    Target,
)
from .report import behaviour_label
from .scoring import pmpanrb6, pp30, pp46

QUARTERS = [(ANNUAL, _("The year")), (1, "I"), (2, "II"), (3, "III"), (4, "IV")]


class EmployeeForm(forms.Form):
    nip = forms.CharField(label=_("NIP"), max_length=18)
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=EmployeeKind.choices)
    jabatan = forms.CharField(label=_("Position (jabatan)"), max_length=150)
    unit = forms.CharField(label=_("Unit"), max_length=150)
    appraiser = forms.ModelChoiceField(
        label=_("Pejabat penilai"), queryset=Employee.objects.filter(active=True), required=False
    )
    user = forms.ModelChoiceField(
        label=_("User account"),
        queryset=User.objects.filter(is_active=True, employee__isnull=True).order_by("username"),
        required=False,
        to_field_name="username",
    )


class TargetForm(forms.Form):
    activity = forms.CharField(label=_("Activity"), max_length=200)
    indicator = forms.CharField(label=_("Indicator"), max_length=200)
    measure = forms.ChoiceField(label=_("Measured by"), choices=Measure.choices)
    aspect = forms.ChoiceField(
        label=_("Aspect (for a target entered by hand)"),
        choices=[("", "–"), *Aspect.choices],
        required=False,
    )
    value = forms.DecimalField(label=_("Target"), max_digits=12, decimal_places=2, min_value=0)
    unit = forms.CharField(label=_("Unit"), max_length=30)

    def clean_aspect(self) -> str | None:
        return self.cleaned_data["aspect"] or None


def _aspects(regime: str) -> list[tuple[str, str]]:
    choices = {
        Regime.PP46: pp46.BehaviourAspect,
        Regime.PP30: pp30.BehaviourAspect,
        Regime.PMPANRB6: pmpanrb6.CoreValue,
    }[regime]
    return [(code, behaviour_label(regime, code)) for code in choices.values]


class BehaviourForm(forms.Form):
    aspect = forms.ChoiceField(label=_("Behaviour aspect"))
    score = forms.DecimalField(
        label=_("Score (0–120)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        min_value=0,
        max_value=120,
    )
    rating = forms.ChoiceField(
        label=_("Rating"), choices=[("", "–"), *pmpanrb6.Rating.choices], required=False
    )
    evidence = forms.CharField(
        label=_("Evidence"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, regime: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["aspect"].choices = _aspects(regime)
        if regime == Regime.PMPANRB6:
            del self.fields["score"]
        else:
            del self.fields["rating"]


class ManualForm(forms.Form):
    """A month's realisation of a target entered by hand."""

    target = forms.ModelChoiceField(label=_("Target"), queryset=Target.objects.none())
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)
    value = forms.DecimalField(label=_("Realisation"), max_digits=12, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Evidence"), max_length=300)

    def __init__(self, *args: Any, appraisal: object, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Target.objects.filter(
            appraisal=appraisal, measure="manual"
        )


class IndicatorForm(forms.Form):
    what = forms.ChoiceField(choices=[("target", _("Target")), ("actual", _("Actual"))])
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.all())
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2030)
    value = forms.DecimalField(label=_("Value"), max_digits=6, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Source (for an actual)"), max_length=300, required=False)


class RatingForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2030)
    quarter = forms.TypedChoiceField(label=_("Period"), choices=QUARTERS, coerce=int)
    predikat = forms.ChoiceField(label=_("Predikat"), choices=pmpanrb6.OrganisationPredikat.choices)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
