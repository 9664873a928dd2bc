"""Every step of a proposal (views, the CLI and tests call these).

Each action is atomic, consults the transition table (`workflow.step_for`) and refuses, with
an Indonesian message, a step the table does not hold from the current status, a role without
the step's permission, a desa outside the user's area, the proposer checking their own
proposal (maker ≠ checker), the verifier ratifying what they verified, an officer tied to the
family (conflict of interest: another, independent officer must act), a missing note, and a
step outside its monthly window (`dtks.schedule.windows`) without an extension. Each step
writes a `Transition` row and an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import in_area
from dtks.audit.record import Change, held_events, record_events
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.registry import choices as c
from dtks.registry.actions import (
    BulkEdits,
    all_or_nothing,
    as_of,
    deferred_families,
    deferred_rechecks,
    known_members,
)
from dtks.registry.conflicts import ConflictOfInterestError, conflicts
from dtks.registry.models import Family, Membership, Person
from dtks.schedule.windows import WindowClosedError, refuse_outside_window

from . import apply as apply_module
from .apply import apply_change
from .batch_checks import RatifyChecks, ratify_checks
from .checks import errors, run_rules
from .data import current_values, subject
from .models import Kind, ProgramProposal, Proposal, ProposalBatch, Status, Transition
from .uploads import require_berita_acara
from .workflow import LABELS, NEW, PROPOSAL_WINDOW, Step, step_for, window_kind

if TYPE_CHECKING:
    from dtks.accounts.models import User
    from dtks.wilayah.models import Region


class RuleErrorsError(DomainError):
    """The registry's verification rules found errors in the proposed data."""

    def __init__(self, found: list[Mapping[str, Any]]) -> None:
        super().__init__(
            _("The proposal has %(n)d error(s) to repair before it can be submitted.")
            % {"n": len(found)},
            code="rule_errors",
        )
        self.found = found


def authorise_step(
    proposal: Proposal, action: str, by: User, *, note: str = "", when: dt.datetime | None = None
) -> Step:
    """The step `action` takes from the proposal's status, or a refusal saying why not."""
    return _authorise(proposal, action, by, note=note, when=when)


def _authorise(
    proposal: Proposal,
    action: str,
    by: User,
    *,
    note: str = "",
    when: dt.datetime | None = None,
    judged: RatifyChecks | None = None,
) -> Step:
    """`authorise_step`, with the verifier, conflict and window answers taken from `judged`
    when a batch judged them at once (`batch_checks`), in the same order of refusals."""
    step = step_for(proposal.status, action)
    if step is None:
        raise DomainError(
            _("A proposal that is “%(status)s” cannot be given the step “%(step)s”.")
            % {"status": _status_label(proposal.status), "step": LABELS.get(action, action)},
            code="wrong_state",
        )
    _refuse_role(proposal, step, by)
    _refuse_checker(proposal, step, by, judged)
    if step.note_required and not note.strip():
        raise DomainError(_("Write a note saying why."), field="note", code="note_required")
    if step.window:
        kind = step.window
        if kind == PROPOSAL_WINDOW:
            kind = window_kind(proposal.kind, proposal.subtype)
        if judged is None:
            refuse_outside_window(kind, proposal.batch.desa_id, when)
        elif not (status := judged.windows[proposal.batch.desa_id]).open:
            raise WindowClosedError(kind, status.opens)
    return step


def _status_label(status: str) -> str:
    return str(Status(status).label) if status else _("new")


def _refuse_role(proposal: Proposal, step: Step, by: User) -> None:
    if not by.can(step.perm):
        raise PermissionDeniedError(
            _("Your role may not %(step)s a proposal.") % {"step": LABELS[step.action]},
            code="wrong_role",
        )
    if not in_area(by, proposal.batch.desa_id, step.perm):
        raise PermissionDeniedError(
            _("This desa/kelurahan lies outside your area."), field="desa", code="out_of_area"
        )


def _refuse_checker(
    proposal: Proposal, step: Step, by: User, judged: RatifyChecks | None = None
) -> None:
    if step.independent and by.pk == proposal.proposed_by_id:
        raise PermissionDeniedError(
            _("You made this proposal; another officer must %(step)s it.")
            % {"step": LABELS[step.action]},
            code="maker_checker",
        )
    if step.not_verifier and (
        proposal.pk in judged.verified
        if judged
        else proposal.transitions.filter(action="verify", by=by).exists()
    ):
        raise PermissionDeniedError(
            _("You verified this proposal; another officer must %(step)s it.")
            % {"step": LABELS[step.action]},
            code="verifier_checker",
        )
    if step.untied or step.independent:
        found = judged.ties[proposal.pk] if judged else conflicts(by, subject(proposal))
        if found:
            raise ConflictOfInterestError(found)


