"""What other apps (performance's SKP biaya aspect, the organisation report) read from
training. Plain data out; no permission checks here: callers decide who may ask.

"Trained" means: marked as attended (`Attendance.attended`) at a session dated within the
last `recent_months()` months (setting `DTKS_TRAINING_RECENT_MONTHS`, default 12), up to
today. The seed recommends two or three online sessions a year, so an operator who attended
none in twelve months has missed a whole year's round; procedures change with each decree
(Kepmensos 150/HUK/2022, 73/HUK/2024). Pass `ever=True` to mean "at any time".
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from dtks.accounts.models import RoleAssignment
from dtks.accounts.roles import Role
from dtks.wilayah.models import Level, Region, code_prefix_q

from .models import (
    Attendance,
    BudgetCategory,
    BudgetLine,
    FacilityItem,
    FacilityNeed,
    Mode,
    TrainingPlan,
    TrainingSession,
)

DEFAULT_RECENT_MONTHS = 12


def recent_months() -> int:
    return int(getattr(settings, "DTKS_TRAINING_RECENT_MONTHS", DEFAULT_RECENT_MONTHS))


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (cut to the month's length)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal; None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class BudgetRow:
    category: str
    label: str
    planned: Decimal
    realised: Decimal

    @property
    def share(self) -> Decimal | None:
        """Realisation as a percentage of planned (over 100: overspent)."""
        return share(self.realised, self.planned)

    @property
    def overspent(self) -> bool:
        return self.realised > self.planned


@dataclass(frozen=True)
class FacilityRow:
    item: str
    label: str
    needed: int
    available: int
    note: str = ""

    @property
    def gap(self) -> int:
        return max(self.needed - self.available, 0)


@dataclass(frozen=True)
class TrainingYear:
    """One year of bimtek, budget and facilities.

    `sessions`: every session dated in the year; `held` / `held_online`: those dated up to
    today; `planned_sessions` / `planned_online` / `planned_training_budget`: from the
    year's plan (None without one); `training_cost`: the cost of the year's sessions;
    `attendees`: distinct users marked attended; `budget`: one row per category (every
    category, zero where nothing was recorded); `facilities`: one row per item recorded.
    """

    year: int
    sessions: int
    held: int
    held_online: int
    planned_sessions: int | None
    planned_online: int | None
    planned_training_budget: Decimal | None
    training_cost: Decimal
    attendees: int
    budget: list[BudgetRow] = field(default_factory=list)
    facilities: list[FacilityRow] = field(default_factory=list)

    @property
    def scheduled(self) -> int:
        """Sessions of the year still to come."""
        return self.sessions - self.held

    @property
    def budget_planned(self) -> Decimal:
        return sum((r.planned for r in self.budget), Decimal(0))

    @property
    def budget_realised(self) -> Decimal:
        return sum((r.realised for r in self.budget), Decimal(0))

    @property
    def budget_share(self) -> Decimal | None:
        return share(self.budget_realised, self.budget_planned)

    @property
    def facility_gap(self) -> int:
        return sum(r.gap for r in self.facilities)

    @property
    def has_budget(self) -> bool:
        """Whether any DTKS budget was planned or spent (the seed: none in 2023)."""
        return self.budget_planned > 0 or self.budget_realised > 0


def budget_rows(year: int) -> list[BudgetRow]:
    """Planned and realised totals of the year per category, every category listed."""
    sums = {
        row["category"]: row
        for row in BudgetLine.objects.filter(year=year)
        .values("category")
        .annotate(planned=Sum("planned"), realised=Sum("realised"))
    }
    zero = {"planned": Decimal(0), "realised": Decimal(0)}
    return [
        BudgetRow(
            category,
            str(label),
            Decimal(sums.get(category, zero)["planned"]),
            Decimal(sums.get(category, zero)["realised"]),
        )
        for category, label in BudgetCategory.choices
    ]


def facility_rows(year: int) -> list[FacilityRow]:
    """The year's facility needs, in the order of the item list."""
    labels = dict(FacilityItem.choices)
    needs = {n.item: n for n in FacilityNeed.objects.filter(year=year)}
    return [
        FacilityRow(item, str(labels[item]), n.needed, n.available, n.note)
        for item in FacilityItem.values
        if (n := needs.get(item)) is not None
    ]


def year_summary(year: int, *, today: date | None = None) -> TrainingYear:
    """Sessions, plan, cost, attendees, budget per category and facility gaps of `year`."""
    today = today or timezone.localdate()
    sessions = TrainingSession.objects.in_year(year)
    counts = sessions.aggregate(
        total=Count("id"),
        held=Count("id", filter=Q(date__lte=today)),
        held_online=Count("id", filter=Q(date__lte=today, mode=Mode.ONLINE)),
        cost=Sum("cost"),
    )
    attendees = (
        Attendance.objects.filter(session__in=sessions, attended=True)
        .values("user")
        .distinct()
        .count()
    )
    plan = TrainingPlan.objects.filter(year=year).first()
    return TrainingYear(
        year=year,
        sessions=counts["total"],
        held=counts["held"],
        held_online=counts["held_online"],
        planned_sessions=plan.planned_sessions if plan else None,
        planned_online=plan.planned_online if plan else None,
        planned_training_budget=plan.planned_budget if plan else None,
        training_cost=Decimal(counts["cost"] or 0),
        attendees=attendees,
        budget=budget_rows(year),
        facilities=facility_rows(year),
    )


