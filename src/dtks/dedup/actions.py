"""Every change made by duplicate review (the CLI and the pages call these).

Each action is atomic, checks the permission, the area and the conflict of interest itself,
and records audit events. The registry changes go through `registry.actions` where one exists
(`deactivate_person`: its area and conflict checks, audit and recheck apply); the family a
merge leaves empty, the attributes it fills and everything `unmerge` restores have no registry
action, so they are written here, one audit event per changed row, and the families are
checked again as a registry action would.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes, in_area
from dtks.audit.diff import snapshot
from dtks.audit.record import Change, record_events
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.linkage.engine import PERSON_COLUMNS, find_duplicates
from dtks.linkage.model import DEFAULT_THRESHOLD
from dtks.registry import choices as c
from dtks.registry.actions import DEFAULT_FAMILY_CHECKS, deactivate_person
from dtks.registry.conflicts import refuse_conflicts, subject_of
from dtks.registry.models import Family, Membership, Person
from dtks.registry.search_names import refresh_member_names

from . import records
from .models import CandidatePair, DedupRun, Merge, PairStatus
from .source import read_persons
from .store import write_pairs

if TYPE_CHECKING:
    from dtks.accounts.models import User

Stage = Callable[[str, int], None]  # (stage, rows or pairs so far) for a progress bar
DECISIONS = (PairStatus.SAME, PairStatus.DIFFERENT, PairStatus.DEFERRED)


@dataclass
class RunSummary:
    run: DedupRun
    pairs: pl.DataFrame  # person_l, person_r, match_probability
    seconds: dict[str, float] = field(default_factory=dict)


# --- registry mode -------------------------------------------------------------------------


def authorise_run(by: User | None, wilayah: str | None) -> str | None:
    """The region a run covers: the system (CLI without `--user`) may run anywhere; a user
    needs the verify permission over `wilayah`, or over exactly one area when none is given."""
    if by is None:
        return wilayah
    areas = area_codes(by, Perm.VERIFY)
    if not areas:
        raise PermissionDeniedError(_("Your role may not review duplicates."), code="forbidden")
    if not wilayah:
        if len(areas) > 1:
            raise DomainError(_("Name the region to search with --wilayah."), field="wilayah")
        return areas[0]
    if not in_area(by, wilayah, Perm.VERIFY):
        raise PermissionDeniedError(_("This region lies outside your area."), code="out_of_area")
    return wilayah


def find_candidates(
    *,
    by: User | None = None,
    wilayah: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Stage | None = None,
) -> RunSummary:
    """Registry mode: compare the active persons of `wilayah` (None: the whole registry) and
    put every pair at or above `threshold` on the review queue (`record_candidates`)."""
    if not 0 < threshold <= 1:
        raise DomainError(_("The threshold must be above 0 and at most 1."), field="threshold")
    wilayah = authorise_run(by, wilayah)
    started, clock = timezone.now(), time.perf_counter()
    step = progress or (lambda stage, n: None)
    persons = read_persons(wilayah, lambda n: step("read", n))
    read_at = time.perf_counter()
    step("link", persons.height)
    pairs = link(persons, threshold)
    linked_at = time.perf_counter()
    step("write", pairs.height)
    run = record_candidates(
        pairs, by=by, wilayah=wilayah or "", threshold=threshold, persons=persons.height,
        started_at=started,
    )  # fmt: skip
    seconds = {
        "read": read_at - clock,
        "link": linked_at - read_at,
        "write": time.perf_counter() - linked_at,
    }
    DedupRun.objects.filter(pk=run.pk).update(seconds=sum(seconds.values()))
    run.seconds = sum(seconds.values())
    return RunSummary(run, pairs, seconds)


def link(persons: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """The engine's pairs as person primary keys: `person_l < person_r, match_probability`."""
    found = find_duplicates(persons.select(PERSON_COLUMNS), threshold=threshold)
    ids = found.select(pl.col("id_l").cast(pl.Int64), pl.col("id_r").cast(pl.Int64))
    return pl.DataFrame(
        {
            "person_l": ids.select(pl.min_horizontal("id_l", "id_r")).to_series(),
            "person_r": ids.select(pl.max_horizontal("id_l", "id_r")).to_series(),
            "match_probability": found["match_probability"].clip(0, 1),
        }
    )


