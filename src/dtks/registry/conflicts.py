"""Conflict of interest (Kepmensos 73/HUK/2024): an officer never handles their own family.

The seed found village officers who registered their own relatives. Every user has their NIK
and No. KK on file; a change to a family is refused to a user who is tied to it, so that an
independent officer must make it:

- `own_nik`: the user's NIK is a current member of the family;
- `own_kk`: the family has the user's No. KK;
- `same_address`: the family lives at the address of the user's own family (same desa and
  address) and a member carries the user's family name;
- `probable_self`: a member has the user's name and the birth date and sex the user's NIK
  encodes (the user registered under another NIK).

`officers_in_registry` lists, for the kabupaten, the users who themselves appear in the
registry. Names are compared upper-cased with punctuation and repeated spaces removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from dtks.core.errors import PermissionDeniedError
from dtks.core.nik import parse_nik

from .choices import RecordStatus
from .models import Family, Membership

if TYPE_CHECKING:
    from dtks.accounts.models import User

# Words that join Indonesian names but are nobody's family name.
NOT_FAMILY_NAMES = frozenset({"BIN", "BINTI", "BT", "BINTY", "AL", "EL", "DAN"})


@dataclass(frozen=True)
class Conflict:
    """Why a user is tied to a family: a stable code and an Indonesian sentence."""

    code: str
    message: str


@dataclass(frozen=True)
class Subject:
    """What a conflict is judged on: a family as stored, or one about to be created."""

    no_kk: str
    desa_code: str
    address: str
    members: tuple[tuple[str, str, object, int | None], ...]  # (nik, name, birth_date, sex)


def plain_name(name: str) -> str:
    return " ".join(re.sub(r"[^A-Z ]", " ", (name or "").upper()).split())


def family_name(name: str) -> str:
    """The last word of a name that can be a family name ("" when there is none)."""
    words = [w for w in plain_name(name).split() if len(w) >= 3 and w not in NOT_FAMILY_NAMES]
    return words[-1] if len(words) >= 2 else ""


def subject_of(family: Family) -> Subject:
    members = Membership.objects.filter(family=family, end_date__isnull=True).values_list(
        "person__nik", "person__name", "person__birth_date", "person__sex"
    )
    return Subject(family.no_kk, family.desa_id, family.address, tuple(members))


def _own_family(user: User) -> Family | None:
    """The active family the user belongs to, by their No. KK or their NIK."""
    by_kk = Q(no_kk=user.no_kk) if user.no_kk else Q(pk__in=[])
    by_nik = (
        Q(memberships__person__nik=user.nik, memberships__end_date__isnull=True)
        if user.nik
        else Q(pk__in=[])
    )
    return Family.objects.active().filter(by_kk | by_nik).order_by("pk").first()


def conflicts(user: User, subject: Subject) -> list[Conflict]:
    """Every tie between `user` and the family `subject` (empty: the user may act on it)."""
    found: list[Conflict] = []
    niks = {nik for nik, *_rest in subject.members}
    if user.nik and user.nik in niks:
        found.append(Conflict("own_nik", _("Your own NIK is a member of this family.")))
    if user.no_kk and user.no_kk == subject.no_kk:
        found.append(Conflict("own_kk", _("This family has your own No. KK.")))
    surname = family_name(user.get_full_name())
    own = _own_family(user) if surname else None
    if (
        own is not None
        and own.no_kk != subject.no_kk
        and own.desa_id == subject.desa_code
        and plain_name(own.address)
        and plain_name(own.address) == plain_name(subject.address)
        and any(family_name(name) == surname for _nik, name, *_r in subject.members)
    ):
        found.append(
            Conflict(
                "same_address",
                _("This family lives at your address and carries your family name %(name)s.")
                % {"name": surname},
            )
        )
    parsed = parse_nik(user.nik) if user.nik else None
    me = plain_name(user.get_full_name())
    if parsed and parsed.birth_date and me:
        for nik, name, birth_date, sex in subject.members:
            if (
                nik != user.nik
                and plain_name(name) == me
                and birth_date == parsed.birth_date
                and sex in (None, parsed.sex)
            ):
                found.append(
                    Conflict(
                        "probable_self",
                        _(
                            "A member has your name and the birth date of your NIK: it is "
                            "probably you under another NIK."
                        ),
                    )
                )
                break
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


@dataclass(frozen=True)
class OfficerInRegistry:
    user: User
    family: Family
    conflict: Conflict


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


__all__ = [
    "Conflict",
    "ConflictOfInterestError",
    "OfficerInRegistry",
    "Subject",
    "conflicts",
    "family_name",
    "officers_in_registry",
    "refuse_conflicts",
    "subject_of",
]
