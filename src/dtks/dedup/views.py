"""Duplicate review pages under /ganda/: the queue (pending, deferred, decided), a pair side
by side, the decision buttons and undoing a merge. Parse → authorise → query or action →
render; every pair is fetched through `CandidatePair.objects.visible_to` (404 outside)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dtks.accounts.roles import Perm
from dtks.audit.record import record_access
from dtks.core.errors import DomainError
from dtks.registry.choices import RecordStatus

from . import actions, presenters, records
from .models import CandidatePair, PairStatus

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

PAGE_SIZE = 25
TABS = {
    "pending": (PairStatus.PENDING,),
    "deferred": (PairStatus.DEFERRED,),
    "decided": (PairStatus.SAME, PairStatus.DIFFERENT),
}
DONE = {
    PairStatus.SAME: gettext_lazy("The records were merged."),
    PairStatus.DIFFERENT: gettext_lazy("Recorded as two different persons."),
    PairStatus.DEFERRED: gettext_lazy("Deferred: the pair stays on the “deferred” tab."),
}


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.can(perm):
        raise PermissionDenied


def _tab_counts(pairs: object) -> dict[str, int]:
    active = Q(person_l__status=RecordStatus.ACTIVE, person_r__status=RecordStatus.ACTIVE)
    return pairs.aggregate(
        pending=Count("pk", filter=Q(status=PairStatus.PENDING) & active),
        deferred=Count("pk", filter=Q(status=PairStatus.DEFERRED) & active),
        decided=Count("pk", filter=Q(status__in=TABS["decided"])),
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The pairs of my area: to decide (most probable first), deferred, and decided."""
    _require(request, Perm.VERIFY)
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "pending"
    scoped = CandidatePair.objects.visible_to(request.user, Perm.VERIFY)
    pairs = scoped.with_status(*TABS[tab]).select_related("person_l", "person_r", "decided_by")
    if tab == "decided":
        pairs = pairs.order_by("-decided_at", "-pk")
    else:
        pairs = pairs.both_active().queue_order()
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    where = presenters.places(p for pair in page.object_list for p in pair.persons)
    rows = [(pair, where.get(pair.person_l_id), where.get(pair.person_r_id)) for pair in page]
    context = {"tab": tab, "page": page, "rows": rows, "counts": _tab_counts(scoped)}
    return render(request, "dedup/queue.html", context)


def _pair_for(request: HttpRequest, pk: int) -> CandidatePair:
    """The pair if both records lie in the user's area (else 404) and the user may review
    duplicates there (else 403)."""
    visible = CandidatePair.objects.visible_to(request.user)
    pair = get_object_or_404(visible.select_related("person_l", "person_r"), pk=pk)
    if not CandidatePair.objects.visible_to(request.user, Perm.VERIFY).filter(pk=pk).exists():
        raise PermissionDenied
    return pair


@login_required
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Two records side by side with their differences marked, and the decision buttons."""
    pair = _pair_for(request, pk)
    record_access(request.user, "view_duplicate_pair", "candidate_pair", str(pair.pk))
    rows, left, right = presenters.compare(pair, request.user)
    kept = None
    if pair.status != PairStatus.SAME:
        kept = records.choose_kept(pair)[0]
    context = {
        "pair": pair,
        "rows": rows,
        "left": left,
        "right": right,
        "kept": kept,
        "merge": pair.merge_in_force(),
        "history": pair.merges.filter(reversed_at__isnull=False).select_related(
            "by", "reversed_by"
        ),
    }
    return render(request, "dedup/pair.html", context)


def _next_pair(request: HttpRequest, after: CandidatePair) -> str:
    """Where to go after a decision: the next pair to decide in my area, else the queue."""
    following = (
        CandidatePair.objects.visible_to(request.user, Perm.VERIFY)
        .with_status(PairStatus.PENDING)
        .both_active()
        .exclude(pk=after.pk)
        .queue_order()
        .values_list("pk", flat=True)
        .first()
    )
    return reverse("dedup:pair", args=[following]) if following else reverse("dedup:queue")


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Sama / Beda / Tunda with an optional note; then the next pair (POST-redirect-GET)."""
    pair = _pair_for(request, pk)
    decision = request.POST.get("decision", "")
    try:
        actions.decide(pair, by=request.user, decision=decision, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dedup:pair", pk=pair.pk)
    messages.success(request, DONE[decision])
    return redirect(_next_pair(request, pair))


@login_required
@require_POST
def unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo the merge of a pair (Batalkan penggabungan); the pair becomes "beda"."""
    pair = _pair_for(request, pk)
    merge = pair.merge_in_force()
    try:
        if merge is None:
            raise DomainError(_("These records are not merged."), code="not_merged")
        actions.unmerge(merge, by=request.user, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The merge was undone; the pair is recorded as different."))
    return redirect("dedup:pair", pk=pair.pk)
