"""Village operator scorecards under /kinerja/operator/. Parse → authorise → query → render."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from dtks.accounts.models import RoleAssignment
from dtks.schedule.windows import local_day

from .access import operator_rows, rows_of_operator_for_user, sees_scorecards
from .forms import PeriodForm
from .scorecard import Period, scorecards

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


def _filters(request: HttpRequest, kecamatan: list[tuple[str, str]]) -> tuple[PeriodForm, Period]:
    """The filter form and the period it names (default: this month, local time)."""
    today = local_day()
    data = request.GET if "tahun" in request.GET else {"tahun": today.year, "bulan": today.month}
    form = PeriodForm(data, kecamatan=kecamatan)
    if not form.is_valid():
        return form, Period(today.year, today.month)
    return form, Period(form.cleaned_data["tahun"], form.cleaned_data["bulan"])


def _kecamatan_choices(request: HttpRequest) -> list[tuple[str, str]]:
    rows = operator_rows(request.user).values_list("area__parent_id", "area__parent__name")
    return [(code, name) for code, name in rows.distinct().order_by("area__parent_id") if code]


@login_required
def operator_list(request: HttpRequest) -> HttpResponse:
    """The operators of the user's area with their figures and alert counts."""
    if not sees_scorecards(request.user):
        raise PermissionDenied
    form, period = _filters(request, _kecamatan_choices(request))
    rows = operator_rows(request.user)
    kecamatan = form.cleaned_data.get("kecamatan") if form.is_valid() else ""
    if kecamatan:
        rows = rows.filter(area__parent_id=kecamatan)
    cards = scorecards(request.user, period, rows)
    context = {"form": form, "period": period, "cards": cards}
    return render(request, "performance/operators/list.html", context)


@login_required
def operator_detail(request: HttpRequest, user_pk: int) -> HttpResponse:
    """One operator's scorecard per desa, with the alerts and their evidence (404 outside the
    user's area, 403 for a role that may not see it there)."""
    visible = rows_of_operator_for_user(request.user, user_pk)
    form, period = _filters(request, [])
    rows = RoleAssignment.objects.filter(pk__in=[r.pk for r in visible])
    cards = scorecards(request.user, period, rows)
    context = {"form": form, "period": period, "cards": cards, "operator": visible[0].user}
    return render(request, "performance/operators/detail.html", context)
