"""Registry actions: atomic, audited, permission and area checked inside the action."""

from __future__ import annotations

import datetime as dt

import pytest

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.registry import actions
from dtks.registry import choices as c
from dtks.registry.models import Family, Membership, Person
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, DESA_B
from tests.registry.helpers import member_fields, new_no_kk

FAMILY = {"address": "Jl. Pasar No. 1", "rt": "001", "rw": "002"}


def _member(**kw: object) -> dict:
    data = member_fields(**kw)
    data["birth_date"] = dt.date.fromisoformat(data["birth_date"])
    return data


def _create(user, desa=DESA_A, members=None, **family):
    return actions.create_family(
        by=user,
        desa=Region.objects.get(code=desa),
        data={**FAMILY, "no_kk": new_no_kk(desa[:8]), **family},
        members=members if members is not None else [_member()],
    )


def test_create_family_records_family_person_and_membership_events(personas):
    family = _create(personas.operator_a)
    events = AuditEvent.objects.filter(family_id=family.pk, action="create_family")
    assert sorted(events.values_list("subject_type", flat=True)) == [
        "family",
        "membership",
        "person",
    ]
    assert family.id_dtks.startswith(DESA_A.replace(".", "") + "K")
    assert events.get(subject_type="family").actor == personas.operator_a


def test_bad_member_row_saves_nothing(personas):
    members = [_member(), _member(relationship=c.Relationship.CHILD, nik="123")]
    with pytest.raises(DomainError) as caught:
        _create(personas.operator_a, members=members)
    assert caught.value.field == "members.1.nik"
    assert not Family.objects.exists()
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


def test_refuses_family_without_exactly_one_head(personas):
    with pytest.raises(DomainError) as caught:
        _create(personas.operator_a, members=[_member(relationship=c.Relationship.CHILD)])
    assert caught.value.field == "members"


def test_operator_cannot_create_family_in_another_desa(personas):
    with pytest.raises(PermissionDeniedError):
        _create(personas.operator_a, desa=DESA_B)
    assert not Family.objects.exists()


def test_read_only_role_cannot_edit(personas, family_a):
    with pytest.raises(PermissionDeniedError):
        actions.update_family(family_a, by=personas.pimpinan, data={"address": "Jl. Baru"})


def test_duplicate_nik_inside_area_points_to_the_family(personas, family_a):
    taken = family_a.memberships.first().person.nik
    with pytest.raises(actions.DuplicateNikError) as caught:
        _create(personas.operator_a, members=[_member(nik=taken)])
    assert caught.value.family == family_a
    assert family_a.id_dtks in caught.value.message


def test_duplicate_nik_outside_area_reveals_nothing(personas, family_b):
    taken = family_b.memberships.first().person
    with pytest.raises(actions.DuplicateNikError) as caught:
        _create(personas.operator_a, members=[_member(nik=taken.nik)])
    assert caught.value.family is None
    assert family_b.id_dtks not in caught.value.message
    assert taken.name not in caught.value.message
    assert "Dinas Sosial" in caught.value.message


def test_update_person_records_before_and_after(personas, family_a):
    person = family_a.memberships.first().person
    actions.update_person(
        person, by=personas.operator_a, data={"name": "Ahmad Baru"}, family=family_a
    )
    event = AuditEvent.objects.get(action="update_person", subject_type="person")
    assert event.before["name"] != "Ahmad Baru"
    assert event.after["name"] == "Ahmad Baru"
    assert event.family_id == family_a.pk
    assert event.region_code == DESA_A


def test_nik_contradicting_birth_date_is_saved_and_becomes_a_finding(personas, family_a):
    person = family_a.memberships.first().person
    wrong_day = person.nik[:6] + "28" + person.nik[8:]
    actions.update_person(person, by=personas.operator_a, data={"nik": wrong_day}, family=family_a)
    person.refresh_from_db()
    assert person.nik == wrong_day
    assert person.findings.filter(status="open").exists()


def test_end_membership_keeps_history_and_refuses_date_before_start(personas, family_a):
    membership = family_a.memberships.filter(relationship=c.Relationship.CHILD).first()
    with pytest.raises(DomainError) as caught:
        actions.end_membership(
            membership, by=personas.operator_a, reason="pindah", end_date=dt.date(2000, 1, 1)
        )
    assert caught.value.field == "end_date"
    actions.end_membership(
        membership, by=personas.operator_a, reason="menikah", end_date=dt.date(2024, 1, 1)
    )
    assert Membership.objects.get(pk=membership.pk).end_date == dt.date(2024, 1, 1)


def test_deactivate_person_ends_membership_and_frees_the_nik(personas, family_a):
    person = family_a.memberships.filter(relationship=c.Relationship.CHILD).first().person
    actions.deactivate_person(person, by=personas.operator_a, reason=c.InactiveReason.DIED)
    person.refresh_from_db()
    assert person.status == c.RecordStatus.INACTIVE
    assert not person.memberships.filter(end_date__isnull=True).exists()
    # An inactive person's NIK no longer blocks a new record (a corrected re-registration).
    actions.add_member(
        family_a,
        by=personas.operator_a,
        data=_member(nik=person.nik, relationship=c.Relationship.CHILD),
        relationship=c.Relationship.CHILD,
    )


def test_remove_member_with_a_bad_deactivation_reason_changes_nothing(personas, family_a):
    membership = family_a.memberships.filter(relationship=c.Relationship.CHILD).first()
    with pytest.raises(DomainError):
        actions.remove_member(
            membership,
            by=personas.operator_a,
            reason="meninggal",
            end_date=dt.date(2024, 1, 1),
            deactivate_reason="not-a-reason",
        )
    assert Membership.objects.get(pk=membership.pk).end_date is None
    assert Person.objects.get(pk=membership.person_id).status == c.RecordStatus.ACTIVE


def test_remove_member_can_also_deactivate_the_person(personas, family_a):
    membership = family_a.memberships.filter(relationship=c.Relationship.CHILD).first()
    actions.remove_member(
        membership,
        by=personas.operator_a,
        reason="meninggal",
        end_date=dt.date(2024, 1, 1),
        deactivate_reason=c.InactiveReason.DIED,
    )
    person = Person.objects.get(pk=membership.person_id)
    assert person.status == c.RecordStatus.INACTIVE
    assert person.inactive_reason == c.InactiveReason.DIED
