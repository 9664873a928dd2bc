"""Every change to families, persons and memberships (views, the API and the CLI call these).

Each action is atomic, checks permission AND area itself, records an audit event per changed
row (before → after), and re-runs the data-quality checks of the family so that "perlu
perbaikan" follows the data. A refusal raises `DomainError` with an Indonesian message and the
input field it concerns; nothing is partly saved.

`note` (every action, default none) is carried by the action's audit events beside an
approval's note: a ratified proposal passes `proposal=<id>`, so each change names its proposal.
Inside `deferred_rechecks()` the per-family rechecks wait and run once, set-based, at its exit
(a batch of thousands of changes pays for one check run, not thousands).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import in_area
from dtks.audit.diff import snapshot
from dtks.audit.record import Change, record_events
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.wilayah.models import Level

from . import choices as c
from .approval import Approval, audit_note, refuse_unless_approved
from .conflicts import Subject, subject_of
from .ids import FAMILY, PERSON, format_id_dtks, next_id_dtks
from .models import Family, FamilyProgram, Membership, Person
from .search_names import refresh_member_names
from .validators import sixteen_digit_problem

if TYPE_CHECKING:
    from dtks.accounts.models import User
    from dtks.wilayah.models import Region

# Fields a caller may set; anything else in `data` is ignored (status, IDs, desa change hands
# only through their own actions).
FAMILY_FIELDS = tuple(
    f.name
    for f in Family._meta.concrete_fields
    if f.name
    not in {"id", "id_dtks", "desa", "status", "inactive_reason", "created_at", "updated_at"}
)
PERSON_FIELDS = tuple(
    f.name
    for f in Person._meta.concrete_fields
    if f.name not in {"id", "id_dtks", "status", "inactive_reason", "created_at", "updated_at"}
)

# The checks that follow a saved family; configurable so the registry does not import the
# verification layer that sits above it.
DEFAULT_FAMILY_CHECKS = ("dtks.verification.actions.recheck_family",)
# The same checks over many families at once (`deferred_rechecks`): `check(families, by=...)`,
# `by` mapping each family's id to the user who changed it last (resolved findings are closed
# in that user's name).
DEFAULT_FAMILIES_CHECKS = ("dtks.verification.actions.recheck_families",)

# Inside `deferred_rechecks()`: the families waiting for their recheck → the last user who
# changed each (the checks close resolved findings in that user's name, as a recheck would).
_deferred: ContextVar[dict[int, User | None] | None] = ContextVar("deferred_rechecks", default=None)
# Inside `counted_ids()`: the last ID DTKS sequence handed out per (desa, kind).
_counted: ContextVar[dict[tuple[str, str], int] | None] = ContextVar("counted_ids", default=None)
# Inside `all_or_nothing()`: the actions take no savepoints of their own.
_all_or_nothing: ContextVar[bool] = ContextVar("all_or_nothing", default=False)
# Inside `all_or_nothing()`: families' current members as a caller read them (`known_members`).
_members: ContextVar[dict[int, tuple[Any, ...]] | None] = ContextVar("members", default=None)
# Inside `as_of(day)`: the day the changes take effect (memberships start and end on it).
_as_of: ContextVar[dt.date | None] = ContextVar("as_of", default=None)


@contextmanager
def as_of(day: dt.date) -> Iterator[None]:
    """Inside, the actions date what they start and end (memberships) on `day` instead of
    today: a proposal ratified on 27 August 2023 brings its members in on that day."""
    token = _as_of.set(day)
    try:
        yield
    finally:
        _as_of.reset(token)


def effective_day() -> dt.date:
    """The day changes take effect: `as_of`'s, else today (local time)."""
    return _as_of.get() or timezone.localdate()


def _atomic(action: Callable[..., Any]) -> Callable[..., Any]:
    """`transaction.atomic` for an action: its own savepoint when nested, except inside
    `all_or_nothing()`, where a refusal ends the whole transaction anyway."""

    @functools.wraps(action)
    def run(*args: Any, **kwargs: Any) -> Any:
        with transaction.atomic(savepoint=not _all_or_nothing.get()):
            return action(*args, **kwargs)

    return run


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """Inside, the actions are parts of one all-or-nothing batch (a month's ratification):
    they and their saves take no savepoints (a refusal leaves the caller's transaction to be
    rolled back whole: the caller must not catch it and go on), and each desa's next ID DTKS
    is counted in memory (`counted_ids`). Must run inside `transaction.atomic()`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("all_or_nothing must be used inside transaction.atomic()")
    token, members = _all_or_nothing.set(True), _members.set({})
    try:
        with counted_ids():
            yield
    finally:
        _members.reset(members)
        _all_or_nothing.reset(token)


def known_members(members: Mapping[int, Iterable[tuple[Any, ...]]]) -> None:
    """Inside `all_or_nothing()` and `deferred_rechecks()`: the current members (NIK, name,
    birth date, sex) of families a caller has just read in bulk, so the conflict check of an
    action on one of them reads none again. A family an action of the block changed (any
    family `deferred_families()` holds) is read again. Outside, nothing is kept."""
    cache = _members.get()
    if cache is not None:
        cache.update((pk, tuple(rows)) for pk, rows in members.items())


def _subject(family: Family) -> Subject:
    """`conflicts.subject_of(family)`, from `known_members` while they still hold."""
    cache, pending = _members.get(), _deferred.get()
    if cache is not None and pending is not None and family.pk not in pending:
        members = cache.get(family.pk)
        if members is not None:
            return Subject(family.no_kk, family.desa_id, family.address, members)
    return subject_of(family)


@contextmanager
def counted_ids() -> Iterator[None]:
    """Inside, each desa's next ID DTKS (family, person) is read from the database once and
    then counted on in memory: a batch creating thousands of records reads a desa's last ID
    once, not once per record. The IDs are those the records would get one by one, provided
    the block is all or nothing (a refused creation inside must end the whole transaction, or
    the numbers it took stay skipped). Nested blocks share the outermost's counts."""
    if _counted.get() is not None:
        yield
        return
    token = _counted.set({})
    try:
        yield
    finally:
        _counted.reset(token)


