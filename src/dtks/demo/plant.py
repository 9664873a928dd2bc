"""Defects the demo plants beyond a person's own fields, each recorded as the findings the
checks must make: an adult child married into another KK of the same desa and still in the
parents' (tumpang tindih), and family-level defects (a head recorded with another relationship,
head and youngest child swapped, spouse and youngest child swapped, a family deactivated while a
program still pays it, a died member in a family with programs).

Family-level errors go only to families that already hold a person with a planted defect, so
the families needing repair are exactly the families of the persons needing repair, and the
recap's "perlu perbaikan" (persons) stays Tabel 5.3's. Ages are planted far from the limits
(a toddler as head or spouse) so the findings hold for years of real dates.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from dtks.wilayah.models import Region

from . import synth

ACTIVE, INACTIVE = "active", "inactive"
OTHER = 8  # Regsosek hubungan: lainnya
YOUNG_FROM = dt.date(2020, 1, 1)  # under 15 (16) until 2035: head (spouse) age findings hold
TWO_FAMILIES_SHARE = 0.25  # of the eligible defect persons, after the first of each kecamatan
FAMILY_DEFECT_SHARE = 0.002  # families per family-level kind, at least one where possible
INACTIVE_FAMILIES_PER = 2000  # one inactive family still in a program per this many families


@dataclass
class Plan:
    """One planned family: its desa, household values and members, before writing. `extra`
    are members whose own record belongs to another plan (a person in two KKs);
    `family_defects` the family-level findings planted on it."""

    desa: Region
    kecamatan: Region
    members: list[synth.SynthPerson]
    values: dict[str, object]
    programs: list[str]
    issued: dt.date
    status: str = ACTIVE
    inactive_reason: str = ""
    extra: list[tuple[synth.SynthPerson, int]] = field(default_factory=list)
    family_defects: set[str] = field(default_factory=set)
    reserved: bool = False  # already shaped by a plant: no second one

    def has_defect(self) -> bool:
        return any(m.defect for m in self.members)


def plant_two_families(rng: random.Random, plans: list[Plan]) -> None:
    """Turn some adult children with a planted defect into newly-weds: the spouse of a couple's
    KK in the same desa becomes them, while they stay a child in their parents' KK. The
    couple's own spouse record is dropped, so the memberships (the recap's individuals) stay."""
    couples: dict[str, list[Plan]] = {}
    for plan in plans:
        if _is_couple(plan):
            couples.setdefault(plan.desa.code, []).append(plan)
    first = True
    for plan in plans:
        for person in plan.members:
            if not _adult_child_with_defect(person) or not (
                first or rng.random() < TWO_FAMILIES_SHARE
            ):
                continue
            partners = [
                b for b in couples.get(plan.desa.code, []) if b.members[0].sex != person.sex
            ]
            if not partners:
                continue
            couple = rng.choice(partners)
            couples[plan.desa.code].remove(couple)
            couple.members.pop(1)
            couple.extra.append((person, synth.SPOUSE))
            person.defect, person.marital_status = "multiple_families", synth.MARRIED
            plan.reserved = couple.reserved = True
            first = False


def _is_couple(plan: Plan) -> bool:
    return (
        len(plan.members) == 2
        and plan.members[1].relationship == synth.SPOUSE
        and not plan.has_defect()
    )


def _adult_child_with_defect(person: synth.SynthPerson) -> bool:
    return (
        bool(person.defect)
        and person.relationship == synth.CHILD
        and person.birth_date <= synth.ADULT_BORN_BY
    )


def plant_family_defects(rng: random.Random, plans: list[Plan]) -> None:
    """A few families of each family-level kind, among the families holding a defect person."""
    count = max(1, round(len(plans) * FAMILY_DEFECT_SHARE))
    for shaped, plant in (
        (_has_head, _head_recorded_as_other),
        (_has_young_child, _head_and_child_swapped),
        (_has_younger_spouse_and_young_child, _spouse_and_child_swapped),
    ):
        candidates = [p for p in plans if p.has_defect() and not p.reserved and shaped(p)]
        for plan in rng.sample(candidates, min(count, len(candidates))):
            plant(plan)
            plan.reserved = True


def _has_head(plan: Plan) -> bool:
    return plan.members[0].relationship == synth.HEAD


def _youngest_child(plan: Plan) -> synth.SynthPerson | None:
    children = [m for m in plan.members if m.relationship == synth.CHILD]
    return max(children, key=lambda m: m.birth_date) if children else None


def _has_young_child(plan: Plan) -> bool:
    child = _youngest_child(plan)
    return _has_head(plan) and child is not None and child.birth_date >= YOUNG_FROM


def _spouse(plan: Plan) -> synth.SynthPerson | None:
    return next((m for m in plan.members if m.relationship == synth.SPOUSE), None)


def _has_younger_spouse_and_young_child(plan: Plan) -> bool:
    spouse = _spouse(plan)
    head = plan.members[0]
    return _has_young_child(plan) and spouse is not None and spouse.birth_date > head.birth_date


def _head_recorded_as_other(plan: Plan) -> None:
    plan.members[0].relationship = OTHER
    plan.family_defects.add("family_head_count")


def _head_and_child_swapped(plan: Plan) -> None:
    """The toddler becomes the head, the head a child older than the head."""
    child = _youngest_child(plan)
    assert child is not None
    plan.members[0].relationship, child.relationship = synth.CHILD, synth.HEAD
    plan.family_defects |= {"head_under_15", "child_older_than_head"}


def _spouse_and_child_swapped(plan: Plan) -> None:
    """The toddler becomes the spouse; the spouse, younger than the head, a child."""
    child, spouse = _youngest_child(plan), _spouse(plan)
    assert child is not None and spouse is not None
    spouse.relationship, child.relationship = synth.CHILD, synth.SPOUSE
    plan.family_defects.add("spouse_under_16")


def inactive_families(families: int) -> int:
    """How many inactive families still in a program a kecamatan of `families` gets."""
    return max(1, families // INACTIVE_FAMILIES_PER)


def mark_inactive(rng: random.Random, plan: Plan) -> None:
    """A family deactivated (members too) while a program still pays it."""
    plan.status = INACTIVE
    plan.inactive_reason = rng.choice(("not_eligible", "moved"))
    plan.programs = plan.programs or ["bpnt"]
    plan.reserved = True
    plan.family_defects.add("inactive_family_in_program")


def note_died_members(plans: list[Plan]) -> None:
    """A family paid by a program with a member planted as died: the family warning too."""
    for plan in plans:
        died = any(m.defect == "deceased_still_active" for m in plan.members)
        if plan.status == ACTIVE and plan.programs and died:
            plan.family_defects.add("deceased_member_in_program")
