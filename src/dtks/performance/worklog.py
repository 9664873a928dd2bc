"""Realisation from the work log: what each person did, month by month, read from the records
the work itself leaves — proposal transitions (who created, verified, returned, finalised,
ratified, and when), registry changes in the audit log (who created or corrected which family
or person), and findings (which of those records turned out wrong).

Nothing here is stored or typed in: a figure is a count over those records, and its evidence is
the list of the records counted, so anyone can open them.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from dtks.audit.models import AuditEvent
from dtks.proposals.models import Proposal, Transition
from dtks.proposals.workflow import STEPS, window_kind
from dtks.schedule.models import CalendarRule
from dtks.verification.models import Finding, FindingStatus, Severity

# Transitions that are a piece of work on a record (a submission follows its creation and is not
# counted twice; a determination or rejection is the ministry's, recorded by the Dinas).
HANDLING_ACTIONS = ("create", "verify", "return", "finalise", "ratify", "send")
# Registry subjects a person creates or corrects directly (data entry, imports).
REGISTRY_SUBJECTS = ("family", "person")
# The schedule kind each windowed step falls in; a submission's kind depends on the proposal.
STEP_WINDOW = {s.action: s.window for s in STEPS if s.window and s.action != "submit"}
HUNDRED = Decimal(100)
CHUNK = 5000  # ids per IN list (SQLite's bound-parameter limit)


@dataclass(frozen=True)
class Span:
    """A calendar year, or one quarter (1–4) of it, in local time: its first and last days,
    and as an aware half-open interval [start, end)."""

    year: int
    quarter: int = 0

    @property
    def first(self) -> date:
        return date(self.year, 1 if not self.quarter else 3 * self.quarter - 2, 1)

    @property
    def last(self) -> date:
        if not self.quarter or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))


@dataclass
class Tally:
    """A count per month (1–12) and the records behind it, as `(kind, id)` pairs."""

    months: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    evidence: set[tuple[str, int]] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(self.months.values())

    def add(self, month: int, kind: str, pk: int) -> None:
        if (kind, pk) not in self.evidence:
            self.evidence.add((kind, pk))
            self.months[month] += 1


@dataclass
class Share:
    """A share: `good` of `total`, per month and for the year, with the failing records."""

    good: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    counted: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    failing: set[tuple[str, int]] = field(default_factory=set)

    def add(self, month: int, ok: bool, kind: str, pk: int) -> None:
        self.counted[month] += 1
        if ok:
            self.good[month] += 1
        else:
            self.failing.add((kind, pk))

    @property
    def total(self) -> int:
        return sum(self.counted.values())

    def percent(self, month: int | None = None) -> Decimal | None:
        """The share in percent (None when nothing was counted)."""
        if month is None:
            good, counted = sum(self.good.values()), self.total
        else:
            good, counted = self.good[month], self.counted[month]
        return (Decimal(good) * HUNDRED / counted) if counted else None


def _month(when: datetime) -> int:
    return timezone.localtime(when).month


def _transitions(users: Collection[int], year: int) -> QuerySet[Transition]:
    span = Span(year)
    return Transition.objects.filter(by__in=users, at__gte=span.start, at__lt=span.end)


def _registry_events(users: Collection[int], year: int) -> QuerySet[AuditEvent]:
    span = Span(year)
    return AuditEvent.objects.filter(
        actor__in=users,
        at__gte=span.start,
        at__lt=span.end,
        subject_type__in=REGISTRY_SUBJECTS,
    )


def records_handled(users: Collection[int], year: int) -> Tally:
    """Kuantitas: the records `users` created, corrected, verified, returned, finalised or
    ratified in `year`, each record counted once per person (in the month first handled)."""
    tally = Tally()
    rows = _transitions(users, year).filter(action__in=HANDLING_ACTIONS).order_by("at")
    for proposal_id, at in rows.values_list("proposal_id", "at"):
        tally.add(_month(at), "proposal", proposal_id)
    events = _registry_events(users, year).order_by("at")
    for kind, subject, at in events.values_list("subject_type", "subject_id", "at"):
        if subject.isdigit():
            tally.add(_month(at), kind, int(subject))
    return tally


def work_clean(users: Collection[int], year: int) -> Share:
    """Kualitas: of the proposals `users` created and the registry records they changed in
    `year`, the share that was not returned for repair, not rejected by the ministry, and
    shows no error finding opened after their work (a defect found later)."""
    share = Share()
    created = _transitions(users, year).filter(action="create")
    spoiled = Transition.objects.filter(proposal=OuterRef("proposal_id")).filter(
        Q(action="return") | Q(action="reject")
    )
    for proposal_id, at, bad in created.annotate(bad=Exists(spoiled)).values_list(
        "proposal_id", "at", "bad"
    ):
        share.add(_month(at), not bad, "proposal", proposal_id)
    changed = _changed_records(users, year)
    last_defect = _last_error_found(changed)
    for kind, pk, at in changed:
        found = last_defect.get((kind, pk))
        share.add(_month(at), not (found and found > at), kind, pk)
    return share


def _last_error_found(records: list[tuple[str, int, datetime]]) -> dict[tuple[str, int], datetime]:
    """When the last error finding (not waived) was opened on each record."""
    found: dict[tuple[str, int], datetime] = {}
    errors = Finding.objects.filter(severity=Severity.ERROR).exclude(status=FindingStatus.WAIVED)
    for kind in REGISTRY_SUBJECTS:
        ids = sorted({pk for k, pk, _ in records if k == kind})
        for i in range(0, len(ids), CHUNK):
            rows = errors.filter(**{f"{kind}__in": ids[i : i + CHUNK]})
            for pk, last in rows.values_list(kind).annotate(last=Max("opened_at")):
                found[(kind, pk)] = last
    return found


def _changed_records(users: Collection[int], year: int) -> list[tuple[str, int, datetime]]:
    """Each registry record `users` changed in `year`, once, with its last change."""
    last: dict[tuple[str, int], datetime] = {}
    events = _registry_events(users, year).order_by("at")
    for kind, subject, at in events.values_list("subject_type", "subject_id", "at"):
        if subject.isdigit():
            last[(kind, int(subject))] = at
    return [(kind, pk, at) for (kind, pk), at in last.items()]


def in_window(users: Collection[int], year: int) -> Share:
    """Waktu: of the windowed steps `users` took in `year` (submitting, verifying, returning,
    finalising, ratifying, sending), the share taken inside the regular monthly window of its
    kind — not only thanks to an extension."""
    rules = {r.kind: r for r in CalendarRule.objects.in_force()}
    share = Share()
    rows = _transitions(users, year).select_related("proposal")
    for t in rows.only("id", "action", "at", "proposal__kind", "proposal__subtype"):
        kind = (
            window_kind(t.proposal.kind, t.proposal.subtype)
            if t.action == "submit"
            else STEP_WINDOW.get(t.action)
        )
        rule = rules.get(kind) if kind else None
        if rule is None:
            continue
        day = timezone.localtime(t.at).date()
        share.add(day.month, bool(rule.window_containing(day)), "proposal", t.proposal_id)
    return share


def days_to_verify(users: Collection[int], year: int) -> tuple[Decimal | None, list[int]]:
    """Waktu: the median days from a proposal's submission to its verification or return by
    `users` in `year`, and the proposals measured."""
    steps = _transitions(users, year).filter(action__in=("verify", "return"))
    submitted = Transition.objects.filter(
        action="submit", proposal__in=steps.values("proposal_id")
    ).order_by("at")
    submissions: dict[int, list[datetime]] = defaultdict(list)
    for proposal_id, at in submitted.values_list("proposal_id", "at"):
        submissions[proposal_id].append(at)
    days: list[float] = []
    measured: list[int] = []
    for proposal_id, at in steps.order_by("at").values_list("proposal_id", "at"):
        before = [s for s in submissions[proposal_id] if s <= at]
        if before:
            days.append((at - before[-1]).total_seconds() / 86400)
            measured.append(proposal_id)
    if not days:
        return None, []
    return Decimal(str(round(statistics.median(days), 1))), measured


def proposals_of(evidence: Iterable[tuple[str, int]]) -> QuerySet[Proposal]:
    return Proposal.objects.filter(pk__in=[pk for kind, pk in evidence if kind == "proposal"])
