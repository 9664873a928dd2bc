"""Running the data-quality rules and keeping findings in step with the data.

`run_checks` is the only writer of the findings of the registered rules, person- and
family-level: it opens what is newly found, resolves what is no longer found, and leaves the
rest alone, so running it twice changes nothing. "Perlu perbaikan" (Tabel 5.3) is then the count
of persons with an open person-level error.

The rules run vectorised over chunks of persons, then of families, read straight into polars,
and the findings are synced by a few set-based statements per level (`sync.py`): 1,000,000
persons take seconds, not minutes.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from dtks.accounts.roles import Perm
from dtks.accounts.scope import in_area
from dtks.audit.record import Change, record_event
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.registry.choices import RecordStatus
from dtks.registry.models import Family, Membership, Person
from dtks.wilayah.models import Level, Region, code_prefix_q

from . import sync
from .models import Finding, FindingStatus
from .rules import FAMILY, PERSON, CheckContext, Checker, FamilyChecker, rules_for
from .rules.vector import empty_found

if TYPE_CHECKING:
    from dtks.accounts.models import User

CHUNK = 100_000  # persons per chunk: ~20 MB of frame, and few round trips
FAMILY_CHUNK = 40_000  # families per chunk: ~115,000 members


@dataclass
class LevelSummary:
    """One level of a run: subjects checked, rows found, findings opened / updated /
    resolved / kept."""

    checked: int = 0
    found: int = 0
    opened: int = 0
    updated: int = 0
    resolved: int = 0

    @property
    def unchanged(self) -> int:
        return self.found - self.opened - self.updated


@dataclass
class CheckSummary:
    """What one run did: persons (and families) checked, findings opened / updated /
    resolved / kept over both levels, what each rule found, and each level's own counts."""

    checked: int = 0
    families: int = 0
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    unchanged: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)  # found in this run
    by_level: dict[str, LevelSummary] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, level: str, counts: LevelSummary) -> None:
        self.by_level[level] = counts
        self.opened += counts.opened
        self.updated += counts.updated
        self.resolved += counts.resolved
        self.unchanged += counts.unchanged

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["by_rule"] = dict(sorted(self.by_rule.items()))
        data["by_level"] = {
            level: asdict(counts) | {"unchanged": counts.unchanged}
            for level, counts in self.by_level.items()
        }
        data["seconds"] = round(self.seconds, 2)
        return data


@dataclass(frozen=True)
class Scope:
    """What a run checks: persons, families, and the persons it was named for (None: the
    whole area), which narrows the cross-record look-ups."""

    persons: QuerySet[Person]
    families: QuerySet[Family]
    named: Any = None


def persons_to_check(wilayah: str | None = None, persons: Any = None) -> QuerySet[Person]:
    """Active persons currently in an active family of `wilayah` (any level; None = all),
    optionally narrowed to `persons` (a queryset or ids)."""
    memberships = Membership.objects.filter(
        person=OuterRef("pk"), end_date__isnull=True, family__status=RecordStatus.ACTIVE
    )
    if wilayah:
        memberships = memberships.filter(code_prefix_q("family__desa__code", wilayah))
    scope = Person.objects.filter(status=RecordStatus.ACTIVE).filter(Exists(memberships))
    return scope if persons is None else scope.filter(pk__in=persons)


def families_to_check(wilayah: str | None = None, persons: Any = None) -> QuerySet[Family]:
    """Families of `wilayah` (None = all) whatever their status (an inactive one may still
    hold a program, and its findings from when it was active are resolved), optionally only
    those with a current membership of `persons` (a queryset or ids)."""
    scope = Family.objects.all()
    if wilayah:
        scope = scope.in_wilayah(wilayah)
    if persons is not None:
        members = Membership.objects.filter(
            family=OuterRef("pk"), end_date__isnull=True, person__in=persons
        )
        scope = scope.filter(Exists(members))
    return scope


def known_kecamatan() -> set[str] | None:
    """Loaded kecamatan codes, for the NIK region check; None when none are loaded."""
    return set(Region.objects.filter(level=Level.KECAMATAN).values_list("code", flat=True)) or None