def _next_id(desa_code: str, kind: str) -> str:
    counts = _counted.get()
    if counts is None:
        return next_id_dtks(desa_code, kind)
    key = (desa_code, kind)
    if key not in counts:
        counts[key] = int(next_id_dtks(desa_code, kind)[-6:]) - 1
    counts[key] += 1
    return format_id_dtks(desa_code, kind, counts[key])


class DuplicateNikError(DomainError):
    """A NIK already held by an active person; `family` is set only when the user may see it."""

    def __init__(self, message: str, *, family: Family | None = None) -> None:
        super().__init__(message, field="nik", code="duplicate_nik")
        self.family = family


def _family_checks() -> tuple[Callable[..., Any], ...]:
    paths = getattr(settings, "DTKS_FAMILY_CHECKS", DEFAULT_FAMILY_CHECKS)
    return tuple(import_string(p) for p in paths)


def _families_checks() -> tuple[Callable[..., Any], ...]:
    paths = getattr(settings, "DTKS_FAMILIES_CHECKS", DEFAULT_FAMILIES_CHECKS)
    return tuple(import_string(p) for p in paths)


def _recheck(family: Family, by: User) -> None:
    """After a change to `family` or its members: refresh its search names, re-run its checks
    (or, inside `deferred_rechecks()`, note the family for the run at its exit)."""
    pending = _deferred.get()
    if pending is not None:
        pending[family.pk] = by  # the last change's user
        return
    refresh_member_names(Family.objects.filter(pk=family.pk))
    for check in _family_checks():
        check(family, by=by)


def _refresh_names(families: Any) -> None:
    """Refresh the search names of `families` now, or at the exit of `deferred_rechecks()`."""
    pending = _deferred.get()
    if pending is None:
        refresh_member_names(families)
        return
    for pk in families.values_list("pk", flat=True):
        pending.setdefault(pk, None)


@contextmanager
def deferred_rechecks() -> Iterator[None]:
    """Hold the per-family rechecks of the actions run inside, then, on a clean exit and in
    the caller's transaction, refresh the touched families' search names in one UPDATE and run
    `DTKS_FAMILIES_CHECKS` once over the changed families, with a mapping family id → the
    user who changed it last (resolved findings are closed in that user's name).

    The findings come out as if each family had been rechecked after the whole block (its
    members' rules read the data as it is then). Nested blocks leave the work to the
    outermost; after an exception nothing runs (the transaction is rolled back anyway)."""
    if _deferred.get() is not None:
        yield
        return
    pending: dict[int, User | None] = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    if pending:
        _run_deferred(pending)


def deferred_families() -> frozenset[int]:
    """The families changed (or renamed through a member) so far inside `deferred_rechecks()`,
    whose rechecks wait; empty outside one. A caller that judged families before the block's
    changes knows which of them to judge again."""
    pending = _deferred.get()
    return frozenset(pending) if pending else frozenset()


def _run_deferred(pending: Mapping[int, User | None]) -> None:
    with transaction.atomic():
        refresh_member_names(Family.objects.filter(pk__in=list(pending)))
        # A family only renamed through another family's member: names, no checks.
        changed = {pk: by for pk, by in pending.items() if by is not None}
        if not changed:
            return
        families = list(Family.objects.filter(pk__in=list(changed)).order_by("pk"))
        for check in _families_checks():
            check(families, by=changed)


def authorise_edit(user: User, desa_code: str) -> None:
    """Refuse unless the user's role may edit the registry AND the desa lies in their area."""
    if not user.can(Perm.EDIT_REGISTRY):
        raise PermissionDeniedError(_("Your role may not change the registry."), code="forbidden")
    if not in_area(user, desa_code, Perm.EDIT_REGISTRY):
        raise PermissionDeniedError(
            _("This desa/kelurahan lies outside your area."), field="desa", code="out_of_area"
        )


