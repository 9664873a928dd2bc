"""Ratification pack pages under /usulan/pengesahan/.

The pack page of a period and area lists its ratified proposals (NIK/No. KK masked where the
user may not see them), the pack issued for it and earlier ones; the pengelola issues a pack
and marks its proposals sent; the PDF and the ministry xlsx go only to `view_identity` over
the whole area. The verification page is public: it names the pack a code belongs to (number,
period, area, date, state) and nothing personal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes, can_view_identity, in_area, mask_identity
from dtks.audit.record import record_access
from dtks.core.errors import DomainError
from dtks.wilayah.models import Region

from . import pack as packs
from .models import RatificationPack, Status
from .pack_pdf import sections, totals

if TYPE_CHECKING:
    from django.http import HttpRequest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _area(request: HttpRequest, code: str) -> Region:
    """The pack's area: 404 outside the user's area (like a missing one), 403 without view."""
    if not in_area(request.user, code):
        raise Http404
    return get_object_or_404(Region, code=code)


def _current(year: int, month: int, area: Region) -> RatificationPack:
    pack = packs.current_pack(year, month, area.code)
    if pack is None:
        raise Http404
    return pack


@login_required
@require_GET
def pack_index(request: HttpRequest) -> HttpResponse:
    """Choose a period and area; the packs issued in the user's area."""
    if not request.user.can(Perm.VIEW_REGISTRY):
        raise PermissionDenied
    year, month = request.GET.get("year", ""), request.GET.get("month", "")
    area = request.GET.get("area", "")
    if year.isdigit() and month.isdigit() and area:
        return redirect("proposals:pack", year=int(year), month=int(month), area=area)
    issued = RatificationPack.objects.visible_to(request.user).select_related("area")[:50]
    context = {"packs": issued, "areas": area_codes(request.user), "months": range(1, 13)}
    return render(request, "proposals/pack_index.html", context)


def _rows(request: HttpRequest, content: packs.PackContent) -> list:
    """The lampiran's sections, each row with its identity numbers (masked outside the user's
    identity area) and its proposal's status."""
    status = {p.pk: p.get_status_display() for p in content.proposals}
    out = []
    for section in sections(content):
        show = (
            (lambda v: v) if can_view_identity(request.user, section.desa.code) else mask_identity
        )
        rows = [(r, show(r.no_kk), show(r.nik), status[r.proposal_id]) for r in section.rows]
        out.append((section, rows))
    return out


@login_required
@require_GET
def pack_page(request: HttpRequest, year: int, month: int, area: str) -> HttpResponse:
    region = _area(request, area)
    if not 1 <= month <= 12:
        raise Http404
    content = packs.build_content(year, month, region)
    current = packs.current_pack(year, month, region.code)
    earlier = RatificationPack.objects.filter(year=year, month=month, area=region)
    context = {
        "year": year, "month": month, "area": region, "content": content, "current": current,
        "sections": _rows(request, content), "totals": totals(content),
        "earlier": earlier.exclude(pk=getattr(current, "pk", None)),
        "changed": bool(current and current.content_digest != packs.digest(content.canonical)),
        "may_issue": packs.may_issue(request.user, region.code),
        "may_download": current is not None and packs.may_download(request.user, current),
        "to_send": sum(p.status == Status.RATIFIED for p in content.proposals),
    }  # fmt: skip
    return render(request, "proposals/pack.html", context)


@login_required
@require_POST
def pack_issue(request: HttpRequest, year: int, month: int, area: str) -> HttpResponse:
    region = _area(request, area)
    if not packs.may_issue(request.user, region.code):
        raise PermissionDenied
    try:
        pack, created = packs.issue_ratification_pack(year, month, region, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if created:
            messages.success(request, _("Pack %(number)s issued.") % {"number": pack.number})
        else:
            messages.info(
                request,
                _("Nothing changed since pack %(number)s: it stays the pack of this period.")
                % {"number": pack.number},
            )
    return redirect("proposals:pack", year=year, month=month, area=area)


def _downloadable(request: HttpRequest, year: int, month: int, area: str) -> RatificationPack:
    region = _area(request, area)
    if not in_area(request.user, region.code, Perm.VIEW_IDENTITY):
        raise PermissionDenied
    return _current(year, month, region)


@login_required
@require_GET
def pack_pdf(request: HttpRequest, year: int, month: int, area: str) -> FileResponse:
    pack = _downloadable(request, year, month, area)
    path = packs.pack_path(pack)
    if not path.exists():
        raise Http404
    record_access(request.user, "download", "ratification_pack", str(pack.pk), pack.number)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=pack.file_name)
    response["Content-Type"] = "application/pdf"
    return response


@login_required
@require_GET
def pack_xlsx(request: HttpRequest, year: int, month: int, area: str) -> HttpResponse:
    pack = _downloadable(request, year, month, area)
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{packs.export_name(pack)}"'
    packs.write_ministry_xlsx(pack, by=request.user, out=response)
    return response


@login_required
@require_POST
def pack_send(request: HttpRequest, year: int, month: int, area: str) -> HttpResponse:
    """Tandai terkirim: the pack's ratified proposals take the `send` step, all or none."""
    region = _area(request, area)
    if not in_area(request.user, region.code, Perm.VERIFY):
        raise PermissionDenied
    try:
        sent = packs.mark_pack_sent(_current(year, month, region), by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(n)d proposal(s) marked as sent to the ministry.") % {"n": len(sent)}
        )
    return redirect("proposals:pack", year=year, month=month, area=area)


@require_GET
def pack_verify(request: HttpRequest) -> HttpResponse:
    """Public: which issued pack a verification code belongs to, if any."""
    code = request.GET.get("kode", "").strip()
    found = packs.verify_pack(code) if code else None
    newer = None
    if found is not None and found.state == RatificationPack.State.SUPERSEDED:
        newer = packs.current_pack(found.year, found.month, found.area_id)
    context = {"code": code[:80], "found": found, "newer": newer}
    return render(request, "proposals/pack_verify.html", context)


# Included under /usulan/pengesahan/ by `urls.py`, in the `proposals` namespace.
PERIOD = "paket/<int:year>/<int:month>/<str:area>/"
urlpatterns = [
    path("paket/", pack_index, name="pack_index"),
    path("cek/", pack_verify, name="pack_verify"),
    path(PERIOD, pack_page, name="pack"),
    path(PERIOD + "terbitkan/", pack_issue, name="pack_issue"),
    path(PERIOD + "pdf/", pack_pdf, name="pack_pdf"),
    path(PERIOD + "xlsx/", pack_xlsx, name="pack_xlsx"),
    path(PERIOD + "terkirim/", pack_send, name="pack_send"),
]
