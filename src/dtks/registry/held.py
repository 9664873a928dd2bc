"""Registry changes held for a second, independent approver (Kepmensos 73/HUK/2024).

An officer tied to a family (`conflicts.conflicts`) is refused a change to it. Rather than
lose the change they may hold it: `hold_change` stores the action's name and its form data as
JSON with the ties found, nothing applied. A verifier whose area covers the desa, who is not
the requester and is not tied to the family (`conflicts.check_independent_approver`), then
approves it — the payload is re-validated through the same forms and the same action runs as
done by the requester, given an `Approval`, so its audit events name both people, and a
refusal of the action leaves the held change pending — or refuses it with a note. The
requester may withdraw it. Each step is atomic and audited (who, when, before → after).

The judgement (who is tied to what) stays in `conflicts`; this module is only the mechanics.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from dtks.audit.diff import snapshot
from dtks.audit.record import Change, record_events
from dtks.core.errors import DomainError, PermissionDeniedError

from . import actions
from .approval import Approval
from .conflicts import Subject, check_independent_approver, conflicts_with_any, subject_of
from .forms import DesaChoiceForm, EndMembershipForm, FamilyForm, MemberForm
from .models import Family, HeldChange, Membership, Person

if TYPE_CHECKING:
    from django import forms

    from dtks.accounts.models import User
    from dtks.wilayah.models import Region

Action = HeldChange.Action
Status = HeldChange.Status
# What a held change becomes once its payload is valid: a call of the action with an approval.
Run = Callable[[Approval], Any]
DECISION_EVENTS = {
    Status.APPROVED: "approve_held_change",
    Status.REFUSED: "refuse_held_change",
    Status.WITHDRAWN: "withdraw_held_change",
}
# Changes to one person of the family: they name the person.
PERSON_ACTIONS = frozenset(
    {Action.UPDATE_PERSON, Action.END_MEMBERSHIP, Action.DEACTIVATE_PERSON, Action.REMOVE_MEMBER}
)


def _valid(form: forms.Form) -> dict[str, Any]:
    """The form's cleaned data, or its first error as a DomainError naming the field."""
    if form.is_valid():
        return form.cleaned_data
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    message = f"{label}: {errors[0]}" if label else errors[0]
    raise DomainError(message, field=field, code="invalid_payload")


def _membership(held: HeldChange) -> Membership:
    membership = (
        Membership.objects.filter(family=held.family, person=held.person, end_date__isnull=True)
        .select_related("family", "person")
        .first()
    )
    if membership is None:
        raise DomainError(_("This person is not a current member of the family."), field="person")
    return membership


def _create_family(held: HeldChange) -> Run:
    by = held.requested_by
    desa = _valid(DesaChoiceForm({"desa": held.desa_id}, user=by))["desa"]
    data = _valid(FamilyForm(held.payload.get("family") or {}))
    members = [_valid(MemberForm(m)) for m in held.payload.get("members") or []]
    return lambda approval: actions.create_family(
        by=by, desa=desa, data=data, members=members, approval=approval
    )


def _update_family(held: HeldChange) -> Run:
    family = Family.objects.get(pk=held.family_id)
    data = _valid(FamilyForm(held.payload.get("family") or {}, instance=family))
    return lambda approval: actions.update_family(
        held.family, by=held.requested_by, data=data, approval=approval
    )


def _add_member(held: HeldChange) -> Run:
    data = _valid(MemberForm(held.payload.get("person") or {}))
    return lambda approval: actions.add_member(
        held.family,
        by=held.requested_by,
        data=data,
        relationship=data["relationship"],
        approval=approval,
    )


def _update_person(held: HeldChange) -> Run:
    person = Person.objects.get(pk=held.person_id)
    data = _valid(MemberForm(held.payload.get("person") or {}, instance=person))
    return lambda approval: actions.update_person(
        held.person,
        by=held.requested_by,
        data=data,
        family=held.family,
        relationship=data["relationship"],
        approval=approval,
    )


def _remove_member(held: HeldChange) -> Run:
    membership = _membership(held)
    data = _valid(EndMembershipForm(held.payload))
    return lambda approval: actions.remove_member(
        membership,
        by=held.requested_by,
        reason=data["reason"],
        end_date=data["end_date"],
        deactivate_reason=data["deactivate"] if held.action == Action.REMOVE_MEMBER else "",
        approval=approval,
    )


def _deactivate_person(held: HeldChange) -> Run:
    return lambda approval: actions.deactivate_person(
        held.person,
        by=held.requested_by,
        reason=str(held.payload.get("reason") or ""),
        approval=approval,
    )


RUNS: dict[str, Callable[[HeldChange], Run]] = {
    Action.CREATE_FAMILY: _create_family,
    Action.UPDATE_FAMILY: _update_family,
    Action.ADD_MEMBER: _add_member,
    Action.UPDATE_PERSON: _update_person,
    Action.END_MEMBERSHIP: _remove_member,
    Action.DEACTIVATE_PERSON: _deactivate_person,
    Action.REMOVE_MEMBER: _remove_member,
}


def _typed_person(data: Mapping[str, Any]) -> dict[str, Any]:
    """Person data from JSON as the conflict rules compare it (a date, an integer sex)."""
    born = data.get("birth_date")
    try:
        born = dt.date.fromisoformat(born) if isinstance(born, str) else born
    except ValueError:
        born = None
    sex = data.get("sex")
    return {**data, "birth_date": born, "sex": int(sex) if str(sex or "").isdigit() else None}