def authorise_family_edit(
    user: User, family: Family, *added: Mapping[str, Any], approval: Approval | None = None
) -> None:
    """`authorise_edit` for the family's desa, and refuse a user tied to the family (conflict
    of interest; `added` are person data about to join it) unless `approval` is a second,
    independent approver's consent to this user's held change (`registry.held`)."""
    authorise_edit(user, family.desa_id)
    refuse_unless_approved(user, _subject(family).with_members(added), approval)


def _note(approval: Approval | None, note: str) -> str:
    """What the audit events carry: the approval (held changes) and the caller's reference."""
    return " ".join(part for part in (audit_note(approval), note) if part)[:300]


def _identity(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if problem := sixteen_digit_problem(value, label):
        raise DomainError(problem, field=field)
    return value


def _ensure_nik_free(nik: str, *, by: User, exclude_pk: int | None = None) -> None:
    """Refuse a NIK held by another active person, revealing it only to those who may see it."""
    existing = Person.objects.active().filter(nik=nik).exclude(pk=exclude_pk).first()
    if existing is None:
        return
    if Person.objects.visible_to(by).filter(pk=existing.pk).exists():
        membership = (
            existing.memberships.filter(end_date__isnull=True).select_related("family").first()
        )
        family = membership.family if membership else None
        raise DuplicateNikError(
            _("NIK is already registered for %(name)s (ID DTKS %(id)s).")
            % {"name": existing.name, "id": family.id_dtks if family else existing.id_dtks},
            family=family,
        )
    raise DuplicateNikError(_("NIK is already registered in DTKS; contact Dinas Sosial."))


def _ensure_no_kk_free(no_kk: str, *, exclude_pk: int | None = None) -> None:
    if Family.objects.active().filter(no_kk=no_kk).exclude(pk=exclude_pk).exists():
        raise DomainError(
            _("No. KK is already registered in DTKS; contact Dinas Sosial."),
            field="no_kk",
            code="duplicate_no_kk",
        )


def _full_clean(obj: Family | Person, prefix: str = "") -> None:
    """Model field rules (choices, lengths, required) as a DomainError naming the field."""
    try:
        obj.full_clean(
            exclude=["id_dtks", "desa"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        label = obj._meta.get_field(field).verbose_name if field != "__all__" else ""
        message = f"{label}: {messages[0]}" if label else messages[0]
        raise DomainError(message, field=prefix + field) from exc


def _apply(obj: Family | Person, data: Mapping[str, Any], fields: Iterable[str]) -> None:
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])


def _save_guarded(*objs: Any) -> None:
    """Save rows; a database constraint that still fires becomes a DomainError (last line)."""
    try:
        with transaction.atomic(savepoint=not _all_or_nothing.get()):
            for obj in objs:
                obj.save()
    except IntegrityError as exc:
        raise DomainError(
            _("The data conflicts with a record already in DTKS; nothing was saved."),
            code="conflict",
        ) from exc


def _family_change(family: Family, before: dict[str, Any] | None) -> Change:
    return Change("family", str(family.pk), before, snapshot(family), family.pk, family.desa_id)


def _person_change(person: Person, before: dict[str, Any] | None, family: Family) -> Change:
    return Change("person", str(person.pk), before, snapshot(person), family.pk, family.desa_id)


def _membership_change(m: Membership, before: dict[str, Any] | None, family: Family) -> Change:
    return Change("membership", str(m.pk), before, snapshot(m), family.pk, family.desa_id)


def _new_person(data: Mapping[str, Any], desa_code: str, *, by: User, prefix: str) -> Person:
    person = Person(id_dtks=_next_id(desa_code, PERSON))
    _apply(person, data, PERSON_FIELDS)
    person.nik = _identity(person.nik, prefix + "nik", _("NIK"))
    _full_clean(person, prefix)
    try:
        _ensure_nik_free(person.nik, by=by)
    except DuplicateNikError as exc:
        exc.field = prefix + "nik"
        raise
    return person


def _check_heads(members: list[Mapping[str, Any]]) -> None:
    heads = sum(1 for m in members if int(m.get("relationship") or 0) == c.Relationship.HEAD)
    if heads != 1:
        raise DomainError(
            _("A family needs exactly one head (kepala keluarga); this one has %(n)d.")
            % {"n": heads},
            field="members",
        )
    niks = [str(m.get("nik") or "") for m in members]
    for i, nik in enumerate(niks):
        if nik and nik in niks[:i]:
            raise DomainError(
                _("The same NIK is entered twice in this family."), field=f"members.{i}.nik"
            )


@_atomic
def create_family(
    *,
    by: User,
    desa: Region,
    data: Mapping[str, Any],
    members: list[Mapping[str, Any]],
    approval: Approval | None = None,
    note: str = "",
) -> Family:
    """Register a new family with its members (usulan baru): all rows or none.

    `members` are person fields plus `relationship`; member errors name `members.<i>.<field>`.
    `approval`: an independent approver's consent when `by` is tied to the family.
    """
    authorise_edit(by, desa.code)
    refuse_unless_approved(
        by,
        Subject(
            str(data.get("no_kk") or ""), desa.code, str(data.get("address") or ""), ()
        ).with_members(members),
        approval,
    )
    family = Family(desa=desa, id_dtks=_next_id(desa.code, FAMILY))
    _apply(family, data, FAMILY_FIELDS)
    if not family.data_year:
        family.data_year = settings.DTKS_CURRENT_YEAR
    family.no_kk = _identity(family.no_kk, "no_kk", _("No. KK"))
    _full_clean(family)
    _ensure_no_kk_free(family.no_kk)
    _check_heads(members)
    _save_guarded(family)
    today = effective_day()
    changes = [_family_change(family, None)]
    for i, member in enumerate(members):
        person = _new_person(member, desa.code, by=by, prefix=f"members.{i}.")
        membership = Membership(
            family=family, person=person, relationship=member["relationship"], start_date=today
        )
        _save_guarded(person)
        membership.person = person
        _save_guarded(membership)
        changes += [
            _person_change(person, None, family),
            _membership_change(membership, None, family),
        ]
    record_events(by, "create_family", changes, _note(approval, note))
    _recheck(family, by)
    return family


@_atomic
def update_family(
    family: Family,
    *,
    by: User,
    data: Mapping[str, Any],
    approval: Approval | None = None,
    note: str = "",
) -> Family:
    """Change a family's address, No. KK or socio-economic data (perbaikan data)."""
    authorise_family_edit(by, family, approval=approval)
    if data.get("no_kk"):
        new_kk = Subject(str(data["no_kk"]), family.desa_id, family.address, ())
        refuse_unless_approved(by, new_kk, approval)
    family = Family.objects.select_for_update().get(pk=family.pk)
    before = snapshot(family)
    _apply(family, data, FAMILY_FIELDS)
    family.no_kk = _identity(family.no_kk, "no_kk", _("No. KK"))
    _full_clean(family)
    _ensure_no_kk_free(family.no_kk, exclude_pk=family.pk)
    _save_guarded(family)
    record_events(by, "update_family", [_family_change(family, before)], _note(approval, note))
    _recheck(family, by)
    return family


def _require_current(family: Family, person: Person) -> Membership:
    membership = Membership.objects.filter(
        family=family, person=person, end_date__isnull=True
    ).first()
    if membership is None:
        raise DomainError(_("This person is not a current member of the family."), field="person")
    return membership


@_atomic
def add_member(
    family: Family,
    *,
    by: User,
    data: Mapping[str, Any],
    relationship: int,
    approval: Approval | None = None,
    note: str = "",
) -> Membership:
    """Add a new person to a family (new member, birth) from today."""
    authorise_family_edit(by, family, data, approval=approval)
    if not family.is_active:
        raise DomainError(_("Members cannot be added to an inactive family."), field="family")
    if (
        int(relationship) == c.Relationship.HEAD
        and family.memberships.filter(
            end_date__isnull=True, relationship=c.Relationship.HEAD
        ).exists()
    ):
        raise DomainError(_("This family already has a head."), field="relationship")
    person = _new_person(data, family.desa_id, by=by, prefix="")
    _save_guarded(person)
    membership = Membership(
        family=family, person=person, relationship=relationship, start_date=effective_day()
    )
    _save_guarded(membership)
    record_events(
        by,
        "add_member",
        [_person_change(person, None, family), _membership_change(membership, None, family)],
        _note(approval, note),
    )
    _recheck(family, by)
    return membership


@_atomic
def update_person(
    person: Person,
    *,
    by: User,
    data: Mapping[str, Any],
    family: Family,
    relationship: int | None = None,
    approval: Approval | None = None,
    note: str = "",
) -> Person:
    """Correct a member's data (perbaikan data: NIK, name, birth date, …) within `family`."""
    authorise_family_edit(by, family, data, approval=approval)
    membership = _require_current(family, person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person)
    _apply(person, data, PERSON_FIELDS)
    person.nik = _identity(person.nik, "nik", _("NIK"))
    _full_clean(person)
    if person.nik != before["nik"] and person.is_active:
        _ensure_nik_free(person.nik, by=by, exclude_pk=person.pk)
    changes = []
    if relationship is not None and int(relationship) != membership.relationship:
        m_before = snapshot(membership)
        membership.relationship = int(relationship)
        _save_guarded(membership)
        changes.append(_membership_change(membership, m_before, family))
    _save_guarded(person)
    changes.insert(0, _person_change(person, before, family))
    record_events(by, "update_person", changes, _note(approval, note))
    # A renamed person is searched by the new name in every family they currently belong to.
    _refresh_names(
        Family.objects.filter(memberships__person=person, memberships__end_date__isnull=True)
    )
    _recheck(family, by)
    return person


@_atomic
def end_membership(
    membership: Membership,
    *,
    by: User,
    reason: str,
    end_date: dt.date,
    approval: Approval | None = None,
    note: str = "",
) -> Membership:
    """A person leaves a family (moved out, married into another KK, died): history is kept."""
    family = membership.family
    authorise_family_edit(by, family, approval=approval)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.end_date is not None:
        raise DomainError(_("This membership has already ended."), field="end_date")
    if end_date < membership.start_date:
        raise DomainError(
            _("The end date cannot be before the start date (%(start)s).")
            % {"start": membership.start_date.strftime("%d-%m-%Y")},
            field="end_date",
        )
    if end_date > effective_day():
        raise DomainError(_("The end date cannot be in the future."), field="end_date")
    if not (reason or "").strip():
        raise DomainError(_("State why the person leaves the family."), field="reason")
    before = snapshot(membership)
    membership.end_date, membership.end_reason = end_date, reason.strip()[:100]
    _save_guarded(membership)
    record_events(
        by,
        "end_membership",
        [_membership_change(membership, before, family)],
        _note(approval, note),
    )
    _recheck(family, by)
    return membership


@_atomic
def deactivate_person(
    person: Person, *, by: User, reason: str, approval: Approval | None = None, note: str = ""
) -> Person:
    """Mark a person nonaktif (meninggal, pindah, ganda, …) and end their current memberships."""
    if reason not in c.InactiveReason.values:
        raise DomainError(_("Choose a valid reason for deactivation."), field="reason")
    memberships = list(
        Membership.objects.select_for_update()
        .filter(person=person, end_date__isnull=True)
        .select_related("family")
    )
    for m in memberships:
        authorise_family_edit(by, m.family, approval=approval)
    if not memberships:
        last = person.memberships.select_related("family").order_by("-end_date").first()
        authorise_edit(by, last.family.desa_id if last else "")
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person)
    person.status, person.inactive_reason = c.RecordStatus.INACTIVE, reason
    _save_guarded(person)
    changes = []
    today = effective_day()
    for m in memberships:
        m_before = snapshot(m)
        m.end_date = max(today, m.start_date)
        # Stored text, so in the registry's language whatever the acting user's UI language.
        with translation.override(settings.LANGUAGE_CODE):
            m.end_reason = str(c.InactiveReason(reason).label)
        _save_guarded(m)
        changes += [
            _person_change(person, before, m.family),
            _membership_change(m, m_before, m.family),
        ]
    record_events(
        by,
        "deactivate_person",
        changes or [Change("person", str(person.pk), before, snapshot(person))],
        _note(approval, note),
    )
    for m in memberships:
        _recheck(m.family, by)
    return person


