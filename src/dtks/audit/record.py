"""Writing audit and access events. Every action calls `record_event` inside its transaction.

`held_events()` lets a batch of actions (a month's ratification) append their events to the
chain once, at its end: one lock, one read of the last hash and bulk inserts, instead of the
three statements per action; the events, their order and their hashes are the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from .models import AccessEvent, AuditEvent

GENESIS = "0" * 64

# Inside `held_events()`: the events recorded so far, in order, not yet in the chain.
_held: ContextVar[list[AuditEvent] | None] = ContextVar("held_audit_events", default=None)
# Inside `replayed_at()`: the time a replayed history's events carry.
_replayed_at: ContextVar[datetime | None] = ContextVar("replayed_at", default=None)


@contextmanager
def replayed_at(when: datetime) -> Iterator[None]:
    """Events recorded inside carry `when` instead of now. For a replayed history only (the
    demo's 2023, built in a minute), so that the work log it leaves dates each piece of work in
    its month, as the proposals' transitions already are; live actions never use it."""
    token = _replayed_at.set(when)
    try:
        yield
    finally:
        _replayed_at.reset(token)


@dataclass(frozen=True)
class Change:
    """One subject's change inside an action."""

    subject_type: str
    subject_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    family_id: int | None = None
    region_code: str = ""


def _digest(prev_hash: str, payload: dict[str, Any]) -> str:
    blob = json.dumps(payload, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha256((prev_hash + blob).encode()).hexdigest()


def _lock_chain() -> None:
    """Serialise writers of the chain (SQLite already serialises with IMMEDIATE transactions)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7390412)")


def _payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "actor": event.actor_label,
        "action": event.action,
        "subject": f"{event.subject_type}:{event.subject_id}",
        "before": event.before,
        "after": event.after,
        "note": event.note,
    }


def record_events(actor: Any, action: str, changes: Iterable[Change], note: str = "") -> int:
    """Append one event per change, chained by hash. Must run inside the action's transaction.
    Inside `held_events()` the events wait in order and join the chain at its exit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_events must be called inside transaction.atomic()")
    label = getattr(actor, "username", None) or str(actor or "sistem")
    actor_obj = actor if getattr(actor, "pk", None) else None
    at = _replayed_at.get() or timezone.now()
    events = [
        AuditEvent(
            at=at,
            actor=actor_obj,
            actor_label=label,
            action=action,
            subject_type=change.subject_type,
            subject_id=change.subject_id,
            family_id=change.family_id,
            region_code=change.region_code,
            before=change.before,
            after=change.after,
            note=note,
        )
        for change in changes
    ]
    held = _held.get()
    if held is not None:
        held.extend(events)
    else:
        _append(events)
    return len(events)


def _append(events: list[AuditEvent]) -> None:
    """Chain `events`, in order, after the last event, and insert them (ids set on them)."""
    _lock_chain()
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    prev = last or GENESIS
    for event in events:
        event.prev_hash = prev
        event.hash = _digest(prev, _payload(event))
        prev = event.hash
    AuditEvent.objects.bulk_create(events, batch_size=1000)


@contextmanager
def held_events() -> Iterator[list[AuditEvent]]:
    """Hold the audit events every action records inside the block and append them to the
    chain at its clean exit, in the order recorded (one lock, one read of the last hash, bulk
    inserts). Yields the list of held events: after the exit each has its id.

    For a batch of actions inside one transaction that does not read the audit table before
    the end (the events are not there yet; their time is the time of writing). An exception
    leaving the block discards the events and marks the transaction for rollback, so no change
    can be committed without its events. Nested blocks leave the writing to the outermost."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("held_events must be used inside transaction.atomic()")
    outer = _held.get()
    if outer is not None:
        yield outer
        return
    events: list[AuditEvent] = []
    token = _held.set(events)
    try:
        yield events
    except BaseException:
        transaction.set_rollback(True)
        raise
    finally:
        _held.reset(token)
    if events:
        _append(events)


def record_event(actor: Any, action: str, change: Change, note: str = "") -> None:
    record_events(actor, action, [change], note)


def verify_chain() -> int | None:
    """The id of the first event whose hash does not follow from its predecessor, else None."""
    prev = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev or event.hash != _digest(prev, _payload(event)):
            return event.id
        prev = event.hash
    return None


def record_access(
    user: Any, what: str, subject_type: str, subject_id: str = "", detail: str = ""
) -> None:
    """Note that `user` saw personal data (append-only, outside any action)."""
    AccessEvent.objects.create(
        user=user, what=what, subject_type=subject_type, subject_id=subject_id, detail=detail[:300]
    )
