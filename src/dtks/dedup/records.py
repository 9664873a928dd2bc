"""Facts about the two records of a pair that the decisions rest on (no writes here).

- `families_of(person)`: where a person lies for area and conflict checks — their current
  families, or, for a person in none (a dropped duplicate), those of their last memberships;
- `has_active_aid(person)`: the person's current family receives a program now (no last
  month, or a last month not yet past), or the person receives PIP;
- `choose_kept(pair)`: DOMAIN.md §7, "duplicate DTKS IDs: keep the one with active aid
  history"; when both or neither have it, the older record (the lower primary key, which is
  also the one registered first) is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Max, Q
from django.utils import timezone

from dtks.registry.models import Family, FamilyProgram, Membership, Person

from .models import KeptBecause

if TYPE_CHECKING:
    from .models import CandidatePair

# Attributes of the kept record that a merge fills from the dropped one when blank: minimal
# DTKS attributes (Kepmensos 150/HUK/2022) whose absence is a finding, each restorable
# exactly because the merge records the value it wrote.
FILLABLE = ("birth_place", "mother_name", "marital_status")


def families_of(person: Person) -> list[Family]:
    """The person's current families, else the families of their latest memberships."""
    current = Family.objects.filter(memberships__person=person, memberships__end_date__isnull=True)
    families = list(current.select_related("desa").distinct())
    if families:
        return families
    last = Membership.objects.filter(person=person).aggregate(last=Max("end_date"))["last"]
    ended = Family.objects.filter(memberships__person=person, memberships__end_date=last)
    return list(ended.select_related("desa").distinct())


def has_active_aid(person: Person) -> bool:
    """Whether the person's current family receives a program this month, or they get PIP."""
    if person.receives_pip:
        return True
    today = timezone.localdate()
    return FamilyProgram.objects.filter(
        Q(end_month__isnull=True) | Q(end_month__gte=today.replace(day=1)),
        start_month__lte=today,
        family__memberships__person=person,
        family__memberships__end_date__isnull=True,
    ).exists()


def choose_kept(pair: CandidatePair) -> tuple[Person, Person, str]:
    """(kept, dropped, why) for a pair judged one person."""
    left, right = pair.person_l, pair.person_r  # left has the lower primary key
    aid_left, aid_right = has_active_aid(left), has_active_aid(right)
    if aid_right and not aid_left:
        return right, left, KeptBecause.AID
    return left, right, KeptBecause.AID if aid_left and not aid_right else KeptBecause.OLDER


def blank(value: object) -> bool:
    return value is None or value == ""


def fillable(kept: Person, dropped: Person) -> dict[str, object]:
    """The blank attributes of `kept` that `dropped` knows: {field: dropped's value}."""
    return {
        name: getattr(dropped, name)
        for name in FILLABLE
        if blank(getattr(kept, name)) and not blank(getattr(dropped, name))
    }
