"""A small registry with planted duplicates: each pair is one person registered twice.

- `yusuf`: "Muhammad Yusuf" heads a family in desa A; "M. Yusuf", same birth date, place and
  mother, NIK one digit apart, lives alone in a family of desa A2 that receives PKH — the
  record with active aid history, registered later.
- `nur`: "Nurhayati" (desa A) and "Nur Hayati" (desa B, another kecamatan), neither with aid:
  the older record is kept.
Ordinary families around them give the engine neighbours.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pytest

from dtks.demo import synth
from dtks.demo.synth import make_nik
from dtks.registry import choices as c
from tests.conftest import DESA_A, DESA_A2, DESA_B
from tests.factories import (
    FamilyFactory,
    FamilyProgramFactory,
    MembershipFactory,
    PersonFactory,
)


@dataclass
class Planted:
    yusuf_old: object
    yusuf_new: object
    yusuf_new_family: object
    nur_a: object
    nur_b: object


def _person(desa: str, name: str, born: dt.date, serial: int, **extra: object) -> object:
    sex = extra.pop("sex", c.Sex.MALE)
    nik = make_nik(desa[:8], born, sex, serial)
    return PersonFactory(name=name, birth_date=born, sex=sex, nik=nik, **extra)


def _alone(desa: str, person: object, **family: object) -> object:
    household = FamilyFactory(desa_id=desa, **family)
    MembershipFactory(family=household, person=person, relationship=c.Relationship.HEAD)
    return household


def neighbours(families: int = 12, seed: int = 5) -> None:
    """Ordinary families of distinct persons (realistic names and dates)."""
    rng = random.Random(seed)
    for f in range(families):
        desa = (DESA_A, DESA_A2, DESA_B)[f % 3]
        household = FamilyFactory(desa_id=desa)
        for i, p in enumerate(synth.plan_family(rng, rng.randint(1, 5))):
            person = _person(
                desa, p.name, p.birth_date, 100 * f + i + 1, sex=p.sex,
                mother_name=p.mother_name or synth.full_name(rng, synth.FEMALE),
                marital_status=p.marital_status,
            )  # fmt: skip
            MembershipFactory(family=household, person=person, relationship=p.relationship)


@pytest.fixture
def planted(regions: None) -> Planted:
    neighbours()
    born = dt.date(1980, 3, 12)
    old = _person(DESA_A, "Muhammad Yusuf", born, 7001, mother_name="Siti Aminah")
    _alone(DESA_A, old, address="Jl. Pasar No. 3")
    new = _person(DESA_A2, "M. Yusuf", born, 7002, mother_name="St. Aminah", birth_place="")
    new_family = _alone(DESA_A2, new, address="Jl. Pasar No. 3")
    FamilyProgramFactory(family=new_family, program=c.Program.PKH)
    nur_born = dt.date(1990, 11, 4)
    nur_a = _person(
        DESA_A, "Nurhayati", nur_born, 7003, sex=c.Sex.FEMALE, mother_name="Rohani",
        birth_place="Curup", marital_status=None,
    )  # fmt: skip
    _alone(DESA_A, nur_a)
    nur_b = _person(
        DESA_B, "Nur Hayati", nur_born, 7004, sex=c.Sex.FEMALE, mother_name="Rohani",
        birth_place="Curup", marital_status=c.MaritalStatus.SINGLE,
    )  # fmt: skip
    _alone(DESA_B, nur_b)
    return Planted(old, new, new_family, nur_a, nur_b)
