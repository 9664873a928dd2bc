"""Ratification writes person corrections, family corrections and programs set-based: the
registry, its audit events and the findings come out as change by change, and a refusal is
the same refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from dtks.audit.models import AuditEvent
from dtks.audit.record import verify_chain
from dtks.core.errors import DomainError
from dtks.proposals import actions
from dtks.proposals import apply as apply_module
from dtks.proposals.models import Proposal
from dtks.registry.models import Family, FamilyProgram, Membership, Person
from dtks.verification.models import Finding
from tests.conftest import DESA_A
from tests.factories import family_with_members

pytestmark = pytest.mark.django_db


def _finalised(batch, personas, **values: Any) -> Proposal:
    payload = values.pop("final_payload", None)
    proposal = actions.create_proposal(batch, by=personas.operator_a, **values)
    proposal = actions.submit_proposal(proposal, by=personas.operator_a)
    for step in ("verify", "finalise"):
        proposal = actions.take_step(proposal, step, by=personas.pengelola)
    if payload is not None:  # what the registry's own checks must refuse
        Proposal.objects.filter(pk=proposal.pk).update(payload=payload)
    return proposal


def _head(family: Family) -> Person:
    return family.memberships.get(relationship=1).person


def _member(family: Family, relationship: int) -> Person:
    return family.memberships.filter(relationship=relationship).first().person


def _no_ids(values: dict | None) -> dict | None:
    return None if values is None else {k: v for k, v in values.items() if k != "id"}


def _state() -> dict[str, Any]:
    events = AuditEvent.objects.exclude(action__in=["proposal_ratify", "run_checks"])
    rows = []
    for e in events.order_by("id"):
        program = e.subject_type == "family_program"
        rows.append(
            (
                e.action,
                e.subject_type,
                "" if program else e.subject_id,
                _no_ids(e.before) if program else e.before,
                _no_ids(e.after) if program else e.after,
                e.note,
                e.actor_label,
            )
        )
    results = {
        p.pk: {k: v for k, v in p.result.items() if k not in ("program_id", "audit_events")}
        | {
            "program": p.result.get("program_id") is not None,
            "events": len(p.result["audit_events"]),
        }
        for p in Proposal.objects.all()
    }
    return {
        "persons": list(Person.objects.order_by("pk").values_list(
            "pk", "nik", "name", "mother_name", "birth_date", "status"
        )),
        "families": list(Family.objects.order_by("pk").values_list(
            "pk", "no_kk", "address", "rt", "desa_id", "status"
        )),
        "memberships": list(Membership.objects.order_by("pk").values_list(
            "pk", "relationship", "end_date"
        )),
        "programs": sorted(FamilyProgram.objects.values_list(
            "family_id", "program", "start_month", "end_month"
        )),
        "events": sorted(rows, key=repr),
        "findings": sorted(Finding.objects.values_list(
            "rule", "person_id", "family_id", "status", "closed_by__username"
        ), key=repr),
        "results": results,
        "status": sorted(Proposal.objects.values_list("pk", "status")),
    }  # fmt: skip


def _ratified(monkeypatch, personas, bulk: bool) -> dict[str, Any] | str:
    """The state after ratifying the month (or the refusal), rolled back."""
    monkeypatch.setattr(apply_module, "BULK_APPLY", bulk)
    with transaction.atomic():
        try:
            apply_module.ratify_period(by=personas.pengesah, year=2023, month=8)
            found: dict[str, Any] | str = _state()
        except DomainError as exc:
            found = f"{exc.code} {exc.field} {exc.message}"
        transaction.set_rollback(True)
    return found


@pytest.fixture
def families(regions, family_a):
    return [family_a, *(family_with_members(DESA_A) for _ in range(4))]


def test_bulk_apply_gives_what_change_by_change_gives(monkeypatch, batch, personas, families):
    a, b, c, d, e = families
    other_nik = _member(c, 2).nik
    _finalised(
        batch,
        personas,
        kind="correct_person",
        person=_head(b),
        payload={"person": {"name": "Nama Diperbaiki", "mother_name": "Ibu Baru"}},
    )
    _finalised(
        batch,
        personas,
        kind="correct_person",
        person=_member(c, 3),
        payload={"person": {"name": "Anak Diperbaiki"}},
        final_payload={"person": {"nik": "1709019999990001", "name": "Anak"}, "relationship": 4},
    )
    _finalised(
        batch,
        personas,
        kind="correct_family",
        family=d,
        payload={"family": {"address": "Jl. Diperbaiki No. 2", "rt": "003"}},
    )
    _finalised(batch, personas, kind="program", subtype="pkh", family=e)
    # Three changes to one family: these go change by change.
    _finalised(
        batch,
        personas,
        kind="correct_family",
        family=a,
        payload={"family": {"address": "Jl. Dua Kali No. 1"}},
    )
    _finalised(batch, personas, kind="program", subtype="bpnt", family=a)
    _finalised(
        batch,
        personas,
        kind="correct_person",
        person=_member(a, 2),
        payload={"person": {"name": "Istri Diperbaiki"}},
    )
    assert other_nik
    written: list[tuple[int, int, int]] = []
    flush = apply_module.registry.BulkEdits.flush

    def spy(self):
        written.append((len(self._persons), len(self._families), len(self._new_programs)))
        flush(self)

    monkeypatch.setattr(apply_module.registry.BulkEdits, "flush", spy)
    bulk = _ratified(monkeypatch, personas, True)
    assert written == [(2, 1, 1)]  # the rest went change by change
    one_by_one = _ratified(monkeypatch, personas, False)
    assert isinstance(bulk, dict), bulk
    assert bulk == one_by_one
    assert {r[0] for r in bulk["events"]} >= {"update_person", "update_family", "start_program"}

    monkeypatch.setattr(apply_module, "BULK_APPLY", True)
    apply_module.ratify_period(by=personas.pengesah, year=2023, month=8)
    assert verify_chain() is None
    programs = Proposal.objects.filter(kind="program").values_list("result", flat=True)
    ids = set(FamilyProgram.objects.values_list("pk", flat=True))
    assert {r["program_id"] for r in programs} <= ids
    for event in AuditEvent.objects.filter(subject_type="family_program"):
        assert int(event.subject_id) in ids and event.after["id"] == int(event.subject_id)


def test_a_duplicate_nik_is_refused_as_change_by_change(monkeypatch, batch, personas, families):
    _a, b, c, d, _e = families
    taken = _member(d, 2).nik
    _finalised(
        batch,
        personas,
        kind="correct_person",
        person=_head(b),
        payload={"person": {"name": "Satu"}},
        final_payload={"person": {"nik": "1709019999990002"}},
    )
    _finalised(
        batch,
        personas,
        kind="correct_person",
        person=_head(c),
        payload={"person": {"name": "Dua"}},
        final_payload={"person": {"nik": "1709019999990002"}},
    )
    inside = _ratified(monkeypatch, personas, True)
    assert inside == _ratified(monkeypatch, personas, False)
    assert "duplicate_nik" in inside
    Proposal.objects.filter(person=_head(c)).update(payload={"person": {"nik": taken}})
    Proposal.objects.filter(person=_head(b)).update(payload={"person": {"name": "Satu"}})
    registry = _ratified(monkeypatch, personas, True)
    assert registry == _ratified(monkeypatch, personas, False)
    assert "duplicate_nik" in registry


def test_a_refused_field_names_the_same_proposal(monkeypatch, batch, personas, families):
    _a, b, _c, d, e = families
    _finalised(batch, personas, kind="program", subtype="pkh", family=e)
    _finalised(
        batch,
        personas,
        kind="correct_family",
        family=d,
        payload={"family": {"address": "Jl. Baru"}},
        final_payload={"family": {"no_kk": "123"}},
    )
    _finalised(
        batch,
        personas,
        kind="correct_person",
        person=_head(b),
        payload={"person": {"name": "Satu"}},
        final_payload={"person": {"sex": 9}},
    )
    refused = _ratified(monkeypatch, personas, True)
    assert refused == _ratified(monkeypatch, personas, False)
    assert isinstance(refused, str) and "no_kk" in refused