def sessions_attended(user_ids: list[int] | set[int], start: date, end: date) -> dict[int, int]:
    """For each user id, how many sessions dated `start`..`end` (inclusive) they attended;
    every id asked is in the answer (0 when none)."""
    counts = dict(
        Attendance.objects.filter(
            user_id__in=list(user_ids), attended=True, session__date__range=(start, end)
        )
        .values("user_id")
        .annotate(n=Count("session", distinct=True))
        .values_list("user_id", "n")
    )
    return {uid: counts.get(uid, 0) for uid in user_ids}


@dataclass(frozen=True)
class OperatorRow:
    """An operator desa's assignment with the date of their last attended session."""

    user_id: int
    username: str
    name: str
    desa_code: str
    desa_name: str
    kecamatan_code: str
    kecamatan_name: str
    last_trained: date | None

    def trained_since(self, since: date | None) -> bool:
        if self.last_trained is None:
            return False
        return since is None or self.last_trained >= since


def _area_code(area: Region | str) -> str:
    return area.code if isinstance(area, Region) else area


def operator_rows(area: Region | str, *, today: date | None = None) -> list[OperatorRow]:
    """Every operator desa assignment inside `area` (a region or its code), ordered by desa,
    with the user's last attended session up to `today`."""
    today = today or timezone.localdate()
    code = _area_code(area)
    assignments = (
        RoleAssignment.objects.filter(
            code_prefix_q("area__code", code), role=Role.OPERATOR_DESA, user__is_active=True
        )
        .select_related("user", "area")
        .order_by("area__code", "user__username")
    )
    assignments = list(assignments)
    last = dict(
        Attendance.objects.filter(
            user_id__in={a.user_id for a in assignments}, attended=True, session__date__lte=today
        )
        .values("user_id")
        .annotate(last=Max("session__date"))
        .values_list("user_id", "last")
    )
    kecamatan = dict(
        Region.objects.filter(code__in={a.area_id[:8] for a in assignments}).values_list(
            "code", "name"
        )
    )
    return [
        OperatorRow(
            user_id=a.user_id,
            username=a.user.username,
            name=a.user.get_full_name(),
            desa_code=a.area_id,
            desa_name=a.area.name,
            kecamatan_code=a.area_id[:8],
            kecamatan_name=kecamatan.get(a.area_id[:8], ""),
            last_trained=last.get(a.user_id),
        )
        for a in assignments
    ]


def trained_since(within_months: int, today: date | None = None) -> date:
    """The first day that counts as recent for `within_months`."""
    return months_before(today or timezone.localdate(), within_months)


def _since(within_months: int | None, ever: bool, today: date | None) -> date | None:
    if ever:
        return None
    return trained_since(recent_months() if within_months is None else within_months, today)


def untrained_operators(
    area: Region | str,
    *,
    within_months: int | None = None,
    ever: bool = False,
    today: date | None = None,
) -> list[OperatorRow]:
    """Operators desa inside `area` who attended no session in the last `within_months`
    months (default `recent_months()`), or with `ever=True` none at all. One row per desa
    assignment, `last_trained` telling "never" (None) from "too long ago"."""
    since = _since(within_months, ever, today)
    return [r for r in operator_rows(area, today=today) if not r.trained_since(since)]


@dataclass(frozen=True)
class DesaCoverage:
    code: str
    name: str
    kecamatan_code: str
    operators: int
    trained: int

    @property
    def covered(self) -> bool:
        return self.trained > 0


@dataclass(frozen=True)
class Coverage:
    """Per desa of an area: its operators and how many are trained. A desa with no operator
    assigned counts as not covered."""

    rows: list[DesaCoverage]

    @property
    def desa(self) -> int:
        return len(self.rows)

    @property
    def covered(self) -> int:
        return sum(1 for r in self.rows if r.covered)

    @property
    def share(self) -> Decimal | None:
        return share(self.covered, self.desa)


def desa_coverage(
    area: Region | str,
    *,
    within_months: int | None = None,
    ever: bool = False,
    today: date | None = None,
) -> Coverage:
    """Share of the desa/kelurahan of `area` with at least one trained operator (same
    meaning of "trained" and the same arguments as `untrained_operators`)."""
    since = _since(within_months, ever, today)
    operators: dict[str, int] = defaultdict(int)
    trained: dict[str, int] = defaultdict(int)
    for row in operator_rows(area, today=today):
        operators[row.desa_code] += 1
        trained[row.desa_code] += row.trained_since(since)
    desa = Region.objects.filter(code_prefix_q("code", _area_code(area)), level=Level.DESA)
    rows = [
        DesaCoverage(d.code, d.name, d.code[:8], operators[d.code], trained[d.code])
        for d in desa.order_by("code")
    ]
    return Coverage(rows)
