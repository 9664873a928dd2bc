"""Running the data-quality rules and keeping findings in step with the data.

`run_checks` is the only writer of person-level findings of the registered rules: it opens what
is newly found, resolves what is no longer found, and leaves the rest alone, so running it twice
changes nothing. "Perlu perbaikan" (Tabel 5.3) is then the count of persons with an open error.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone, translation
from tqdm import tqdm

from dtks.audit.record import Change, record_event
from dtks.registry.choices import RecordStatus
from dtks.registry.models import Family, Membership, Person
from dtks.wilayah.models import Level, Region, code_prefix_q

from .models import Finding, FindingStatus, RuleLevel
from .rules import PERSON, CheckContext, PersonData, RuleFinding, check_person, rules_for

if TYPE_CHECKING:
    from dtks.accounts.models import User

CHUNK = 2000
MESSAGE_LENGTH = Finding._meta.get_field("message").max_length or 300


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


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _new_finding(person_id: int, found: RuleFinding) -> Finding:
    return Finding(
        rule=found.rule,
        severity=found.severity,
        level=RuleLevel.PERSON,
        person_id=person_id,
        message=found.message[:MESSAGE_LENGTH],
        field=found.field,
    )


def _sync_chunk(
    found: dict[tuple[str, int], RuleFinding], ids: list[int], by: User | None, codes: list[str]
) -> tuple[int, int, int, int]:
    """Make the open findings of persons `ids` equal `found`; (opened, updated, resolved, kept)."""
    open_now = Finding.objects.filter(
        level=RuleLevel.PERSON, status=FindingStatus.OPEN, person_id__in=ids, rule__in=codes
    ).only("id", "rule", "person_id", "severity", "field", "message")
    existing = {(f.rule, f.person_id): f for f in open_now}
    stale = [f.id for key, f in existing.items() if key not in found]
    changed = []
    for key, new in found.items():
        old = existing.get(key)
        message = new.message[:MESSAGE_LENGTH]
        if old and (old.severity, old.field, old.message) != (new.severity, new.field, message):
            old.severity, old.field, old.message = new.severity, new.field, message
            changed.append(old)
    created = [
        _new_finding(pid, f) for (rule, pid), f in found.items() if (rule, pid) not in existing
    ]
    Finding.objects.bulk_create(created, batch_size=CHUNK)
    Finding.objects.bulk_update(changed, ["severity", "field", "message"], batch_size=CHUNK)
    Finding.objects.filter(id__in=stale).update(
        status=FindingStatus.RESOLVED, closed_at=timezone.now(), closed_by=by
    )
    kept = len(existing) - len(stale) - len(changed)
    return len(created), len(changed), len(stale), kept


def _check_scope(scope: QuerySet[Person], by: User | None, progress: bool) -> CheckSummary:
    summary = CheckSummary()
    context = CheckContext(known_regions=known_kecamatan())
    rules = rules_for(PERSON)
    codes = [rule.code for rule in rules]
    rows = scope.order_by("pk").values(*PersonData.field_names()).iterator(chunk_size=CHUNK)
    total = scope.count() if progress else None
    with tqdm(total=total, disable=not progress, unit="individu") as bar:
        for chunk in _chunks(rows, CHUNK):
            found: dict[tuple[str, int], RuleFinding] = {}
            for row in chunk:
                for finding in check_person(PersonData.from_values(row), context, rules):
                    found[(finding.rule, row["id"])] = finding
                    summary.by_rule[finding.rule] += 1
            counts = _sync_chunk(found, [row["id"] for row in chunk], by, codes)
            summary.opened += counts[0]
            summary.updated += counts[1]
            summary.resolved += counts[2]
            summary.unchanged += counts[3]
            summary.checked += len(chunk)
            bar.update(len(chunk))
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
