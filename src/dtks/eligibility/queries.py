"""Rows for the pages: flagged families per desa, and what a program's desil cut-off would do.

Every query starts from `Family.objects.visible_to(user)`: the one scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import BooleanField, Case, Count, Q, QuerySet, When

from dtks.registry.models import Family, FamilyProgram

from .criteria import FACT_FIELDS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User

ADD, DROP, KEEP = "add", "drop", "keep"
CHANGES = (ADD, DROP, KEEP)


def family_facts(family: Family) -> dict[str, object]:
    """The attributes a judgement reads, and the number of current members."""
    facts: dict[str, object] = {name: getattr(family, name) for name in FACT_FIELDS}
    facts["members"] = family.memberships.filter(end_date__isnull=True).count()
    return facts


def flagged_families(user: User | AnonymousUser, wilayah: str | None = None) -> QuerySet[Family]:
    """Active families the user may see whose last assessment flagged them, by desa."""
    families = Family.objects.visible_to(user).active().filter(assessment__flagged=True)
    if wilayah:
        families = families.in_wilayah(wilayah)
    return families


def flagged_per_desa(user: User | AnonymousUser, wilayah: str | None = None) -> list[dict]:
    """Per desa: flagged and assessed families (`desa`, `name`, `flagged`, `assessed`)."""
    families = Family.objects.visible_to(user).active().filter(assessment__isnull=False)
    if wilayah:
        families = families.in_wilayah(wilayah)
    rows = (
        families.values("desa_id", "desa__name")
        .annotate(flagged=Count("pk", filter=Q(assessment__flagged=True)), assessed=Count("pk"))
        .filter(flagged__gt=0)
        .order_by("desa_id")
    )
    return [
        {"desa": r["desa_id"], "name": r["desa__name"], "flagged": r["flagged"],
         "assessed": r["assessed"]}
        for r in rows
    ]  # fmt: skip


def in_program(program: str, today: dt.date) -> Case:
    """The family receives `program` this month: started by today, and no last month or a
    last month not before this one (months are stored as their first day).

    Written as `pk IN (recipients)`, uncorrelated: PostgreSQL reads the recipients once into a
    hash instead of probing the program table once per family (2x faster over 350,000).
    """
    month = today.replace(day=1)
    recipients = FamilyProgram.objects.filter(program=program, start_month__lte=today).filter(
        Q(end_month__isnull=True) | Q(end_month__gte=month)
    )
    receiving = Q(pk__in=recipients.values("family_id"))
    return Case(When(receiving, then=True), default=False, output_field=BooleanField())


@dataclass(frozen=True)
class Cutoff:
    """A program and its cut-off: families with desil ≤ `desil` qualify."""

    program: str
    desil: int

    def change_q(self, change: str) -> Q:
        """ADD: qualifies, not a recipient; DROP: a recipient who does not qualify (desil
        above the cut-off or none imported); KEEP: a recipient who qualifies."""
        qualifies = Q(desil__lte=self.desil)
        return {
            ADD: qualifies & Q(receiving=False),
            DROP: Q(receiving=True) & (Q(desil__gt=self.desil) | Q(desil__isnull=True)),
            KEEP: qualifies & Q(receiving=True),
        }[change]


def _judged(user: User | AnonymousUser, cutoff: Cutoff, today: dt.date) -> QuerySet[Family]:
    receiving = in_program(cutoff.program, today)
    return Family.objects.visible_to(user).active().annotate(receiving=receiving)


def whatif_per_desa(
    user: User | AnonymousUser, cutoff: Cutoff, today: dt.date, wilayah: str | None = None
) -> list[dict]:
    """Per desa the user may see: recipients now, and how many families the cut-off would
    add, drop and keep (only desa where one of these is not zero)."""
    families = _judged(user, cutoff, today)
    if wilayah:
        families = families.in_wilayah(wilayah)
    counts = {change: Count("pk", filter=cutoff.change_q(change)) for change in CHANGES}
    rows = (
        families.values("desa_id", "desa__name")
        .annotate(**counts, no_desil=Count("pk", filter=Q(desil__isnull=True)))
        .filter(Q(add__gt=0) | Q(drop__gt=0) | Q(keep__gt=0))
        .order_by("desa_id")
    )
    return [
        {
            "desa": r["desa_id"], "name": r["desa__name"], "add": r[ADD], "drop": r[DROP],
            "keep": r[KEEP], "now": r[DROP] + r[KEEP], "after": r[ADD] + r[KEEP],
            "no_desil": r["no_desil"],
        }
        for r in rows
    ]  # fmt: skip


def whatif_families(
    user: User | AnonymousUser, cutoff: Cutoff, today: dt.date, desa: str, change: str
) -> QuerySet[Family]:
    """The families of one desa that the cut-off would add, drop or keep."""
    return (
        _judged(user, cutoff, today)
        .filter(desa_id=desa)
        .filter(cutoff.change_q(change))
        .with_summary()
        .order_by("id")
    )
