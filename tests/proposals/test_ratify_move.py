"""A family moving to another desa (perbaikan: pindah desa) as a proposal."""

from __future__ import annotations

import pytest

from dtks.audit.models import AuditEvent
from dtks.proposals import actions
from dtks.proposals.data import MOVE_DESA, changes
from dtks.proposals.models import Status
from dtks.registry.models import Family
from tests.conftest import DESA_A, DESA_B

pytestmark = pytest.mark.django_db

MOVE = {"desa": DESA_B, "address": "Jl. Air Sebakul No. 9", "rt": "002", "rw": "001"}


def _propose(batch, by, family, **values):
    return actions.create_proposal(
        batch,
        by=by,
        kind="correct_family",
        subtype=MOVE_DESA,
        family=family,
        payload={"family": {**MOVE, **values}},
    )


def test_kabupaten_officer_proposes_a_move_that_ratification_applies(batch, personas, family_a):
    proposal = _propose(batch, personas.pengisi, family_a)
    proposal = actions.submit_proposal(proposal, by=personas.pengisi)
    assert ("desa", DESA_A, DESA_B) in changes(proposal)
    for step in ("verify", "finalise"):
        proposal = actions.take_step(proposal, step, by=personas.pengelola)
    actions.ratify_batch(batch, by=personas.pengesah)
    proposal.refresh_from_db()
    moved = Family.objects.get(pk=family_a.pk)
    assert proposal.status == Status.RATIFIED
    assert (moved.desa_id, moved.address, moved.rt, moved.rw) == (
        DESA_B,
        MOVE["address"],
        "002",
        "001",
    )
    event = AuditEvent.objects.get(action="move_family")
    assert event.note == f"proposal={proposal.pk}"
    assert event.pk in proposal.result["audit_events"]


@pytest.mark.parametrize(
    ("values", "rule"),
    [
        ({"desa": DESA_A}, "move_desa_same"),
        ({"desa": "17.09.99.2999"}, "move_desa_unknown"),
        ({"desa": "17.09.01"}, "move_desa_unknown"),
        ({"desa": DESA_B}, "move_desa_out_of_area"),
    ],
)
def test_a_move_the_registry_would_refuse_cannot_be_submitted(
    batch, personas, family_a, values, rule
):
    # The desa operator may edit desa A only: a move to desa B could never be ratified.
    proposal = _propose(batch, personas.operator_a, family_a, **values)
    with pytest.raises(actions.RuleErrorsError):
        actions.submit_proposal(proposal, by=personas.operator_a)
    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT
    assert [f["rule"] for f in proposal.findings if f["severity"] == "error"] == [rule]


def test_a_refused_move_leaves_the_batch_unapplied(batch, personas, family_a, make_proposal):
    fix = make_proposal(payload={"person": {"name": "Kepala Diperbaiki"}})
    move = _propose(batch, personas.pengisi, family_a)
    fix = actions.submit_proposal(fix, by=personas.operator_a)
    move = actions.submit_proposal(move, by=personas.pengisi)
    for proposal in (fix, move):
        for step in ("verify", "finalise"):
            actions.take_step(proposal, step, by=personas.pengelola)
    # The officer who proposed the move loses the kabupaten role before ratification.
    personas.pengisi.role_assignments.all().delete()
    with pytest.raises(actions.DomainError) as refused:
        actions.ratify_batch(batch, by=personas.pengesah)
    assert f"#{move.pk}" in refused.value.message
    family_a.refresh_from_db()
    assert family_a.desa_id == DESA_A
    assert not family_a.memberships.filter(person__name="Kepala Diperbaiki").exists()
