"""Ratification applies a batch to the registry atomically and links every change."""

from __future__ import annotations

import pytest

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError
from dtks.proposals import actions
from dtks.proposals.models import Status
from dtks.registry.models import FamilyProgram, Person

from .conftest import new_member_payload, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def finalised(batch, personas, family_a, make_proposal):
    child = family_a.memberships.filter(relationship=3).first().person
    made = [
        make_proposal(payload={"person": {"name": "Kepala Diperbaiki"}}),
        actions.create_proposal(
            batch,
            by=personas.operator_a,
            kind="new_member",
            family=family_a,
            payload=new_member_payload(),
        ),
        actions.create_proposal(
            batch, by=personas.operator_a, kind="deactivate", subtype="moved", person=child
        ),
        actions.create_proposal(
            batch, by=personas.operator_a, kind="program", subtype="pkh", family=family_a
        ),
    ]
    return [walk(p, "finalised", personas) for p in made]


def test_ratifying_a_batch_applies_every_change_and_links_it(finalised, personas, family_a):
    done = actions.ratify_batch(finalised[0].batch, by=personas.pengesah)
    assert [p.status for p in done] == [Status.RATIFIED] * 4
    fix, member, leave, program = done
    assert fix.person.__class__.objects.get(pk=fix.person_id).name == "Kepala Diperbaiki"
    new_person = Person.objects.get(pk=member.result["person_ids"][0])
    assert new_person.nik == "1709016501100004"
    assert Person.objects.get(pk=leave.person_id).status == "inactive"
    assert FamilyProgram.objects.filter(family=family_a, program="pkh").exists()
    for proposal in done:
        events = AuditEvent.objects.filter(pk__in=proposal.result["audit_events"])
        assert events.exists()
        assert all(e.family_id == family_a.pk for e in events)
    assert {e.action for e in AuditEvent.objects.filter(pk__in=fix.result["audit_events"])} >= {
        "update_person"
    }
    assert AuditEvent.objects.get(pk=program.result["audit_events"][0]).note == (
        f"proposal={program.pk}"
    )


def test_one_refused_change_leaves_the_whole_batch_unapplied(finalised, personas, family_a):
    # The proposed new member's NIK is taken by an active person before ratification.
    someone = family_a.memberships.get(relationship=2).person
    Person.objects.filter(pk=someone.pk).update(nik="1709016501100004")
    head = finalised[0].person
    with pytest.raises(DomainError) as refused:
        actions.ratify_batch(finalised[0].batch, by=personas.pengesah)
    assert f"#{finalised[1].pk}" in refused.value.message
    head.refresh_from_db()
    assert head.name != "Kepala Diperbaiki"
    assert not FamilyProgram.objects.filter(family=family_a, program="pkh").exists()
    for proposal in finalised:
        proposal.refresh_from_db()
        assert (proposal.status, proposal.result) == (Status.FINALISED, {})


def test_new_family_is_created_on_ratification(batch, personas):
    from .test_windows_rules import _member

    members = [_member(1, 1), _member(2, 2, sex=2, nik=None)]
    import datetime as dt

    from tests.factories import make_nik

    members[1]["nik"] = make_nik("17.09.01", dt.date(1982, 3, 4), 2, 7002)
    proposal = actions.create_proposal(
        batch,
        by=personas.operator_a,
        kind="new_family",
        payload={
            "family": {"no_kk": "1709010101150099", "address": "Jl. Baru"},
            "members": members,
        },
    )
    proposal = walk(proposal, "ratified", personas)
    assert proposal.family is not None
    assert proposal.family.no_kk == "1709010101150099"
    assert len(proposal.result["person_ids"]) == 2


def test_changes_take_effect_on_the_day_of_ratification(finalised, personas, family_a):
    """Ratified on 28 August 2023: the new member joins and the leaver leaves on that day,
    not on the day the registry happens to be written."""
    import datetime as dt

    from django.utils import timezone

    from dtks.registry.models import Membership

    when = timezone.make_aware(dt.datetime(2023, 8, 28, 10, 0))
    _fix, member, leave, _program = actions.ratify_batch(
        finalised[0].batch, by=personas.pengesah, when=when
    )
    joined = Membership.objects.get(person_id=member.result["person_ids"][0], family=family_a)
    left = Membership.objects.get(person_id=leave.person_id, family=family_a)
    assert joined.start_date == dt.date(2023, 8, 28)
    assert left.end_date == dt.date(2023, 8, 28)
