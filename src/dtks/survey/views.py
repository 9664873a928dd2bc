"""Survey pages: record a service and hand out its link (staff), the public questionnaire,
the results (IKM). Parse → authorise → query or action → render."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_q
from dtks.core.errors import DomainError
from dtks.wilayah.models import Level, Region, code_prefix_q

from . import actions, queries
from .elements import ELEMENTS
from .forms import ResponseForm, ServiceForm
from .models import Service, ServiceKind

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

# What a closed link answers: unknown → 404; answered or expired → 410 Gone.
CLOSED_STATUS = {"unknown_token": 404, "answered": 410, "expired": 410}


def _desa_choices(areas: list[str]) -> list[tuple[str, str]]:
    q = code_prefix_q("code", areas[0]) if areas else None
    for code in areas[1:]:
        q |= code_prefix_q("code", code)
    if q is None:
        return []
    desa = Region.objects.filter(q, level=Level.DESA).order_by("code")
    return [(r.code, f"{r.code} {r.display_name}") for r in desa]


def _record(request: HttpRequest, form: ServiceForm) -> Service | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    desa = Region.objects.filter(code=data["desa"]).first() if data["desa"] else None
    try:
        return actions.record_service(data["kind"], data["served_on"], by=request.user, desa=desa)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest) -> HttpResponse:
    """Record a service (desa operators and kabupaten staff) and list the latest ones."""
    areas = actions.recording_areas(request.user)
    if not areas:
        raise PermissionDenied
    office = areas[0].count(".") < 3  # above desa level: also serves at the office
    post = request.POST if request.method == "POST" else None
    form = ServiceForm(post, desa_choices=_desa_choices(areas), office=office)
    if post and (service := _record(request, form)):
        return redirect("survey:service_detail", pk=service.pk)
    services = (
        Service.objects.recordable_by(request.user)
        .select_related("desa", "area", "response")
        .order_by("-created_at", "-id")[:20]
    )
    return render(request, "survey/service_create.html", {"form": form, "services": services})


def _qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (error correction M: readable from a crumpled print)."""
    svg = segno.make(url, error="m").svg_inline(scale=5, border=2, omitsize=True)
    return mark_safe(svg)  # segno's SVG of our own URL: no user text in it


@login_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A service's survey link and QR code (404 outside the user's area, 403 for roles that do
    not serve the public there)."""
    service = get_object_or_404(
        Service.objects.visible_to(request.user).select_related("desa", "area"), pk=pk
    )
    if not actions.may_record_in(request.user, service.area_id):
        raise PermissionDenied
    url = request.build_absolute_uri(reverse("survey:respond", args=[service.token]))
    context = {
        "service": service,
        "url": url,
        "qr": _qr_svg(url),
        "answered": service.answered,
    }
    return render(request, "survey/service_detail.html", context)


def _closed(request: HttpRequest, exc: DomainError) -> HttpResponse:
    context = {"message": exc.message, "reason": exc.code}
    return render(request, "survey/closed.html", context, status=CLOSED_STATUS[exc.code])


@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The public questionnaire of one service, without login (the link is the key)."""
    try:
        service = actions.open_service(token)
    except DomainError as exc:
        return _closed(request, exc)
    form = ResponseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.submit_response(
                token, form.answers(), suggestion=form.cleaned_data["suggestion"],
                profile=form.profile(),
            )  # fmt: skip
        except DomainError as exc:
            return _closed(request, exc)
        return redirect("survey:thanks")
    kind = ServiceKind(service.kind).label
    context = {"form": form, "kind": kind, "served_on": service.served_on}
    return render(request, "survey/respond.html", context)


def thanks(request: HttpRequest) -> HttpResponse:
    """After an answer (public)."""
    return render(request, "survey/thanks.html")


def _year(request: HttpRequest) -> int:
    value = request.GET.get("tahun", "")
    today = timezone.localdate()
    return int(value) if value.isdigit() and 2000 <= int(value) <= today.year + 1 else today.year


@login_required
def results(request: HttpRequest) -> HttpResponse:
    """IKM of a year and its quarters, per element and per service kind, with the
    suggestions, over the services of the user's MANAGE_PERFORMANCE area."""
    if not request.user.can(Perm.MANAGE_PERFORMANCE):
        raise PermissionDenied
    scope = area_q(request.user, "service__area__code", Perm.MANAGE_PERFORMANCE)
    year = _year(request)
    start, end = date(year, 1, 1), date(year, 12, 31)
    year_result, quarters = queries.year_and_quarters(year, scope)
    by_kind = queries.ikm_by_kind(start, end, scope=scope)
    context = {
        "year": year,
        "years": sorted({year, *queries.answered_years(scope)}, reverse=True),
        "result": year_result,
        "elements": [(e, year_result.nrr[e.code] if year_result else None) for e in ELEMENTS],
        "quarters": quarters,
        "by_kind": [(ServiceKind(kind).label, result) for kind, result in by_kind.items()],
        "suggestions": queries.suggestions(start, end, scope),
    }
    return render(request, "survey/results.html", context)
