"""The dashboard: the recap in the layout of the seed's Tabel 5.3, scoped to the user's area.

The year is `?tahun=` (default the current year): a closed year is read from its snapshot, the
open one live, and the page says which."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dtks.accounts.roles import Perm
from dtks.periods.models import Period
from dtks.periods.queries import closed_year

from .queries import recap_rows, recap_total, source_label

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


def _years() -> list[int]:
    """The current year and every closed year, newest first."""
    closed = Period.objects.closed().yearly().values_list("year", flat=True)
    return sorted({settings.DTKS_CURRENT_YEAR, *closed}, reverse=True)


def _chosen_year(request: HttpRequest, years: list[int]) -> int:
    chosen = request.GET.get("tahun", "")
    if chosen.isdigit() and int(chosen) in years:
        return int(chosen)
    return settings.DTKS_CURRENT_YEAR


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Per kecamatan: individuals, families, perlu perbaikan, and the Total Seluruh row."""
    years = _years()
    year = _chosen_year(request, years)
    rows = []
    can_view = request.user.can(Perm.VIEW_REGISTRY)
    if can_view:
        rows = recap_rows(year=year, level="kecamatan", user=request.user)
    period = closed_year(year)
    context = {"rows": rows, "total": recap_total(rows) if rows else None, "year": year}
    context |= {"can_view": can_view, "years": years, "source": source_label(period)}
    context["from_snapshot"] = period is not None
    return render(request, "reports/dashboard.html", context)
