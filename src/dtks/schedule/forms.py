"""Forms of the schedule admin page: parse input, the actions decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DAY_BEFORE_MONTH_END, MONTH_END, Preset, WindowKind

LAST_DAY_CHOICES = [
    (MONTH_END, _("End of the month")),
    (DAY_BEFORE_MONTH_END, _("Day before the end of the month")),
    *[(day, str(day)) for day in range(1, 32)],
]


class PresetForm(forms.Form):
    preset = forms.ChoiceField(label=_("Active preset"), choices=Preset.choices)


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Action kind"), choices=WindowKind.choices)
    first_day = forms.IntegerField(label=_("First day"), min_value=1, max_value=31)
    last_day = forms.TypedChoiceField(label=_("Last day"), choices=LAST_DAY_CHOICES, coerce=int)
    active = forms.BooleanField(label=_("Active"), required=False)


class ExtensionForm(forms.Form):
    region = forms.ChoiceField(label=_("Desa, kecamatan or kabupaten"))
    kind = forms.ChoiceField(
        label=_("Action kind"),
        choices=[("", _("All kinds")), *WindowKind.choices],
        required=False,
    )
    until = forms.DateField(label=_("Until (inclusive)"), widget=forms.DateInput({"type": "date"}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, regions: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions
