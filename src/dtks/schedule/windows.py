"""Is an action inside its monthly window? The API other apps call before they act.

`refuse_outside_window(kind, desa_code)` raises `WindowClosedError` outside the window of the
active preset unless an extension in force covers the desa (DOMAIN.md §7: after a window
closes the application refuses the action and says when the next window opens). Days are
local days in `settings.TIME_ZONE` (Asia/Jakarta, WIB): 23:59 WIB on the last day is inside.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy

from dtks.core.errors import DomainError

from .models import CalendarRule, Extension, WindowKind

# How far ahead `next_opening` looks: a rule whose first day exists in no month within a
# year (first_day 31 with last_day -1, say) never opens.
_HORIZON_MONTHS = 13

WINDOW_NAMES = {
    WindowKind.DTKS: gettext_lazy("The DTKS proposal window"),
    WindowKind.PBI_DTKS: gettext_lazy("The PBI-JKN (from DTKS) proposal window"),
    WindowKind.PBI_NON_DTKS: gettext_lazy("The PBI-JKN (non-DTKS) proposal window"),
    WindowKind.FINALISATION: gettext_lazy("The verification and finalisation window"),
    WindowKind.RATIFICATION_UPLOAD: gettext_lazy("The ratification document upload window"),
}


class WindowClosedError(DomainError):
    """The action kind is outside its window for the desa, and no extension covers it."""

    def __init__(self, kind: str, opens: date | None) -> None:
        name = WINDOW_NAMES[WindowKind(kind)]
        if opens is None:
            message = gettext("%(window)s is closed.") % {"window": name}
        else:
            message = gettext("%(window)s is closed. The next window opens on %(date)s.") % {
                "window": name,
                "date": formats.date_format(opens, "j F Y"),
            }
        super().__init__(message, code="window_closed")
        self.kind = kind
        self.opens = opens


@dataclass(frozen=True)
class Month:
    """A calendar month: the period the readiness board and the calendar show."""

    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)


@dataclass(frozen=True)
class WindowStatus:
    """Where a kind stands for a desa on a day.

    `opens`/`closes` are the current window when `open`, else the next one (None: the kind has
    no rule in force, so it is never locked, or its rule never opens). When an extension keeps
    the kind open, `closes` is the later of the window's end and the extension's.
    """

    kind: str
    day: date
    open: bool
    opens: date | None
    closes: date | None
    extension: Extension | None = None
    unrestricted: bool = False

    @property
    def days_left(self) -> int | None:
        """Days after today still inside the window (0: today is the last day)."""
        if not self.open or self.closes is None:
            return None
        return (self.closes - self.day).days

    @property
    def name(self) -> str:
        return str(WINDOW_NAMES[WindowKind(self.kind)])


def local_day(when: datetime | date | None = None) -> date:
    """The local calendar day (settings.TIME_ZONE) of `when`, default now."""
    if when is None:
        when = timezone.now()
    if isinstance(when, datetime):
        if timezone.is_naive(when):
            return when.date()
        return timezone.localtime(when).date()
    return when


def rule_for(kind: str) -> CalendarRule | None:
    """The rule in force for `kind` (active preset, active rule), or None."""
    WindowKind(kind)  # an unknown kind is a programming error, not a closed window
    return CalendarRule.objects.in_force().filter(kind=kind).first()


def _window_around(rule: CalendarRule, day: date) -> tuple[date, date] | None:
    """The rule's window containing `day`, else the first one starting after it."""
    month = Month.of(day)
    for _ in range(_HORIZON_MONTHS):
        window = rule.window_in(month.year, month.month)
        if window and window[1] >= day:
            return window
        month = month.next()
    return None


def next_opening(kind: str, when: datetime | date | None = None) -> date | None:
    """The first day after `when`'s day on which a window of `kind` begins (None: never)."""
    rule = rule_for(kind)
    if rule is None:
        return None
    day = local_day(when) + timedelta(days=1)
    window = _window_around(rule, day)
    while window and window[0] < day:
        window = _window_around(rule, window[1] + timedelta(days=1))
    return window[0] if window else None


def _status(
    kind: str, day: date, rule: CalendarRule | None, extension: Extension | None
) -> WindowStatus:
    if rule is None:
        return WindowStatus(kind, day, True, None, None, unrestricted=True)
    window = _window_around(rule, day)
    in_window = window is not None and window[0] <= day
    opens, closes = window if window else (None, None)
    if extension is None:
        return WindowStatus(kind, day, in_window, opens, closes)
    if not in_window:
        opens, closes = extension.starts_on, extension.ends_on
    elif closes is not None:
        closes = max(closes, extension.ends_on)
    return WindowStatus(kind, day, True, opens, closes, extension)


def window_statuses(
    kind: str, desa_codes: Iterable[str], when: datetime | date | None = None
) -> dict[str, WindowStatus]:
    """`window_status` of many desa in two queries (the rule, the extensions in force)."""
    codes = list(desa_codes)
    day = local_day(when)
    rule = rule_for(kind)
    extensions = []
    if rule is not None:
        in_force = Extension.objects.in_force_on(day).for_kind(kind).covering(*codes)
        extensions = list(in_force.order_by("-ends_on", "-id"))
    return {
        code: _status(kind, day, rule, next((e for e in extensions if e.covers(code)), None))
        for code in codes
    }


def window_status(kind: str, desa_code: str, when: datetime | date | None = None) -> WindowStatus:
    """Whether `kind` is open for `desa_code` on `when`'s local day, and until/from when."""
    return window_statuses(kind, [desa_code], when)[desa_code]


def refuse_outside_window(kind: str, desa_code: str, when: datetime | None = None) -> None:
    """Raise `WindowClosedError` (code "window_closed") when `kind` is locked for the desa."""
    status = window_status(kind, desa_code, when)
    if not status.open:
        raise WindowClosedError(kind, status.opens)


@dataclass(frozen=True)
class CalendarRow:
    """One kind on the calendar: its rule, its windows this month and next, today's status
    (without extensions, which belong to a region)."""

    kind: str
    rule: CalendarRule | None
    this_month: tuple[date, date] | None
    next_month: tuple[date, date] | None
    status: WindowStatus

    @property
    def name(self) -> str:
        return WindowKind(self.kind).label


def calendar_rows(when: datetime | date | None = None) -> list[CalendarRow]:
    """Every kind's windows this month and next under the active preset (one query)."""
    day = local_day(when)
    this, following = Month.of(day), Month.of(day).next()
    rules = {rule.kind: rule for rule in CalendarRule.objects.in_force()}
    rows = []
    for kind in WindowKind:
        rule = rules.get(kind)
        rows.append(
            CalendarRow(
                kind,
                rule,
                rule.window_in(this.year, this.month) if rule else None,
                rule.window_in(following.year, following.month) if rule else None,
                _status(kind, day, rule, None),
            )
        )
    return rows
