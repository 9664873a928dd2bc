"""Ratifying many proposals at once: the checks judged once per batch give the answers the
per-proposal checks give, a family changed earlier in the same call is judged again, and the
audit events appended at the end keep the chain verifiable."""

from __future__ import annotations

import pytest

from dtks.accounts.roles import Role
from dtks.audit.models import AuditEvent
from dtks.audit.record import verify_chain
from dtks.core.errors import DomainError
from dtks.proposals import actions
from dtks.proposals.batch_checks import ties_by_proposal
from dtks.proposals.data import subject
from dtks.proposals.models import Proposal, Status
from dtks.registry.conflicts import conflicts
from dtks.registry.models import Family, Person
from tests.conftest import DESA_A, KAB
from tests.factories import UserFactory, family_with_members

from .conftest import new_member_payload, walk

pytestmark = pytest.mark.django_db

ADDRESS = "Jl. Melati No. 5"


@pytest.fixture
def santoso(regions):
    """A pengesah named Budi Santoso whose own family lives at ADDRESS in desa A."""
    own = family_with_members(DESA_A, size=2, address=ADDRESS)
    head = own.memberships.get(relationship=1).person
    return UserFactory(
        username="pengesah_santoso",
        first_name="Budi",
        last_name="Santoso",
        nik=head.nik,
        no_kk=own.no_kk,
        roles=[(Role.PENGESAH, KAB)],
    )


def _propose(batch, personas, kind, **target):
    draft = actions.create_proposal(batch, by=personas.operator_a, kind=kind, **target)
    return walk(draft, "finalised", personas)


def test_set_based_ties_equal_the_ties_judged_one_by_one(batch, personas, santoso, family_a):
    own = Family.objects.get(no_kk=santoso.no_kk)
    neighbour = family_with_members(DESA_A, size=3, address="jl melati no 5")
    Person.objects.filter(memberships__family=neighbour, memberships__relationship=1).update(
        name="Joko Santoso"
    )
    head = family_a.memberships.get(relationship=1).person
    me = new_member_payload(nik="1709016501100009", name="Budi Santoso", sex=1)
    me["person"]["birth_date"] = Person.objects.get(nik=santoso.nik).birth_date.isoformat()
    made = [
        Proposal(batch=batch, kind="program", subtype="pkh", family=own),
        Proposal(batch=batch, kind="program", subtype="bpnt", family=neighbour),
        Proposal(batch=batch, kind="correct_person", family=family_a, person=head, payload={}),
        Proposal(batch=batch, kind="new_member", family=family_a, payload=me),
        Proposal(batch=batch, kind="new_family", payload={"family": {"no_kk": santoso.no_kk}}),
        Proposal(batch=batch, kind="new_family", payload={"family": {"address": ADDRESS}}),
    ]
    for pk, proposal in enumerate(made, start=1):
        proposal.pk = pk
    plain = UserFactory(username="no_identity", roles=[(Role.PENGESAH, KAB)])
    for user in (santoso, personas.pengesah, plain):
        expected = {p.pk: conflicts(user, subject(p)) for p in made}
        assert ties_by_proposal(user, made) == expected
    assert [bool(t) for t in ties_by_proposal(santoso, made).values()] == [
        True, True, False, True, True, False,
    ]  # fmt: skip


def test_a_family_an_earlier_proposal_moved_to_the_pengesahs_address_is_judged_again(
    batch, personas, santoso
):
    family = family_with_members(DESA_A, size=3, address="Jl. Mawar 1")
    Person.objects.filter(memberships__family=family, memberships__relationship=1).update(
        name="Sari Santoso"
    )
    moved = _propose(batch, personas, "correct_family", family=family,
                     payload={"family": {"address": ADDRESS}})  # fmt: skip
    program = _propose(batch, personas, "program", subtype="pkh", family=family)

    with pytest.raises(DomainError) as refused:
        actions.ratify_batch(batch, by=santoso)

    assert refused.value.code == "conflict_of_interest"
    for proposal in (moved, program):
        proposal.refresh_from_db()
        assert proposal.status == Status.FINALISED
    assert Family.objects.get(pk=family.pk).address == "Jl. Mawar 1"
    assert actions.ratify_batch(batch, by=santoso, proposals=[moved.pk])[0].pk == moved.pk


def test_held_events_keep_the_chain_and_link_every_change(batch, personas, family_a):
    head = family_a.memberships.get(relationship=1).person
    made = [
        _propose(
            batch,
            personas,
            "correct_person",
            person=head,
            payload={"person": {"name": "Nama Baru"}},
        ),
        _propose(batch, personas, "new_member", family=family_a, payload=new_member_payload()),
        _propose(batch, personas, "program", subtype="pkh", family=family_a),
    ]
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    done = actions.ratify_batch(batch, by=personas.pengesah)

    assert verify_chain() is None
    assert [p.pk for p in done] == [p.pk for p in made]
    for proposal in done:
        proposal.refresh_from_db()
        events = AuditEvent.objects.filter(pk__in=proposal.result["audit_events"])
        assert events.count() == len(proposal.result["audit_events"]) > 0
        assert {e.note for e in events} == {f"proposal={proposal.pk}"}
        assert proposal.transitions.filter(action="ratify", by=personas.pengesah).count() == 1
    steps = AuditEvent.objects.filter(id__gt=start, action="proposal_ratify")
    assert sorted(int(e.subject_id) for e in steps) == [p.pk for p in made]
    assert {e.before["status"] for e in steps} == {"finalised"}


def test_a_refused_batch_leaves_no_event_and_the_chain_verifies(batch, personas, family_a):
    _propose(batch, personas, "program", subtype="pkh", family=family_a)
    _propose(batch, personas, "new_member", family=family_a, payload=new_member_payload())
    # The new member's NIK is taken by an active person before ratification.
    someone = family_a.memberships.get(relationship=2).person
    Person.objects.filter(pk=someone.pk).update(nik="1709016501100004")
    count = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        actions.ratify_batch(batch, by=personas.pengesah)

    assert refused.value.code == "duplicate_nik"
    assert AuditEvent.objects.count() == count
    assert verify_chain() is None


def test_new_records_get_the_ids_they_would_get_one_by_one(batch, personas, family_a):
    from dtks.registry.ids import FAMILY, PERSON, next_id_dtks

    first_person = int(next_id_dtks(DESA_A, PERSON)[-6:])
    made = [
        _propose(batch, personas, "new_member", family=family_a, payload=new_member_payload()),
        _propose(batch, personas, "new_member", family=family_a,
                 payload=new_member_payload(nik="1709016501100005", name="Putra Baru")),
    ]  # fmt: skip
    family_id = next_id_dtks(DESA_A, FAMILY)

    actions.ratify_batch(batch, by=personas.pengesah)

    for p in made:
        p.refresh_from_db()
    ids = [Person.objects.get(pk=p.result["person_ids"][0]).id_dtks for p in made]
    assert [int(i[-6:]) for i in ids] == [first_person, first_person + 1]
    assert next_id_dtks(DESA_A, FAMILY) == family_id
