"""Recap numbers (the seed's Tabel 5.3): families, individuals and records needing repair per
kecamatan or desa. Queries return rows; `exporters` only format them.

Counted per desa (`periods.counts`, live, or the frozen snapshot of a closed yearly period) and
rolled up to a prefix of the desa code (8 characters = kecamatan, 13 = desa), so the cost does
not grow with Python loops over persons.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _

from dtks.accounts.scope import area_codes
from dtks.periods.counts import DesaCount, desa_counts, recap_families
from dtks.periods.queries import closed_year, snapshot_counts
from dtks.wilayah.models import Level, Region, code_prefix_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User
    from dtks.periods.models import Period

LEVELS = {"kecamatan": (Level.KECAMATAN, 8), "desa": (Level.DESA, 13)}


@dataclass(frozen=True)
class RecapRow:
    """One line of the recap: a kecamatan or desa (or the total, with an empty code)."""

    code: str
    name: str
    individuals: int
    families: int
    needing_repair: int


def _families(year: int, user: User | AnonymousUser | None, wilayah: str | None):
    """Active families of data year ≤ `year`, scoped to the user's area and to `wilayah`."""
    families = recap_families(year)
    if user is not None:
        families = families.visible_to(user)
    if wilayah:
        families = families.in_wilayah(wilayah)
    return families


def desa_numbers(
    year: int, user: User | AnonymousUser | None, wilayah: str | None
) -> tuple[dict[str, DesaCount], Period | None]:
    """Per desa: from the snapshot of the closed yearly period `year` if there is one, else
    counted live; and that period (None when live)."""
    period = closed_year(year)
    if period is not None:
        return snapshot_counts(period, user, wilayah), period
    return desa_counts(_families(year, user, wilayah)), None


def _rollup(per_desa: dict[str, DesaCount], width: int) -> dict[str, DesaCount]:
    """Sum the desa counts up to units of `width` characters of the code."""
    units: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for desa, c in per_desa.items():
        unit = units[desa[:width]]
        unit[0] += c.individuals
        unit[1] += c.families
        unit[2] += c.needing_repair
    return {code: DesaCount(*n) for code, n in units.items()}


def _roots(user: User | AnonymousUser | None, wilayah: str | None, found: set[str]) -> list[str]:
    """The areas whose units are listed (with zeros where nothing is recorded)."""
    user_roots = area_codes(user) if user is not None else None
    if wilayah:
        if user_roots is None:
            return [wilayah]
        return [_deeper(wilayah, root) for root in user_roots if _deeper(wilayah, root)]
    if user_roots is not None:
        return user_roots
    return sorted({code[:5] for code in found})  # the kabupaten that hold data


def _deeper(a: str, b: str) -> str:
    """The smaller of two nested areas, or "" when they do not overlap."""
    if a == b or a.startswith(b + "."):
        return a
    if b.startswith(a + "."):
        return b
    return ""


def _units(level: int, width: int, roots: list[str]) -> dict[str, str]:
    """Code → name of every region at `level` inside (or, for a deeper root, above) the roots."""
    q = Q(pk__in=[])
    for root in roots:
        q |= code_prefix_q("code", root) if len(root) <= width else Q(code=root[:width])
    return dict(Region.objects.at_level(level).filter(q).values_list("code", "name"))


def recap_rows(
    *,
    year: int,
    level: str = "kecamatan",
    user: User | AnonymousUser | None = None,
    wilayah: str | None = None,
) -> list[RecapRow]:
    """Per kecamatan (or desa): active families of data year ≤ `year`, their current active
    members, and those members with an open error finding ("perlu perbaikan") — read from the
    snapshot when the yearly period `year` is closed, else counted live.

    With `user`, only the user's area counts (`Family.objects.visible_to`), and only units of
    that area are listed; units without records are listed with zeros.
    """
    region_level, width = LEVELS[level]
    per_desa, _period = desa_numbers(year, user, wilayah)
    counts = _rollup(per_desa, width)
    found = {code for code, c in counts.items() if c.families}
    units = _units(region_level, width, _roots(user, wilayah, found))
    for code in found - units.keys():
        units[code] = code  # a desa code missing from the Region table still counts
    zero = DesaCount()
    return [
        RecapRow(
            code=code,
            name=units[code],
            individuals=counts.get(code, zero).individuals,
            families=counts.get(code, zero).families,
            needing_repair=counts.get(code, zero).needing_repair,
        )
        for code in sorted(units)
    ]


def recap_total(rows: list[RecapRow]) -> RecapRow:
    """The "Total Seluruh" line."""
    return RecapRow(
        code="",
        name="Total",
        individuals=sum(r.individuals for r in rows),
        families=sum(r.families for r in rows),
        needing_repair=sum(r.needing_repair for r in rows),
    )


def source_label(period: Period | None) -> str:
    """Where a recap's numbers come from: a closed period's snapshot, or the live registry."""
    if period is None or period.closed_at is None:
        return _("Live data")
    closed = formats.date_format(period.closed_at, "j M Y")
    return _("Snapshot of period %(period)s, closed %(date)s") % {
        "period": period.key,
        "date": closed,
    }
