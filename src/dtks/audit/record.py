"""Writing audit and access events. Every action calls `record_event` inside its transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from .models import AccessEvent, AuditEvent

GENESIS = "0" * 64


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
    """Append one event per change, chained by hash. Must run inside the action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_events must be called inside transaction.atomic()")
    _lock_chain()
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    prev = last or GENESIS
    label = getattr(actor, "username", None) or str(actor or "sistem")
    actor_obj = actor if getattr(actor, "pk", None) else None
    events = []
    for change in changes:
        event = AuditEvent(
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
            prev_hash=prev,
        )
        event.hash = _digest(prev, _payload(event))
        prev = event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


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