def _move(
    proposal: Proposal, step: Step, by: User, *, note: str = "", when: dt.datetime | None = None
) -> Transition:
    """Record the step: status, a `Transition` row and an audit event."""
    source = proposal.status
    proposal.status = step.target
    if step.action == "return":
        proposal.return_note = note.strip()[:300]
    proposal.save()
    row = Transition.objects.create(
        proposal=proposal,
        action=step.action,
        from_status=source,
        to_status=step.target,
        by=by,
        at=when or timezone.now(),
        note=note.strip()[:300],
    )
    record_events(
        by, f"proposal_{step.action}", [_step_change(proposal, source)], note.strip()[:300]
    )
    return row


def _step_change(proposal: Proposal, source: str) -> Change:
    """The audit change of a step: the status before → after, with the kind."""
    return Change(
        "proposal",
        str(proposal.pk),
        {"status": source} if source else None,
        {"status": proposal.status, "kind": proposal.kind, "subtype": proposal.subtype},
        proposal.family_id,
        proposal.batch.desa_id,
    )


def _locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("batch", "family", "person", "proposed_by")
        .get(pk=proposal.pk)
    )


@transaction.atomic
def open_batch(*, by: User, desa: Region, year: int, month: int) -> ProposalBatch:
    """The desa's batch for the period, created on first use (edit permission over the desa)."""
    if not by.can(Perm.EDIT_REGISTRY) or not in_area(by, desa.code, Perm.EDIT_REGISTRY):
        raise PermissionDeniedError(
            _("You may not propose for this desa/kelurahan."), code="out_of_area"
        )
    batch, created = ProposalBatch.objects.get_or_create(desa=desa, year=year, month=month)
    if created:
        change = Change(
            "proposal_batch", str(batch.pk), None, {"period": batch.period}, None, desa.code
        )
        record_events(by, "open_proposal_batch", [change])
    return batch


def _current_family(person: Person, desa_code: str) -> Family:
    membership = (
        Membership.objects.filter(person=person, end_date=None, family__desa_id=desa_code)
        .select_related("family")
        .first()
    )
    if membership is None:
        raise DomainError(
            _("This person is not a current member of a family in this desa/kelurahan."),
            field="person",
        )
    return membership.family


def _target(
    batch: ProposalBatch, kind: str, subtype: str, family: Family | None, person: Person | None
) -> tuple[Family | None, Person | None]:
    """Check that the kind, subtype and target fit together; the family of a person target."""
    if kind not in Kind.values:
        raise DomainError(_("Choose a valid proposal type."), field="kind")
    if kind == Kind.DEACTIVATE and subtype not in c.InactiveReason.values:
        raise DomainError(_("Choose a valid reason for deactivation."), field="subtype")
    if kind == Kind.PROGRAM and subtype not in ProgramProposal.values:
        raise DomainError(_("Choose a valid program."), field="subtype")
    # A deactivation with a family and no person takes the whole family out (`apply`).
    whole_family = kind == Kind.DEACTIVATE and person is None and family is not None
    if kind in (Kind.CORRECT_PERSON, Kind.DEACTIVATE) and not whole_family:
        if person is None:
            raise DomainError(_("Choose the person this proposal concerns."), field="person")
        family = _current_family(person, batch.desa_id)
    elif kind == Kind.NEW_FAMILY or subtype == ProgramProposal.PBI_NON_DTKS:
        family = person = None
    elif family is None:
        raise DomainError(_("Choose the family this proposal concerns."), field="family")
    if family is not None and family.desa_id != batch.desa_id:
        raise DomainError(_("The family lives in another desa/kelurahan."), field="family")
    return family, person


@transaction.atomic
def create_proposal(
    batch: ProposalBatch,
    *,
    by: User,
    kind: str,
    subtype: str = "",
    family: Family | None = None,
    person: Person | None = None,
    payload: Mapping[str, Any] | None = None,
    when: dt.datetime | None = None,
) -> Proposal:
    """A new draft proposal in the desa's batch (desa operator). Nothing changes in the
    registry until the proposal is ratified."""
    family, person = _target(batch, kind, subtype, family, person)
    proposal = Proposal(
        batch=batch,
        kind=kind,
        subtype=subtype,
        family=family,
        person=person,
        payload=dict(payload or {}),
        proposed_by=by,
        status=NEW,
    )
    step = authorise_step(proposal, "create", by, when=when)
    proposal.save()
    _move(proposal, step, by, when=when)
    return proposal


