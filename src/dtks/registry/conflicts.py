"""Conflict of interest (Kepmensos 73/HUK/2024): an officer never handles their own family.

The seed found village officers who registered their own relatives. Every user has their NIK
and No. KK on file; a change to a family is refused to a user who is tied to it, unless a
second, independent approver consents (`registry.held`):

- `own_nik`: the user's NIK is a current member of the family;
- `own_kk`: the family has the user's No. KK;
- `same_address`: the family lives at the address of the user's own family (same desa and
  address) and a member carries the user's family name;
- `probable_self`: a member has the user's name and the birth date and sex the user's NIK
  encodes (the user registered under another NIK);
- the ties of `DTKS_CONFLICT_TIES` (dotted paths of `tie(user, subject) -> list[Conflict]`,
  default the linkage's `linked_self` and `linked_family`: spelling variants of the name, a
  transposed date, a normalised address): a setting so the registry does not import the
  linkage layer above it.

`conflicts()` only judges; holding a change and approving it live in `registry.held`, so the
proposals workflow can ask the same question. `check_independent_approver` is the rule for the
second approver. `officers_in_registry` lists, for the kabupaten, the users who themselves
appear in the registry. Names are compared upper-cased with punctuation and repeated spaces
removed; addresses likewise, keeping their numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import in_area
from dtks.core.errors import PermissionDeniedError
from dtks.core.nik import ParsedNik, parse_nik

from .choices import RecordStatus
from .models import Family, Membership

if TYPE_CHECKING:
    from dtks.accounts.models import User

# Words that join Indonesian names but are nobody's family name.
NOT_FAMILY_NAMES = frozenset({"BIN", "BINTI", "BT", "BINTY", "AL", "EL", "DAN"})
# Ties judged above the registry (linkage), by dotted path.
DEFAULT_CONFLICT_TIES = (
    "dtks.linkage.ties.probable_member",
    "dtks.linkage.ties.same_household",
)


@dataclass(frozen=True)
class Conflict:
    """Why a user is tied to a family: a stable code and an Indonesian sentence."""

    code: str
    message: str


Member = tuple[str, str, Any, int | None]  # (nik, name, birth_date, sex)


@dataclass(frozen=True)
class Subject:
    """What a conflict is judged on: a family as stored, or one about to be created."""

    no_kk: str
    desa_code: str
    address: str
    members: tuple[Member, ...]

    def with_members(self, added: Iterable[Mapping[str, Any]]) -> Subject:
        """The same family with person data about to join it (or to replace a member's)."""
        extra = tuple(
            (str(d.get("nik") or ""), str(d.get("name") or ""), d.get("birth_date"), d.get("sex"))
            for d in added
        )
        return Subject(self.no_kk, self.desa_code, self.address, self.members + extra)


def plain_name(name: str) -> str:
    return " ".join(re.sub(r"[^A-Z ]", " ", (name or "").upper()).split())


def plain_address(address: str) -> str:
    """An address upper-cased without punctuation; its numbers kept (No. 5 is not No. 7)."""
    return " ".join(re.sub(r"[^A-Z0-9 ]", " ", (address or "").upper()).split())


def family_name(name: str) -> str:
    """The last word of a name that can be a family name ("" when there is none)."""
    words = [w for w in plain_name(name).split() if len(w) >= 3 and w not in NOT_FAMILY_NAMES]
    return words[-1] if len(words) >= 2 else ""


def subject_of(family: Family) -> Subject:
    members = Membership.objects.filter(family=family, end_date__isnull=True).values_list(
        "person__nik", "person__name", "person__birth_date", "person__sex"
    )
    return Subject(family.no_kk, family.desa_id, family.address, tuple(members))


def own_family(user: User) -> Family | None:
    """The active family the user belongs to, by their No. KK or their NIK (the first one
    registered when both name one). This runs on every registry edit: one query written as
    `pk IN (by No. KK UNION by NIK)`, so both databases start from the No. KK and the
    current-membership indexes (an OR across the membership join scans every family), and
    loading only the fields the ties compare."""
    if not (user.no_kk or user.nik):
        return None
    by_kk = Family.objects.filter(no_kk=user.no_kk or "-").order_by().values("pk")
    by_nik = (
        Membership.objects.filter(person__nik=user.nik or "-", end_date__isnull=True)
        .order_by()
        .values("family_id")
    )
    mine = Family.objects.active().filter(pk__in=by_kk.union(by_nik)).order_by("pk")
    return mine.only("pk", "no_kk", "desa_id", "address").first()


def user_nik(user: User) -> ParsedNik | None:
    """The user's NIK parsed (birth date and sex), or None without a readable one."""
    return parse_nik(user.nik) if user.nik else None


def is_same_address(user: User, subject: Subject, own: Family | None) -> bool:
    """`same_address`: the subject lives at the address of the user's own (other) family in
    the same desa, and a member carries the user's family name as written."""
    surname = family_name(user.get_full_name())
    return bool(
        surname
        and own is not None
        and own.no_kk != subject.no_kk
        and own.desa_id == subject.desa_code
        and plain_address(own.address)
        and plain_address(own.address) == plain_address(subject.address)
        and any(family_name(name) == surname for _nik, name, *_r in subject.members)
    )


def is_probable_self(user: User, member: Member, parsed: ParsedNik | None) -> bool:
    """`probable_self`: the member has the user's name as written and the birth date and sex
    the user's NIK encodes, under another NIK."""
    nik, name, birth_date, sex = member
    me = plain_name(user.get_full_name())
    return bool(
        parsed
        and parsed.birth_date
        and me
        and nik != user.nik
        and plain_name(name) == me
        and birth_date == parsed.birth_date
        and sex in (None, parsed.sex)
    )


def _identity_ties(user: User, subject: Subject) -> list[Conflict]:
    found: list[Conflict] = []
    if user.nik and user.nik in {nik for nik, *_rest in subject.members}:
        found.append(Conflict("own_nik", _("Your own NIK is a member of this family.")))
    if user.no_kk and user.no_kk == subject.no_kk:
        found.append(Conflict("own_kk", _("This family has your own No. KK.")))
    return found


def _household_ties(user: User, subject: Subject) -> list[Conflict]:
    found: list[Conflict] = []
    surname = family_name(user.get_full_name())
    if surname and is_same_address(user, subject, own_family(user)):
        found.append(
            Conflict(
                "same_address",
                _("This family lives at your address and carries your family name %(name)s.")
                % {"name": surname},
            )
        )
    parsed = user_nik(user)
    if any(is_probable_self(user, m, parsed) for m in subject.members):
        found.append(
            Conflict(
                "probable_self",
                _(
                    "A member has your name and the birth date of your NIK: it is "
                    "probably you under another NIK."
                ),
            )
        )
    return found


def _ties() -> tuple[Callable[[User, Subject], list[Conflict]], ...]:
    paths = getattr(settings, "DTKS_CONFLICT_TIES", DEFAULT_CONFLICT_TIES)
    return tuple(import_string(p) for p in paths)


def conflicts(user: User, subject: Subject) -> list[Conflict]:
    """Every tie between `user` and the family `subject` (empty: the user may act on it)."""
    found = _identity_ties(user, subject) + _household_ties(user, subject)
    for tie in _ties():
        found += [c for c in tie(user, subject) if c not in found]
    return found


def conflicts_with_any(user: User, subjects: Iterable[Subject]) -> list[Conflict]:
    """The ties of `user` to any of `subjects` (a family before and after a change), once each."""
    found: list[Conflict] = []
    for subject in subjects:
        found += [c for c in conflicts(user, subject) if c not in found]
    return found


class ConflictOfInterestError(PermissionDeniedError):
    """The user is tied to the family; another officer must make the change."""

    def __init__(self, found: list[Conflict]) -> None:
        reasons = " ".join(c.message for c in found)
        super().__init__(
            _("Conflict of interest: %(reasons)s Ask another officer to make this change.")
            % {"reasons": reasons},
            code="conflict_of_interest",
        )
        self.conflicts = found


def refuse_conflicts(user: User, subject: Subject) -> None:
    """Raise `ConflictOfInterestError` when `user` is tied to the family."""
    if found := conflicts(user, subject):
        raise ConflictOfInterestError(found)


class ApproverConflictError(PermissionDeniedError):
    """The would-be second approver is tied to the family too."""

    def __init__(self, found: list[Conflict]) -> None:
        reasons = " ".join(c.message for c in found)
        super().__init__(
            _("You are tied to this family yourself: %(reasons)s Another verifier must decide.")
            % {"reasons": reasons},
            code="approver_conflict",
        )
        self.conflicts = found


def check_independent_approver(
    approver: User, requester: User, subjects: Iterable[Subject]
) -> None:
    """Refuse unless `approver` may be the second, independent approver of a change that
    `requester` asked for on the families `subjects` (Kepmensos 73/HUK/2024, separation of
    duties): another person, a verifier whose area covers every family's desa, and tied to
    none of them."""
    subjects = list(subjects)
    if approver.pk == requester.pk:
        raise PermissionDeniedError(
            _("You cannot approve your own request: another verifier must."), code="own_request"
        )
    if not approver.can(Perm.VERIFY) or not all(
        in_area(approver, s.desa_code, Perm.VERIFY) for s in subjects
    ):
        raise PermissionDeniedError(
            _("Only a verifier whose area covers this desa/kelurahan may decide."),
            code="not_verifier",
        )
    if found := conflicts_with_any(approver, subjects):
        raise ApproverConflictError(found)


@dataclass(frozen=True)
class OfficerInRegistry:
    """An officer found in the registry: by NIK or No. KK, or (`probability` set) a probable
    match of the linkage model to a person under another NIK."""

    user: User
    family: Family
    conflict: Conflict
    probability: float | None = None


def officers_in_registry(users: Iterable[User]) -> Iterator[OfficerInRegistry]:
    """Users whose NIK is an active person, or whose No. KK an active family, of the registry."""
    users = [u for u in users if u.nik or u.no_kk]
    niks = {u.nik for u in users if u.nik}
    kks = {u.no_kk for u in users if u.no_kk}
    by_nik = {
        nik: family
        for nik, family in (
            (m.person.nik, m.family)
            for m in Membership.objects.filter(
                end_date__isnull=True,
                person__nik__in=niks,
                person__status=RecordStatus.ACTIVE,
                family__status=RecordStatus.ACTIVE,
            ).select_related("person", "family", "family__desa")
        )
    }
    families = Family.objects.active().filter(no_kk__in=kks).select_related("desa")
    by_kk = {f.no_kk: f for f in families}
    for user in users:
        if user.nik in by_nik:
            yield OfficerInRegistry(
                user, by_nik[user.nik], Conflict("own_nik", _("NIK is in the registry."))
            )
        elif user.no_kk in by_kk:
            yield OfficerInRegistry(
                user, by_kk[user.no_kk], Conflict("own_kk", _("No. KK is in the registry."))
            )


# The batch linkage of officers against the registry, by dotted path (above the registry).
DEFAULT_OFFICER_MATCHES = "dtks.linkage.ties.probable_officers"


def probable_officers(users: Iterable[User], persons: Any) -> list[OfficerInRegistry]:
    """Officers who probably appear in the registry under another NIK: the hook named by
    `DTKS_OFFICER_MATCHES` (None: none), given the users and the persons to search."""
    path = getattr(settings, "DTKS_OFFICER_MATCHES", DEFAULT_OFFICER_MATCHES)
    return list(import_string(path)(users, persons)) if path else []


__all__ = [
    "ApproverConflictError",
    "Conflict",
    "ConflictOfInterestError",
    "OfficerInRegistry",
    "Subject",
    "check_independent_approver",
    "conflicts",
    "conflicts_with_any",
    "family_name",
    "officers_in_registry",
    "own_family",
    "probable_officers",
    "refuse_conflicts",
    "subject_of",
]