@transaction.atomic
def record_candidates(
    pairs: pl.DataFrame,
    *,
    by: User | None,
    wilayah: str,
    threshold: float,
    persons: int,
    started_at: Any,
) -> DedupRun:
    """Put a run's pairs on the queue: new pairs pending, pending and deferred ones with the
    new probability, decided ones (sama, beda) untouched — a decision is never asked again.
    One `DedupRun` and one audit event with the counts."""
    run = DedupRun.objects.create(
        started_at=started_at, by=by, wilayah=wilayah, threshold=threshold, persons=persons,
        found=pairs.height,
    )  # fmt: skip
    written = write_pairs(pairs, run.pk)
    run.created, run.updated, run.skipped = written.created, written.updated, written.skipped
    run.save(update_fields=["created", "updated", "skipped"])
    record_events(
        by or "sistem",
        "record_candidates",
        [Change("dedup_run", str(run.pk), None, snapshot(run), None, wilayah)],
    )
    return run


# --- decisions -----------------------------------------------------------------------------


def authorise_pair(user: User, pair: CandidatePair) -> None:
    """Refuse unless the user may verify in the areas of both records and is tied to neither
    family (conflict of interest, Kepmensos 73/HUK/2024)."""
    if not user.can(Perm.VERIFY):
        raise PermissionDeniedError(_("Your role may not review duplicates."), code="forbidden")
    for person in (pair.person_l, pair.person_r):
        for family in records.families_of(person):
            if not in_area(user, family.desa_id, Perm.VERIFY):
                raise PermissionDeniedError(
                    _("One of the records lies outside your area."), code="out_of_area"
                )
            refuse_conflicts(user, subject_of(family))


def _locked(pair: CandidatePair) -> CandidatePair:
    return (
        CandidatePair.objects.select_for_update()
        .select_related("person_l", "person_r")
        .get(pk=pair.pk)
    )


def _place(pair: CandidatePair) -> tuple[int | None, str]:
    families = records.families_of(pair.person_l)
    return (families[0].pk, families[0].desa_id) if families else (None, "")


def _pair_change(pair: CandidatePair, before: dict[str, Any]) -> Change:
    return Change("candidate_pair", str(pair.pk), before, snapshot(pair), *_place(pair))


def _set_decision(pair: CandidatePair, status: str, by: User, note: str) -> None:
    pair.status, pair.decided_by, pair.decided_at = status, by, timezone.now()
    pair.note = (note or "").strip()[:300]
    pair.save(update_fields=["status", "decided_by", "decided_at", "note"])


@transaction.atomic
def decide(pair: CandidatePair, *, by: User, decision: str, note: str = "") -> CandidatePair:
    """Record a reviewer's decision: sama (merge the records, `merge`), beda (two persons) or
    tunda (look again later). A sama pair changes only by `unmerge`."""
    if decision not in DECISIONS:
        raise DomainError(_("Choose same, different or deferred."), field="decision")
    pair = _locked(pair)
    authorise_pair(by, pair)
    if pair.status == PairStatus.SAME:
        raise DomainError(
            _("These records were merged; undo the merge to change the decision."),
            code="merged",
        )
    if decision == PairStatus.SAME:
        merge(pair, by=by, note=note)
        return pair
    before = snapshot(pair)
    _set_decision(pair, decision, by, note)
    record_events(by, "decide_duplicate_pair", [_pair_change(pair, before)])
    return pair


