"""The pure value makers shared by the demo generator and the factories."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from dtks.core.nik import validate_nik
from dtks.demo import synth

PARENT_GAP = dt.timedelta(days=int(365.25 * 16))


@pytest.mark.parametrize(("families", "persons"), [(1, 1), (10, 10), (2188, 5936), (95, 300)])
def test_family_sizes_sum_exactly_to_the_persons(families: int, persons: int) -> None:
    sizes = synth.family_sizes(random.Random(families), families, persons)
    assert len(sizes) == families
    assert sum(sizes) == persons
    assert min(sizes) >= 1


def test_family_sizes_refuse_fewer_persons_than_families() -> None:
    with pytest.raises(ValueError):
        synth.family_sizes(random.Random(0), 5, 4)


def _families(n: int = 3000) -> list[list[synth.SynthPerson]]:
    rng = random.Random(7)
    return [synth.plan_family(rng, rng.randint(1, 9)) for _ in range(n)]


def test_every_family_has_exactly_one_head_and_a_spouse_of_the_other_sex() -> None:
    for family in _families():
        heads = [m for m in family if m.relationship == synth.HEAD]
        assert len(heads) == 1
        for spouse in (m for m in family if m.relationship == synth.SPOUSE):
            assert spouse.sex != heads[0].sex


def test_children_are_at_least_16_years_younger_than_head_and_spouse() -> None:
    for family in _families():
        parents = [m for m in family if m.relationship in (synth.HEAD, synth.SPOUSE)]
        for child in (m for m in family if m.relationship == synth.CHILD):
            assert all(child.birth_date - p.birth_date >= PARENT_GAP for p in parents)
        for elder in (m for m in family if m.relationship == synth.PARENT):
            assert parents[0].birth_date - elder.birth_date >= PARENT_GAP


def test_children_mothers_name_is_the_mother_in_the_family() -> None:
    for family in _families():
        mothers = {m.name for m in family if m.relationship in (1, 2) and m.sex == synth.FEMALE}
        for child in (m for m in family if m.relationship == synth.CHILD):
            if mothers:
                assert child.mother_name in mothers


def test_marital_status_follows_relationship() -> None:
    for family in _families():
        has_spouse = any(m.relationship == synth.SPOUSE for m in family)
        for m in family:
            if m.relationship == synth.SPOUSE or (m.relationship == synth.HEAD and has_spouse):
                assert m.marital_status == synth.MARRIED
            if m.relationship == synth.CHILD and synth.REFERENCE_DATE.year - m.birth_date.year < 16:
                assert m.marital_status == synth.SINGLE


def _with_nik(defect: str = "") -> list[synth.SynthPerson]:
    rng, serials, used = random.Random(3), synth.Serials(), set[str]()
    people = [m for family in _families(500) for m in family]
    for person in people:
        person.defect = defect
        synth.assign_nik(rng, person, "17.09.01", serials, used)
    return people


def test_clean_niks_are_unique_and_consistent_with_birth_date_and_sex() -> None:
    people = _with_nik()
    assert len({p.nik for p in people}) == len(people)
    for p in people:
        assert validate_nik(p.nik, birth_date=p.birth_date, sex=p.sex) == []


@pytest.mark.parametrize(
    "defect", ["nik_birth_date_mismatch", "nik_sex_mismatch", "nik_invalid_date", "nik_serial_zero"]
)
def test_planted_nik_defect_is_the_problem_the_nik_library_reports(defect: str) -> None:
    people = _with_nik(defect)[:300]
    for p in people:
        codes = {x.code for x in validate_nik(p.nik, birth_date=p.birth_date, sex=p.sex)}
        assert p.defect in codes or p.defect == "missing_mother_name"  # a serial-0000 clash
    assert sum(p.defect == defect for p in people) > 100


def test_attribute_defects_blank_the_attribute() -> None:
    person = synth.SynthPerson("Ani", 2, dt.date(1990, 1, 1), 1, 1, "Siti", "Bengkulu")
    person.defect = "missing_mother_name"
    synth.plant_attribute_defect(person)
    assert person.mother_name == ""
    assert person.birth_place == "Bengkulu"


def test_nik_encodes_women_day_plus_40() -> None:
    nik = synth.make_nik("17.09.01", dt.date(1985, 8, 5), synth.FEMALE, 3)
    assert nik == "1709014508850003"


def test_same_seed_same_family() -> None:
    assert synth.plan_family(random.Random(5), 5) == synth.plan_family(random.Random(5), 5)
