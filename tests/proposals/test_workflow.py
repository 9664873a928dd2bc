"""The transition table: every allowed step by its role, every other step refused."""

from __future__ import annotations

import pytest
from django.http import Http404

from dtks.accounts.roles import Role
from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError
from dtks.proposals import actions
from dtks.proposals.access import get_proposal_for_user
from dtks.proposals.models import Status
from dtks.proposals.workflow import ACTIONS, STEPS, actions_from, is_path
from tests.conftest import KAB
from tests.factories import UserFactory

from .conftest import PATH_TO, walk

pytestmark = pytest.mark.django_db


def _log(proposal):
    return list(proposal.transitions.values_list("action", "from_status", "to_status"))


def test_whole_path_by_the_roles_that_own_each_step(make_proposal, personas):
    proposal = walk(make_proposal(), "determined", personas)
    assert proposal.status == Status.DETERMINED
    assert is_path(_log(proposal))
    assert [a for a, _, _ in _log(proposal)] == ["create", *PATH_TO["determined"]]
    by = dict(proposal.transitions.values_list("action", "by__username"))
    assert by == {
        "create": "op_a",
        "submit": "op_a",
        "verify": "pengelola",
        "finalise": "pengelola",
        "ratify": "pengesah",
        "send": "pengelola",
        "determine": "pengelola",
    }


def test_return_needs_a_note_and_the_desa_repairs_and_resubmits(make_proposal, personas):
    proposal = walk(make_proposal(), "submitted", personas)
    with pytest.raises(DomainError) as refused:
        actions.return_proposal(proposal, by=personas.pengelola, note="  ")
    assert refused.value.code == "note_required"
    proposal = actions.return_proposal(proposal, by=personas.pengelola, note="Nama salah eja")
    assert (proposal.status, proposal.return_note) == (Status.RETURNED, "Nama salah eja")
    proposal = actions.edit_proposal(
        proposal, by=personas.operator_a, payload={"person": {"name": "Nama Benar"}}
    )
    proposal = actions.submit_proposal(proposal, by=personas.operator_a)
    assert proposal.status == Status.SUBMITTED
    assert is_path(_log(proposal))


REFUSED = [
    (status, action)
    for status in PATH_TO
    for action in ACTIONS
    if action not in actions_from(status) and action != "create"
]


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_a_step_not_in_the_table_is_refused(make_proposal, personas, status, action):
    proposal = walk(make_proposal(), status, personas)
    actor = {"ratify": personas.pengesah, "submit": personas.operator_a}.get(
        action, personas.operator_a if action == "edit" else personas.pengelola
    )
    with pytest.raises(DomainError) as refused:
        if action == "submit":
            actions.submit_proposal(proposal, by=actor)
        elif action == "edit":
            actions.edit_proposal(proposal, by=actor, payload={})
        elif action == "ratify":
            actions.ratify_batch(proposal.batch, by=actor, proposals=[proposal.pk])
        else:
            actions.take_step(proposal, action, by=actor, note="catatan")
    assert refused.value.code in ("wrong_state", "nothing")
    proposal.refresh_from_db()
    assert proposal.status == status


def test_table_has_every_status_reachable_and_no_step_skips_verification():
    targets = {s.target for s in STEPS}
    assert targets == set(Status.values)
    assert not any(s.source == Status.SUBMITTED and s.target == Status.FINALISED for s in STEPS)


WRONG_ROLE = [
    ("submit", "pengesah"),
    ("submit", "pimpinan"),
    ("verify", "operator_a"),
    ("verify", "pengesah"),
    ("verify", "pengisi"),
    ("finalise", "operator_a"),
    ("ratify", "pengelola"),
    ("ratify", "operator_a"),
    ("send", "pengesah"),
    ("determine", "operator_kecamatan"),
]


