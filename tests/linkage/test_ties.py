"""Linkage ties of the conflict-of-interest check: spelling variants of an officer's name, a
transposed NIK date, a normalised address, and the model's list of officers in the registry."""

from __future__ import annotations

import datetime as dt

import pytest

from dtks.accounts.models import User
from dtks.demo.synth import make_nik
from dtks.linkage.ties import (
    address_key,
    nik_dates,
    probable_member,
    probable_officers,
    same_household,
)
from dtks.registry.choices import Sex
from dtks.registry.conflicts import Subject, conflicts
from dtks.registry.models import Person
from tests.conftest import DESA_A, DESA_A2
from tests.factories import FamilyFactory, MembershipFactory, PersonFactory, UserFactory

BORN = dt.date(1980, 3, 12)


def officer(name: str, born: dt.date = BORN, sex: int = Sex.MALE, **fields: object) -> User:
    """An officer not saved anywhere: the name ties need no database."""
    first, _, last = name.rpartition(" ")
    nik = make_nik("17.09.01", born, sex, 7)
    return User(pk=1, first_name=first, last_name=last, nik=nik, **fields)


def family_of(*members: tuple[str, dt.date, int], address: str = "Jl. Kenanga 1") -> Subject:
    rows = tuple(
        (f"170901{i:010d}", name, born, sex) for i, (name, born, sex) in enumerate(members)
    )
    return Subject("1709010101200001", DESA_A, address, rows)


@pytest.mark.parametrize(
    ("officer_name", "member_name"),
    [
        ("Muhammad Yusuf", "M. Yusuf"),
        ("Muhammad Yusuf", "Moh. Joesoef"),
        ("Siti Aminah", "St. Aminah"),
        ("Djoko Santoso", "Joko Santoso"),
        ("Achmad Fauzi", "Ahmad Fauzy"),
    ],
)
def test_a_member_with_a_variant_of_the_officers_name_and_nik_date_is_linked(
    officer_name: str, member_name: str
) -> None:
    sex = Sex.FEMALE if officer_name.startswith("Siti") else Sex.MALE
    user = officer(officer_name, sex=sex)
    found = probable_member(user, family_of((member_name, BORN, sex)))
    assert [c.code for c in found] == ["linked_self"]


def test_a_transposed_day_and_month_still_links() -> None:
    user = officer("Muhammad Yusuf")
    assert nik_dates(BORN) == {BORN, dt.date(1980, 12, 3)}
    found = probable_member(user, family_of(("Moh. Yusuf", dt.date(1980, 12, 3), Sex.MALE)))
    assert [c.code for c in found] == ["linked_self"]


@pytest.mark.parametrize(
    ("member", "why"),
    [
        (("Moh. Yusuf", dt.date(1981, 3, 12), Sex.MALE), "another birth date"),
        (("Moh. Yusuf", BORN, Sex.FEMALE), "another sex"),
        (("Moh. Rahmat", BORN, Sex.MALE), "another name"),
    ],
)
def test_no_link_when_date_sex_or_name_differ(member: tuple, why: str) -> None:
    assert probable_member(officer("Muhammad Yusuf"), family_of(member)) == [], why


@pytest.mark.django_db
def test_the_exact_name_is_said_once_as_probable_self() -> None:
    codes = [
        c.code for c in conflicts(officer("Muhammad Yusuf"), family_of(("MUHAMMAD YUSUF", BORN, 1)))
    ]
    assert codes == ["probable_self"]


def test_addresses_compare_in_one_writing() -> None:
    assert address_key("Jalan Melati No. 05, RT 003") == address_key("JL MELATI 5 RT 3")
    assert address_key("Jl. Soedirman 7") == address_key("Jl. Sudirman No 7")
    assert address_key("Jl. Melati No. 5") != address_key("Jl. Melati No. 7")


def test_a_family_at_the_officers_address_with_a_variant_family_name_is_linked(regions) -> None:
    user = UserFactory(first_name="Rudi", last_name="Suharto", no_kk="1709010101200088")
    FamilyFactory(desa_id=DESA_A, no_kk=user.no_kk, address="Jl. Melati No. 5")
    relatives = family_of(("Wati Soeharto", dt.date(1990, 1, 1), 2), address="JALAN MELATI NO 05")
    strangers = family_of(("Wati Lestari", dt.date(1990, 1, 1), 2), address="JALAN MELATI NO 05")
    elsewhere = Subject(relatives.no_kk, DESA_A2, relatives.address, relatives.members)
    assert [c.code for c in same_household(user, relatives)] == ["linked_family"]
    assert same_household(user, strangers) == []
    assert same_household(user, elsewhere) == []  # another desa
    # Written exactly alike, the registry's own `same_address` says it, once.
    exact = family_of(("Wati Suharto", dt.date(1990, 1, 1), 2), address="Jl. Melati No. 5")
    assert [c.code for c in conflicts(user, exact)] == ["same_address"]


def test_probable_officers_finds_an_officer_under_another_nik(regions) -> None:
    user = UserFactory(
        username="op_yusuf",
        first_name="Muhammad",
        last_name="Yusuf",
        nik=make_nik("17.09.01", BORN, Sex.MALE, 7),
    )
    namesake = UserFactory(
        username="op_namesake",
        first_name="Muhammad",
        last_name="Yusuf",
        nik=make_nik("17.09.01", dt.date(1962, 5, 1), Sex.MALE, 8),
    )
    family = FamilyFactory(desa_id=DESA_A)
    MembershipFactory(
        family=family,
        person=PersonFactory(name="Moh. Joesoef", birth_date=BORN, sex=Sex.MALE),
    )
    for i in range(30):  # ordinary neighbours born near the officer
        MembershipFactory(
            family=FamilyFactory(desa_id=DESA_A),
            person=PersonFactory(birth_date=BORN + dt.timedelta(days=9 * i), sex=Sex.MALE),
        )
    found = probable_officers([user, namesake], Person.objects.all())
    assert [(o.user.username, o.family.pk, o.conflict.code) for o in found] == [
        ("op_yusuf", family.pk, "linked_person")
    ]
    assert 0.5 <= found[0].probability <= 1


def test_probable_officers_skips_officers_without_a_nik(regions) -> None:
    assert (
        probable_officers([UserFactory(first_name="Tanpa", last_name="NIK")], Person.objects.all())
        == []
    )
