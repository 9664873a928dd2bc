"""Program membership actions: start and end a family's program, audited and rechecked."""

from __future__ import annotations

import datetime as dt

import pytest

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.registry import actions
from dtks.registry import choices as c
from dtks.registry.conflicts import ConflictOfInterestError
from dtks.registry.models import Family, FamilyProgram, Person
from dtks.verification.models import Finding
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AUGUST = dt.date(2023, 8, 17)


def test_start_program_opens_a_period_from_the_first_of_the_month(personas, family_a):
    row = actions.start_program(
        family_a, by=personas.operator_a, program="pkh", start_month=AUGUST, note="proposal=7"
    )
    assert (row.program, row.start_month, row.end_month) == ("pkh", dt.date(2023, 8, 1), None)
    event = AuditEvent.objects.get(action="start_program")
    assert (event.subject_id, event.family_id, event.note) == (
        str(row.pk),
        family_a.pk,
        "proposal=7",
    )
    assert event.before is None and event.after["program"] == "pkh"
    assert event.actor == personas.operator_a


def test_start_program_rechecks_the_family(personas, family_a):
    child = Person.objects.filter(memberships__family=family_a, memberships__relationship=3)[0]
    Person.objects.filter(pk=child.pk).update(presence=c.Presence.DIED)
    actions.start_program(family_a, by=personas.operator_a, program="pkh", start_month=AUGUST)
    found = Finding.objects.get(family=family_a, rule="deceased_member_in_program")
    assert found.status == "open"
    actions.end_program(family_a, by=personas.operator_a, program="pkh", end_month=AUGUST)
    found.refresh_from_db()
    assert (found.status, found.closed_by) == ("resolved", personas.operator_a)


def test_start_program_refuses_a_program_already_received(personas, family_a):
    actions.start_program(family_a, by=personas.operator_a, program="bpnt", start_month=AUGUST)
    with pytest.raises(DomainError) as refused:
        actions.start_program(
            family_a, by=personas.operator_a, program="bpnt", start_month=dt.date(2023, 10, 1)
        )
    assert refused.value.code == "program_running"
    assert FamilyProgram.objects.filter(family=family_a).count() == 1


def test_start_program_refuses_an_unknown_program_and_an_inactive_family(personas, family_a):
    with pytest.raises(DomainError) as refused:
        actions.start_program(family_a, by=personas.operator_a, program="zz", start_month=AUGUST)
    assert refused.value.field == "program"
    Family.objects.filter(pk=family_a.pk).update(status=c.RecordStatus.INACTIVE)
    with pytest.raises(DomainError) as refused:
        actions.start_program(family_a, by=personas.operator_a, program="pkh", start_month=AUGUST)
    assert refused.value.code == "inactive_family"
    assert not FamilyProgram.objects.exists()
    assert not AuditEvent.objects.filter(action="start_program").exists()


def test_program_actions_refuse_outside_the_area_and_read_only_roles(personas, family_a):
    for user in (personas.operator_b, personas.pimpinan, personas.pengesah):
        with pytest.raises(PermissionDeniedError):
            actions.start_program(family_a, by=user, program="pkh", start_month=AUGUST)
    actions.start_program(family_a, by=personas.operator_a, program="pkh", start_month=AUGUST)
    with pytest.raises(PermissionDeniedError):
        actions.end_program(family_a, by=personas.operator_b, program="pkh", end_month=AUGUST)


def test_program_actions_refuse_an_officer_tied_to_the_family(regions, family_a):
    nik = Person.objects.filter(memberships__family=family_a).values_list("nik", flat=True)[0]
    tied = UserFactory(username="op_tied", nik=nik, roles=[("operator_desa", family_a.desa_id)])
    with pytest.raises(ConflictOfInterestError):
        actions.start_program(family_a, by=tied, program="pkh", start_month=AUGUST)
    assert not FamilyProgram.objects.exists()


def test_end_program_closes_the_open_period_and_keeps_it(personas, family_a):
    row = actions.start_program(family_a, by=personas.operator_a, program="pip", start_month=AUGUST)
    ended = actions.end_program(
        family_a, by=personas.operator_a, program="pip", end_month=dt.date(2023, 12, 31)
    )
    assert (ended.pk, ended.end_month) == (row.pk, dt.date(2023, 12, 1))
    event = AuditEvent.objects.get(action="end_program")
    assert (event.before["end_month"], event.after["end_month"]) == (None, "2023-12-01")


def test_end_program_refuses_no_open_period_and_an_end_before_the_start(personas, family_a):
    with pytest.raises(DomainError) as refused:
        actions.end_program(family_a, by=personas.operator_a, program="pkh", end_month=AUGUST)
    assert refused.value.code == "no_program"
    actions.start_program(family_a, by=personas.operator_a, program="pkh", start_month=AUGUST)
    with pytest.raises(DomainError) as refused:
        actions.end_program(
            family_a, by=personas.operator_a, program="pkh", end_month=dt.date(2023, 7, 1)
        )
    assert refused.value.field == "end_month"
    assert FamilyProgram.objects.get(family=family_a).end_month is None
