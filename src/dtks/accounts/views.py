"""Login (rate-limited by django-axes: five failures lock the username+IP pair), logout, and
the user-administration pages of the admin pengguna.

Logout answers POST only, so a link on another site cannot sign a user out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError

from . import actions
from .access import get_user_for_admin
from .forms import (
    IdentityForm,
    LoginForm,
    PasswordPairForm,
    RoleAreaForm,
    UserCreateForm,
    UserSearchForm,
)
from .models import RoleAssignment, User
from .roles import Perm

if TYPE_CHECKING:
    from django.forms import Form
    from django.http import HttpRequest, HttpResponse

login_view = auth_views.LoginView.as_view(
    template_name="accounts/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)
logout_view = auth_views.LogoutView.as_view()


# --- User administration (admin pengguna) ------------------------------------------------------
# 403 without MANAGE_USERS; an account outside the administrator's area answers 404 through
# `get_user_for_admin`; every change goes through an action in `accounts.actions`.

PAGE_SIZE = 50


def _require_admin(request: HttpRequest) -> None:
    if not request.user.can(Perm.MANAGE_USERS):
        raise PermissionDenied


def _form_error(form: Form, error: DomainError) -> None:
    """Put an action's refusal on the field it names (or on the form as a whole)."""
    field = {"password": "password1"}.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


@login_required
@require_http_methods(["GET", "POST"])
def user_list(request: HttpRequest) -> HttpResponse:
    """Accounts holding a role inside the administrator's area; search by username or name."""
    _require_admin(request)
    form = UserSearchForm(request.POST or None)
    data = form.cleaned_data if form.is_valid() else {}
    users = User.objects.visible_to(request.user).order_by("username")
    query = (data.get("q") or "").strip()
    if query:
        users = users.search(query)
    users = users.prefetch_related(
        Prefetch("role_assignments", RoleAssignment.objects.select_related("area"))
    )
    page = Paginator(users, PAGE_SIZE).get_page(data.get("page") or 1)
    context = {"form": form, "page": page, "query": query}
    return render(request, "accounts/user_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    """A new account and its first role, saved together or not at all."""
    _require_admin(request)
    form = UserCreateForm(request.POST or None, admin=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user = actions.create_user(
                    by=request.user,
                    username=data["username"],
                    full_name=data["full_name"],
                    password=form.password(),
                    nik=data["nik"],
                    no_kk=data["no_kk"],
                    email=data["email"],
                )
                actions.assign_role(user, by=request.user, role=data["role"], area=data["area"])
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Account %(username)s was created.") % {"username": user})
            return redirect("users:user_detail", pk=user.pk)
    return render(request, "accounts/user_create.html", {"form": form})


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An account: its roles (with revoke buttons), its status, and what may be done to it."""
    _require_admin(request)
    account = get_user_for_admin(request.user, pk)
    assignments = account.role_assignments.select_related("area").order_by("area_id", "role")
    events = AuditEvent.objects.filter(
        Q(subject_type="user", subject_id=str(account.pk))
        | Q(subject_type="role_assignment", after__user=account.username)
        | Q(subject_type="role_assignment", before__user=account.username)
    ).order_by("-id")[:50]
    context = {
        "account": account,
        "assignments": assignments,
        "events": events,
        "is_self": account.pk == request.user.pk,
    }
    return render(request, "accounts/user_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def role_assign(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    account = get_user_for_admin(request.user, pk)
    form = RoleAreaForm(request.POST or None, admin=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.assign_role(account, by=request.user, role=data["role"], area=data["area"])
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The role was assigned."))
            return redirect("users:user_detail", pk=account.pk)
    return render(request, "accounts/role_assign.html", {"account": account, "form": form})


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    _require_admin(request)
    account = get_user_for_admin(request.user, pk)
    assignment = get_object_or_404(RoleAssignment, pk=assignment_pk, user=account)
    try:
        actions.revoke_role(assignment, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The role was revoked."))
    return redirect("users:user_detail", pk=account.pk)


@login_required
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate (`active=1`) or deactivate (anything else) an account."""
    _require_admin(request)
    account = get_user_for_admin(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        actions.set_user_active(account, by=request.user, active=active)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = _("The account was activated.") if active else _("The account was deactivated.")
        messages.success(request, done)
    return redirect("users:user_detail", pk=account.pk)


@login_required
@require_http_methods(["GET", "POST"])
def user_identity(request: HttpRequest, pk: int) -> HttpResponse:
    """Record or correct the account holder's own NIK and No. KK."""
    _require_admin(request)
    account = get_user_for_admin(request.user, pk)
    initial = {"nik": account.nik, "no_kk": account.no_kk}
    form = IdentityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_identity(account, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The NIK and No. KK were saved."))
            return redirect("users:user_detail", pk=account.pk)
    return render(request, "accounts/user_identity.html", {"account": account, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    account = get_user_for_admin(request.user, pk)
    form = PasswordPairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reset_password(account, by=request.user, password=form.password())
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The password was reset; tell the user in person."))
            return redirect("users:user_detail", pk=account.pk)
    return render(request, "accounts/password_reset.html", {"account": account, "form": form})
