"""Reading periods: the closed snapshot a recap reads, scoped like the live registry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from dtks.accounts.scope import area_q
from dtks.wilayah.models import code_prefix_q

from .counts import DesaCount
from .models import KEY, Kind, Period, Snapshot, period_bounds

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User


def closed_year(year: int) -> Period | None:
    """The closed yearly period of `year`, if any: the recap of that year reads its snapshot."""
    return Period.objects.closed().yearly().filter(year=year).first()


def scope_q(user: User | AnonymousUser | None, wilayah: str | None, field: str = "desa_code") -> Q:
    """Rows of a desa inside the user's area (when a user is given) and inside `wilayah`."""
    q = Q()
    if user is not None:
        q &= area_q(user, field)
    if wilayah:
        q &= code_prefix_q(field, wilayah)
    return q


def snapshot_counts(
    period: Period, user: User | AnonymousUser | None = None, wilayah: str | None = None
) -> dict[str, DesaCount]:
    """Per desa, the numbers frozen when the period closed, limited to the user's area."""
    rows = Snapshot.objects.filter(period=period).filter(scope_q(user, wilayah))
    return {
        r.desa_code: DesaCount(r.individuals, r.families, r.needing_repair)
        for r in rows.order_by("desa_code")
    }


def period_or_live(key: str) -> Period | None:
    """The stored period of `key` (`2022`, `2023-05`); for one not stored yet, an unsaved open
    one (read live). None for a malformed key."""
    match = KEY.match(key)
    if not match:
        return None
    period = Period.objects.by_key(key).first()
    if period is None:
        year, month = int(match[1]), int(match[2]) if match[2] else None
        if month is not None and not 1 <= month <= 12:
            return None
        start, end = period_bounds(year, month)
        kind = Kind.YEAR if month is None else Kind.MONTH
        period = Period(kind=kind, year=year, month=month, start=start, end=end)
    return period
