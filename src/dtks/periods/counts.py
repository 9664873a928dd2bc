"""The recap's numbers per desa, counted live: the one definition both the live recap
(`reports.queries`) and closing a period (`actions.close_period`) use, so a snapshot holds
exactly what the recap showed when the period closed.

Counted in three aggregate queries grouped by desa (no Python loop over persons).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet

from dtks.registry.choices import RecordStatus
from dtks.registry.models import Family, Person
from dtks.verification.models import Finding


@dataclass(frozen=True)
class DesaCount:
    individuals: int = 0
    families: int = 0
    needing_repair: int = 0


def _by_desa(rows: QuerySet) -> dict[str, int]:
    return {row["desa_id"]: row["n"] for row in rows}


def _inactive_member() -> Exists:
    """The member is an inactive person: an anti-join on the small `person_inactive` index."""
    return Exists(
        Person.objects.filter(pk=OuterRef("memberships__person_id")).exclude(
            status=RecordStatus.ACTIVE
        )
    )


def family_counts(families: QuerySet[Family]) -> dict[str, int]:
    """Families per desa."""
    return _by_desa(families.values("desa_id").annotate(n=Count("id")).order_by())


def person_counts(families: QuerySet[Family]) -> dict[str, int]:
    """Active current members of `families` per desa.

    Over a million members this is the recap's cost, so: memberships are joined to `families`
    directly (one family join, no `IN (SELECT …)`), inactive persons are removed by an anti-join
    (nearly every member is active, so no join to every person row), and rows are grouped by
    desa in SQL (no substring per member row).
    """
    return _by_desa(
        # `start_date` is never null: it makes the join INNER (end_date IS NULL alone is OUTER).
        families.filter(memberships__end_date__isnull=True, memberships__start_date__isnull=False)
        .annotate(inactive=_inactive_member())
        .filter(inactive=False)
        .values("desa_id")
        .annotate(n=Count("memberships"))
        .order_by()
    )


def repair_counts(families: QuerySet[Family]) -> dict[str, int]:
    """Persons counted by `person_counts` that have an open error finding, per desa.

    Members whose person is among the open error findings (a few per cent of persons, a hashed
    `IN` on PostgreSQL) and not inactive: no join to a million person rows. An `EXISTS` per
    member made SQLite probe the findings by status for every member, and `family IN (…)` made
    it scan the families for every finding.
    """
    open_errors = Finding.objects.filter(status="open", severity="error", person__isnull=False)
    return _by_desa(
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


def recap_families(year: int) -> QuerySet[Family]:
    """What the recap of `year` counts: active families of data year ≤ `year`."""
    return Family.objects.active().filter(data_year__lte=year)


def desa_counts(families: QuerySet[Family]) -> dict[str, DesaCount]:
    """Individuals, families and needing repair per desa of `families`."""
    fams, persons, repair = (
        family_counts(families),
        person_counts(families),
        repair_counts(families),
    )
    return {
        desa: DesaCount(persons.get(desa, 0), fams.get(desa, 0), repair.get(desa, 0))
        for desa in sorted(fams.keys() | persons.keys() | repair.keys())
    }
