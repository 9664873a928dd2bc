"""The verification rules of the registry run on a proposal's data before it is submitted.

The data is not saved yet, so the rules read plain `PersonData`/`FamilyData` built from the
registry's current rows with the proposal's values laid over them: a new family's members, a
corrected person, a family without the member to be deactivated, a family with the program
added. `family_head_count` on such data finds both a family without a head and one with two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import in_area
from dtks.registry import choices as c
from dtks.registry.models import Family, Membership, Person
from dtks.verification.rules import (
    CheckContext,
    FamilyData,
    MemberData,
    PersonData,
    RuleFinding,
    check_family,
    check_person,
)
from dtks.wilayah.models import Level, Region

from .data import (
    MOVE_DESA,
    current_programs,
    deactivates_family,
    program_code,
    proposed_persons,
    typed,
)
from .models import Kind, Proposal

PERSON_COLUMNS = (
    "id",
    "nik",
    "name",
    "birth_place",
    "birth_date",
    "sex",
    "marital_status",
    "mother_name",
    "presence",
)


def _int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _person(values: Mapping[str, Any], pk: int | None = None) -> PersonData:
    row = {name: values.get(name) for name in PERSON_COLUMNS}
    row.update(id=pk, nik=str(row["nik"] or ""), name=str(row["name"] or ""))
    row.update(birth_place=str(row["birth_place"] or ""), mother_name=str(row["mother_name"] or ""))
    for name in ("sex", "marital_status", "presence"):
        row[name] = _int(row[name])
    others = Person.objects.filter(nik=row["nik"]).exclude(pk=pk)
    others = others.exclude(inactive_reason=c.InactiveReason.DUPLICATE)
    return PersonData(**row, nik_others=tuple(others.values_list("id_dtks", flat=True)))


def _member(values: Mapping[str, Any], pk: int | None = None) -> MemberData:
    return MemberData(
        person_id=pk,
        name=str(values.get("name") or ""),
        relationship=_int(values.get("relationship")),
        birth_date=values.get("birth_date"),
        presence=_int(values.get("presence")),
    )


def _current_members(family_id: int) -> list[tuple[int, dict[str, Any]]]:
    rows = (
        Membership.objects.filter(
            family_id=family_id, end_date=None, person__status=c.RecordStatus.ACTIVE
        )
        .order_by("id")
        .values("person_id", "relationship", *(f"person__{n}" for n in PERSON_COLUMNS[1:]))
    )
    return [
        (
            r["person_id"],
            {"relationship": r["relationship"]}
            | {n: r[f"person__{n}"] for n in PERSON_COLUMNS[1:]},
        )
        for r in rows
    ]


def _family_view(proposal: Proposal) -> tuple[FamilyData | None, list[PersonData]]:
    """The family and the persons as they would be after the proposal."""
    kind, payload = proposal.kind, proposal.payload
    if kind == Kind.NEW_FAMILY:
        members = [typed(m) for m in payload.get("members", [])]
        family = FamilyData(None, c.RecordStatus.ACTIVE, (), tuple(_member(m) for m in members))
        return family, [_person(m) for m in members]
    if not proposal.family_id:
        return None, [_person(p) for p in proposed_persons(proposal)]
    if deactivates_family(proposal):  # out of DTKS: the family rules no longer judge it
        return None, []
    stored = Family.objects.values("status").get(pk=proposal.family_id)
    members = _current_members(proposal.family_id)
    programs = current_programs(proposal.family_id)
    checked: list[PersonData] = []
    if kind == Kind.NEW_MEMBER:
        person = typed(payload.get("person", {}))
        members.append((None, {**person, "relationship": payload.get("relationship")}))
        checked.append(_person(person))
    elif kind == Kind.CORRECT_PERSON:
        change = typed(payload.get("person", {}))
        if "relationship" in payload:
            change["relationship"] = payload["relationship"]
        members = [(pk, {**v, **change} if pk == proposal.person_id else v) for pk, v in members]
        checked += [_person(v, pk) for pk, v in members if pk == proposal.person_id]
    elif kind == Kind.DEACTIVATE:
        members = [(pk, v) for pk, v in members if pk != proposal.person_id]
    elif kind == Kind.PROGRAM:
        programs = sorted({*programs, program_code(proposal.subtype)})
    family = FamilyData(
        proposal.family_id,
        stored["status"],
        tuple(programs),
        tuple(_member(v, pk) for pk, v in members),
    )
    return family, checked


def _as_dict(found: RuleFinding, subject: str) -> dict[str, Any]:
    return {
        "rule": found.rule,
        "severity": found.severity,
        "field": found.field,
        "message": found.message,
        "subject": subject,
    }


class _KecamatanCodes(Collection[str]):
    """The loaded kecamatan codes (`verification.actions.known_kecamatan`), asked code by
    code: a proposal's few NIKs cost an indexed query each, not a read of every kecamatan."""

    def __contains__(self, code: object) -> bool:
        return Region.objects.filter(code=str(code), level=Level.KECAMATAN).exists()

    def __iter__(self) -> Iterator[str]:
        return iter(Region.objects.filter(level=Level.KECAMATAN).values_list("code", flat=True))

    def __len__(self) -> int:
        return Region.objects.filter(level=Level.KECAMATAN).count()


