"""Export and template pages under /impor/: the family list's export buttons, the template
workbook per desa.

Export needs VIEW_REGISTRY (403 without it) and contains only `visible_to(user)` families, with
NIK/No. KK masked where the user may not see them. The template needs EDIT_REGISTRY over the
desa: 404 outside the user's area (like a missing desa), 403 where they may only read.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes, area_q, in_area
from dtks.registry.forms import FamilySearchForm
from dtks.registry.models import Family
from dtks.wilayah.models import Region

from .export import csv_chunks, export_registry, export_rows, record_export, scoped_families
from .template import build_template

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from dtks.accounts.models import User

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _filters(request: HttpRequest) -> dict[str, Any]:
    """The family list's filters that are valid for this user (an invalid one is dropped)."""
    form = FamilySearchForm(request.POST, user=request.user)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    keys = ("q", "kecamatan", "desa", "status", "needs_repair")
    return {k: data[k] for k in keys if data.get(k)}


def _families(filters: dict[str, Any]) -> QuerySet[Family]:
    """The same narrowing as the family list (the area is applied by `scoped_families`)."""
    families = Family.objects.all()
    if filters.get("status"):
        families = families.filter(status=filters["status"])
    if filters.get("needs_repair"):
        families = families.filter(pk__in=Family.objects.needing_repair().values("pk"))
    if filters.get("q"):
        families = families.search(filters["q"].strip())
    return families


def _scope(user: User, filters: dict[str, Any]) -> str:
    """The region an export covers, for its file name and its audit record."""
    if filters.get("desa") or filters.get("kecamatan"):
        return filters.get("desa") or filters["kecamatan"]
    codes = area_codes(user)
    return codes[0] if len(codes) == 1 else ""


def _file_name(scope: str, fmt: str) -> str:
    """`dtks-17.09-2026-11-27.csv`."""
    parts = ["dtks", scope, timezone.localdate().isoformat()]
    return "-".join(p for p in parts if p) + f".{fmt}"


def _csv_stream(user: User, families: QuerySet[Family], scope: str, filters: dict) -> Iterator:
    counter = [0]
    try:
        yield from csv_chunks(export_rows(user, families), counter)
    finally:  # also when the download is broken off: what was sent is recorded
        record_export(by=user, scope=scope, fmt="csv", rows=counter[0], filters=filters)


def _xlsx_response(user: User, families: QuerySet[Family], scope: str, filters: dict) -> Any:
    """Write the workbook to a private temporary file, then hand its open handle over."""
    directory = settings.DATA_DIR / "exports"
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".xlsx", delete=False) as tmp:
        path = Path(tmp.name)
    try:
        export_registry(
            by=user, wilayah=scope, fmt="xlsx", out=path, families=families, filters=filters
        )
        handle = path.open("rb")
    finally:
        path.unlink(missing_ok=True)  # the open handle keeps the data until it is sent
    return FileResponse(
        handle, as_attachment=True, filename=_file_name(scope, "xlsx"), content_type=XLSX_TYPE
    )


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """The registry rows behind the family list's current filters, as CSV or xlsx."""
    if not request.user.can(Perm.VIEW_REGISTRY):
        raise PermissionDenied
    fmt = "xlsx" if request.POST.get("format") == "xlsx" else "csv"
    filters = _filters(request)
    scope = _scope(request.user, filters)
    families = _families(filters)
    if fmt == "xlsx":
        return _xlsx_response(request.user, families, scope, filters)
    scoped = scoped_families(request.user, scope, families)
    response = StreamingHttpResponse(
        _csv_stream(request.user, scoped, scope, filters), content_type=CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name(scope, "csv")}"'
    return response


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    """The villages whose template the user may download: where they edit the registry."""
    if not request.user.can(Perm.EDIT_REGISTRY):
        raise PermissionDenied
    villages = (
        Region.objects.villages()
        .filter(area_q(request.user, "code", Perm.EDIT_REGISTRY))
        .select_related("parent")
        .order_by("code")
    )
    return render(request, "imports/template_list.html", {"villages": villages})


@login_required
@require_GET
def template_download(request: HttpRequest, code: str) -> HttpResponse:
    """The template workbook of one desa."""
    desa = get_object_or_404(
        Region.objects.villages().filter(area_q(request.user, "code")), pk=code
    )
    if not in_area(request.user, desa.code, Perm.EDIT_REGISTRY):
        raise PermissionDenied
    response = HttpResponse(build_template(desa), content_type=XLSX_TYPE)
    filename = f"templat-dtks-{desa.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
