"""The audit log is append-only and tamper-evident."""

from __future__ import annotations

import pytest
from django.db import transaction

from dtks.audit.models import AuditEvent
from dtks.audit.record import Change, record_event, record_events, verify_chain


def _change(n: int) -> Change:
    return Change("person", str(n), before={"name": f"A{n}"}, after={"name": f"B{n}"}, family_id=1)


@pytest.mark.django_db
def test_events_chain_and_verify(personas) -> None:
    with transaction.atomic():
        record_events(personas.pengelola, "update_person", [_change(1), _change(2)])
    with transaction.atomic():
        record_event(personas.operator_a, "update_person", _change(3))
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert events[2].actor == personas.operator_a
    assert verify_chain() is None


@pytest.mark.django_db
def test_tampering_with_a_past_event_is_detected(personas) -> None:
    with transaction.atomic():
        record_events(personas.pengelola, "update_person", [_change(1), _change(2), _change(3)])
    second = AuditEvent.objects.order_by("id")[1]
    AuditEvent.objects.filter(pk=second.pk).update(after={"name": "forged"})
    assert verify_chain() == second.pk


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(personas) -> None:
    with pytest.raises(RuntimeError):
        record_event(personas.pengelola, "update_person", _change(1))
    assert not AuditEvent.objects.exists()