@transaction.atomic
def edit_proposal(
    proposal: Proposal, *, by: User, payload: Mapping[str, Any], when: dt.datetime | None = None
) -> Proposal:
    """Change the proposed values of a draft or returned proposal; its findings are cleared
    (the rules run again on submission)."""
    proposal = _locked(proposal)
    step = authorise_step(proposal, "edit", by, when=when)
    proposal.payload = dict(payload)
    proposal.findings = []
    _move(proposal, step, by, when=when)
    return proposal


def submit_proposal(proposal: Proposal, *, by: User, when: dt.datetime | None = None) -> Proposal:
    """Submit (diajukan) a draft, or a returned proposal after repair. The registry's
    verification rules run on the proposed data first (Kepmensos 150/HUK/2022): their
    findings are kept on the proposal and an error refuses the submission (`RuleErrorsError`).
    The values the proposal replaces are captured now, for the before → after view."""
    with transaction.atomic():
        proposal = _locked(proposal)
        step = authorise_step(proposal, "submit", by, when=when)
        require_berita_acara(proposal.batch)
        proposal.findings = run_rules(proposal)
        blocking = errors(proposal.findings)
        if blocking:
            proposal.save(update_fields=["findings", "updated_at"])
        else:
            proposal.before = current_values(proposal)
            _move(proposal, step, by, when=when)
    if blocking:
        raise RuleErrorsError(blocking)
    return proposal


@transaction.atomic
def take_step(
    proposal: Proposal,
    action: str,
    *,
    by: User,
    note: str = "",
    when: dt.datetime | None = None,
) -> Proposal:
    """One step of the table that changes nothing but the status: verify, return (with a
    note), finalise, send, determine, reject (with a note). Ratification is `ratify_batch`."""
    if action in ("create", "edit", "submit", "ratify"):
        raise ValueError(f"{action} has its own action")
    proposal = _locked(proposal)
    step = authorise_step(proposal, action, by, note=note, when=when)
    _move(proposal, step, by, note=note, when=when)
    return proposal


def verify_proposal(proposal: Proposal, *, by: User, when: dt.datetime | None = None) -> Proposal:
    """Diverifikasi: a kabupaten verifier who did not propose it and is not tied to it."""
    return take_step(proposal, "verify", by=by, when=when)


def return_proposal(
    proposal: Proposal, *, by: User, note: str, when: dt.datetime | None = None
) -> Proposal:
    """Dikembalikan (perlu perbaikan): back to the desa with a note saying what to repair."""
    return take_step(proposal, "return", by=by, note=note, when=when)


def finalise_proposal(proposal: Proposal, *, by: User, when: dt.datetime | None = None) -> Proposal:
    """Difinalisasi by the kabupaten (not by the proposer)."""
    return take_step(proposal, "finalise", by=by, when=when)


@transaction.atomic
def ratify_batch(
    batch: ProposalBatch,
    *,
    by: User,
    proposals: Iterable[int] | None = None,
    when: dt.datetime | None = None,
) -> list[Proposal]:
    """Disahkan: the pengesah ratifies the batch's finalised proposals (or those of them in
    `proposals`) and each is applied to the registry through the registry actions, all or
    none: one refusal (a step, or the registry refusing a change) leaves nothing applied.
    Each proposal keeps the audit events and ids of what it wrote (`result`)."""
    queryset = batch.proposals.filter(status=Status.FINALISED)
    if proposals is not None:
        queryset = queryset.filter(pk__in=list(proposals))
    chosen = list(queryset.order_by("id").values_list("pk", flat=True))
    if not chosen:
        raise DomainError(_("There is no finalised proposal to ratify."), code="nothing")
    return ratify_groups([chosen], by=by, when=when)


