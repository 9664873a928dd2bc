"""Ratification applies a proposal to the registry through the registry's own actions.

The registry actions run as the proposer (the desa operator whose edit rights and conflict
checks they already apply); the audit events they write, and the ids of what they created,
are kept on the proposal (`result`), so every registry change links back to its proposal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from dtks.audit.diff import snapshot
from dtks.audit.models import AuditEvent
from dtks.audit.record import Change, record_events
from dtks.core.errors import DomainError
from dtks.registry import actions as registry
from dtks.registry.models import FamilyProgram

from .data import current_programs, program_code, typed
from .models import Kind, ProgramProposal, Proposal


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def apply_proposal(proposal: Proposal, *, ratified_by: Any) -> dict[str, Any]:
    """Make the proposal's change in the registry; return the links to what it wrote.
    Raises `DomainError` (nothing of this proposal is left) when the registry refuses."""
    start = _last_event_id()
    result = _APPLY[proposal.kind](proposal, ratified_by)
    events = AuditEvent.objects.filter(id__gt=start).order_by("id")
    result["audit_events"] = list(events.values_list("id", flat=True))
    return result


def _new_family(proposal: Proposal, _by: Any) -> dict[str, Any]:
    payload = proposal.payload
    family = registry.create_family(
        by=proposal.proposed_by,
        desa=proposal.batch.desa,
        data=payload.get("family", {}),
        members=[typed(m) for m in payload.get("members", [])],
    )
    persons = family.memberships.order_by("id").values_list("person_id", flat=True)
    return {"family_id": family.pk, "person_ids": list(persons)}


def _new_member(proposal: Proposal, _by: Any) -> dict[str, Any]:
    membership = registry.add_member(
        proposal.family,
        by=proposal.proposed_by,
        data=typed(proposal.payload.get("person", {})),
        relationship=int(proposal.payload.get("relationship") or 0),
    )
    return {"family_id": proposal.family_id, "person_ids": [membership.person_id]}


def _correct_family(proposal: Proposal, _by: Any) -> dict[str, Any]:
    registry.update_family(
        proposal.family, by=proposal.proposed_by, data=proposal.payload.get("family", {})
    )
    return {"family_id": proposal.family_id}


def _correct_person(proposal: Proposal, _by: Any) -> dict[str, Any]:
    relationship = proposal.payload.get("relationship")
    registry.update_person(
        proposal.person,
        by=proposal.proposed_by,
        data=typed(proposal.payload.get("person", {})),
        family=proposal.family,
        relationship=int(relationship) if relationship else None,
    )
    return {"family_id": proposal.family_id, "person_ids": [proposal.person_id]}


def _deactivate(proposal: Proposal, _by: Any) -> dict[str, Any]:
    registry.deactivate_person(proposal.person, by=proposal.proposed_by, reason=proposal.subtype)
    return {"family_id": proposal.family_id, "person_ids": [proposal.person_id]}


def _program(proposal: Proposal, by: Any) -> dict[str, Any]:
    """A family joins a program from the batch's month. PBI-JKN non-DTKS concerns a person
    outside DTKS: ratifying it changes nothing in the registry."""
    if proposal.subtype == ProgramProposal.PBI_NON_DTKS:
        return {}
    family = proposal.family
    if not family.is_active:
        raise DomainError(_("An inactive family cannot join a program."), code="inactive_family")
    program = program_code(proposal.subtype)
    start = dt.date(proposal.batch.year, proposal.batch.month, 1)
    if program in current_programs(family.pk, start):
        return {"family_id": family.pk, "program_id": None}
    row = FamilyProgram.objects.create(family=family, program=program, start_month=start)
    change = Change("family_program", str(row.pk), None, snapshot(row), family.pk, family.desa_id)
    record_events(by, "start_program", [change], f"proposal={proposal.pk}")
    return {"family_id": family.pk, "program_id": row.pk}


_APPLY = {
    Kind.NEW_FAMILY: _new_family,
    Kind.NEW_MEMBER: _new_member,
    Kind.CORRECT_FAMILY: _correct_family,
    Kind.CORRECT_PERSON: _correct_person,
    Kind.DEACTIVATE: _deactivate,
    Kind.PROGRAM: _program,
}
