"""Conflict of interest: an officer tied to a family may not change it; another officer may."""

from __future__ import annotations

import datetime as dt

import pytest

from dtks.demo.synth import make_nik
from dtks.registry import actions
from dtks.registry.choices import Relationship, Sex
from dtks.registry.conflicts import ConflictOfInterestError, officers_in_registry
from dtks.registry.models import Family, Membership
from dtks.wilayah.models import Region
from tests.conftest import DESA_A
from tests.factories import FamilyFactory, MembershipFactory, PersonFactory, family_with_members


def member(family: Family, relationship: int = Relationship.HEAD) -> Membership:
    return family.memberships.filter(end_date__isnull=True, relationship=relationship).get()


def test_an_officer_whose_nik_is_a_member_may_not_change_the_family(personas, family_a):
    officer = personas.operator_a
    officer.nik = member(family_a).person.nik
    officer.save()
    with pytest.raises(ConflictOfInterestError) as refused:
        actions.update_family(family_a, by=officer, data={"address": "Jl. Baru 1"})
    assert [c.code for c in refused.value.conflicts] == ["own_nik"]
    family_a.refresh_from_db()
    assert family_a.address != "Jl. Baru 1"
    # An independent officer of the same area makes the change.
    actions.update_family(family_a, by=personas.pengisi, data={"address": "Jl. Baru 1"})
    family_a.refresh_from_db()
    assert family_a.address == "Jl. Baru 1"


def test_an_officer_may_not_register_a_family_with_their_own_no_kk(personas, regions):
    officer = personas.operator_a
    officer.no_kk = "1709010101200077"
    officer.save()
    head = {
        "nik": make_nik("17.09.01", dt.date(1980, 1, 2), Sex.MALE, 5),
        "name": "Budi",
        "birth_date": dt.date(1980, 1, 2),
        "birth_place": "Bengkulu",
        "sex": Sex.MALE,
        "mother_name": "Ani",
        "relationship": Relationship.HEAD,
    }
    with pytest.raises(ConflictOfInterestError) as refused:
        actions.create_family(
            by=officer,
            desa=Region.objects.get(code=DESA_A),
            data={"no_kk": "1709010101200077", "address": "Jl. Kenanga 3"},
            members=[head],
        )
    assert refused.value.conflicts[0].code == "own_kk"
    assert not Family.objects.filter(no_kk="1709010101200077").exists()


def test_adding_oneself_to_a_family_is_a_conflict(personas, family_a):
    officer = personas.operator_a
    officer.nik = make_nik("17.09.01", dt.date(1990, 2, 3), Sex.MALE, 44)
    officer.save()
    data = {
        "nik": officer.nik,
        "name": "Operator A",
        "birth_date": dt.date(1990, 2, 3),
        "birth_place": "Bengkulu",
        "sex": Sex.MALE,
        "mother_name": "Ani",
    }
    with pytest.raises(ConflictOfInterestError):
        actions.add_member(family_a, by=officer, data=data, relationship=Relationship.OTHER)


def test_a_family_at_the_officers_address_with_the_officers_family_name_is_a_conflict(
    personas, regions
):
    officer = personas.operator_a
    officer.first_name, officer.last_name = "Rudi", "Santoso"
    officer.no_kk = "1709010101200088"
    officer.save()
    FamilyFactory(desa_id=DESA_A, no_kk=officer.no_kk, address="Jl. Melati No. 5")
    relatives = FamilyFactory(desa_id=DESA_A, address="JL. MELATI NO 5")
    MembershipFactory(family=relatives, person=PersonFactory(name="Wati Santoso"))
    neighbours = FamilyFactory(desa_id=DESA_A, address="Jl. Melati No. 5")
    MembershipFactory(family=neighbours, person=PersonFactory(name="Wati Lestari"))

    with pytest.raises(ConflictOfInterestError) as refused:
        actions.update_family(relatives, by=officer, data={"rt": "003"})
    assert refused.value.conflicts[0].code == "same_address"
    actions.update_family(neighbours, by=officer, data={"rt": "003"})  # another family name


def test_a_member_with_the_officers_name_and_nik_birth_date_is_probably_the_officer(
    personas, regions
):
    officer = personas.operator_a
    officer.first_name, officer.last_name = "Dewi", "Anggraini"
    officer.nik = make_nik("17.09.01", dt.date(1991, 7, 8), Sex.FEMALE, 12)
    officer.save()
    family = FamilyFactory(desa_id=DESA_A)
    MembershipFactory(
        family=family,
        person=PersonFactory(name="DEWI ANGGRAINI", birth_date=dt.date(1991, 7, 8), sex=Sex.FEMALE),
    )
    with pytest.raises(ConflictOfInterestError) as refused:
        actions.update_family(family, by=officer, data={"rt": "004"})
    assert refused.value.conflicts[0].code == "probable_self"


def test_officers_who_appear_in_the_registry_are_listed(personas, family_a):
    personas.operator_a.nik = member(family_a).person.nik
    personas.operator_a.save()
    other = family_with_members(DESA_A, size=1)
    personas.pengisi.no_kk = other.no_kk
    personas.pengisi.save()
    listed = {o.user.username: (o.family.pk, o.conflict.code) for o in officers_in_registry(
        [personas.operator_a, personas.pengisi, personas.pengelola]
    )}  # fmt: skip
    assert listed == {"op_a": (family_a.pk, "own_nik"), "pengisi": (other.pk, "own_kk")}


def test_the_verifier_sees_the_officers_in_the_registry(client, personas, family_a):
    personas.operator_a.nik = member(family_a).person.nik
    personas.operator_a.save()
    client.force_login(personas.pengelola)
    page = client.get("/keluarga/petugas-terdaftar/").content.decode()
    assert "op_a" in page and family_a.id_dtks in page
    assert "pengisi" not in page
    client.force_login(personas.operator_a)
    assert client.get("/keluarga/petugas-terdaftar/").status_code == 403


def test_the_family_page_warns_an_officer_tied_to_the_family(client, personas, family_a):
    personas.operator_a.nik = member(family_a).person.nik
    personas.operator_a.save()
    client.force_login(personas.operator_a)
    page = client.get(f"/keluarga/{family_a.pk}/").content.decode()
    assert "Konflik kepentingan" in page
    client.force_login(personas.pengisi)
    assert "Konflik kepentingan" not in client.get(f"/keluarga/{family_a.pk}/").content.decode()
