"""The two records of a pair as the reviewer sees them: side by side, differences marked,
NIK and No. KK masked where the user may not see them (`registry.presenters.shown_identity`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dtks.registry.models import FamilyProgram, Membership, Person
from dtks.registry.presenters import shown_identity

from . import records

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User

    from .models import CandidatePair


@dataclass(frozen=True)
class Row:
    label: str
    left: Any
    right: Any
    compare: bool = True  # rows that always differ (ID DTKS) are not marked

    @property
    def differs(self) -> bool:
        return self.compare and str(self.left) != str(self.right)


@dataclass(frozen=True)
class Side:
    """What one record shows beyond its own fields: its family and the aid it receives."""

    person: Person
    membership: Membership | None
    programs: list[str]
    has_aid: bool


def place_of(person: Person) -> Membership | None:
    """The person's current membership (lowest family id), else their latest one."""
    memberships = person.memberships.select_related("family", "family__desa")
    return (
        memberships.filter(end_date__isnull=True).order_by("family_id").first()
        or memberships.order_by("-end_date", "-id").first()
    )


def places(persons: Iterable[Person]) -> dict[int, Membership]:
    """`place_of` for many persons in one query (a queue page)."""
    rows = (
        Membership.objects.filter(person__in=[p.pk for p in persons])
        .select_related("family", "family__desa")
        .order_by("person_id", "family_id")
    )
    found: dict[int, Membership] = {}
    for m in rows:
        best = found.get(m.person_id)
        if best is None or _better(m, best):
            found[m.person_id] = m
    return found


def _better(m: Membership, best: Membership) -> bool:
    """A current membership beats an ended one (the first current: lowest family id); among
    ended ones, the latest."""
    if best.end_date is None:
        return False
    return m.end_date is None or m.end_date > best.end_date


def side(person: Person) -> Side:
    membership = place_of(person)
    programs: list[str] = []
    if membership is not None:
        month = timezone.localdate().replace(day=1)
        current = FamilyProgram.objects.filter(family_id=membership.family_id).filter(
            Q(end_month__isnull=True) | Q(end_month__gte=month)
        )
        programs = [p.get_program_display() for p in current]
    if person.receives_pip:
        programs.append(_("PIP (person)"))
    return Side(person, membership, programs, records.has_active_aid(person))


def _date(value: Any) -> str:
    return date_format(value, "j F Y") if value else "—"


def _family_rows(user: User | AnonymousUser, a: Side, b: Side) -> list[Row]:
    def of(s: Side, attr: str) -> Any:
        m = s.membership
        if m is None:
            return "—"
        values = {
            "id": m.family.id_dtks,
            "no_kk": shown_identity(user, m.family.desa_id, m.family.no_kk),
            "relationship": m.get_relationship_display(),
            "address": m.family.address,
            "desa": f"{m.family.desa.name} ({m.family.desa_id})",
            "since": _date(m.start_date) + (f" – {_date(m.end_date)}" if m.end_date else ""),
        }
        return values[attr]

    return [
        Row(_("Family (ID DTKS)"), of(a, "id"), of(b, "id"), compare=False),
        Row(_("No. KK"), of(a, "no_kk"), of(b, "no_kk")),
        Row(_("Relationship to the head"), of(a, "relationship"), of(b, "relationship")),
        Row(_("Address"), of(a, "address"), of(b, "address")),
        Row(_("Desa/kelurahan"), of(a, "desa"), of(b, "desa")),
        Row(_("Member of the family"), of(a, "since"), of(b, "since")),
        Row(_("Programs received now"), ", ".join(a.programs) or "—", ", ".join(b.programs) or "—"),
    ]


def compare(pair: CandidatePair, user: User | AnonymousUser) -> tuple[list[Row], Side, Side]:
    """The rows of the side-by-side table, and both sides."""
    a, b = side(pair.person_l), side(pair.person_r)

    def nik(s: Side) -> str:
        desa = s.membership.family.desa_id if s.membership else ""
        return shown_identity(user, desa, s.person.nik)

    def status(p: Person) -> str:
        if p.is_active:
            return str(p.get_status_display())
        return f"{p.get_status_display()} ({p.get_inactive_reason_display()})"

    left, right = a.person, b.person
    rows = [
        Row(_("ID DTKS"), left.id_dtks, right.id_dtks, compare=False),
        Row(_("Name"), left.name, right.name),
        Row(_("NIK"), nik(a), nik(b)),
        Row(_("Sex"), left.get_sex_display(), right.get_sex_display()),
        Row(_("Date of birth"), _date(left.birth_date), _date(right.birth_date)),
        Row(_("Place of birth"), left.birth_place or "—", right.birth_place or "—"),
        Row(_("Mother's maiden name"), left.mother_name or "—", right.mother_name or "—"),
        Row(
            _("Marital status"),
            left.get_marital_status_display() or "—",
            right.get_marital_status_display() or "—",
        ),
        Row(_("Status"), status(left), status(right)),
        *_family_rows(user, a, b),
    ]
    return rows, a, b