@_atomic
def remove_member(
    membership: Membership,
    *,
    by: User,
    reason: str,
    end_date: dt.date,
    deactivate_reason: str = "",
    approval: Approval | None = None,
    note: str = "",
) -> Membership:
    """A member leaves the family and, when a reason is given (died, duplicate, …), the person
    is also made nonaktif: both or neither."""
    membership = end_membership(
        membership, by=by, reason=reason, end_date=end_date, approval=approval, note=note
    )
    if deactivate_reason:
        deactivate_person(
            membership.person, by=by, reason=deactivate_reason, approval=approval, note=note
        )
    return membership


def _month(value: dt.date) -> dt.date:
    return value.replace(day=1)


def _program_change(row: FamilyProgram, before: dict[str, Any] | None, family: Family) -> Change:
    return Change("family_program", str(row.pk), before, snapshot(row), family.pk, family.desa_id)


@_atomic
def start_program(
    family: Family,
    *,
    by: User,
    program: str,
    start_month: dt.date,
    note: str = "",
    approval: Approval | None = None,
) -> FamilyProgram:
    """The family receives `program` (PKH, BPNT/Sembako, PBI-JKN, PIP, …) from `start_month`
    (stored as its first day) on, with no end yet. Refuses an inactive family and a program
    the family already receives then or later (one open period per program)."""
    authorise_family_edit(by, family, approval=approval)
    if program not in c.Program.values:
        raise DomainError(_("Choose a valid program."), field="program")
    family = Family.objects.select_for_update().get(pk=family.pk)
    if not family.is_active:
        raise DomainError(_("An inactive family cannot join a program."), code="inactive_family")
    start = _month(start_month)
    running = family.programs.filter(program=program).exclude(end_month__lt=start)
    if running.exists():
        raise DomainError(
            _("The family already receives this program in that period."),
            field="program",
            code="program_running",
        )
    row = FamilyProgram(family=family, program=program, start_month=start)
    _save_guarded(row)
    record_events(by, "start_program", [_program_change(row, None, family)], _note(approval, note))
    _recheck(family, by)
    return row