def _check_persons(
    cursor: Any, scope: Scope, context: CheckContext, summary: CheckSummary, bar: Any
) -> LevelSummary:
    """Every person rule over the scope's persons, chunk by chunk, into the person tables.

    Named persons who are no longer checked (made inactive, or in no active family any more)
    enter the scope with nothing found: their open findings are resolved, as they have left
    the registry (a person deactivated as died, for instance)."""
    check, counts = Checker(context), LevelSummary()
    for persons in sync.read_persons(cursor, scope.persons, CHUNK, scope.named):
        rows = check(persons)
        sync.add_chunk(cursor, sync.PERSONS, persons["id"], rows)
        summary.by_rule.update(rows["rule"].to_list())
        counts.checked += persons.height
        counts.found += rows.height
        bar.update(persons.height)
    if scope.named is not None:
        # NOT EXISTS, not NOT IN: PostgreSQL turns it into an anti-join; NOT IN (subquery)
        # may be re-run for every named person when statistics are stale (a fresh load).
        checked = scope.persons.filter(pk=OuterRef("pk"))
        gone = Person.objects.filter(pk__in=scope.named).exclude(Exists(checked))
        ids = pl.Series("id", list(gone.values_list("pk", flat=True)), dtype=pl.Int64)
        sync.add_chunk(cursor, sync.PERSONS, ids, empty_found())
    return counts


def _check_families(
    cursor: Any, scope: Scope, context: CheckContext, summary: CheckSummary, bar: Any
) -> LevelSummary:
    """Every family rule over the scope's families, by ranges of ids, into the family tables."""
    check, counts = FamilyChecker(context), LevelSummary()
    today = context.today or timezone.localdate()
    for families, members in sync.read_families(cursor, scope.families, FAMILY_CHUNK, today):
        rows = check(families, members)
        sync.add_chunk(cursor, sync.FAMILIES, families["id"], rows)
        summary.by_rule.update(rows["rule"].to_list())
        counts.checked += families.height
        counts.found += rows.height
        bar.update(families.height)
    return counts


def _sync(cursor: Any, level: str, counts: LevelSummary, by: User | None) -> None:
    subjects = sync.PERSONS if level == PERSON else sync.FAMILIES
    counts.opened, counts.updated, counts.resolved = sync.sync_findings(
        cursor,
        subjects,
        checked=counts.checked,
        codes=[rule.code for rule in rules_for(level)],
        by_id=by.pk if by else None,
        now=timezone.now(),
    )


def _check_scope(scope: Scope, by: User | None, progress: bool) -> CheckSummary:
    """Every person rule over the scope's persons and every family rule over its families,
    chunk by chunk, then the findings of both levels synced in SQL."""
    summary = CheckSummary()
    context = CheckContext(known_regions=known_kecamatan(), today=timezone.localdate())
    with connection.cursor() as cursor:
        sync.create_tables(cursor)
        total = scope.persons.count() if progress else None
        with tqdm(total=total, disable=not progress, unit="individu") as bar:
            person_counts = _check_persons(cursor, scope, context, summary, bar)
        total = scope.families.count() if progress else None
        with tqdm(total=total, disable=not progress, unit="keluarga") as bar:
            family_counts = _check_families(cursor, scope, context, summary, bar)
        _sync(cursor, PERSON, person_counts, by)
        _sync(cursor, FAMILY, family_counts, by)
        sync.drop_tables(cursor)
    summary.checked, summary.families = person_counts.checked, family_counts.checked
    summary.add(PERSON, person_counts)
    summary.add(FAMILY, family_counts)
    return summary


def _run(
    scope: Scope,
    *,
    by: User | None,
    subject: str,
    region: str,
    family_id: int | None,
    progress: bool,
) -> CheckSummary:
    started = time.monotonic()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        summary = _check_scope(scope, by, progress)
        summary.seconds = time.monotonic() - started
        record_event(
            by,
            "run_checks",
            Change("checks", subject, None, summary.as_dict(), family_id, region),
        )
    return summary


def run_checks(
    *,
    by: User | None = None,
    wilayah: str | None = None,
    persons: Any = None,
    progress: bool = False,
) -> CheckSummary:
    """Run every person-level rule over the active persons in active families of `wilayah`,
    and every family-level rule over its families (with `persons`: only those persons, and the
    families they are current members of).

    Opens new findings, resolves open ones no longer found (closed by `by`), keeps identical
    ones; one transaction and one audit event per run. Subjects outside the scope are untouched.
    """
    scope = Scope(persons_to_check(wilayah, persons), families_to_check(wilayah, persons), persons)
    return _run(
        scope,
        by=by,
        subject=wilayah or "all",
        region=wilayah or "",
        family_id=None,
        progress=progress,
    )


def recheck_family(family: Family, *, by: User | None) -> CheckSummary:
    """Re-run the person rules on a family's members and the family rules on the family, after
    the family or a member changed. Past members are checked too (in their current family, if
    any): a person who just left may no longer be in two families."""
    members = Membership.objects.filter(family=family).values("person_id")
    scope = Scope(persons_to_check(persons=members), Family.objects.filter(pk=family.pk), members)
    return _run(
        scope,
        by=by,
        subject=f"family:{family.pk}",
        region=family.desa_id,
        family_id=family.pk,
        progress=False,
    )


