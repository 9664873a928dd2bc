"""A proposal's data: what it proposes, what it replaces, and the family it concerns.

Payload shapes by kind (dates as ISO text):
- new_family: {"family": {no_kk, address, ...}, "members": [{nik, name, ..., relationship}]}
- new_member: {"person": {nik, name, ...}, "relationship": n}            (target family)
- correct_family: {"family": {field: value}}                            (target family)
  subtype "move_desa" (pindah desa): {"family": {"desa": code, "address"?, "dusun"?, "rt"?, "rw"?}}
  (the batch is the old desa's; dusun/RT/RW not given are emptied, an address not given kept)
- correct_person: {"person": {field: value}, "relationship": n?}         (target person, family)
- deactivate: {} with subtype = the reason (registry InactiveReason)     (target person, family)
  without a person (target family only): the whole family (penonaktifan keluarga)
- program: {} with subtype = the program; pbi_non_dtks: {"person": {...}} and no target
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.dateparse import parse_date

from dtks.audit.diff import snapshot
from dtks.registry.choices import Program
from dtks.registry.conflicts import Subject, subject_of
from dtks.registry.models import Family, FamilyProgram, Membership

from .models import Kind, ProgramProposal, Proposal

DATE_FIELDS = frozenset({"birth_date"})
MOVE_DESA = "move_desa"  # correct_family subtype: the family moves to another desa/kelurahan


def deactivates_family(proposal: Proposal) -> bool:
    """A deactivation of the whole family (kind `deactivate`, a family and no person)."""
    return proposal.kind == Kind.DEACTIVATE and not proposal.person_id and bool(proposal.family_id)


def family_leaving_values(family_id: int) -> dict[str, Any]:
    """What a family deactivation changes, as the registry holds it now."""
    family = Family.objects.get(pk=family_id)
    members = Membership.objects.filter(family_id=family_id, end_date=None).count()
    return {
        "status": family.status,
        "inactive_reason": family.inactive_reason,
        "members": members,
        "programs": current_programs(family_id),
    }


def typed(values: Mapping[str, Any]) -> dict[str, Any]:
    """Payload values as the registry takes them: ISO dates become dates."""
    out = dict(values)
    for name in DATE_FIELDS & out.keys():
        if isinstance(out[name], str):
            out[name] = parse_date(out[name]) if out[name] else None
    return out


def proposed_persons(proposal: Proposal) -> list[dict[str, Any]]:
    """The person data a proposal brings (new members, a corrected person, a non-DTKS one)."""
    payload = proposal.payload
    if proposal.kind == Kind.NEW_FAMILY:
        return [typed(m) for m in payload.get("members", [])]
    if "person" in payload:
        return [typed(payload["person"])]
    return []


def subject(proposal: Proposal) -> Subject:
    """The family the proposal concerns, with the persons it brings (for conflict checks)."""
    added = proposed_persons(proposal)
    if proposal.family_id:
        return subject_of(proposal.family).with_members(added)
    family = proposal.payload.get("family", {})
    return Subject(
        str(family.get("no_kk") or ""), proposal.batch.desa_id, str(family.get("address") or ""), ()
    ).with_members(added)


def current_values(proposal: Proposal) -> dict[str, Any]:
    """What the registry holds now for the values the proposal changes."""
    payload = proposal.payload
    if proposal.kind == Kind.CORRECT_FAMILY and proposal.family_id:
        now = snapshot(proposal.family) | {"desa": proposal.family.desa_id}
        return {k: now.get(k) for k in payload.get("family", {})}
    if proposal.kind == Kind.CORRECT_PERSON and proposal.person_id:
        now = snapshot(proposal.person)
        values = {k: now.get(k) for k in payload.get("person", {})}
        if "relationship" in payload:
            values["relationship"] = (
                Membership.objects.filter(
                    family_id=proposal.family_id, person_id=proposal.person_id, end_date=None
                )
                .values_list("relationship", flat=True)
                .first()
            )
        return values
    if proposal.kind == Kind.DEACTIVATE and proposal.person_id:
        return {"status": proposal.person.status}
    if deactivates_family(proposal):
        return family_leaving_values(proposal.family_id)
    if proposal.kind == Kind.PROGRAM and proposal.family_id:
        return {"programs": current_programs(proposal.family_id)}
    return {}


def program_code(subtype: str) -> str:
    """The registry program a program proposal adds (both PBI-JKN kinds are PBI-JKN)."""
    if subtype in (ProgramProposal.PBI_DTKS, ProgramProposal.PBI_NON_DTKS):
        return Program.PBI_JKN
    return subtype


def current_programs(family_id: int, on: dt.date | None = None) -> list[str]:
    on = on or dt.date.today()
    rows = FamilyProgram.objects.filter(family_id=family_id, start_month__lte=on).exclude(
        end_month__lt=on.replace(day=1)
    )
    return sorted(set(rows.values_list("program", flat=True)))


def after_values(proposal: Proposal) -> dict[str, Any]:
    """The values the proposal would write, keyed like `current_values`."""
    payload = proposal.payload
    if proposal.kind == Kind.CORRECT_FAMILY:
        return dict(payload.get("family", {}))
    if proposal.kind == Kind.CORRECT_PERSON:
        values = dict(payload.get("person", {}))
        if "relationship" in payload:
            values["relationship"] = payload["relationship"]
        return values
    if deactivates_family(proposal):  # members leave, programs end (registry.deactivate_family)
        return {"status": "inactive", "inactive_reason": proposal.subtype, "members": 0,
                "programs": []}  # fmt: skip
    if proposal.kind == Kind.DEACTIVATE:
        return {"status": "inactive", "inactive_reason": proposal.subtype}
    if proposal.kind == Kind.PROGRAM and proposal.family_id:
        now = proposal.before.get("programs", [])
        return {"programs": sorted({*now, program_code(proposal.subtype)})}
    if proposal.kind == Kind.NEW_MEMBER:
        return {**payload.get("person", {}), "relationship": payload.get("relationship")}
    if proposal.kind == Kind.NEW_FAMILY:
        return dict(payload.get("family", {}))
    return dict(payload.get("person", {}))


def changes(proposal: Proposal) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for every field the proposal changes: the before → after view.
    Before values are the ones captured at submission (the registry's now, for a draft)."""
    before = proposal.before or current_values(proposal)
    after = after_values(proposal)
    return [(k, before.get(k), v) for k, v in after.items() if before.get(k) != v]