def _known_kecamatan() -> _KecamatanCodes | None:
    """None when no kecamatan is loaded (the rules then leave the NIK's region unchecked)."""
    return _KecamatanCodes() if Region.objects.filter(level=Level.KECAMATAN).exists() else None


def run_rules(proposal: Proposal, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Every finding of the registry's rules on the proposal's data (errors block submission)."""
    context = CheckContext(known_regions=_known_kecamatan(), today=today or timezone.localdate())
    family, persons = _family_view(proposal)
    found: list[dict[str, Any]] = []
    for person in persons:
        found += [_as_dict(f, person.name or person.nik) for f in check_person(person, context)]
    if family is not None:
        found += [_as_dict(f, "family") for f in check_family(family, context)]
    if proposal.kind == Kind.CORRECT_FAMILY and proposal.subtype == MOVE_DESA:
        found += _move_findings(proposal)
    if deactivates_family(proposal):
        found += _leaving_findings(proposal, context.today or timezone.localdate())
    return found


def _leaving_error(rule: str, field: str, message: str) -> dict[str, Any]:
    return {"rule": rule, "severity": "error", "field": field, "message": message,
            "subject": "family"}  # fmt: skip


def _leaving_findings(proposal: Proposal, today: dt.date) -> list[dict[str, Any]]:
    """A family deactivation needs an active family without a program starting this month or
    later (the registry's `deactivate_family` refuses both on ratification)."""
    family = Family.objects.get(pk=proposal.family_id)
    if not family.is_active:
        message = _("This family is already inactive.")
        return [_leaving_error("deactivate_family_inactive", "status", message)]
    starting = family.programs.filter(start_month__gte=today.replace(day=1)).first()
    if starting is None:
        return []
    message = _(
        "The family starts receiving %(program)s in %(month)s; it can be deactivated "
        "from the month after."
    ) % {"program": starting.get_program_display(), "month": starting.start_month.strftime("%m-%Y")}
    return [_leaving_error("deactivate_family_program_starting", "programs", message)]


def _move_error(rule: str, message: str) -> dict[str, Any]:
    return {"rule": rule, "severity": "error", "field": "desa", "message": message,
            "subject": "family"}  # fmt: skip


def _move_findings(proposal: Proposal) -> list[dict[str, Any]]:
    """A move needs a desa/kelurahan other than the family's that the proposer may edit
    (the registry's `move_family` refuses anything else on ratification)."""
    code = str(proposal.payload.get("family", {}).get("desa") or "")
    if not Region.objects.filter(code=code, level=Level.DESA).exists():
        return [
            _move_error("move_desa_unknown", _("Choose the desa/kelurahan the family moves to."))
        ]
    if code == proposal.family.desa_id:
        return [
            _move_error("move_desa_same", _("The family already lives in this desa/kelurahan."))
        ]
    if not in_area(proposal.proposed_by, code, Perm.EDIT_REGISTRY):
        message = _("The desa/kelurahan the family moves to lies outside your area.")
        return [_move_error("move_desa_out_of_area", message)]
    return []


def errors(findings: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [f for f in findings if f.get("severity") == "error"]
