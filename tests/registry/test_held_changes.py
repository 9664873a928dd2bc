"""Held changes (`registry.held`): what may be held, what an approval must be, and that every
step is atomic and audited."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from dtks.accounts.roles import Role
from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.registry import actions, held
from dtks.registry.approval import Approval
from dtks.registry.conflicts import ConflictOfInterestError, conflicts, subject_of
from dtks.registry.models import Family, HeldChange
from tests.conftest import KAB
from tests.factories import UserFactory


@pytest.fixture
def tied(personas, family_a):
    """Operator A, whose own No. KK is family A's."""
    personas.operator_a.no_kk = family_a.no_kk
    personas.operator_a.save()
    return personas.operator_a


def hold_rt(user, family: Family, rt: str = "009") -> HeldChange:
    payload = held.family_payload(family, rt=rt)
    return held.hold_change(by=user, action="update_family", family=family, payload=payload)


def test_without_an_approval_a_tied_officer_is_refused_as_before(tied, family_a):
    with pytest.raises(ConflictOfInterestError) as refused:
        actions.update_family(family_a, by=tied, data={"rt": "009"})
    assert refused.value.code == "conflict_of_interest"
    assert [c.code for c in refused.value.conflicts] == ["own_kk"]


def test_an_officer_not_tied_to_the_family_is_told_to_make_the_change(personas, family_a):
    with pytest.raises(DomainError) as refused:
        hold_rt(personas.operator_a, family_a)
    assert refused.value.code == "no_conflict"
    assert not HeldChange.objects.exists()


def test_a_payload_that_the_form_refuses_is_not_held(tied, family_a):
    with pytest.raises(DomainError) as refused:
        hold_rt(tied, family_a, rt="12345")
    assert refused.value.field == "rt"
    assert not HeldChange.objects.exists() and not AuditEvent.objects.exists()


def test_an_officer_outside_the_area_cannot_hold(personas, family_a):
    personas.operator_b.no_kk = family_a.no_kk
    personas.operator_b.save()
    with pytest.raises(PermissionDeniedError):
        hold_rt(personas.operator_b, family_a)


def test_a_held_change_keeps_its_ties_and_is_audited(tied, family_a):
    change = hold_rt(tied, family_a)
    assert change.conflicts == [
        {"code": "own_kk", "message": conflicts(tied, subject_of(family_a))[0].message}
    ]
    event = AuditEvent.objects.get(action="hold_change")
    assert (event.actor, event.family_id, event.region_code) == (
        tied,
        family_a.pk,
        family_a.desa_id,
    )
    assert event.after["payload"]["family"]["rt"] == "009"


def test_an_approval_must_belong_to_a_pending_request_of_the_same_officer(personas, tied, family_a):
    forged = Approval(held_change_id=999, approver=personas.pengelola)
    with pytest.raises(PermissionDeniedError) as refused:
        actions.update_family(family_a, by=tied, data={"rt": "009"}, approval=forged)
    assert refused.value.code == "no_approval"
    change = hold_rt(tied, family_a)
    someone_else = UserFactory(username="op_lain", roles=[(Role.OPERATOR_DESA, family_a.desa_id)])
    someone_else.nik = family_a.current_memberships().first().person.nik  # tied too
    someone_else.save()
    with pytest.raises(PermissionDeniedError):
        actions.update_family(
            family_a, by=someone_else, data={"rt": "009"}, approval=Approval(change.pk, tied)
        )


def test_a_verifier_who_asked_may_not_approve_their_own_request(personas, family_a):
    verifier = personas.pengelola
    verifier.no_kk = family_a.no_kk
    verifier.save()
    change = hold_rt(verifier, family_a)
    with pytest.raises(PermissionDeniedError) as refused:
        held.approve_held_change(change, by=verifier)
    assert refused.value.code == "own_request"


def test_a_second_verifier_tied_to_the_family_may_not_approve(tied, family_a):
    cousin = UserFactory(username="pengelola_2", roles=[(Role.PENGELOLA, KAB)])
    cousin.nik = family_a.current_memberships().first().person.nik
    cousin.save()
    change = hold_rt(tied, family_a)
    with pytest.raises(PermissionDeniedError) as refused:
        held.approve_held_change(change, by=cousin)
    assert refused.value.code == "approver_conflict"
    assert not held.may_decide(cousin, change)
    change.refresh_from_db()
    assert change.is_pending


def test_a_decided_request_cannot_be_decided_again(personas, tied, family_a):
    change = hold_rt(tied, family_a)
    held.approve_held_change(change, by=personas.pengelola, note="sesuai KK")
    with pytest.raises(DomainError) as refused:
        held.refuse_held_change(change, by=personas.pengelola, note="x")
    assert refused.value.code == "decided"
    with pytest.raises(DomainError):
        held.withdraw_held_change(change, by=tied)
    family_a.refresh_from_db()
    assert family_a.rt == "009"


def test_the_approved_change_is_recorded_as_the_requesters_with_the_approver(
    personas, tied, family_a
):
    change = hold_rt(tied, family_a)
    held.approve_held_change(change, by=personas.pengelola)
    applied = AuditEvent.objects.get(action="update_family")
    assert applied.actor == tied and applied.before["rt"] != "009" and applied.after["rt"] == "009"
    assert applied.note == f"held_change={change.pk} approved_by=pengelola"


def test_a_person_change_names_the_person(tied, family_a):
    with pytest.raises(DomainError) as refused:
        held.hold_change(by=tied, action="remove_member", family=family_a, payload={})
    assert refused.value.code == "invalid_action"


def test_the_ties_come_from_the_setting(tied, family_a, personas):
    personas.operator_a.no_kk = ""
    personas.operator_a.save()
    with override_settings(DTKS_CONFLICT_TIES=["tests.registry.test_held_changes.always_tied"]):
        codes = [c.code for c in conflicts(personas.operator_a, subject_of(family_a))]
    assert codes == ["test_tie"]


def always_tied(user, subject):
    from dtks.registry.conflicts import Conflict

    return [Conflict("test_tie", "-")]


def test_the_approvals_page_costs_the_same_for_more_requests(client, personas, tied, family_a):
    client.force_login(personas.pengelola)
    hold_rt(tied, family_a)
    with CaptureQueriesContext(connection) as one:
        client.get("/keluarga/persetujuan/")
    hold_rt(tied, family_a, rt="010")
    hold_rt(tied, family_a, rt="011")
    with CaptureQueriesContext(connection) as three:
        page = client.get("/keluarga/persetujuan/").content.decode()
    assert len(three) == len(one)
    assert page.count("/keluarga/persetujuan/") >= 3
