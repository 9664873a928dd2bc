"""Period pages under /periode/: the list, closing (with confirmation) and the diff.

Parse → authorise → query or action → render. Every number is limited to the user's area
(`queries.scope_q`, `diff_periods(user=…)`); No. KK is masked where the user may not see it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dtks.accounts.roles import Perm
from dtks.accounts.scope import can_view_identity, mask_identity
from dtks.core.errors import DomainError

from .actions import close_period, get_or_create_period, may_close
from .counts import DesaCount, desa_counts, recap_families
from .diff import KINDS, diff_periods
from .models import KEY, Period
from .queries import period_or_live, snapshot_counts

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

LISTED = 200  # families listed per kind on the diff page; the CLI's CSV lists all


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.can(perm):
        raise PermissionDenied


def _period(key: str) -> Period:
    period = period_or_live(key)
    if period is None:
        raise Http404
    return period


def _totals(period: Period, user: object) -> DesaCount:
    """The period's numbers in the user's area: its snapshot, or live while open."""
    if period.is_closed:
        per_desa = snapshot_counts(period, user)
    else:
        per_desa = desa_counts(recap_families(period.year).visible_to(user))
    values = per_desa.values()
    return DesaCount(
        sum(c.individuals for c in values),
        sum(c.families for c in values),
        sum(c.needing_repair for c in values),
    )


def _closable(period: Period, user: object) -> bool:
    return not period.is_closed and period.end < timezone.localdate() and may_close(user)


@login_required
@require_GET
def period_list(request: HttpRequest) -> HttpResponse:
    """Every period (and the current year, open), with status, who closed it and its totals."""
    _require(request, Perm.VIEW_REGISTRY)
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if KEY.match(a) and KEY.match(b):  # the compare form, without JavaScript
        return redirect("periods:diff", a=a, b=b)
    periods = list(Period.objects.select_related("closed_by"))
    if not any(p.month is None and p.year == settings.DTKS_CURRENT_YEAR for p in periods):
        periods.insert(0, _period(str(settings.DTKS_CURRENT_YEAR)))
    rows = [(p, _totals(p, request.user), _closable(p, request.user)) for p in periods]
    keys = [p.key for p in periods]
    return render(request, "periods/list.html", {"rows": rows, "keys": keys})


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, key: str) -> HttpResponse:
    """Confirm (GET), then close (POST) the period: pengelola kabupaten only."""
    _require(request, Perm.VERIFY)
    period = _period(key)
    if not may_close(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            closed = close_period(get_or_create_period(period.year, period.month), by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Period %(key)s closed.") % {"key": closed.key})
        return redirect("periods:list")
    context = {"period": period, "totals": _totals(period, request.user)}
    context["closable"] = _closable(period, request.user)
    return render(request, "periods/close.html", context)


def _shown(no_kk: str, desa: str, user: object) -> str:
    return no_kk if can_view_identity(user, desa) else mask_identity(no_kk)


@login_required
@require_GET
def diff(request: HttpRequest, a: str, b: str) -> HttpResponse:
    """Families in, out and changed from period `a` to `b`, per desa and listed."""
    _require(request, Perm.VIEW_REGISTRY)
    result = diff_periods(_period(a), _period(b), user=request.user)
    lists = []
    for kind in KINDS:
        entries = result.of_kind(kind)
        shown = [(e, _shown(e.family.no_kk, e.desa_code, request.user)) for e in entries[:LISTED]]
        lists.append((kind, len(entries), shown))
    context = {"diff": result, "per_desa": result.per_desa(), "totals": result.totals()}
    context |= {"lists": lists, "listed": LISTED}
    return render(request, "periods/diff.html", context)