@pytest.mark.parametrize(("action", "who"), WRONG_ROLE)
def test_a_role_that_does_not_own_the_step_is_refused(make_proposal, personas, action, who):
    before = {"submit": "draft", "verify": "submitted", "finalise": "verified"}
    before |= {"ratify": "finalised", "send": "ratified", "determine": "sent"}
    proposal = walk(make_proposal(), before[action], personas)
    actor = getattr(personas, who)
    with pytest.raises(DomainError) as refused:
        if action == "submit":
            actions.submit_proposal(proposal, by=actor)
        elif action == "ratify":
            actions.ratify_batch(proposal.batch, by=actor)
        else:
            actions.take_step(proposal, action, by=actor)
    assert refused.value.code == "wrong_role"


def test_operator_of_another_desa_may_not_propose_or_submit(make_proposal, personas, batch):
    with pytest.raises(DomainError) as refused:
        actions.create_proposal(
            batch, by=personas.operator_b, kind="program", subtype="pbi_non_dtks"
        )
    assert refused.value.code == "out_of_area"
    proposal = make_proposal()
    with pytest.raises(DomainError) as refused:
        actions.submit_proposal(proposal, by=personas.operator_b)
    assert refused.value.code == "out_of_area"


def test_proposal_outside_the_area_is_404(make_proposal, personas):
    proposal = make_proposal()
    assert get_proposal_for_user(personas.operator_a, proposal.pk) == proposal
    assert get_proposal_for_user(personas.pengesah, proposal.pk) == proposal
    with pytest.raises(Http404):
        get_proposal_for_user(personas.operator_b, proposal.pk)


def test_proposer_may_not_verify_or_finalise_their_own(batch, personas, family_a):
    head = family_a.memberships.get(relationship=1).person
    proposal = actions.create_proposal(
        batch,
        by=personas.pengelola,
        kind="correct_person",
        person=head,
        payload={"person": {"name": "Nama Baru"}},
    )
    proposal = actions.submit_proposal(proposal, by=personas.pengelola)
    with pytest.raises(DomainError) as refused:
        actions.verify_proposal(proposal, by=personas.pengelola)
    assert refused.value.code == "maker_checker"
    with pytest.raises(DomainError) as refused:
        actions.return_proposal(proposal, by=personas.pengelola, note="x")
    assert refused.value.code == "maker_checker"
    other = UserFactory(username="pengelola3", roles=[(Role.PENGELOLA, KAB)])
    proposal = actions.verify_proposal(proposal, by=other)
    with pytest.raises(DomainError) as refused:
        actions.finalise_proposal(proposal, by=personas.pengelola)
    assert refused.value.code == "maker_checker"


def test_verifier_may_not_ratify_what_they_verified(make_proposal, personas):
    both = UserFactory(username="both", roles=[(Role.PENGELOLA, KAB), (Role.PENGESAH, KAB)])
    proposal = walk(make_proposal(), "submitted", personas)
    actions.verify_proposal(proposal, by=both)
    actions.finalise_proposal(proposal, by=personas.pengelola)
    with pytest.raises(DomainError) as refused:
        actions.ratify_batch(proposal.batch, by=both)
    assert refused.value.code == "verifier_checker"
    actions.ratify_batch(proposal.batch, by=personas.pengesah)
    proposal.refresh_from_db()
    assert proposal.status == Status.RATIFIED


def test_conflicted_verifier_is_refused_and_a_second_verifier_verifies(
    make_proposal, personas, tied_verifier, verifier2
):
    proposal = walk(make_proposal(), "submitted", personas)
    with pytest.raises(DomainError) as refused:
        actions.verify_proposal(proposal, by=tied_verifier)
    assert refused.value.code == "conflict_of_interest"
    proposal = actions.verify_proposal(proposal, by=verifier2)
    assert proposal.transitions.get(action="verify").by == verifier2


def test_every_step_is_audited_with_its_actor(make_proposal, personas):
    proposal = walk(make_proposal(), "verified", personas)
    events = AuditEvent.objects.filter(subject_type="proposal", subject_id=str(proposal.pk))
    assert list(events.order_by("id").values_list("action", "actor_label")) == [
        ("proposal_create", "op_a"),
        ("proposal_submit", "op_a"),
        ("proposal_verify", "pengelola"),
    ]
    assert events.order_by("id").last().after["status"] == "verified"