def recheck_families(
    families: Iterable[Family], *, by: User | Mapping[int, User | None] | None
) -> CheckSummary:
    """`recheck_family` for many families in one run (the registry's `deferred_rechecks`,
    e.g. a ratified batch): the same scope as their rechecks one by one, so the same
    findings, with one set of statements and one audit event instead of one per family.

    `by` is the user in whose name resolved findings are closed, or a mapping family id →
    the user who changed that family last (a month's ratification: each desa's proposer).
    With a mapping the run is still one, and each resolved finding is closed as one run per
    user, in the order users first appear in the mapping, would close it: a family's in
    its changer's name, a person's in the name of the first such user among the changers of
    the families the person is or was a member of. The run's audit event then names no actor
    (`sistem`) unless every family has the same one."""
    ids = sorted({family.pk for family in families})
    if isinstance(by, Mapping):
        users = {user.pk: user for user in (by.get(pk) for pk in ids) if user is not None}
        if len(users) > 1:
            return _recheck_attributed(ids, by)
        by = next(iter(users.values()), None)
    return _recheck_ids(ids, by=by)


def _recheck_ids(ids: list[int], *, by: User | None) -> CheckSummary:
    members = Membership.objects.filter(family_id__in=ids).values("person_id")
    scope = Scope(persons_to_check(persons=members), Family.objects.filter(pk__in=ids), members)
    return _run(
        scope,
        by=by,
        subject=f"families:{len(ids)}",
        region="",
        family_id=ids[0] if len(ids) == 1 else None,
        progress=False,
    )


def _recheck_attributed(ids: list[int], by: Mapping[int, User | None]) -> CheckSummary:
    """One run over `ids`, then each finding it resolved closed in its changer's name."""
    rank: dict[int, int] = {}  # user id → its place in the mapping (the order of the runs)
    for user in by.values():
        if user is not None:
            rank.setdefault(user.pk, len(rank))
    family_user = {pk: by[pk].pk for pk in ids if by.get(pk) is not None}
    person_user: dict[int, int] = {}
    memberships = Membership.objects.filter(family_id__in=ids)
    for person_id, family_id in memberships.values_list("person_id", "family_id"):
        user = family_user.get(family_id)
        held = person_user.get(person_id)
        if user is not None and (held is None or rank[user] < rank[held]):
            person_user[person_id] = user
    was_open = Finding.objects.filter(status=FindingStatus.OPEN).filter(
        Q(level=PERSON, person_id__in=memberships.values("person_id"))
        | Q(level=FAMILY, family_id__in=ids)
    )
    before = list(was_open.values_list("pk", "level", "person_id", "family_id"))
    summary = _recheck_ids(ids, by=None)
    resolved = set(
        Finding.objects.filter(
            pk__in=[row[0] for row in before], status=FindingStatus.RESOLVED
        ).values_list("pk", flat=True)
    )
    closers: dict[int | None, list[int]] = {}
    for pk, level, person_id, family_id in before:
        if pk in resolved:
            user = person_user.get(person_id) if level == PERSON else family_user.get(family_id)
            closers.setdefault(user, []).append(pk)
    for user, finding_ids in closers.items():
        for start in range(0, len(finding_ids), 10_000):
            chunk = finding_ids[start : start + 10_000]
            Finding.objects.filter(pk__in=chunk).update(closed_by_id=user)
    return summary


def waive_finding(finding: Finding, *, by: User, reason: str) -> Finding:
    """A kabupaten verifier accepts an open finding with a reason: it is closed as waived and
    the checks never open it again for the same rule and subject."""
    placed = Finding.objects.with_place().get(pk=finding.pk)
    if not by.can(Perm.VERIFY) or not in_area(by, placed.desa_code or "", Perm.VERIFY):
        raise PermissionDeniedError(_("Only a verifier of this area may waive a finding."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("State why the finding is waived."), field="reason")
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.status != FindingStatus.OPEN:
            raise DomainError(_("Only an open finding can be waived."), field="reason")
        before = {"status": locked.status, "waiver_reason": locked.waiver_reason}
        locked.status, locked.waiver_reason = FindingStatus.WAIVED, reason[:300]
        locked.closed_by, locked.closed_at = by, timezone.now()
        locked.save(update_fields=["status", "waiver_reason", "closed_by", "closed_at"])
        record_event(
            by,
            "waive_finding",
            Change(
                "finding",
                str(locked.pk),
                before,
                {"status": locked.status, "waiver_reason": locked.waiver_reason},
                placed.family_ref,
                placed.desa_code or "",
            ),
        )
    return locked
