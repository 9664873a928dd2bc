"""The padan KPI (DOMAIN.md §10: share of individuals padan with Dukcapil) and the page rows.

Counted over the registry's individuals as Tabel 5.3 counts them (active persons currently
in an active family) that hold a current match result: a person added after the last match
is "not yet matched", counted apart, neither padan nor tidak padan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_q, in_area
from dtks.registry.choices import RecordStatus
from dtks.registry.models import Membership, Person
from dtks.wilayah.models import Region, code_prefix_q

from .models import CurrentMatch, DukcapilExtract, MatchResult, MatchStatus, Reason

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from dtks.accounts.models import User

DESA_DOTS = 3  # 17.09.01.2001


@dataclass
class AreaRow:
    """One region's counts; `share` is None when nobody there is matched."""

    code: str
    name: str = ""
    matched: int = 0
    padan: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def tidak_padan(self) -> int:
        return self.matched - self.padan

    @property
    def share(self) -> float | None:
        return self.padan / self.matched if self.matched else None

    @property
    def percent(self) -> float | None:
        return None if self.share is None else 100 * self.share


def _counted(results: QuerySet[MatchResult]) -> QuerySet[MatchResult]:
    return results.current().of_active_persons()


def _tally(results: QuerySet[MatchResult]) -> dict[str, int]:
    padan = Q(status=MatchStatus.PADAN)
    return results.aggregate(
        matched=Count("pk"),
        padan=Count("pk", filter=padan),
        **{code: Count("pk", filter=Q(reasons__contains=code)) for code in Reason.values},
    )


def share_padan(wilayah_code: str | None = None) -> tuple[int, int, float | None]:
    """(padan, matched, padan / matched) over the individuals of `wilayah_code` (any level;
    None: the whole registry) with a current result; the share is None when none is matched.
    For reports: no user scope is applied."""
    results = _counted(MatchResult.objects.all())
    if wilayah_code:
        results = results.in_wilayah(wilayah_code)
    counts = _tally(results)
    matched, padan = counts["matched"], counts["padan"]
    return padan, matched, (padan / matched if matched else None)


def scoped_results(user: User | AnonymousUser, wilayah: str | None) -> QuerySet[MatchResult]:
    """Current results of the individuals the user may see, in `wilayah` when given."""
    results = _counted(MatchResult.objects.visible_to(user))
    return results.in_wilayah(wilayah) if wilayah else results


def summary(user: User | AnonymousUser, wilayah: str | None) -> AreaRow:
    """The KPI of the user's area (or of `wilayah` inside it), with the counts per reason."""
    counts = _tally(scoped_results(user, wilayah))
    row = AreaRow(wilayah or "", matched=counts["matched"], padan=counts["padan"])
    row.reasons = {code: counts[code] for code in Reason.values}
    return row


def per_area(user: User | AnonymousUser, wilayah: str | None) -> list[AreaRow]:
    """Counts per region one level below `wilayah` (per kecamatan without one; per desa
    inside a kecamatan or desa), within the user's area. One grouped query over the current
    families' desa, folded up to the kecamatan in Python (a kabupaten has ~150 desa)."""
    current = Q(
        person__memberships__end_date__isnull=True,
        person__memberships__family__status=RecordStatus.ACTIVE,
    )
    place, code = "person__memberships__family__desa_id", "person__memberships__family__desa__code"
    scope = area_q(user, code)
    if wilayah:
        scope &= code_prefix_q(code, wilayah)
    rows = (
        MatchResult.objects.current()
        .filter(current & scope, person__status=RecordStatus.ACTIVE)
        .values(place)
        .annotate(matched=Count("pk"), padan=Count("pk", filter=Q(status=MatchStatus.PADAN)))
        .order_by()
    )
    depth = DESA_DOTS if wilayah and wilayah.count(".") >= DESA_DOTS - 1 else DESA_DOTS - 1
    areas: dict[str, AreaRow] = {}
    for row in rows:
        code = ".".join(row[place].split(".")[: depth + 1])
        area = areas.setdefault(code, AreaRow(code))
        area.matched += row["matched"]
        area.padan += row["padan"]
    names = dict(Region.objects.filter(code__in=areas).values_list("code", "name"))
    for area in areas.values():
        area.name = names.get(area.code, "")
    return sorted(areas.values(), key=lambda a: a.code)


def not_yet_matched(user: User | AnonymousUser, wilayah: str | None) -> int:
    """Individuals the user may see (in `wilayah`) without a current result."""
    families = area_q(user, "family__desa__code") & Q(
        end_date__isnull=True, family__status=RecordStatus.ACTIVE
    )
    if wilayah:
        families &= code_prefix_q("family__desa__code", wilayah)
    member = Membership.objects.filter(families, person=OuterRef("pk"))
    matched = CurrentMatch.objects.filter(person=OuterRef("pk"))
    return Person.objects.active().filter(Exists(member)).exclude(Exists(matched)).count()


def tidak_padan_list(
    user: User | AnonymousUser, wilayah: str | None, reason: str | None
) -> QuerySet[MatchResult]:
    """The tidak padan individuals the user may see, filtered by region and reason, with the
    person and the desa and No. KK of their current family, in person order."""
    results = scoped_results(user, wilayah).tidak_padan()
    if reason:
        results = results.with_reason(reason)
    return results.with_place().select_related("person").order_by("person_id")


def extracts_visible_to(user: User | AnonymousUser) -> QuerySet[DukcapilExtract]:
    """Extracts whose region lies in the user's VERIFY area."""
    return DukcapilExtract.objects.filter(area_q(user, "wilayah", Perm.VERIFY))


def get_extract_for_user(user: User | AnonymousUser, pk: int) -> DukcapilExtract:
    """The extract `pk` if its region lies in the user's area (else 404, as for a missing
    one); PermissionDenied without VERIFY over it."""
    extract = get_object_or_404(DukcapilExtract, pk=pk)
    if not extract.wilayah or not in_area(user, extract.wilayah):
        raise Http404
    if not in_area(user, extract.wilayah, Perm.VERIFY):
        raise PermissionDenied
    return extract
