"""Deactivating a whole family (penonaktifan keluarga): members, programs, audit, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.registry import actions
from dtks.registry import choices as c
from dtks.registry.conflicts import ConflictOfInterestError
from dtks.registry.models import Family, FamilyProgram, Membership, Person
from dtks.verification.models import Finding
from tests.factories import FamilyProgramFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def test_deactivates_the_family_its_members_and_ends_their_memberships(personas, family_a):
    member_ids = list(family_a.memberships.values_list("person_id", flat=True))
    actions.deactivate_family(
        family_a, by=personas.operator_a, reason="not_eligible", note="proposal=9"
    )
    family = Family.objects.get(pk=family_a.pk)
    assert (family.status, family.inactive_reason) == ("inactive", "not_eligible")
    persons = Person.objects.filter(pk__in=member_ids)
    assert {(p.status, p.inactive_reason) for p in persons} == {("inactive", "not_eligible")}
    ended = Membership.objects.filter(family=family_a)
    assert {m.end_date for m in ended} == {timezone.localdate()}
    assert {m.end_reason for m in ended} == {"Tidak layak/mampu"}  # stored in Indonesian
    assert not Membership.objects.filter(family=family_a, end_date__isnull=True).exists()
    assert family.id_dtks == family_a.id_dtks


def test_one_audit_event_lists_every_row_before_and_after(personas, family_a):
    actions.deactivate_family(family_a, by=personas.operator_a, reason="moved", note="proposal=4")
    events = AuditEvent.objects.filter(action="deactivate_family")
    kinds = sorted(e.subject_type for e in events)
    assert kinds == ["family"] + ["membership"] * 4 + ["person"] * 4
    family_event = events.get(subject_type="family")
    assert (family_event.before["status"], family_event.after["status"]) == ("active", "inactive")
    assert family_event.after["inactive_reason"] == "moved"
    assert {e.note for e in events} == {"proposal=4"}
    assert {e.family_id for e in events} == {family_a.pk}
    assert {e.actor for e in events} == {personas.operator_a}


def test_ends_the_programs_with_the_previous_month_and_opens_no_program_finding(personas, family_a):
    this_month = _month(timezone.localdate())
    last_month = _month(this_month - dt.timedelta(days=1))
    FamilyProgramFactory(family=family_a, program="pkh", start_month=dt.date(2022, 1, 1))
    FamilyProgramFactory(
        family=family_a, program="bpnt", start_month=dt.date(2021, 1, 1), end_month=this_month
    )
    FamilyProgramFactory(
        family=family_a,
        program="pip",
        start_month=dt.date(2020, 1, 1),
        end_month=dt.date(2021, 6, 1),
    )
    actions.deactivate_family(family_a, by=personas.operator_a, reason="not_eligible")
    rows = {r.program: r.end_month for r in FamilyProgram.objects.filter(family=family_a)}
    assert rows == {"pkh": last_month, "bpnt": last_month, "pip": dt.date(2021, 6, 1)}
    assert (
        AuditEvent.objects.filter(action="deactivate_family", subject_type="family_program").count()
        == 2
    )
    assert not Finding.objects.filter(
        family=family_a, rule="inactive_family_in_program", status="open"
    ).exists()


def test_refuses_a_family_whose_program_starts_this_month_and_changes_nothing(personas, family_a):
    actions.start_program(
        family_a, by=personas.operator_a, program="pkh", start_month=timezone.localdate()
    )
    with pytest.raises(DomainError) as refused:
        actions.deactivate_family(family_a, by=personas.operator_a, reason="not_eligible")
    assert (refused.value.code, refused.value.field) == ("program_starting", "programs")
    assert Family.objects.get(pk=family_a.pk).is_active
    assert Membership.objects.filter(family=family_a, end_date__isnull=True).count() == 4
    assert not AuditEvent.objects.filter(action="deactivate_family").exists()


def test_a_member_current_in_another_active_family_stays_active(personas, family_a, family_b):
    other = family_b
    head = family_a.memberships.get(relationship=c.Relationship.HEAD).person
    MembershipFactory(family=other, person=head, relationship=c.Relationship.OTHER)
    actions.deactivate_family(family_a, by=personas.operator_a, reason="duplicate")
    head.refresh_from_db()
    assert head.is_active
    assert Membership.objects.filter(family=other, person=head, end_date__isnull=True).exists()
    assert not Membership.objects.filter(family=family_a, person=head, end_date=None).exists()
    others = Person.objects.filter(memberships__family=family_a).exclude(pk=head.pk)
    assert {p.inactive_reason for p in others} == {"duplicate"}


def test_closes_the_familys_open_findings(personas, family_a):
    # A family without a head is an open finding; once it is out of DTKS it is not judged.
    family_a.memberships.filter(relationship=c.Relationship.HEAD).update(
        relationship=c.Relationship.OTHER
    )
    actions.update_family(family_a, by=personas.operator_a, data={"rt": "009"})
    found = Finding.objects.get(family=family_a, rule="family_head_count")
    assert found.status == "open"
    actions.deactivate_family(family_a, by=personas.operator_a, reason="not_eligible")
    found.refresh_from_db()
    assert found.status == "resolved"


def test_refuses_an_inactive_family_and_an_unknown_reason(personas, family_a):
    with pytest.raises(DomainError) as refused:
        actions.deactivate_family(family_a, by=personas.operator_a, reason="bored")
    assert refused.value.field == "reason"
    actions.deactivate_family(family_a, by=personas.operator_a, reason="moved")
    with pytest.raises(DomainError) as refused:
        actions.deactivate_family(family_a, by=personas.operator_a, reason="moved")
    assert refused.value.code == "inactive_family"
    assert AuditEvent.objects.filter(action="deactivate_family", subject_type="family").count() == 1


def test_refuses_outside_the_area_read_only_roles_and_a_tied_officer(personas, family_a, family_b):
    with pytest.raises(PermissionDeniedError) as refused:
        actions.deactivate_family(family_b, by=personas.operator_a, reason="moved")
    assert refused.value.code == "out_of_area"
    for user in (personas.operator_kecamatan, personas.pengesah, personas.pimpinan):
        with pytest.raises(PermissionDeniedError):
            actions.deactivate_family(family_a, by=user, reason="moved")
    nik = family_a.memberships.get(relationship=c.Relationship.HEAD).person.nik
    tied = UserFactory(username="op_tied", nik=nik, roles=[("operator_desa", family_a.desa_id)])
    with pytest.raises(ConflictOfInterestError):
        actions.deactivate_family(family_a, by=tied, reason="not_eligible")
    assert Family.objects.filter(status="active").count() == 2  # family A and B
    assert not AuditEvent.objects.filter(action="deactivate_family").exists()


def test_inside_deferred_rechecks_the_check_waits_for_the_end(personas, family_a):
    with actions.deferred_rechecks():
        actions.deactivate_family(family_a, by=personas.operator_a, reason="not_eligible")
        assert not AuditEvent.objects.filter(action="run_checks").exists()
    assert AuditEvent.objects.filter(action="run_checks").exists()
