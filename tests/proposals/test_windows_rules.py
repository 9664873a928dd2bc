"""Monthly windows (dtks.schedule) and the verification rules gate the steps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dtks.core.errors import DomainError
from dtks.proposals import actions
from dtks.proposals.data import changes
from dtks.proposals.models import Status
from dtks.schedule.models import Extension
from dtks.schedule.windows import window_status
from tests.conftest import DESA_A

from .conftest import new_member_payload, walk

pytestmark = pytest.mark.django_db


def _day(kind: str, open_: bool) -> dt.datetime:
    for d in range(1, 32):
        day = dt.date(2023, 8, d)
        if window_status(kind, DESA_A, day).open is open_:
            return timezone.make_aware(dt.datetime(2023, 8, d, 10))
    pytest.skip(f"no {'open' if open_ else 'closed'} day for {kind}")


def test_a_step_outside_its_window_is_refused_until_an_extension(
    make_proposal, personas, open_windows
):
    proposal = walk(make_proposal(), "submitted", personas)
    open_windows.delete()
    closed = _day("finalisation", False)
    with pytest.raises(DomainError) as refused:
        actions.verify_proposal(proposal, by=personas.pengelola, when=closed)
    assert refused.value.code == "window_closed"
    actions.verify_proposal(proposal, by=personas.pengelola, when=_day("finalisation", True))
    Extension.objects.create(
        kind="finalisation",
        region_id=DESA_A,
        starts_on=closed.date(),
        ends_on=closed.date(),
        reason="banjir",
    )
    proposal = actions.finalise_proposal(proposal, by=personas.pengelola, when=closed)
    assert proposal.status == Status.FINALISED
    assert proposal.transitions.get(action="finalise").at == closed


def test_submission_uses_the_window_of_the_proposal_kind(batch, personas, open_windows):
    open_windows.delete()
    closed = _day("pbi_non_dtks", False)
    proposal = actions.create_proposal(
        batch,
        by=personas.operator_a,
        kind="program",
        subtype="pbi_non_dtks",
        payload=new_member_payload(),
    )
    with pytest.raises(DomainError) as refused:
        actions.submit_proposal(proposal, by=personas.operator_a, when=closed)
    assert refused.value.code == "window_closed"
    actions.submit_proposal(proposal, by=personas.operator_a, when=_day("pbi_non_dtks", True))


def _member(nik_serial: int, relationship: int, **extra: object) -> dict:
    from tests.factories import make_nik

    born = dt.date(1980 + nik_serial, 3, 4)
    values = {
        "nik": make_nik("17.09.01", born, 1, 7000 + nik_serial),
        "name": f"Anggota {nik_serial}",
        "birth_place": "Bengkulu",
        "birth_date": born.isoformat(),
        "sex": 1,
        "marital_status": 2,
        "mother_name": "Ibu",
        "relationship": relationship,
    }
    return values | extra


@pytest.mark.parametrize("heads", [0, 2])
def test_new_family_without_exactly_one_head_cannot_be_submitted(batch, personas, heads):
    members = [_member(i, 1 if i < heads else 3) for i in range(3)]
    proposal = actions.create_proposal(
        batch,
        by=personas.operator_a,
        kind="new_family",
        payload={
            "family": {"no_kk": "1709010101150099", "address": "Jl. Baru"},
            "members": members,
        },
    )
    with pytest.raises(actions.RuleErrorsError):
        actions.submit_proposal(proposal, by=personas.operator_a)
    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT
    assert "family_head_count" in {f["rule"] for f in proposal.findings}


def test_deactivating_the_head_is_blocked_by_the_head_count_rule(batch, personas, family_a):
    head = family_a.memberships.get(relationship=1).person
    proposal = actions.create_proposal(
        batch, by=personas.operator_a, kind="deactivate", subtype="moved", person=head
    )
    with pytest.raises(actions.RuleErrorsError):
        actions.submit_proposal(proposal, by=personas.operator_a)
    proposal.refresh_from_db()
    assert [f["rule"] for f in proposal.findings] == ["family_head_count"]


def test_person_rules_block_a_bad_nik_and_show_before_and_after(make_proposal, personas):
    proposal = make_proposal(payload={"person": {"nik": "1709010000000000"}})
    with pytest.raises(actions.RuleErrorsError):
        actions.submit_proposal(proposal, by=personas.operator_a)
    proposal.refresh_from_db()
    assert "nik_serial_zero" in {f["rule"] for f in proposal.findings}
    proposal = make_proposal(payload={"person": {"name": "Budi Santoso"}})
    old_name = proposal.person.name
    proposal = actions.submit_proposal(proposal, by=personas.operator_a)
    assert proposal.before == {"name": old_name}
    assert changes(proposal) == [("name", old_name, "Budi Santoso")]