@_atomic
def end_program(
    family: Family,
    *,
    by: User,
    program: str,
    end_month: dt.date,
    note: str = "",
    approval: Approval | None = None,
) -> FamilyProgram:
    """The family's open period of `program` ends with `end_month` (its last month, stored as
    its first day; the history is kept). Refuses when the family has no open period of it or
    when the end falls before its start."""
    authorise_family_edit(by, family, approval=approval)
    row = (
        FamilyProgram.objects.select_for_update()
        .filter(family=family, program=program, end_month__isnull=True)
        .order_by("-start_month")
        .first()
    )
    if row is None:
        raise DomainError(
            _("The family does not receive this program."), field="program", code="no_program"
        )
    end = _month(end_month)
    if end < row.start_month:
        raise DomainError(
            _("The last month cannot be before the first month (%(start)s).")
            % {"start": row.start_month.strftime("%m-%Y")},
            field="end_month",
        )
    before = snapshot(row)
    row.end_month = end
    _save_guarded(row)
    record_events(by, "end_program", [_program_change(row, before, family)], _note(approval, note))
    _recheck(family, by)
    return row


def _refuse_move(family: Family, desa: Region, by: User) -> None:
    if desa.level != Level.DESA:
        raise DomainError(_("Choose a desa/kelurahan."), field="desa", code="not_a_desa")
    if desa.code == family.desa_id:
        raise DomainError(
            _("The family already lives in this desa/kelurahan."), field="desa", code="same_desa"
        )
    if not family.is_active:
        raise DomainError(_("An inactive family cannot move."), code="inactive_family")
    authorise_edit(by, desa.code)


