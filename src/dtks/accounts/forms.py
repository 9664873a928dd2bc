"""The login form and the user-administration forms. Forms parse input; actions decide."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from dtks.wilayah.models import Level, Region

from .roles import Perm, Role
from .scope import area_q

if TYPE_CHECKING:
    from .models import User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong username or password. After five failures the account is locked for a while."
        ),
        "inactive": _("This account is inactive."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")


class UserSearchForm(forms.Form):
    """Search of the user list; like every search it travels in a POST body only."""

    q = forms.CharField(
        label=_("Username or name"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )  # fmt: skip
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class PasswordPairForm(forms.Form):
    """A new password typed twice. The strength rules are the action's (Django's validators)."""

    password1 = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip
    password2 = forms.CharField(
        label=_("Password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(_("The two passwords differ."), code="mismatch")
        return second

    def password(self) -> str:
        return self.cleaned_data["password1"]


class RoleAreaForm(forms.Form):
    """A role and an area; the areas offered are those inside the administrator's own."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    area = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Area"))

    def __init__(self, *args: Any, admin: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (
            Region.objects.filter(level__gte=Level.KABUPATEN)
            .filter(area_q(admin, "code", Perm.MANAGE_USERS))
            .order_by("code")
        )
        self.fields["area"].label_from_instance = lambda r: f"{r.code} · {r}"


def _identity_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=20,
        help_text=_("Required for every data role (conflict-of-interest checks)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip


class IdentityForm(forms.Form):
    """The account holder's own NIK and No. KK; the action checks them."""

    nik = _identity_field(_("NIK"))
    no_kk = _identity_field(_("No. KK"))


class UserCreateForm(RoleAreaForm, PasswordPairForm):
    """A new account with its first role, so it belongs to an area from the start."""

    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    nik = _identity_field(_("NIK"))
    no_kk = _identity_field(_("No. KK"))

    field_order = [
        "username", "full_name", "email", "nik", "no_kk", "password1", "password2", "role", "area",
    ]  # fmt: skip
