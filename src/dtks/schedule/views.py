"""Schedule pages: the calendar, the admin page (preset, rules, extensions), the readiness
board. Parse → authorise → query or action → render."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_q, in_area
from dtks.core.errors import DomainError
from dtks.wilayah.models import Level, Region

from . import actions
from .forms import ExtensionForm, PresetForm, RuleForm
from .models import CalendarRule, Extension, Preset, ScheduleConfig
from .readiness import readiness_board
from .windows import calendar_rows, local_day

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.can(perm):
        raise PermissionDenied


def _extensions_in_force(request: HttpRequest):
    return (
        Extension.objects.visible_to(request.user)
        .filter(ends_on__gte=local_day(), closed_at__isnull=True)
        .select_related("region", "opened_by")
    )


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """This month's and next month's windows per kind, the active preset, the extensions in
    force over (or inside) the user's area."""
    _require(request, Perm.VIEW_REGISTRY)
    context = {
        "rows": calendar_rows(),
        "preset": Preset(ScheduleConfig.current_preset()).label,
        "extensions": _extensions_in_force(request),
        "may_manage": actions.may_manage_schedule(request.user),
    }
    return render(request, "schedule/calendar.html", context)


def _extension_regions(request: HttpRequest) -> list[tuple[str, str]]:
    regions = Region.objects.filter(
        area_q(request.user, "code", Perm.VERIFY), level__gte=Level.KABUPATEN
    ).order_by("code")
    return [(r.code, f"{r.code} {r.display_name}") for r in regions]


def _act(request: HttpRequest, forms: dict) -> bool:
    """Run the action the POSTed form names; True when it succeeded."""
    form = forms.get(request.POST.get("form", ""))
    if form is None or not form.is_valid():
        return False
    data, by = form.cleaned_data, request.user
    try:
        if form is forms["preset"]:
            actions.select_preset(data["preset"], by=by)
        elif form is forms["rule"]:
            rule = get_object_or_404(CalendarRule.objects.in_force_or_off(), kind=data["kind"])
            actions.update_rule(
                rule, first_day=data["first_day"], last_day=data["last_day"],
                active=data["active"], by=by,
            )  # fmt: skip
        else:
            region = Region.objects.get(code=data["region"])
            actions.open_extension(region, data["kind"], data["until"], data["reason"], by=by)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """The kabupaten DTKS manager's page: the active preset, its rules, extensions."""
    if not actions.may_manage_schedule(request.user):
        raise PermissionDenied
    post = request.POST if request.method == "POST" else None
    name = request.POST.get("form") if post else None
    regions = _extension_regions(request)
    forms = {
        "preset": PresetForm(post if name == "preset" else None,
                             initial={"preset": ScheduleConfig.current_preset()}),
        "rule": RuleForm(post if name == "rule" else None),
        "extension": ExtensionForm(post if name == "extension" else None, regions=regions),
    }  # fmt: skip
    if post and _act(request, forms):
        messages.success(request, _("The monthly windows were saved."))
        return redirect("schedule:manage")
    context = {
        "forms": forms,
        "rules": CalendarRule.objects.in_force_or_off(),
        "extensions": _extensions_in_force(request),
    }
    return render(request, "schedule/manage.html", context)


@login_required
@require_POST
def extension_close(request: HttpRequest, pk: int) -> HttpResponse:
    """End an extension early (404 outside the user's area, 403 for other roles)."""
    extension = get_object_or_404(Extension.objects.visible_to(request.user), pk=pk)
    if not (
        actions.may_manage_schedule(request.user)
        and in_area(request.user, extension.region_id, Perm.VERIFY)
    ):
        raise PermissionDenied
    try:
        actions.close_extension(extension, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The extension was closed."))
    return redirect("schedule:manage")


@login_required
def readiness(request: HttpRequest) -> HttpResponse:
    """Each desa of the user's area this month: proposal columns, open findings, days left."""
    _require(request, Perm.VIEW_REGISTRY)
    board = readiness_board(request.user)
    return render(request, "schedule/readiness.html", {"board": board})
