"""Forms of the survey: recording a service (staff) and the public questionnaire. They parse;
the actions decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .elements import ELEMENTS
from .models import AgeGroup, Education, Occupation, ServiceKind, Sex


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)
    served_on = forms.DateField(
        label=_("Date served"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    desa = forms.ChoiceField(label=_("Desa"), required=False)

    def __init__(self, *args, desa_choices: list[tuple[str, str]], office: bool, **kwargs):
        """`office`: the officer also serves at the office, outside any desa (blank desa)."""
        kwargs.setdefault("initial", {"served_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        field = self.fields["desa"]
        field.choices = ([("", _("None: served at the office"))] if office else []) + desa_choices
        field.required = not office


def _blank(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", _("Rather not say")), *choices]


class ResponseForm(forms.Form):
    """The nine questions of PermenPANRB 14/2017 (all required), then the optional rest."""

    suggestion = forms.CharField(
        label=_("Your suggestion for our service (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Please do not write your name, NIK or telephone number."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(Sex.choices), required=False)
    age_group = forms.ChoiceField(label=_("Age"), choices=_blank(AgeGroup.choices), required=False)
    education = forms.ChoiceField(
        label=_("Education"), choices=_blank(Education.choices), required=False
    )
    occupation = forms.ChoiceField(
        label=_("Occupation"), choices=_blank(Occupation.choices), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for element in ELEMENTS:
            self.fields[element.code] = forms.TypedChoiceField(
                label=element.question,
                choices=element.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose one answer.")},
            )

    def questions(self) -> list[tuple[object, forms.BoundField]]:
        return [(element, self[element.code]) for element in ELEMENTS]

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("sex", "age_group", "education", "occupation")]

    def answers(self) -> dict[str, int]:
        return {element.code: self.cleaned_data[element.code] for element in ELEMENTS}

    def profile(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ("sex", "age_group", "education",
                                                           "occupation")}  # fmt: skip
