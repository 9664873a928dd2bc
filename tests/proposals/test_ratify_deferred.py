"""Ratifying a batch: rechecks deferred to one run at the end with the same findings as
per-change rechecks, every audit event naming its proposal, and a whole period at once."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import transaction

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError
from dtks.proposals import actions
from dtks.proposals.apply import ratify_period
from dtks.proposals.models import Document, Status
from dtks.registry import actions as registry
from dtks.registry import choices as c
from dtks.registry.models import FamilyProgram, Person
from dtks.verification.actions import run_checks
from dtks.verification.models import Finding
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, DESA_B
from tests.factories import family_with_members

from .conftest import new_member_payload, walk

pytestmark = pytest.mark.django_db


def _child(family) -> Person:
    return Person.objects.filter(memberships__family=family, memberships__relationship=3)[0]


@pytest.fixture
def mixed_batch(batch, personas, family_a):
    """Finalised proposals that open and resolve findings: a head's missing mother's name
    repaired, a new member, a program for a family with a member recorded as died, that
    member deactivated."""
    head = family_a.memberships.get(relationship=1).person
    Person.objects.filter(pk=head.pk).update(mother_name="")
    other = family_with_members(DESA_A, size=3)
    died = _child(other)
    Person.objects.filter(pk=died.pk).update(presence=c.Presence.DIED)
    run_checks()

    def propose(kind: str, **target: object):
        return actions.create_proposal(batch, by=personas.operator_a, kind=kind, **target)

    made = [
        propose("correct_person", person=head, payload={"person": {"mother_name": "Siti A"}}),
        propose("new_member", family=family_a, payload=new_member_payload()),
        propose("program", subtype="pkh", family=other),
        propose("deactivate", subtype="died", person=died),
    ]
    return [walk(p, "finalised", personas) for p in made]


def _findings() -> tuple[set[tuple], set[tuple]]:
    """Open findings, and findings closed since the batch, by stable keys (NIK / No. KK)."""
    rows = Finding.objects.values_list(
        "rule", "person__nik", "family__no_kk", "field", "status", "closed_by__username"
    )
    return set(rows.filter(status="open")), set(rows.exclude(status="open"))


def _ratify_and_read(batch, by) -> tuple[set[tuple], set[tuple]]:
    with transaction.atomic():
        actions.ratify_batch(batch, by=by)
        found = _findings()
        transaction.set_rollback(True)
    return found


def test_deferred_rechecks_find_what_per_change_rechecks_find(mixed_batch, personas, monkeypatch):
    before_open, _ = _findings()
    deferred = _ratify_and_read(mixed_batch[0].batch, personas.pengesah)
    assert AuditEvent.objects.filter(action="proposal_ratify").count() == 0  # rolled back
    # The registry's context variable, never deferring: each change rechecks its family.
    monkeypatch.setattr(registry, "_deferred", mock.Mock(get=lambda: None))
    immediate = _ratify_and_read(mixed_batch[0].batch, personas.pengesah)
    assert deferred[0] == immediate[0]
    assert deferred[0] != before_open
    assert {r[0] for r in before_open - deferred[0]} == {
        "missing_mother_name",
        "deceased_still_active",
    }
    # Per change, the program opened "deceased member in program" and the deactivation
    # resolved it again inside the batch; deferred, that passing state is never written.
    passing = immediate[1] - deferred[1]
    assert {r[0] for r in passing} == {"deceased_member_in_program"}
    assert deferred[1] <= immediate[1]


def test_a_batch_runs_the_checks_once(mixed_batch, personas):
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    actions.ratify_batch(mixed_batch[0].batch, by=personas.pengesah)
    runs = AuditEvent.objects.filter(id__gt=start, action="run_checks")
    assert runs.count() == 1
    assert runs.get().subject_id == "families:2"


def test_every_audit_event_of_a_ratified_change_names_its_proposal(mixed_batch, personas):
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    done = actions.ratify_batch(mixed_batch[0].batch, by=personas.pengesah)
    linked = set()
    for proposal in done:
        events = AuditEvent.objects.filter(pk__in=proposal.result["audit_events"])
        assert events.exists()
        assert {e.note for e in events} == {f"proposal={proposal.pk}"}
        linked |= set(proposal.result["audit_events"])
    rest = AuditEvent.objects.filter(id__gt=start).exclude(pk__in=linked)
    steps = rest.filter(action="proposal_ratify")
    assert sorted(steps.values_list("subject_id", flat=True)) == sorted(str(p.pk) for p in done)
    assert set(rest.exclude(action="proposal_ratify").values_list("action", flat=True)) == {
        "run_checks"
    }


@pytest.fixture
def batch_b(personas, open_windows, family_b):
    """Desa B's batch of the same month, its berita acara on file."""
    batch = actions.open_batch(
        by=personas.operator_b, desa=Region.objects.get(code=DESA_B), year=2023, month=8
    )
    Document.objects.create(
        batch=batch, kind=Document.Kind.BERITA_ACARA, original_name="ba.pdf",
        stored_name="ba-desa-b.pdf", content_type="application/pdf", size=1,
        uploaded_by=personas.operator_b,
    )  # fmt: skip
    return batch


def _finalised_program(batch, family, operator, personas):
    proposal = actions.create_proposal(
        batch, by=operator, kind="program", subtype="bpnt", family=family
    )
    proposal = actions.submit_proposal(proposal, by=operator)
    for step in ("verify", "finalise"):
        proposal = actions.take_step(proposal, step, by=personas.pengelola)
    return proposal


def test_ratify_period_ratifies_every_batch_of_the_month(
    batch, batch_b, personas, family_a, family_b
):
    first = _finalised_program(batch, family_a, personas.operator_a, personas)
    second = _finalised_program(batch_b, family_b, personas.operator_b, personas)
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    done = ratify_period(by=personas.pengesah, year=2023, month=8)
    assert sorted(p.pk for p in done) == sorted([first.pk, second.pk])
    assert set(FamilyProgram.objects.values_list("family_id", flat=True)) == {
        family_a.pk,
        family_b.pk,
    }
    # One run for the month; resolved findings are closed in the name of who changed the
    # data (test_ratify_speed_paths).
    runs = AuditEvent.objects.filter(id__gt=start, action="run_checks")
    assert list(runs.values_list("actor_label", "subject_id")) == [("sistem", "families:2")]


def test_ratify_period_is_all_or_nothing(batch, batch_b, personas, family_a, family_b):
    first = _finalised_program(batch, family_a, personas.operator_a, personas)
    second = _finalised_program(batch_b, family_b, personas.operator_b, personas)
    # Desa B's family receives BPNT by the time of ratification: the registry refuses it.
    FamilyProgram.objects.create(family=family_b, program="bpnt", start_month="2023-12-01")
    with pytest.raises(DomainError) as refused:
        ratify_period(by=personas.pengesah, year=2023, month=8)
    assert f"#{second.pk}" in refused.value.message
    first.refresh_from_db()
    assert (first.status, first.result) == (Status.FINALISED, {})
    assert not FamilyProgram.objects.filter(family=family_a).exists()


def test_ratify_period_refuses_a_month_without_finalised_proposals(personas, regions):
    with pytest.raises(DomainError) as refused:
        ratify_period(by=personas.pengesah, year=2023, month=8)
    assert refused.value.code == "nothing"