@transaction.atomic
def merge(pair: CandidatePair, *, by: User, note: str = "") -> Merge:
    """One person in two records: keep the one with active aid history (else the older),
    deactivate the other as `duplicate` through `registry.actions.deactivate_person` (which
    ends its current memberships), deactivate a family it leaves without an active member,
    and fill the kept record's blank minimal attributes from the dropped one. What changed
    is recorded in a `Merge` so that `unmerge` can restore it exactly."""
    pair = _locked(pair)
    authorise_pair(by, pair)
    if pair.status == PairStatus.SAME:
        raise DomainError(_("These records are already merged."), code="merged")
    if not (pair.person_l.is_active and pair.person_r.is_active):
        raise DomainError(
            _("One of the records is no longer active; decide “different” or leave it."),
            code="inactive",
        )
    kept, dropped, because = records.choose_kept(pair)
    before = snapshot(pair)
    filled = _fill(kept, dropped, by)
    current = list(Membership.objects.filter(person=dropped, end_date__isnull=True))
    deactivate_person(dropped, by=by, reason=c.InactiveReason.DUPLICATE)
    ended = Membership.objects.filter(pk__in=[m.pk for m in current]).order_by("pk")
    emptied = _deactivate_emptied({m.family_id for m in current}, by)
    done = Merge.objects.create(
        pair=pair, kept=kept, dropped=dropped, kept_because=because, by=by, at=timezone.now(),
        dropped_status=c.RecordStatus.ACTIVE, dropped_reason="",
        memberships=[
            {"id": m.pk, "end_date": m.end_date.isoformat(), "end_reason": m.end_reason}
            for m in ended
        ],
        families=sorted(emptied), filled=filled,
    )  # fmt: skip
    _set_decision(pair, PairStatus.SAME, by, note)
    record_events(
        by,
        "merge_duplicates",
        [_pair_change(pair, before), Change("merge", str(done.pk), None, snapshot(done))],
        note=pair.note,
    )
    _recheck(emptied, by)
    return done


def _fill(kept: Person, dropped: Person, by: User) -> dict[str, dict[str, Any]]:
    """Write the kept record's blank attributes that the dropped one knows; {field: {before,
    after}} for the merge record."""
    values = records.fillable(kept, dropped)
    if not values:
        return {}
    person = Person.objects.select_for_update().get(pk=kept.pk)
    filled = {name: {"before": getattr(person, name), "after": v} for name, v in values.items()}
    _write_person(
        person, {name: v["after"] for name, v in filled.items()}, by, "fill_from_duplicate"
    )
    return filled


def _write_person(person: Person, values: dict[str, Any], by: User, action: str) -> None:
    before = snapshot(person)
    for name, value in values.items():
        setattr(person, name, value)
    person.save()
    families = records.families_of(person)
    place = (families[0].pk, families[0].desa_id) if families else (None, "")
    record_events(by, action, [Change("person", str(person.pk), before, snapshot(person), *place)])
    _recheck({f.pk for f in families}, by)


def _deactivate_emptied(family_ids: Iterable[int], by: User) -> set[int]:
    """Deactivate (reason `duplicate`) each family left with no current active member."""
    emptied = set()
    for family in Family.objects.select_for_update().filter(pk__in=family_ids, status="active"):
        if family.memberships.filter(
            end_date__isnull=True, person__status=c.RecordStatus.ACTIVE
        ).exists():
            continue
        _set_family_status(family, c.RecordStatus.INACTIVE, c.InactiveReason.DUPLICATE, by)
        emptied.add(family.pk)
    return emptied


def _set_family_status(family: Family, status: str, reason: str, by: User) -> None:
    before = snapshot(family)
    family.status, family.inactive_reason = status, reason
    family.save()
    change = Change("family", str(family.pk), before, snapshot(family), family.pk, family.desa_id)
    record_events(by, "set_family_status", [change])


def _recheck(family_ids: Iterable[int], by: User) -> None:
    """What a registry action does after a change: search names, then the family's checks."""
    families = Family.objects.filter(pk__in=list(family_ids))
    refresh_member_names(families)
    paths = getattr(settings, "DTKS_FAMILY_CHECKS", DEFAULT_FAMILY_CHECKS)
    for family in families:
        for path in paths:
            import_string(path)(family, by=by)


# --- undoing a merge -----------------------------------------------------------------------


@transaction.atomic
def unmerge(merge_: Merge, *, by: User, note: str = "") -> Merge:
    """Undo a merge exactly: the dropped record active again, its memberships current again,
    the families it emptied active again, the filled attributes blank again (those changed
    since by someone else are left as they are). The pair becomes "beda" (different): a merge
    is undone because the records are two persons, and the queue must not offer it again.
    Refused, with the reason, when restoring would break the registry (`unsafe_reasons`)."""
    merge_ = (
        Merge.objects.select_for_update()
        .select_related("pair", "kept", "dropped")
        .get(pk=merge_.pk)
    )
    if not merge_.in_force:
        raise DomainError(_("This merge has already been undone."), code="reversed")
    pair = _locked(merge_.pair)
    authorise_pair(by, pair)
    if reasons := unsafe_reasons(merge_):
        raise DomainError(
            _("The merge cannot be undone: %(reasons)s") % {"reasons": " ".join(reasons)},
            code="unsafe",
        )
    before = snapshot(pair)
    touched = _restore_registry(merge_, by)
    left = _restore_filled(merge_, by)
    merge_.reversed_by, merge_.reversed_at = by, timezone.now()
    merge_.save(update_fields=["reversed_by", "reversed_at"])
    _set_decision(pair, PairStatus.DIFFERENT, by, note)
    record_events(
        by,
        "unmerge_duplicates",
        [_pair_change(pair, before), Change("merge", str(merge_.pk), None, snapshot(merge_))],
        note=", ".join(left),
    )
    _recheck(touched, by)
    return merge_


