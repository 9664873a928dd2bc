"""Ratification applies a proposal to the registry through the registry's own actions.

The registry actions run as the proposer (the desa operator whose edit rights and conflict
checks they already apply) with the note `proposal=<id>`, so every audit event of a ratified
change names its proposal; the events' ids, and the ids of what they created, are kept on the
proposal (`result`) too. `ratify_period` ratifies every finalised batch of a month at once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
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


def apply_change(
    proposal: Proposal, *, ratified_by: Any, bulk: BulkApply | None = None
) -> dict[str, Any]:
    """The proposal's change through the registry actions: the ids of what it created, not
    yet its audit events (`ratify_groups` takes them from the held events). With `bulk`, a
    change it holds is checked now and written at its `flush()`."""
    if bulk is not None and proposal.pk in bulk.eligible:
        return bulk.apply(proposal)
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


# Ratification writes person corrections, family corrections and programs set-based
# (`BulkApply`); off only to compare it with the change-by-change path in tests.
BULK_APPLY = True


class BulkApply:
    """The person corrections, family corrections (not moves) and program proposals of a
    ratification call applied set-based (`registry.actions.BulkEdits`): each is checked, and
    its audit events recorded, at its place in the call, and all are written at `flush()`.
    Only a change whose family and person no other proposal of the call touches, whose
    person belongs to that family alone, and whose NIK or No. KK no other proposal claims
    and no other record holds: any other goes through the registry actions one by one, so
    the outcome (and any refusal) is the one of the change-by-change path."""

    def __init__(self, ids: list[int], events: list[Any]) -> None:
        rows = list(
            Proposal.objects.filter(pk__in=ids).values_list(
                "pk", "kind", "subtype", "family_id", "person_id", "payload", "family__no_kk"
            )
        )
        families = Counter(r[3] for r in rows if r[3])
        persons = Counter(r[4] for r in rows if r[4])
        niks = Counter(n for r in rows for n in _proposed(r[1], r[5], "nik"))
        kks = Counter(k for r in rows for k in _proposed(r[1], r[5], "no_kk"))
        wanted = {r[0]: r for r in rows if _simple(r) and families[r[3]] == 1}
        wanted = {
            pk: r for pk, r in wanted.items() if r[1] != Kind.CORRECT_PERSON or persons[r[4]] == 1
        }
        memberships = Counter(
            Membership.objects.filter(
                person_id__in=[r[4] for r in wanted.values() if r[1] == Kind.CORRECT_PERSON],
                end_date=None,
            ).values_list("person_id", flat=True)
        )
        nik_of = {pk: _new_value(r[5], "person", "nik") for pk, r in wanted.items()}
        kk_of = {
            pk: _new_value(r[5], "family", "no_kk") or (r[6] or "").strip()
            for pk, r in wanted.items()
            if r[1] == Kind.CORRECT_FAMILY
        }
        held_niks = registry.claimed_niks(n for n in nik_of.values() if n)
        held_kks = registry.claimed_no_kks(kk_of.values())
        self.eligible: set[int] = set()
        for pk, (_pk, kind, _sub, family_id, person_id, _p, _kk) in wanted.items():
            nik, kk = nik_of.get(pk), kk_of.get(pk)
            if kind == Kind.CORRECT_PERSON and (
                memberships[person_id] != 1
                or (nik and (niks[nik] > 1 or held_niks.get(nik, set()) - {person_id}))
            ):
                continue
            if kk and (kks[kk] > 1 or held_kks.get(kk, set()) - {family_id}):
                continue
            self.eligible.add(pk)
        chosen = [wanted[pk] for pk in self.eligible]
        self.edits = registry.BulkEdits(
            person_ids=[r[4] for r in chosen if r[1] == Kind.CORRECT_PERSON],
            family_ids=[r[3] for r in chosen],
            events=events,
        )
        self._programs: list[tuple[dict[str, Any], Any]] = []

    def apply(self, proposal: Proposal) -> dict[str, Any]:
        """What `apply_change` does for the proposal, its writes waiting for `flush()`."""
        edits, by, note = self.edits, proposal.proposed_by, _link(proposal)
        if proposal.kind == Kind.CORRECT_PERSON:
            relationship = proposal.payload.get("relationship")
            edits.update_person(
                proposal.person_id,
                by=by,
                data=typed(proposal.payload.get("person", {})),
                family=proposal.family,
                relationship=int(relationship) if relationship else None,
                note=note,
            )
            return {"family_id": proposal.family_id, "person_ids": [proposal.person_id]}
        if proposal.kind == Kind.CORRECT_FAMILY:
            values = proposal.payload.get("family", {})
            edits.update_family(proposal.family_id, by=by, data=values, note=note)
            return {"family_id": proposal.family_id}
        family = proposal.family
        program = program_code(proposal.subtype)
        start = dt.date(proposal.batch.year, proposal.batch.month, 1)
        if family.is_active and program in edits.current_programs(family.pk, start):
            return {"family_id": family.pk, "program_id": None}
        row = edits.start_program(family.pk, by=by, program=program, start_month=start, note=note)
        result = {"family_id": family.pk, "program_id": None}
        self._programs.append((result, row))
        return result

    def flush(self) -> None:
        """Write the held changes; each program proposal's result gets its row's id."""
        self.edits.flush()
        for result, row in self._programs:
            result["program_id"] = row.pk


def _simple(row: tuple[Any, ...]) -> bool:
    kind, subtype = row[1], row[2]
    if kind == Kind.CORRECT_PERSON:
        return bool(row[4])
    if kind == Kind.CORRECT_FAMILY:
        return subtype != MOVE_DESA
    return kind == Kind.PROGRAM and subtype != ProgramProposal.PBI_NON_DTKS


def _new_value(payload: dict[str, Any], part: str, name: str) -> str:
    return str((payload.get(part) or {}).get(name) or "").strip()


def _proposed(kind: str, payload: dict[str, Any], name: str) -> list[str]:
    """The NIKs (or No. KKs) a proposal would write."""
    if name == "no_kk":
        return [v] if (v := _new_value(payload, "family", name)) else []
    people = [*payload.get("members", []), payload.get("person") or {}]
    return [v for p in people if (v := str(p.get(name) or "").strip())]


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