@transaction.atomic
def ratify_groups(
    groups: Iterable[list[int]], *, by: User, when: dt.datetime | None = None
) -> list[Proposal]:
    """Ratify the proposals of each group (a batch's ids, in order), group after group, all
    or none, as `ratify_batch` does one by one: each proposal is refused for the same reasons
    in the same order, then applied. What the checks read is read once per group
    (`batch_checks`); a proposal an earlier change of the call touched (its family, its
    person) is read and judged again on its own. The registry's audit events and one
    `proposal_ratify` event per proposal are appended to the chain at the end
    (`held_events`), the transitions and statuses written in bulk, each desa's last ID DTKS
    read once and the registry actions' savepoints spared (`all_or_nothing`: a refusal rolls
    the whole call back), and the registry's rechecks run once (`deferred_rechecks`)."""
    done: list[Proposal] = []
    spans: dict[int, tuple[int, int]] = {}
    batches = [list(ids) for ids in groups]
    day = timezone.localdate(when) if when else timezone.localdate()
    with deferred_rechecks(), all_or_nothing(), as_of(day):
        with held_events() as events:
            bulk = None
            if apply_module.BULK_APPLY and BulkEdits.possible():
                bulk = apply_module.BulkApply([pk for ids in batches for pk in ids], events)
            for ids in batches:
                for proposal in _ratify_group(ids, by, when):
                    start = len(events)
                    _apply(proposal, by, bulk)
                    spans[proposal.pk] = (start, len(events))
                    done.append(proposal)
            if bulk is not None:
                bulk.flush()
            changes = [_step_change(p, Status.FINALISED) for p in _as_ratified(done)]
            record_events(by, "proposal_ratify", changes)
        for proposal in done:
            first, last = spans[proposal.pk]
            proposal.result["audit_events"] = [e.pk for e in events[first:last]]
        _save_ratified(done, by, when)
    return done


def _ratify_group(ids: list[int], by: User, when: dt.datetime | None) -> Iterator[Proposal]:
    """The group's proposals, locked, each authorised just before it is applied."""
    locked = list(
        Proposal.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("batch", "batch__desa", "family", "person", "proposed_by")
        .order_by("id")
    )
    proposers: dict[int, User] = {}
    for p in locked:  # one instance per user: their roles and area are read once
        p.proposed_by = proposers.setdefault(p.proposed_by_id, p.proposed_by)
    step = step_for(Status.FINALISED, "ratify")
    judged = ratify_checks(locked, by, step.window, when)
    known_members(judged.members)  # the proposers' conflict checks read them from here
    persons: set[int] = set()
    for proposal in locked:
        touched = deferred_families()
        if proposal.family_id in touched or (proposal.person_id or 0) in persons:
            proposal = _locked(proposal)  # changed since it was read: as one by one
            _authorise(proposal, "ratify", by, when=when)
        else:
            _authorise(proposal, "ratify", by, when=when, judged=judged)
        yield proposal
        persons.update(proposal.result.get("person_ids", ()))
        if proposal.person_id:
            persons.add(proposal.person_id)


def _apply(proposal: Proposal, by: User, bulk: apply_module.BulkApply | None) -> None:
    """The proposal's registry change (`apply.apply_change`, set-based for those `bulk`
    holds); a refusal names the proposal."""
    try:
        proposal.result = apply_change(proposal, ratified_by=by, bulk=bulk)
    except DomainError as exc:
        raise DomainError(
            _("Proposal #%(id)s: %(message)s") % {"id": proposal.pk, "message": exc.message},
            field=exc.field,
            code=exc.code,
        ) from exc
    proposal.family_id = proposal.family_id or proposal.result.get("family_id")


def _as_ratified(done: list[Proposal]) -> list[Proposal]:
    step = step_for(Status.FINALISED, "ratify")
    for proposal in done:
        proposal.status = step.target
    return done


def _save_ratified(done: list[Proposal], by: User, when: dt.datetime | None) -> None:
    """The ratified proposals' status, family and result, and their `Transition` rows, in bulk."""
    now = timezone.now()
    for proposal in done:
        proposal.updated_at = now
    _update_rows(done, ["status", "family", "result", "updated_at"])
    step = step_for(Status.FINALISED, "ratify")
    rows = [
        Transition(
            proposal=p,
            action=step.action,
            from_status=step.source,
            to_status=step.target,
            by=by,
            at=when or now,
        )
        for p in done
    ]
    Transition.objects.bulk_create(rows, batch_size=1000)


def _update_rows(proposals: list[Proposal], names: list[str]) -> None:
    """Write `names` of each proposal by its id: one UPDATE statement run over every row
    (`executemany`: a pipeline on PostgreSQL), not `bulk_update`'s CASE over each field."""
    connection = transaction.get_connection()
    fields = [Proposal._meta.get_field(name) for name in names]
    table, quote = Proposal._meta.db_table, connection.ops.quote_name
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    rows = [
        [field.get_db_prep_save(getattr(p, field.attname), connection) for field in fields] + [p.pk]
        for p in proposals
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {quote(table)} SET {sets} WHERE id = %s", rows)
