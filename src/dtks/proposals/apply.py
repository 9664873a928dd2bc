"""Ratification applies a proposal to the registry through the registry's own actions.

The registry actions run as the proposer (the desa operator whose edit rights and conflict
checks they already apply) with the note `proposal=<id>`, so every audit event of a ratified
change names its proposal; the events' ids, and the ids of what they created, are kept on the
proposal (`result`) too. `ratify_period` ratifies every finalised batch of a month at once.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_q
from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError
from dtks.registry import actions as registry
from dtks.registry.models import Membership
from dtks.wilayah.models import Region

from .data import MOVE_DESA, current_programs, deactivates_family, program_code, typed
from .models import Kind, ProgramProposal, Proposal, ProposalBatch, Status

if TYPE_CHECKING:
    from dtks.accounts.models import User


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def apply_proposal(proposal: Proposal, *, ratified_by: Any) -> dict[str, Any]:
    """Make the proposal's change in the registry; return the links to what it wrote.
    Raises `DomainError` (nothing of this proposal is left) when the registry refuses."""
    start = _last_event_id()
    result = apply_change(proposal, ratified_by=ratified_by)
    events = AuditEvent.objects.filter(id__gt=start).order_by("id")
    result["audit_events"] = list(events.values_list("id", flat=True))
    return result


def apply_change(proposal: Proposal, *, ratified_by: Any) -> dict[str, Any]:
    """The proposal's change through the registry actions: the ids of what it created, not
    yet its audit events (`ratify_groups` takes them from the held events)."""
    return _APPLY[proposal.kind](proposal, ratified_by)


def _link(proposal: Proposal) -> str:
    """The audit note that names the proposal a registry change comes from."""
    return f"proposal={proposal.pk}"


def _new_family(proposal: Proposal, _by: Any) -> dict[str, Any]:
    payload = proposal.payload
    family = registry.create_family(
        by=proposal.proposed_by,
        desa=proposal.batch.desa,
        data=payload.get("family", {}),
        members=[typed(m) for m in payload.get("members", [])],
        note=_link(proposal),
    )
    persons = family.memberships.order_by("id").values_list("person_id", flat=True)
    return {"family_id": family.pk, "person_ids": list(persons)}


def _new_member(proposal: Proposal, _by: Any) -> dict[str, Any]:
    membership = registry.add_member(
        proposal.family,
        by=proposal.proposed_by,
        data=typed(proposal.payload.get("person", {})),
        relationship=int(proposal.payload.get("relationship") or 0),
        note=_link(proposal),
    )
    return {"family_id": proposal.family_id, "person_ids": [membership.person_id]}


def _correct_family(proposal: Proposal, _by: Any) -> dict[str, Any]:
    values = proposal.payload.get("family", {})
    if proposal.subtype == MOVE_DESA:
        registry.move_family(
            proposal.family,
            by=proposal.proposed_by,
            desa=Region.objects.get(code=values.get("desa")),
            address=values.get("address"),
            rt=str(values.get("rt") or ""),
            rw=str(values.get("rw") or ""),
            dusun=str(values.get("dusun") or ""),
            note=_link(proposal),
        )
        return {"family_id": proposal.family_id}
    registry.update_family(
        proposal.family, by=proposal.proposed_by, data=values, note=_link(proposal)
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
        note=_link(proposal),
    )
    return {"family_id": proposal.family_id, "person_ids": [proposal.person_id]}


def _deactivate(proposal: Proposal, _by: Any) -> dict[str, Any]:
    if deactivates_family(proposal):
        return _deactivate_family(proposal)
    registry.deactivate_person(
        proposal.person, by=proposal.proposed_by, reason=proposal.subtype, note=_link(proposal)
    )
    return {"family_id": proposal.family_id, "person_ids": [proposal.person_id]}


def _deactivate_family(proposal: Proposal) -> dict[str, Any]:
    """The whole family leaves DTKS (`registry.deactivate_family`, as the proposer): its
    members become nonaktif, its programs end; `person_ids` are the members it had."""
    members = Membership.objects.filter(family_id=proposal.family_id, end_date=None)
    person_ids = list(members.order_by("id").values_list("person_id", flat=True))
    registry.deactivate_family(
        proposal.family, by=proposal.proposed_by, reason=proposal.subtype, note=_link(proposal)
    )
    return {"family_id": proposal.family_id, "person_ids": person_ids}


def _program(proposal: Proposal, _by: Any) -> dict[str, Any]:
    """A family joins a program from the batch's month (`registry.start_program`, as the
    proposer); one it already receives then is left as it is. PBI-JKN non-DTKS concerns a
    person outside DTKS: ratifying it changes nothing in the registry."""
    if proposal.subtype == ProgramProposal.PBI_NON_DTKS:
        return {}
    family = proposal.family
    program = program_code(proposal.subtype)
    start = dt.date(proposal.batch.year, proposal.batch.month, 1)
    if family.is_active and program in current_programs(family.pk, start):
        return {"family_id": family.pk, "program_id": None}
    row = registry.start_program(
        family, by=proposal.proposed_by, program=program, start_month=start, note=_link(proposal)
    )
    return {"family_id": family.pk, "program_id": row.pk}


_APPLY = {
    Kind.NEW_FAMILY: _new_family,
    Kind.NEW_MEMBER: _new_member,
    Kind.CORRECT_FAMILY: _correct_family,
    Kind.CORRECT_PERSON: _correct_person,
    Kind.DEACTIVATE: _deactivate,
    Kind.PROGRAM: _program,
}


@transaction.atomic
def ratify_period(
    *, by: User, year: int, month: int, when: dt.datetime | None = None
) -> list[Proposal]:
    """Disahkan for a whole month: every batch of the period that the pengesah may ratify
    and that holds finalised proposals, as `ratify_batch` does, all or none (one refusal
    leaves every batch unapplied). The registry's rechecks run once, over every family the
    period's proposals touched, at the end."""
    from .actions import ratify_groups  # the actions import this module

    batches = ProposalBatch.objects.filter(
        area_q(by, "desa__code", Perm.RATIFY), year=year, month=month
    )
    ready = Proposal.objects.filter(status=Status.FINALISED, batch__in=batches)
    groups: dict[int, list[int]] = {}
    for batch_id, pk in ready.order_by("batch__desa_id", "id").values_list("batch_id", "pk"):
        groups.setdefault(batch_id, []).append(pk)
    if not groups:
        raise DomainError(_("There is no finalised proposal to ratify."), code="nothing")
    return ratify_groups(groups.values(), by=by, when=when)
