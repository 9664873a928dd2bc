"""A village operator's scorecard per desa and period, computed from existing records.

For each `operator_desa` assignment (one operator, one desa) and a period (a year, or a month
of a year; local days in `settings.TIME_ZONE`):

- proposals submitted: the operator's proposals (`proposed_by`) of the desa whose first
  `submit` transition falls in the period;
- inside the window: of those, submitted on a day inside the regular window of the proposal's
  kind that month (`CalendarRule.window_in` of the rules in force; a submission let through by
  an extension counts as outside, since a closed window refuses every other one);
- return rate: proposals returned at least once / submitted; verified without return:
  proposals verified and never returned / submitted;
- open findings in the desa now, and the median days from found to resolved of the desa's
  findings resolved in the period;
- conflict-of-interest flags: changes the operator held for a second approver
  (`registry.HeldChange`) in the desa in the period;
- training attended: `dtks.training.queries.sessions_attended`;
- alerts (`anomalies.py`).

`scorecards()` costs a fixed number of queries whatever the number of operators.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import ExtractHour
from django.utils import formats

from dtks.audit.models import AuditEvent
from dtks.proposals.models import Kind, Proposal, Transition
from dtks.proposals.workflow import window_kind
from dtks.registry.models import HeldChange
from dtks.schedule.models import CalendarRule
from dtks.schedule.readiness import DESA_WIDTH
from dtks.training.queries import sessions_attended
from dtks.verification.models import Finding, FindingStatus

from . import anomalies as a

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from dtks.accounts.models import RoleAssignment, User

Key = tuple[int, str]  # (operator's user id, desa code)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Period:
    """A year, or one month of it."""

    year: int
    month: int | None = None

    @property
    def start(self) -> date:
        return date(self.year, self.month or 1, 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        if self.month is None or self.month == 12:
            return date(self.year + 1, 1, 1)
        return date(self.year, self.month + 1, 1)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes at local midnight."""
        zone = local_zone()
        return (
            datetime.combine(self.start, time.min, zone),
            datetime.combine(self.end, time.min, zone),
        )

    @property
    def label(self) -> str:
        if self.month is None:
            return str(self.year)
        return formats.date_format(self.start, "F Y")


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percent(share: float | None) -> float | None:
    return None if share is None else share * 100


@dataclass
class Scorecard:
    """One operator's figures in one desa for a period."""

    user_id: int
    operator: str
    username: str
    desa_code: str
    desa_name: str
    kecamatan_code: str
    kecamatan_name: str
    submitted: int = 0
    inside_window: int = 0
    returned: int = 0
    verified_clean: int = 0
    open_findings: int = 0
    fix_days: list[float] = field(default_factory=list)
    held_changes: list[int] = field(default_factory=list)
    training: int | None = None
    alerts: list[a.Alert] = field(default_factory=list)

    @property
    def key(self) -> Key:
        return (self.user_id, self.desa_code)

    @property
    def inside_share(self) -> float | None:
        return _share(self.inside_window, self.submitted)

    @property
    def return_rate(self) -> float | None:
        return _share(self.returned, self.submitted)

    @property
    def clean_share(self) -> float | None:
        return _share(self.verified_clean, self.submitted)

    @property
    def inside_percent(self) -> float | None:
        return _percent(self.inside_share)

    @property
    def return_percent(self) -> float | None:
        return _percent(self.return_rate)

    @property
    def clean_percent(self) -> float | None:
        return _percent(self.clean_share)

    @property
    def median_fix_days(self) -> float | None:
        return round(statistics.median(self.fix_days), 1) if self.fix_days else None

    @property
    def conflict_flags(self) -> int:
        return len(self.held_changes)

    @property
    def who(self) -> a.Who:
        return a.Who(self.operator, self.desa_name)


def _card(row: RoleAssignment) -> Scorecard:
    user, desa = row.user, row.area
    kecamatan = desa.parent
    return Scorecard(
        user.pk, user.get_full_name() or user.username, user.username, desa.code, desa.name,
        kecamatan.code if kecamatan else "", kecamatan.name if kecamatan else "",
    )  # fmt: skip


