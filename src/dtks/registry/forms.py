"""Forms for the registry pages. They parse input; the actions decide and save."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_q
from dtks.wilayah.models import Level, Region

from . import choices as c
from .models import Family, Person
from .validators import sixteen_digit_problem

if TYPE_CHECKING:
    from dtks.accounts.models import User

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _identity_clean(form: forms.Form, name: str, label: str) -> str:
    value = (form.cleaned_data.get(name) or "").strip()
    if problem := sixteen_digit_problem(value, label):
        raise forms.ValidationError(problem, code="invalid")
    return value


class FamilyForm(forms.ModelForm):
    class Meta:
        model = Family
        fields = [
            "no_kk", "address", "dusun", "rt", "rw",
            "tenure", "floor_area", "floor", "wall", "roof", "drinking_water", "lighting",
        ]  # fmt: skip
        widgets = {"no_kk": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 20})}

    def clean_no_kk(self) -> str:
        return _identity_clean(self, "no_kk", str(_("No. KK")))


class DesaChoiceForm(forms.Form):
    """The desa of a new family: only villages where the user may edit."""

    desa = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Desa/kelurahan"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        villages = Region.objects.filter(level=Level.DESA).filter(
            area_q(user, "code", Perm.EDIT_REGISTRY)
        )
        self.fields["desa"].queryset = villages
        if villages.count() == 1:
            self.fields["desa"].initial = villages.first()


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "nik", "name", "birth_place", "birth_date", "sex",
            "marital_status", "mother_name", "presence",
        ]  # fmt: skip
        widgets = {
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 20}),
            "birth_date": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].input_formats = DATE_FORMATS

    def clean_nik(self) -> str:
        return _identity_clean(self, "nik", str(_("NIK")))


class MemberForm(PersonForm):
    relationship = forms.TypedChoiceField(
        label=_("Relationship to the head"), choices=c.Relationship.choices, coerce=int
    )

    class Meta(PersonForm.Meta):
        fields = [*PersonForm.Meta.fields, "relationship"]


class BaseMemberFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        """No preset values, so an untouched extra row counts as empty and is skipped."""
        super().add_fields(form, index)
        form.fields["presence"].initial = None
        form.fields["presence"].required = False

    def clean(self) -> None:
        if any(self.errors):
            return
        if not any(f.has_changed() and f.cleaned_data for f in self.forms):
            raise forms.ValidationError(_("Enter at least one member: the head of the family."))

    def members(self) -> list[dict[str, Any]]:
        rows = [dict(f.cleaned_data) for f in self.forms if f.has_changed() and f.cleaned_data]
        for row in rows:
            row["presence"] = row.get("presence") or c.Presence.LIVING
        return rows


MemberFormSet = formset_factory(MemberForm, formset=BaseMemberFormSet, extra=4, max_num=20)


class EndMembershipForm(forms.Form):
    end_date = forms.DateField(label=_("Leaves on"), widget=DateInput(), input_formats=DATE_FORMATS)
    reason = forms.CharField(label=_("Reason"), max_length=100)
    deactivate = forms.TypedChoiceField(
        label=_("Also deactivate the person"),
        choices=[
            ("", _("No, the person stays active (moves to another KK)")),
            *c.InactiveReason.choices,
        ],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["end_date"].initial = timezone.localdate()


class FamilySearchForm(forms.Form):
    """Search and filters of the family list. The query travels in a POST body only."""

    q = forms.CharField(
        label=_("NIK, No. KK or name"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )  # fmt: skip
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    desa = forms.ChoiceField(label=_("Desa/kelurahan"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *c.RecordStatus.choices],
    )
    needs_repair = forms.BooleanField(label=_("Needing repair only"), required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = list(
            Region.objects.filter(level__in=[Level.KECAMATAN, Level.DESA])
            .filter(area_q(user, "code") | self._ancestors_q(user))
            .values_list("code", "name", "level")
        )
        everything = [("", _("All"))]
        self.fields["kecamatan"].choices = everything + [
            (code, name) for code, name, level in regions if level == Level.KECAMATAN
        ]
        self.fields["desa"].choices = everything + [
            (code, name) for code, name, level in regions if level == Level.DESA
        ]

    @staticmethod
    def _ancestors_q(user: User) -> Any:
        """The kecamatan above a desa-level assignment, so an operator sees their own kecamatan."""
        from django.db.models import Q

        from dtks.accounts.scope import area_codes

        codes = {code[:8] for code in area_codes(user) if len(code) > 8}
        return Q(code__in=codes)
