"""The dashboard: the recap in the layout of the seed's Tabel 5.3, scoped to the user's area."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dtks.accounts.roles import Perm

from .queries import recap_rows, recap_total

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Per kecamatan: individuals, families, perlu perbaikan, and the Total Seluruh row."""
    year = settings.DTKS_CURRENT_YEAR
    rows = []
    can_view = request.user.can(Perm.VIEW_REGISTRY)
    if can_view:
        rows = recap_rows(year=year, level="kecamatan", user=request.user)
    context = {"rows": rows, "total": recap_total(rows) if rows else None, "year": year}
    context["can_view"] = can_view
    return render(request, "reports/dashboard.html", context)