def _submitted(keys: set[Key], period: Period) -> QuerySet[Proposal]:
    """The proposals of the operators' desa first submitted in the period (a superset of the
    keys' pairs: callers keep the pairs they asked for)."""
    first_submit = Transition.objects.filter(proposal=OuterRef("pk"), action="submit")
    start, end = period.bounds()
    return (
        Proposal.objects.filter(
            proposed_by_id__in={k[0] for k in keys}, batch__desa_id__in={k[1] for k in keys}
        )
        .annotate(submitted_at=Subquery(first_submit.order_by("at", "id").values("at")[:1]))
        .filter(submitted_at__gte=start, submitted_at__lt=end)
    )


def _counts(keys: set[Key], period: Period) -> dict[Key, dict[str, int]]:
    """Submitted, returned, verified without return per (operator, desa): one query."""
    steps = Transition.objects.filter(proposal=OuterRef("pk"))
    rows = (
        _submitted(keys, period)
        .annotate(
            was_returned=Exists(steps.filter(action="return")),
            was_verified=Exists(steps.filter(action="verify")),
        )
        .values("proposed_by_id", "batch__desa_id")
        .annotate(
            submitted=Count("id"),
            returned=Count("id", filter=Q(was_returned=True)),
            verified_clean=Count("id", filter=Q(was_verified=True, was_returned=False)),
        )
        .order_by()
    )
    return {(r.pop("proposed_by_id"), r.pop("batch__desa_id")): r for r in rows}


def _windows() -> dict[str, CalendarRule]:
    return {rule.kind: rule for rule in CalendarRule.objects.in_force()}


def window_end(rules: dict[str, CalendarRule], kind: str, subtype: str, day: date) -> date | None:
    """The last day of the regular window of the proposal's kind in `day`'s month when `day`
    lies inside it, the month's last day when the kind has no rule (never locked), else None."""
    rule = rules.get(window_kind(kind, subtype))
    if rule is None:
        return Period(day.year, day.month).last_day
    window = rule.window_containing(day)
    return window[1] if window else None


_PROPOSAL_FIELDS = (
    "id", "proposed_by_id", "batch__desa_id", "submitted_at", "kind", "subtype", "family_id",
    "family__address", "family__rt", "family__rw",
    "payload__family__address", "payload__family__rt", "payload__family__rw",
)  # fmt: skip


def _address(row: dict[str, Any]) -> a.AddressedProposal:
    """Where a proposal's family lives: the address it proposes, else the family's."""

    def pick(name: str) -> str:
        proposed = row[f"payload__family__{name}"]
        return str(proposed if proposed not in (None, "") else row[f"family__{name}"] or "")

    family = None if row["kind"] == Kind.NEW_FAMILY else row["family_id"]
    return a.AddressedProposal(row["id"], family, pick("address"), pick("rt"), pick("rw"))


def _proposal_alerts(cards: dict[Key, Scorecard], period: Period, t: a.Thresholds) -> None:
    """Inside-window counts, burst and same-address alerts: one query for the proposals, two
    for the rules in force."""
    rules = _windows()
    zone = local_zone()
    submissions: dict[Key, list[a.Submission]] = defaultdict(list)
    addressed: dict[Key, list[a.AddressedProposal]] = defaultdict(list)
    for row in _submitted(set(cards), period).values(*_PROPOSAL_FIELDS):
        key = (row["proposed_by_id"], row["batch__desa_id"])
        if key not in cards:
            continue
        day = row["submitted_at"].astimezone(zone).date()
        end = window_end(rules, row["kind"], row["subtype"], day)
        submissions[key].append(a.Submission(row["id"], day, end))
        addressed[key].append(_address(row))
    for key, card in cards.items():
        card.inside_window = sum(1 for s in submissions[key] if s.window_end is not None)
        card.alerts += a.burst_alerts(card.who, submissions[key], t)
        card.alerts += a.address_alerts(card.who, addressed[key], t)


