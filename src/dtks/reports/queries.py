"""Recap numbers (the seed's Tabel 5.3): families, individuals and records needing repair per
kecamatan or desa. Queries return rows; `exporters` only format them.

Counted in a few aggregate queries grouped by desa and rolled up to a prefix of the desa code
(8 characters = kecamatan, 13 = desa), so the cost does not grow with Python loops over persons.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q

from dtks.accounts.scope import area_codes
from dtks.registry.choices import RecordStatus
from dtks.registry.models import Family, Person
from dtks.verification.models import Finding
from dtks.wilayah.models import Level, Region, code_prefix_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User

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
    families = Family.objects.active().filter(data_year__lte=year)
    if user is not None:
        families = families.visible_to(user)
    if wilayah:
        families = families.in_wilayah(wilayah)
    return families


def _family_counts(families, width: int) -> dict[str, int]:
    by_desa = families.values("desa_id").annotate(n=Count("id")).order_by()
    counts: dict[str, int] = defaultdict(int)
    for row in by_desa:
        counts[row["desa_id"][:width]] += row["n"]
    return dict(counts)


def _rollup(rows: list[dict[str, object]], width: int) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[str(row["desa_id"])[:width]] += int(row["n"])  # type: ignore[call-overload]
    return dict(counts)


def _inactive_member() -> Exists:
    """The member is an inactive person: an anti-join on the small `person_inactive` index."""
    return Exists(
        Person.objects.filter(pk=OuterRef("memberships__person_id")).exclude(
            status=RecordStatus.ACTIVE
        )
    )


def _person_counts(families, width: int) -> dict[str, int]:
    """Active current members of `families` per unit.

    Over a million members this is the recap's cost, so: memberships are joined to `families`
    directly (one family join, no `IN (SELECT …)`), inactive persons are removed by an anti-join
    (nearly every member is active, so no join to every person row), and rows are grouped by
    desa in SQL, then rolled up to the unit here (no substring per member row).
    """
    by_desa = (
        # `start_date` is never null: it makes the join INNER (end_date IS NULL alone is OUTER).
        families.filter(memberships__end_date__isnull=True, memberships__start_date__isnull=False)
        .annotate(inactive=_inactive_member())
        .filter(inactive=False)
        .values("desa_id")
        .annotate(n=Count("memberships"))
        .order_by()
    )
    return _rollup(list(by_desa), width)


def _repair_counts(families, width: int) -> dict[str, int]:
    """Persons counted by `_person_counts` that have an open error finding, per unit.

    Members whose person is among the open error findings (a few per cent of persons, a hashed
    `IN` on PostgreSQL) and not inactive: no join to a million person rows. An `EXISTS` per
    member made SQLite probe the findings by status for every member, and `family IN (…)` made
    it scan the families for every finding.
    """
    open_errors = Finding.objects.filter(status="open", severity="error", person__isnull=False)
    rows = (
        families.filter(
            memberships__end_date__isnull=True,
            memberships__person_id__in=open_errors.values("person_id"),
        )
        .annotate(inactive=_inactive_member())
        .filter(inactive=False)
        .values("desa_id")
        .annotate(n=Count("memberships__person_id", distinct=True))
        .order_by()
    )
    return _rollup(list(rows), width)


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
    members, and those members with an open error finding ("perlu perbaikan").

    With `user`, only the user's area counts (`Family.objects.visible_to`), and only units of
    that area are listed; units without records are listed with zeros.
    """
    region_level, width = LEVELS[level]
    families = _families(year, user, wilayah)
    family_counts = _family_counts(families, width)
    person_counts = _person_counts(families, width)
    repair_counts = _repair_counts(families, width)
    units = _units(region_level, width, _roots(user, wilayah, set(family_counts)))
    for code in family_counts.keys() - units.keys():
        units[code] = code  # a desa code missing from the Region table still counts
    return [
        RecapRow(
            code=code,
            name=units[code],
            individuals=person_counts.get(code, 0),
            families=family_counts.get(code, 0),
            needing_repair=repair_counts.get(code, 0),
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