@_atomic
def move_family(
    family: Family,
    *,
    by: User,
    desa: Region,
    address: str | None = None,
    rt: str = "",
    rw: str = "",
    dusun: str = "",
    approval: Approval | None = None,
    note: str = "",
) -> Family:
    """The family moves to another desa/kelurahan (perbaikan data: pindah desa). The user must
    be able to edit both desa and be tied to the family at neither (its new address included).
    `address` None keeps the street address; dusun, RT and RW belong to the old desa and are
    replaced (empty when not given). One audit event, before → after; members keep their IDs."""
    authorise_family_edit(by, family, approval=approval)
    _refuse_move(family, desa, by)
    new_address = family.address if address is None else address.strip()
    arriving = Subject(family.no_kk, desa.code, new_address, _subject(family).members)
    refuse_unless_approved(by, arriving, approval)
    family = Family.objects.select_for_update().get(pk=family.pk)
    before = snapshot(family)
    family.desa = desa
    family.address, family.rt, family.rw, family.dusun = new_address, rt.strip(), rw.strip(), dusun
    _full_clean(family)
    _save_guarded(family)
    record_events(by, "move_family", [_family_change(family, before)], _note(approval, note))
    _recheck(family, by)
    return family


def _reason_label(reason: str) -> str:
    """The reason as stored text: in the registry's language whatever the user's UI language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(c.InactiveReason(reason).label)


def _end_programs_on_leaving(family: Family, today: dt.date) -> list[Change]:
    """A family leaving DTKS receives no program from this month on: each period running this
    month or later ends with the previous month (so `inactive_family_in_program` finds
    nothing). A period starting this month or later cannot end before it starts: refused."""
    this_month = _month(today)
    rows = list(
        FamilyProgram.objects.select_for_update()
        .filter(family=family)
        .exclude(end_month__lt=this_month)
        .order_by("program", "start_month")
    )
    if starting := [r for r in rows if r.start_month >= this_month]:
        raise DomainError(
            _(
                "The family starts receiving %(program)s in %(month)s; it can be deactivated "
                "from the month after."
            )
            % {
                "program": starting[0].get_program_display(),
                "month": starting[0].start_month.strftime("%m-%Y"),
            },
            field="programs",
            code="program_starting",
        )
    last_month = _month(this_month - dt.timedelta(days=1))
    changes = []
    for row in rows:
        before = snapshot(row)
        row.end_month = last_month
        _save_guarded(row)
        changes.append(_program_change(row, before, family))
    return changes


def _members_leave(family: Family, reason: str, today: dt.date) -> list[Change]:
    """End every current membership of the family (today, the reason as its end reason) and
    make each member nonaktif with the reason, except a member still current in another
    active family (a person on two KKs stays in DTKS through the other one)."""
    memberships = list(
        Membership.objects.select_for_update()
        .filter(family=family, end_date__isnull=True)
        .select_related("person")
        .order_by("pk")
    )
    elsewhere = set(
        Membership.objects.filter(
            person_id__in=[m.person_id for m in memberships],
            end_date__isnull=True,
            family__status=c.RecordStatus.ACTIVE,
        )
        .exclude(family=family)
        .values_list("person_id", flat=True)
    )
    label, changes = _reason_label(reason), []
    for m in memberships:
        m_before = snapshot(m)
        m.end_date, m.end_reason = max(today, m.start_date), label[:100]
        _save_guarded(m)
        person = m.person
        if person.is_active and person.pk not in elsewhere:
            p_before = snapshot(person)
            person.status, person.inactive_reason = c.RecordStatus.INACTIVE, reason
            _save_guarded(person)
            changes.append(_person_change(person, p_before, family))
        changes.append(_membership_change(m, m_before, family))
    return changes


@_atomic
def deactivate_family(
    family: Family, *, by: User, reason: str, note: str = "", approval: Approval | None = None
) -> Family:
    """Take a whole family out of DTKS (penonaktifan keluarga: no longer eligible/mampu, moved
    away, a duplicate KK, ASN, all members died; Permensos 3/2021): the family becomes
    nonaktif with `reason`, its current memberships end today, its members become nonaktif
    with the same reason (except one still current in another active family), and its
    program periods end with the previous month (a program starting this month or later is
    refused: `program_starting`). Refuses an inactive family and an invalid reason. One audit
    event (`deactivate_family`), before → after of every row it changes; IDs are kept."""
    authorise_family_edit(by, family, approval=approval)
    if reason not in c.InactiveReason.values:
        raise DomainError(_("Choose a valid reason for deactivation."), field="reason")
    family = Family.objects.select_for_update().get(pk=family.pk)
    if not family.is_active:
        raise DomainError(_("This family is already inactive."), code="inactive_family")
    today = effective_day()
    before = snapshot(family)
    programs = _end_programs_on_leaving(family, today)
    members = _members_leave(family, reason, today)
    family.status, family.inactive_reason = c.RecordStatus.INACTIVE, reason
    _save_guarded(family)
    changes = [_family_change(family, before), *members, *programs]
    record_events(by, "deactivate_family", changes, _note(approval, note))
    _recheck(family, by)
    return family


class BulkEdits:
    """Person corrections, family corrections and program starts of an all-or-nothing batch
    (a month's ratification), each checked where it stands in the batch and written together
    at `flush()`: `update_person`, `update_family` and `start_program` as the actions of those
    names do them (the same permission, area and conflict checks, field rules, refusals, audit
    events, search-name refresh and rechecks), with one row-lock query per table and bulk
    UPDATE/INSERT instead of one query or more per change.

    Must run inside `all_or_nothing()`, `deferred_rechecks()` and `audit.record.held_events()`
    (the events are recorded at each change's place; a program's id is set on its event at
    `flush()`, before the events join the chain). For changes whose person and family no
    other change of the batch touches, and whose NIK or No. KK no other change claims and no
    other record holds (`claimed_niks`, `claimed_no_kks`): the caller sends any other change
    through the actions one by one."""

    def __init__(
        self, *, person_ids: Iterable[int], family_ids: Iterable[int], events: list[Any]
    ) -> None:
        if not self.possible():
            raise RuntimeError("BulkEdits must be used inside all_or_nothing and deferred_rechecks")
        self.persons = {
            p.pk: p for p in Person.objects.select_for_update().filter(pk__in=list(person_ids))
        }
        self.families = {
            f.pk: f for f in Family.objects.select_for_update().filter(pk__in=list(family_ids))
        }
        self.current: dict[tuple[int, int], Membership] = {}
        rows = Membership.objects.filter(person_id__in=list(self.persons), end_date__isnull=True)
        for m in rows.order_by("pk"):
            self.current.setdefault((m.family_id, m.person_id), m)
        self.programs: dict[int, list[FamilyProgram]] = {}
        for row in FamilyProgram.objects.filter(family_id__in=list(self.families)):
            self.programs.setdefault(row.family_id, []).append(row)
        self._persons: dict[int, Person] = {}
        self._memberships: dict[int, Membership] = {}
        self._families: dict[int, Family] = {}
        self._changed: dict[tuple[type, int], set[str]] = {}  # the fields each row changes
        self._new_programs: list[tuple[FamilyProgram, Any]] = []
        self._events = events  # the held audit events (`held_events()`)

    @staticmethod
    def possible() -> bool:
        """Whether the actions run inside `all_or_nothing()` and `deferred_rechecks()`."""
        return _deferred.get() is not None and _all_or_nothing.get()

    def update_person(
        self,
        person_id: int,
        *,
        by: User,
        data: Mapping[str, Any],
        family: Family,
        relationship: int | None = None,
        note: str = "",
    ) -> None:
        """`update_person` (no approval), written at `flush()`."""
        authorise_family_edit(by, family, data)
        membership = self.current.get((family.pk, person_id))
        if membership is None:
            raise DomainError(
                _("This person is not a current member of the family."), field="person"
            )
        person = self.persons[person_id]
        before = snapshot(person)
        raw = _values(person, PERSON_FIELDS)
        _apply(person, data, PERSON_FIELDS)
        person.nik = _identity(person.nik, "nik", _("NIK"))
        _full_clean(person)
        self._note_changes(person, raw)
        changes = []
        if relationship is not None and int(relationship) != membership.relationship:
            m_before = snapshot(membership)
            membership.relationship = int(relationship)
            self._memberships[membership.pk] = membership
            changes.append(_membership_change(membership, m_before, family))
        self._persons[person.pk] = person
        changes.insert(0, _person_change(person, before, family))
        record_events(by, "update_person", changes, _note(None, note))
        pending = _deferred.get()
        for family_id, member_id in self.current:
            if member_id == person_id:  # searched by the new name in each current family
                pending.setdefault(family_id, None)  # type: ignore[union-attr]
        _recheck(family, by)

    def update_family(
        self, family_id: int, *, by: User, data: Mapping[str, Any], note: str = ""
    ) -> None:
        """`update_family` (no approval), written at `flush()`."""
        family = self.families[family_id]
        authorise_family_edit(by, family)
        if data.get("no_kk"):
            new_kk = Subject(str(data["no_kk"]), family.desa_id, family.address, ())
            refuse_unless_approved(by, new_kk, None)
        before = snapshot(family)
        raw = _values(family, FAMILY_FIELDS)
        _apply(family, data, FAMILY_FIELDS)
        family.no_kk = _identity(family.no_kk, "no_kk", _("No. KK"))
        _full_clean(family)
        self._note_changes(family, raw)
        self._families[family.pk] = family
        record_events(by, "update_family", [_family_change(family, before)], _note(None, note))
        _recheck(family, by)

    def running(self, family_id: int, program: str, start: dt.date) -> bool:
        """Whether the family has a period of `program` running in `start`'s month or later."""
        return any(
            r.program == program and not (r.end_month and r.end_month < start)
            for r in self.programs.get(family_id, ())
        )

    def current_programs(self, family_id: int, on: dt.date) -> set[str]:
        """The programs the family receives on `on` (as `proposals.data.current_programs`)."""
        first = on.replace(day=1)
        return {
            r.program
            for r in self.programs.get(family_id, ())
            if r.start_month <= on and not (r.end_month and r.end_month < first)
        }

    def start_program(
        self, family_id: int, *, by: User, program: str, start_month: dt.date, note: str = ""
    ) -> FamilyProgram:
        """`start_program` (no approval); the row gets its id at `flush()`."""
        family = self.families[family_id]
        authorise_family_edit(by, family)
        if program not in c.Program.values:
            raise DomainError(_("Choose a valid program."), field="program")
        if not family.is_active:
            raise DomainError(
                _("An inactive family cannot join a program."), code="inactive_family"
            )
        start = _month(start_month)
        if self.running(family_id, program, start):
            raise DomainError(
                _("The family already receives this program in that period."),
                field="program",
                code="program_running",
            )
        row = FamilyProgram(family=family, program=program, start_month=start)
        self.programs.setdefault(family_id, []).append(row)
        record_events(by, "start_program", [_program_change(row, None, family)], _note(None, note))
        self._new_programs.append((row, self._events[-1]))
        _recheck(family, by)
        return row

    def _note_changes(self, obj: Person | Family, raw: dict[str, Any]) -> None:
        changed = self._changed.setdefault((type(obj), obj.pk), set())
        changed.update(name for name, value in raw.items() if getattr(obj, name) != value)

    def flush(self) -> None:
        """Write every change: per table, one UPDATE statement of the fields that changed run
        over the rows that changed them (`executemany`, not `bulk_update`'s CASE over every
        field of every row), one INSERT of the programs; each new program's id on its audit
        event."""
        now = timezone.now()
        for obj in [*self._persons.values(), *self._families.values()]:
            obj.updated_at = now
        try:
            with transaction.atomic(savepoint=False):
                for objs in (self._persons.values(), self._families.values()):
                    groups: dict[tuple[str, ...], list[Any]] = {}
                    for obj in objs:
                        names = sorted(self._changed.get((type(obj), obj.pk), ()))
                        groups.setdefault((*names, "updated_at"), []).append(obj)
                    for names, rows in groups.items():
                        _update_fields(rows, names)
                if self._memberships:
                    _update_fields(list(self._memberships.values()), ("relationship",))
                rows = [row for row, _event in self._new_programs]
                FamilyProgram.objects.bulk_create(rows, batch_size=1000)
        except IntegrityError as exc:
            raise DomainError(
                _("The data conflicts with a record already in DTKS; nothing was saved."),
                code="conflict",
            ) from exc
        for row, event in self._new_programs:
            event.subject_id, event.after = str(row.pk), snapshot(row)


def _values(obj: Person | Family, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _update_fields(objs: list[Any], names: Iterable[str]) -> None:
    """Write `names` of each of `objs` (one model) by id: one UPDATE statement run over every
    row (`executemany`: a pipeline on PostgreSQL)."""
    model = type(objs[0])
    connection = transaction.get_connection()
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
        + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE id = %s", rows)


def claimed_niks(niks: Iterable[str]) -> dict[str, set[int]]:
    """NIK → the active persons holding it (one query)."""
    out: dict[str, set[int]] = {}
    rows = Person.objects.active().filter(nik__in=set(niks)).values_list("nik", "pk")
    for nik, pk in rows:
        out.setdefault(nik, set()).add(pk)
    return out


def claimed_no_kks(no_kks: Iterable[str]) -> dict[str, set[int]]:
    """No. KK → the active families holding it (one query)."""
    out: dict[str, set[int]] = {}
    rows = Family.objects.active().filter(no_kk__in=set(no_kks)).values_list("no_kk", "pk")
    for no_kk, pk in rows:
        out.setdefault(no_kk, set()).add(pk)
    return out