def _findings(viewer: User, cards: dict[Key, Scorecard], period: Period) -> None:
    """Open findings per desa now (`open_per_unit`: the viewer's area), days to fix of the
    findings resolved in the period: two queries."""
    open_counts = {
        r["unit"]: r["errors"] + r["warnings"]
        for r in Finding.objects.open_per_unit(viewer, DESA_WIDTH)
    }
    start, end = period.bounds()
    desa_codes = {k[1] for k in cards}
    resolved = (
        Finding.objects.filter(
            status=FindingStatus.RESOLVED, closed_at__gte=start, closed_at__lt=end
        )
        .with_place()
        .filter(desa_code__in=desa_codes)
        .values_list("desa_code", "opened_at", "closed_at")
    )
    days: dict[str, list[float]] = defaultdict(list)
    for code, opened, closed in resolved:
        days[code].append((closed - opened).total_seconds() / 86400)
    for card in cards.values():
        card.open_findings = open_counts.get(card.desa_code, 0)
        card.fix_days = days[card.desa_code]


def _by_cards(cards: dict[Key, Scorecard], period: Period, user: str, desa: str, at: str) -> Q:
    """Rows by the cards' operators, in their desa (a superset of the pairs), in the period."""
    start, end = period.bounds()
    return Q(
        **{f"{user}__in": {k[0] for k in cards}, f"{desa}__in": {k[1] for k in cards}},
        **{f"{at}__gte": start, f"{at}__lt": end},
    )


def _held(cards: dict[Key, Scorecard], period: Period) -> None:
    rows = HeldChange.objects.filter(
        _by_cards(cards, period, "requested_by_id", "desa_id", "requested_at")
    ).values_list("id", "requested_by_id", "desa_id")
    for pk, user_id, desa in rows.order_by("id"):
        if (user_id, desa) in cards:
            cards[(user_id, desa)].held_changes.append(pk)


def _odd_hours(cards: dict[Key, Scorecard], period: Period, t: a.Thresholds) -> None:
    """Audit events per (operator, desa) and those at odd local hours: two queries."""
    events = AuditEvent.objects.filter(_by_cards(cards, period, "actor_id", "region_code", "at"))
    totals = events.values_list("actor_id", "region_code").annotate(n=Count("id")).order_by()
    total = {(u, code): n for u, code, n in totals}
    odd = (
        events.annotate(hour=ExtractHour("at", tzinfo=local_zone()))
        .filter(a.odd_hours_q("hour", t))
        .values_list("id", "actor_id", "region_code", "family_id")
    )
    odd_ids: dict[Key, list[int]] = defaultdict(list)
    families: dict[Key, set[int]] = defaultdict(set)
    for pk, user_id, code, family in odd:
        odd_ids[(user_id, code)].append(pk)
        if family:
            families[(user_id, code)].add(family)
    for key, card in cards.items():
        alert = a.odd_hours_alert(card.who, total.get(key, 0), odd_ids[key], t, families[key])
        if alert:
            card.alerts.append(alert)


def scorecards(viewer: User, period: Period, rows: QuerySet[RoleAssignment]) -> list[Scorecard]:
    """The scorecards of `rows` (operator_desa assignments the viewer may see, see
    `access.operator_rows`) for the period, by kecamatan, desa and operator."""
    ordered = rows.select_related("user", "area__parent").order_by("area_id", "user__username")
    cards = {card.key: card for card in map(_card, ordered)}
    if not cards:
        return []
    t = a.thresholds()
    for key, counts in _counts(set(cards), period).items():
        if key in cards:
            for name, value in counts.items():
                setattr(cards[key], name, value)
    _proposal_alerts(cards, period, t)
    _findings(viewer, cards, period)
    _held(cards, period)
    _odd_hours(cards, period, t)
    attended = sessions_attended([k[0] for k in cards], period.start, period.last_day)
    for card in cards.values():
        card.training = attended.get(card.user_id, 0)
    return list(cards.values())
