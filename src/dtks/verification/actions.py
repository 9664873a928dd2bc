"""Running the data-quality rules and keeping findings in step with the data.

`run_checks` is the only writer of person-level findings of the registered rules: it opens what
is newly found, resolves what is no longer found, and leaves the rest alone, so running it twice
changes nothing. "Perlu perbaikan" (Tabel 5.3) is then the count of persons with an open error.

The rules run vectorised over chunks of persons read straight into polars, and the findings are
synced by a few set-based statements (`sync.py`): 1,000,000 persons take seconds, not minutes.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
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
from .rules import PERSON, CheckContext, Checker, rules_for

if TYPE_CHECKING:
    from dtks.accounts.models import User

CHUNK = 100_000  # persons per chunk: ~20 MB of frame, and few round trips


@dataclass
class CheckSummary:
    """What one run did: persons checked, findings opened / updated / resolved / kept."""

    checked: int = 0
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    unchanged: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)  # found in this run
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["by_rule"] = dict(sorted(self.by_rule.items()))
        data["seconds"] = round(self.seconds, 2)
        return data


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


def known_kecamatan() -> set[str] | None:
    """Loaded kecamatan codes, for the NIK region check; None when none are loaded."""
    return set(Region.objects.filter(level=Level.KECAMATAN).values_list("code", flat=True)) or None


def _check_scope(scope: QuerySet[Person], by: User | None, progress: bool) -> CheckSummary:
    """Every person rule over `scope`, chunk by chunk, then the findings synced in SQL."""
    summary = CheckSummary()
    check = Checker(CheckContext(known_regions=known_kecamatan()))
    found = 0
    total = scope.count() if progress else None
    with (
        connection.cursor() as cursor,
        tqdm(total=total, disable=not progress, unit="individu") as bar,
    ):
        sync.create_tables(cursor)
        for persons in sync.read_persons(cursor, scope, CHUNK):
            rows = check(persons)
            sync.add_chunk(cursor, persons, rows)
            summary.by_rule.update(dict(rows["rule"].value_counts().iter_rows()))
            summary.checked += persons.height
            found += rows.height
            bar.update(persons.height)
        codes = [rule.code for rule in rules_for(PERSON)]
        by_id = by.pk if by else None
        counts = sync.sync_findings(
            cursor, checked=summary.checked, codes=codes, by_id=by_id, now=timezone.now()
        )
        sync.drop_tables(cursor)
    summary.opened, summary.updated, summary.resolved = counts
    summary.unchanged = found - summary.opened - summary.updated
    return summary


def _run(
    scope: QuerySet[Person],
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
    """Run every person-level rule over the persons in active families of `wilayah`.

    Opens new findings, resolves open ones no longer found (closed by `by`), keeps identical
    ones; one transaction and one audit event per run. Persons outside the scope are untouched.
    """
    scope = persons_to_check(wilayah, persons)
    return _run(
        scope,
        by=by,
        subject=wilayah or "all",
        region=wilayah or "",
        family_id=None,
        progress=progress,
    )


def recheck_family(family: Family, *, by: User | None) -> CheckSummary:
    """Re-run the rules on a family's current members, after the family or a member changed."""
    members = Membership.objects.filter(family=family, end_date__isnull=True).values("person_id")
    scope = persons_to_check(persons=members)
    return _run(
        scope,
        by=by,
        subject=f"family:{family.pk}",
        region=family.desa_id,
        family_id=family.pk,
        progress=False,
    )


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
