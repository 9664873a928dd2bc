"""The scorecard filters: year, month (blank: the whole year), kecamatan."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _


class PeriodForm(forms.Form):
    tahun = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    bulan = forms.TypedChoiceField(
        label=_("Month"), choices=(), coerce=int, empty_value=None, required=False
    )
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)

    def __init__(self, *args, kecamatan: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Month names in the active language, not the one at import time.
        self.fields["bulan"].choices = [
            ("", _("Whole year")),
            *[(str(m), formats.date_format(date(2000, m, 1), "F")) for m in range(1, 13)],
        ]
        self.fields["kecamatan"].choices = [("", _("All kecamatan")), *kecamatan]
