"""What ratifying many proposals judges once instead of once per proposal.

`ratify_batch` and `ratify_period` ask, for every proposal, the same questions as
`actions.authorise_step`: did the pengesah verify it, is the pengesah tied to its family
(conflict of interest), is the desa's window open. Here they are answered for a whole batch
in a few queries: the verify transitions in one, the window of every desa in two
(`schedule.windows.window_statuses`), the current members of every family in one, and the
pengesah's own family once. The answers equal the per-proposal ones for the data as it is
when they are read; a proposal whose family or person an earlier change of the same call
touched is judged again on its own (`actions.ratify_groups`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from dtks.core.nik import parse_nik
from dtks.registry.conflicts import (
    DEFAULT_CONFLICT_TIES,
    Conflict,
    Subject,
    conflicts,
    own_family,
)
from dtks.registry.models import Family, Membership
from dtks.schedule.windows import WindowStatus, window_statuses

from .data import proposed_persons, subject
from .models import Proposal, Transition

if TYPE_CHECKING:
    from dtks.accounts.models import User


@dataclass(frozen=True)
class RatifyChecks:
    """The answers for a batch of proposals: ids the pengesah verified, the pengesah's ties
    by proposal id, the ratification window by desa, and the families' current members
    (NIK, name, birth date, sex) by family id."""

    verified: frozenset[int]
    ties: dict[int, list[Conflict]]
    windows: dict[str, WindowStatus]
    members: dict[int, list[tuple[Any, ...]]]


def ratify_checks(
    proposals: Sequence[Proposal], by: User, window: str, when: dt.datetime | None
) -> RatifyChecks:
    """Judge `proposals` (their `family` loaded) for the pengesah `by` in a few queries."""
    ids = [p.pk for p in proposals]
    verified = Transition.objects.filter(proposal_id__in=ids, action="verify", by=by)
    members = current_members({p.family_id for p in proposals if p.family_id})
    return RatifyChecks(
        verified=frozenset(verified.values_list("proposal_id", flat=True)),
        ties=ties_by_proposal(by, proposals, members),
        windows=window_statuses(window, {p.batch.desa_id for p in proposals}, when),
        members=members,
    )


def current_members(family_ids: Iterable[int]) -> dict[int, list[tuple[Any, ...]]]:
    """The current members (NIK, name, birth date, sex) of each family, in one query."""
    members: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in family_ids}
    rows = Membership.objects.filter(family_id__in=list(members), end_date__isnull=True)
    for family_id, *member in rows.values_list(
        "family_id", "person__nik", "person__name", "person__birth_date", "person__sex"
    ):
        members[family_id].append(tuple(member))
    return members


def ties_by_proposal(
    user: User,
    proposals: Iterable[Proposal],
    members: dict[int, list[tuple[Any, ...]]] | None = None,
) -> dict[int, list[Conflict]]:
    """`conflicts(user, subject(p))` of every proposal: the families' current members read in
    one query (or `members`, as `current_members` read them), and the ties' own queries
    spared where no tie can hold (`may_be_tied`)."""
    proposals = list(proposals)
    if members is None:
        members = current_members({p.family_id for p in proposals if p.family_id})
    sieve = _sieve(user)
    found = {}
    for p in proposals:
        if p.family_id:
            family: Family = p.family
            stored = Subject(
                family.no_kk, family.desa_id, family.address, tuple(members[family.pk])
            )
            judged = stored.with_members(proposed_persons(p))
        else:
            judged = subject(p)
        found[p.pk] = conflicts(user, judged) if sieve(judged) else []
    return found


def _sieve(user: User) -> Any:
    """`subject -> bool`: False only where `conflicts(user, subject)` is surely empty. Exact
    for the registry's own ties and the default linkage ties (each needs the user's NIK
    among the members, the user's No. KK, the user's own family in the subject's desa, or a
    member born in the year the user's NIK encodes); other configured ties see every subject."""
    ties = tuple(getattr(settings, "DTKS_CONFLICT_TIES", DEFAULT_CONFLICT_TIES))
    if not set(ties) <= set(DEFAULT_CONFLICT_TIES):
        return lambda _subject: True
    own = own_family(user) if (user.nik or user.no_kk) else None
    parsed = parse_nik(user.nik) if user.nik else None
    year = parsed.birth_date.year if parsed and parsed.birth_date else None
    return lambda s: may_be_tied(user, s, own, year)


def may_be_tied(user: User, subject: Subject, own: Family | None, nik_year: int | None) -> bool:
    """Whether one of the default ties could hold between `user` and `subject`."""
    if user.nik and any(m[0] == user.nik for m in subject.members):
        return True  # own_nik
    if user.no_kk and user.no_kk == subject.no_kk:
        return True  # own_kk
    if own is not None and own.desa_id == subject.desa_code:
        return True  # same_address, linked_family
    return nik_year is not None and any(_born_in(m[2], nik_year) for m in subject.members)


def _born_in(value: Any, year: int) -> bool:
    """A birth date in `year` (probable_self, linked_self); a date not readable as one may."""
    if isinstance(value, dt.date):
        return value.year == year  # the NIK's date, or it with day and month swapped
    return value not in (None, "")