def unsafe_reasons(merge_: Merge) -> list[str]:
    """Why restoring `merge_` now would be unsafe (empty: it is safe)."""
    dropped = Person.objects.get(pk=merge_.dropped_id)
    reasons = []
    if dropped.status != c.RecordStatus.INACTIVE or (
        dropped.inactive_reason != c.InactiveReason.DUPLICATE
    ):
        reasons.append(_("The dropped record has been changed since the merge."))
    elif Person.objects.active().filter(nik=dropped.nik).exclude(pk=dropped.pk).exists():
        reasons.append(_("Its NIK is now held by another active person."))
    reasons += _membership_reasons(merge_)
    for family in Family.objects.filter(pk__in=merge_.families):
        if family.status != c.RecordStatus.INACTIVE:
            reasons.append(_("Family %(id)s has been changed since.") % {"id": family.id_dtks})
        elif Family.objects.active().filter(no_kk=family.no_kk).exists():
            reasons.append(
                _("The No. KK of family %(id)s is now held by another active family.")
                % {"id": family.id_dtks}
            )
    return reasons


def _membership_reasons(merge_: Merge) -> list[str]:
    reasons = []
    by_id = Membership.objects.select_related("family").in_bulk(
        [m["id"] for m in merge_.memberships]
    )
    for recorded in merge_.memberships:
        m = by_id.get(recorded["id"])
        if m is None or m.end_date is None or m.end_date.isoformat() != recorded["end_date"]:
            reasons.append(_("A membership of the dropped record has been changed since."))
            continue
        if (
            m.is_head
            and m.family.memberships.filter(
                end_date__isnull=True, relationship=c.Relationship.HEAD
            ).exists()
        ):
            reasons.append(_("Family %(id)s has another head now.") % {"id": m.family.id_dtks})
    return reasons


def _restore_registry(merge_: Merge, by: User) -> set[int]:
    """The families, the dropped person and their memberships as before the merge; the ids of
    the families touched."""
    for family in Family.objects.select_for_update().filter(pk__in=merge_.families):
        _set_family_status(family, c.RecordStatus.ACTIVE, "", by)
    person = Person.objects.select_for_update().get(pk=merge_.dropped_id)
    before, changes, touched = snapshot(person), [], set(merge_.families)
    person.status, person.inactive_reason = merge_.dropped_status, merge_.dropped_reason
    memberships = Membership.objects.select_for_update().select_related("family")
    try:
        person.save()
        for m in memberships.filter(pk__in=[r["id"] for r in merge_.memberships]):
            m_before = snapshot(m)
            m.end_date, m.end_reason = None, ""
            m.save()
            place = (m.family_id, m.family.desa_id)
            changes += [
                Change("person", str(person.pk), before, snapshot(person), *place),
                Change("membership", str(m.pk), m_before, snapshot(m), *place),
            ]
            touched.add(m.family_id)
    except IntegrityError as exc:  # a constraint still fires: the checks above missed a case
        raise DomainError(
            _("The data conflicts with a record already in DTKS; nothing was saved."),
            code="conflict",
        ) from exc
    record_events(by, "reactivate_person", changes)
    return touched


def _restore_filled(merge_: Merge, by: User) -> list[str]:
    """Blank again the attributes the merge filled; the names of those left because someone
    changed them since."""
    person = Person.objects.select_for_update().get(pk=merge_.kept_id)
    values, left = {}, []
    for name, change in merge_.filled.items():
        if getattr(person, name) == change["after"]:
            values[name] = change["before"]
        else:
            left.append(name)
    if values:
        _write_person(person, values, by, "unfill_from_duplicate")
    return left
