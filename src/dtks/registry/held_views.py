"""Pages of changes held for a second approver (`registry.held`): parse → authorise → act.

A held change is opened by its requester or by a verifier whose area covers its desa: 404
outside the user's area (like a missing record), 403 inside it for anyone else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import model_to_dict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dtks.accounts.roles import Perm
from dtks.accounts.scope import in_area
from dtks.audit.record import record_access
from dtks.core.errors import DomainError, PermissionDeniedError

from . import held
from .conflicts import check_independent_approver
from .forms import EndMembershipForm, FamilyForm, MemberForm
from .models import HeldChange
from .presenters import shown_identity

if TYPE_CHECKING:
    from django import forms
    from django.http import HttpRequest, HttpResponse

    from dtks.accounts.models import User

Action = HeldChange.Action
LIST_LIMIT = 200
RELATED = ("family", "desa", "requested_by", "decided_by")


def _held_for(request: HttpRequest, pk: int) -> HeldChange:
    """The held change `pk` for its requester or a verifier of its desa (404 / 403 otherwise)."""
    held_change = get_object_or_404(
        HeldChange.objects.visible_to(request.user).select_related(*RELATED), pk=pk
    )
    user = request.user
    if held_change.requested_by_id != user.pk and not in_area(
        user, held_change.desa_id, Perm.VERIFY
    ):
        raise PermissionDenied
    return held_change


@login_required
def held_list(request: HttpRequest) -> HttpResponse:
    """Changes awaiting the user's approval (verifiers of the area) and the user's own requests."""
    user = request.user
    if not (user.can(Perm.EDIT_REGISTRY) or user.can(Perm.VERIFY)):
        raise PermissionDenied
    awaiting = HeldChange.objects.awaiting(user).select_related(*RELATED)[:LIST_LIMIT]
    mine = HeldChange.objects.filter(requested_by=user).select_related(*RELATED)[:LIST_LIMIT]
    context = {"awaiting": awaiting, "mine": mine, "limit": LIST_LIMIT}
    return render(request, "registry/held_list.html", context)


def _shown(field: forms.Field, name: str, value: Any, user: User, desa: str) -> str:
    if value is None or value == "":
        return "–"
    if name in ("nik", "no_kk"):
        return shown_identity(user, desa, str(value))
    choices = getattr(field, "choices", None)
    if choices:
        return str(dict((str(k), v) for k, v in choices).get(str(value), value))
    return str(value)


def _rows(
    form_class: type[forms.Form],
    data: dict[str, Any],
    current: dict[str, Any] | None,
    user: User,
    desa: str,
) -> list[tuple[str, str, str]]:
    """(label, current value, requested value) of every field the payload carries."""
    rows = []
    for name, field in form_class().fields.items():
        if name not in data:
            continue
        before = _shown(field, name, current.get(name), user, desa) if current else ""
        rows.append((str(field.label), before, _shown(field, name, data[name], user, desa)))
    return rows


def _sections(held_change: HeldChange, user: User) -> list[tuple[str, list]]:
    """What the change would write, section by section, beside the current values."""
    payload, desa, action = held_change.payload, held_change.desa_id, held_change.action
    if action in (Action.CREATE_FAMILY, Action.UPDATE_FAMILY):
        family = held_change.family if action == Action.UPDATE_FAMILY else None
        current = model_to_dict(family) if family else None
        sections = [(_("Family"), _rows(FamilyForm, payload["family"], current, user, desa))]
        for i, member in enumerate(payload.get("members") or [], start=1):
            title = _("Member %(n)s") % {"n": i}
            sections.append((title, _rows(MemberForm, member, None, user, desa)))
        return sections
    if action in (Action.ADD_MEMBER, Action.UPDATE_PERSON):
        person = held_change.person if action == Action.UPDATE_PERSON else None
        current = model_to_dict(person) if person else None
        return [(_("Member"), _rows(MemberForm, payload["person"], current, user, desa))]
    return [(str(held_change.person or ""), _rows(EndMembershipForm, payload, None, user, desa))]


def _why_not_decide(user: User, held_change: HeldChange) -> str:
    """'' when the user may approve or refuse; otherwise why not (shown instead of buttons)."""
    try:
        check_independent_approver(user, held_change.requested_by, held.subjects_of(held_change))
    except PermissionDeniedError as error:
        return error.message
    return ""


@login_required
def held_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One held change: the ties found, what it would write, and the decision buttons."""
    held_change = _held_for(request, pk)
    record_access(request.user, "view_held_change", "held_change", str(pk))
    mine = held_change.requested_by_id == request.user.pk
    context = {
        "held": held_change,
        "sections": _sections(held_change, request.user),
        "mine": mine,
        "why_not": "" if mine else _why_not_decide(request.user, held_change),
    }
    return render(request, "registry/held_detail.html", context)


def _decide(request: HttpRequest, pk: int, decide: Any, done: str) -> HttpResponse:
    """Run a decision on the held change; a refusal is shown on its page, which it stays."""
    held_change = _held_for(request, pk)
    if not in_area(request.user, held_change.desa_id, Perm.VERIFY):
        raise PermissionDenied
    try:
        decide(held_change, by=request.user, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("registry:held_detail", pk=pk)


@login_required
@require_POST
def held_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, held.approve_held_change, _("The change was approved and saved."))


@login_required
@require_POST
def held_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, held.refuse_held_change, _("The change was refused."))


@login_required
@require_POST
def held_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The requester withdraws their own request (nobody else may: 403)."""
    held_change = _held_for(request, pk)
    if held_change.requested_by_id != request.user.pk:
        raise PermissionDenied
    try:
        held.withdraw_held_change(held_change, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The request was withdrawn."))
    return redirect("registry:held_detail", pk=pk)
