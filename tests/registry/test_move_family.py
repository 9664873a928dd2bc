"""Moving a family to another desa (perbaikan data: pindah desa): refusals, audit, recheck."""

from __future__ import annotations

import pytest

from dtks.accounts.roles import Role
from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.registry import actions
from dtks.registry.conflicts import ConflictOfInterestError
from dtks.registry.models import Family, Person
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, DESA_A2, DESA_B, KEC_A
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _move(family, user, code, **kw):
    return actions.move_family(family, by=user, desa=Region.objects.get(code=code), **kw)


def test_kabupaten_officer_moves_a_family_and_the_change_is_audited(personas, family_a):
    before = Family.objects.get(pk=family_a.pk)
    moved = _move(
        family_a, personas.pengisi, DESA_B, address="Jl. Air Sebakul 3", rt="004", rw="002"
    )
    moved.refresh_from_db()
    assert (moved.desa_id, moved.address, moved.rt, moved.rw, moved.dusun) == (
        DESA_B,
        "Jl. Air Sebakul 3",
        "004",
        "002",
        "",
    )
    assert moved.id_dtks == before.id_dtks
    event = AuditEvent.objects.get(action="move_family")
    assert (event.before["desa_id"], event.after["desa_id"]) == (DESA_A, DESA_B)
    assert (event.family_id, event.region_code, event.actor) == (
        family_a.pk,
        DESA_B,
        personas.pengisi,
    )
    assert Family.objects.in_wilayah(DESA_B).filter(pk=family_a.pk).exists()


def test_moving_keeps_the_address_when_none_is_given_and_rechecks(regions, family_a):
    # An operator of both desa (two assignments) may move a family between them.
    both = UserFactory(
        username="op_two", roles=[(Role.OPERATOR_DESA, DESA_A), (Role.OPERATOR_DESA, DESA_A2)]
    )
    address = family_a.address
    _move(family_a, both, DESA_A2, note="proposal=3")
    family_a.refresh_from_db()
    assert (family_a.desa_id, family_a.address) == (DESA_A2, address)
    assert AuditEvent.objects.get(action="move_family").note == "proposal=3"
    recheck = AuditEvent.objects.filter(action="run_checks", subject_id=f"family:{family_a.pk}")
    assert recheck.get().region_code == DESA_A2


def test_refuses_the_same_desa(personas, family_a):
    with pytest.raises(DomainError) as refused:
        _move(family_a, personas.operator_a, DESA_A, address="Jl. Lain")
    assert (refused.value.code, refused.value.field) == ("same_desa", "desa")


def test_refuses_a_desa_outside_the_users_area(personas, family_a):
    # The desa operator may edit desa A only, even inside the same kecamatan.
    for code in (DESA_A2, DESA_B):
        with pytest.raises(PermissionDeniedError) as refused:
            _move(family_a, personas.operator_a, code)
        assert refused.value.code == "out_of_area"
    assert Family.objects.get(pk=family_a.pk).desa_id == DESA_A
    assert not AuditEvent.objects.filter(action="move_family").exists()


def test_refuses_a_family_outside_the_users_area_and_read_only_roles(personas, family_b):
    for user in (personas.operator_a, personas.operator_kecamatan, personas.pimpinan):
        with pytest.raises(PermissionDeniedError):
            _move(family_b, user, DESA_A)
    assert Family.objects.get(pk=family_b.pk).desa_id == DESA_B


def test_refuses_a_region_that_is_not_a_desa(personas, family_a):
    with pytest.raises(DomainError) as refused:
        _move(family_a, personas.pengisi, KEC_A)
    assert refused.value.code == "not_a_desa"


def test_refuses_an_officer_tied_to_the_family(regions, family_a):
    nik = Person.objects.filter(memberships__family=family_a).values_list("nik", flat=True)[0]
    tied = UserFactory(username="pengisi_tied", nik=nik, roles=[(Role.PENGISI_DATA, "17.09")])
    with pytest.raises(ConflictOfInterestError):
        _move(family_a, tied, DESA_B)
    assert Family.objects.get(pk=family_a.pk).desa_id == DESA_A


def test_refuses_a_move_onto_the_officers_own_address(regions, family_a, family_b):
    # The officer's own family lives in desa B; moving family A to that very address, where a
    # member carries the officer's family name, ties the officer to it.
    own = Family.objects.get(pk=family_b.pk)
    Person.objects.filter(memberships__family=family_a).update(name="Budi Harahap")
    officer = UserFactory(
        username="pengisi_same_address",
        no_kk=own.no_kk,
        first_name="Andi",
        last_name="Harahap",
        roles=[(Role.PENGISI_DATA, "17.09")],
    )
    with pytest.raises(ConflictOfInterestError):
        _move(family_a, officer, DESA_B, address=own.address)