def subjects_of(held: HeldChange) -> list[Subject]:
    """The families the held change touches, as the conflict rules judge them: the family
    with the persons the change would add or rewrite, and a new No. KK it would take."""
    payload = held.payload
    people = payload.get("members") or ([payload["person"]] if payload.get("person") else [])
    people = [_typed_person(p) for p in people]
    family_data = payload.get("family") or {}
    if held.family_id is None:
        no_kk, address = str(family_data.get("no_kk") or ""), str(family_data.get("address") or "")
        return [Subject(no_kk, held.desa_id, address, ()).with_members(people)]
    subjects = [subject_of(held.family).with_members(people)]
    new_kk = family_data.get("no_kk")
    if new_kk and new_kk != held.family.no_kk:
        subjects.append(Subject(str(new_kk), held.desa_id, held.family.address, ()))
    return subjects


def _as_json(payload: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def _record(held: HeldChange, by: User, action: str, before: dict[str, Any] | None) -> None:
    change = Change(
        "held_change", str(held.pk), before, snapshot(held), held.family_id, held.desa_id
    )
    record_events(by, action, [change])


@transaction.atomic
def hold_change(
    *,
    by: User,
    action: str,
    payload: Mapping[str, Any],
    family: Family | None = None,
    desa: Region | None = None,
    person: Person | None = None,
) -> HeldChange:
    """Hold a registry change that `by` may not make alone because they are tied to the family:
    nothing is applied, the payload (the action's form data) is validated and stored with the
    ties found. `family` is required except for `create_family` (which names its `desa`)."""
    if (
        action not in RUNS
        or (family is None) != (action == Action.CREATE_FAMILY)
        or (person is None) == (action in PERSON_ACTIONS)
    ):
        raise DomainError(_("This change cannot be held for approval."), code="invalid_action")
    held = HeldChange(
        action=action,
        family=family,
        desa_id=family.desa_id if family else getattr(desa, "code", ""),
        person=person,
        requested_by=by,
        payload=_as_json(payload),
    )
    actions.authorise_edit(by, held.desa_id)
    RUNS[action](held)  # nothing invalid is held
    found = conflicts_with_any(by, subjects_of(held))
    if not found:
        raise DomainError(
            _("You are not tied to this family: make the change yourself."), code="no_conflict"
        )
    held.conflicts = [{"code": c.code, "message": c.message} for c in found]
    held.save()
    _record(held, by, "hold_change", None)
    return held


def _lock_pending(held: HeldChange) -> HeldChange:
    held = HeldChange.objects.select_for_update().get(pk=held.pk)
    if not held.is_pending:
        raise DomainError(
            _("This request was already decided (%(status)s).")
            % {"status": held.get_status_display()},
            code="decided",
        )
    return held


def _decide(held: HeldChange, by: User, status: str, note: str) -> None:
    before = snapshot(held)
    held.status, held.decided_by, held.decided_at = status, by, timezone.now()
    held.note = (note or "").strip()[:300]
    held.save()
    _record(held, by, DECISION_EVENTS[status], before)


@transaction.atomic
def approve_held_change(held: HeldChange, *, by: User, note: str = "") -> HeldChange:
    """A second, independent verifier approves: the payload is validated again and the action
    runs as done by the requester with `by`'s approval (both named in the audit). A refusal of
    the action (its own validations, a lost permission) raises and leaves it pending."""
    held = _lock_pending(held)
    check_independent_approver(by, held.requested_by, subjects_of(held))
    result = RUNS[held.action](held)(Approval(held.pk, by))
    if held.family_id is None and isinstance(result, Family):
        held.family = result
    _decide(held, by, Status.APPROVED, note)
    return held


@transaction.atomic
def refuse_held_change(held: HeldChange, *, by: User, note: str) -> HeldChange:
    """A verifier who could have approved refuses, saying why; nothing is applied."""
    if not (note or "").strip():
        raise DomainError(_("Say why the change is refused."), field="note")
    held = _lock_pending(held)
    check_independent_approver(by, held.requested_by, subjects_of(held))
    _decide(held, by, Status.REFUSED, note)
    return held


@transaction.atomic
def withdraw_held_change(held: HeldChange, *, by: User) -> HeldChange:
    """The requester takes their request back; nothing is applied."""
    held = _lock_pending(held)
    if held.requested_by_id != by.pk:
        raise PermissionDeniedError(
            _("Only the officer who asked may withdraw the request."), code="not_requester"
        )
    _decide(held, by, Status.WITHDRAWN, "")
    return held


def family_payload(family: Family, **changes: Any) -> dict[str, Any]:
    """The edit-family form data of `family` with `changes`: a payload for `update_family`."""
    return {"family": {**model_to_dict(family, fields=FamilyForm._meta.fields), **changes}}


def may_decide(user: User, held: HeldChange) -> bool:
    """Whether `user` could approve or refuse `held` (pending, not theirs, an independent
    verifier of its area)."""
    if not held.is_pending:
        return False
    try:
        check_independent_approver(user, held.requested_by, subjects_of(held))
    except PermissionDeniedError:
        return False
    return True
