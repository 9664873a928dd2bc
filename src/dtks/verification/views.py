"""Findings pages: the dashboard per kecamatan/desa, an operator's work queue, re-check and
waiver. Parse → authorise → query or action → render; the scope is `Finding.visible_to`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dtks.accounts.roles import Perm
from dtks.accounts.scope import in_area
from dtks.core.errors import DomainError
from dtks.core.paging import ids_page
from dtks.registry.access import get_family_for_user
from dtks.wilayah.models import Level, Region

from . import actions
from .models import Finding

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

PAGE_SIZE = 50
# Dotted code widths: kecamatan `17.09.01`, desa `17.09.01.2001`.
WIDTH = {Level.KECAMATAN: 8, Level.DESA: 13}


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.can(perm):
        raise PermissionDenied


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Open findings per kecamatan (per desa inside a kecamatan): persons needing repair and
    warnings, each unit linking to its desa or to the work queue."""
    _require(request, Perm.VIEW_REGISTRY)
    wilayah = request.GET.get("wilayah", "")
    parent = Region.objects.filter(code=wilayah).first() if wilayah else None
    level = Level.DESA if parent and parent.level >= Level.KECAMATAN else Level.KECAMATAN
    counts = Finding.objects.open_per_unit(
        request.user, WIDTH[level], parent.code if parent else ""
    )
    names = dict(
        Region.objects.filter(code__in=[c["unit"] for c in counts]).values_list("code", "name")
    )
    rows = [{**c, "name": names.get(c["unit"], c["unit"])} for c in counts if c["unit"]]
    totals = {k: sum(r[k] for r in rows) for k in ("errors", "warnings", "persons")}
    context = {"rows": rows, "totals": totals, "parent": parent, "level": level}
    context["drill"] = level == Level.KECAMATAN
    return render(request, "verification/dashboard.html", context)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The open findings of the villages I edit, family by family: fix on the family page,
    then re-check it here."""
    _require(request, Perm.EDIT_REGISTRY)
    wilayah = request.GET.get("wilayah", "")
    ids = Finding.objects.open_ids_in_queue_order(request.user, Perm.EDIT_REGISTRY, wilayah)
    page = ids_page(
        ids,
        Finding.objects.with_place().select_related("person", "family"),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    context = {"page": page, "wilayah": wilayah, "can_waive": request.user.can(Perm.VERIFY)}
    return render(request, "verification/queue.html", context)


@login_required
@require_POST
def recheck(request: HttpRequest, family_pk: int) -> HttpResponse:
    """Re-run the rules on a family after it was fixed; say how many findings closed."""
    family = get_family_for_user(request.user, family_pk)  # 404 outside the area, first
    if not in_area(request.user, family.desa_id, Perm.EDIT_REGISTRY):
        raise PermissionDenied
    summary = actions.recheck_family(family, by=request.user)
    messages.success(
        request,
        _("Family %(id)s checked again: %(resolved)s finding(s) resolved, %(opened)s new.")
        % {"id": family.id_dtks, "resolved": summary.resolved, "opened": summary.opened},
    )
    return redirect(request.POST.get("next") or "verification:queue")


@login_required
@require_http_methods(["GET", "POST"])
def waive(request: HttpRequest, pk: int) -> HttpResponse:
    """A kabupaten verifier accepts an open finding as it is, with a reason (recorded)."""
    # Outside the area a finding looks missing (404); inside, the role decides (403).
    finding = get_object_or_404(Finding.objects.visible_to(request.user), pk=pk)
    if not in_area(request.user, finding.desa_code, Perm.VERIFY):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            actions.waive_finding(finding, by=request.user, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("The finding was waived."))
            return redirect("verification:queue")
    return render(request, "verification/waive.html", {"finding": finding, "error": error})
