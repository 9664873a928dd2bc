"""Alerts on a village operator's work: a burst of proposals just before the window closes,
many families proposed at one address, edits at odd hours.

The judgements are pure functions over plain data (ids, local days, counts), so each
threshold is tested at just under / at / over; `scorecard.py` gathers the data in a fixed
number of queries. Thresholds come from `settings.DTKS_OPERATOR_ALERTS` (a dict; any key left
out keeps the default below). An alert is a prompt to look at the evidence, not a finding
against the operator: operators are often not ASN and this is a local scorecard, not an SKP.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dtks.linkage.ties import address_key

DEADLINE_BURST = "deadline_burst"
SAME_ADDRESS = "same_address"
ODD_HOURS = "odd_hours"

WARNING = "warning"
HIGH = "high"
SEVERITY_LABELS = {WARNING: gettext_lazy("Warning"), HIGH: gettext_lazy("High")}


@dataclass(frozen=True)
class Thresholds:
    """When an alert fires (each at the threshold itself, `>=`)."""

    # Burst: at least `burst_share` of an operator's proposals of a month (and at least
    # `burst_min_proposals` of them) submitted in the last `burst_last_days` days of the window.
    burst_last_days: int = 2
    burst_share: float = 0.5
    burst_min_proposals: int = 10
    # Same address: proposals naming at least this many different families at one address
    # (desa, address, RT, RW normalised) in the period.
    address_min_families: int = 4
    # Odd hours: audit events at local hours [odd_start_hour, 24) and [0, odd_end_hour).
    # Fires at `odd_count` such events, or at `odd_share` of all the operator's events once
    # there are at least `odd_share_min_count` of them.
    odd_start_hour: int = 22
    odd_end_hour: int = 5
    odd_count: int = 20
    odd_share: float = 0.25
    odd_share_min_count: int = 5


def thresholds() -> Thresholds:
    """The defaults above, overridden key by key by `settings.DTKS_OPERATOR_ALERTS`."""
    overrides = getattr(settings, "DTKS_OPERATOR_ALERTS", {}) or {}
    known = {f.name for f in dataclasses.fields(Thresholds)}
    return Thresholds(**{k: v for k, v in overrides.items() if k in known})


@dataclass(frozen=True)
class Alert:
    """One alert about an operator in a desa: what, how bad, the figure against its threshold,
    and the records behind it (`evidence_kind`: proposal, audit event)."""

    code: str
    severity: str
    message: str
    figure: float
    threshold: float
    evidence: tuple[int, ...]
    evidence_kind: str
    families: tuple[int, ...] = ()

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS[self.severity])


@dataclass(frozen=True)
class Who:
    """Whom an alert names: the operator and the desa."""

    operator: str
    desa: str


@dataclass(frozen=True)
class Submission:
    """A proposal's first submission: its local day and the last day of the regular window
    of its kind that month (None: the kind has no window, or none that month)."""

    proposal_id: int
    day: date
    window_end: date | None


def _percent(share: float) -> str:
    return f"{formats.number_format(round(share * 100, 1), decimal_pos=0)} %"


def in_last_days(submission: Submission, days: int) -> bool:
    """Submitted inside the window's last `days` days (the last day itself counts)."""
    end = submission.window_end
    return end is not None and 0 <= (end - submission.day).days < days


def burst_alerts(who: Who, submissions: Iterable[Submission], t: Thresholds) -> list[Alert]:
    """One alert per month in which a large share of the operator's proposals was submitted
    in the last days of the window."""
    months: dict[tuple[int, int], list[Submission]] = defaultdict(list)
    for s in submissions:
        months[(s.day.year, s.day.month)].append(s)
    alerts = []
    for (year, month), rows in sorted(months.items()):
        late = [s.proposal_id for s in rows if in_last_days(s, t.burst_last_days)]
        share = len(late) / len(rows)
        if len(rows) < t.burst_min_proposals or share < t.burst_share:
            continue
        message = _(
            "%(operator)s (desa %(desa)s) submitted %(late)d of %(total)d proposals of "
            "%(month)s (%(share)s) in the last %(days)d days of the window; threshold "
            "%(threshold)s of at least %(minimum)d proposals."
        ) % {
            "operator": who.operator, "desa": who.desa, "late": len(late), "total": len(rows),
            "month": formats.date_format(date(year, month, 1), "F Y"), "share": _percent(share),
            "days": t.burst_last_days, "threshold": _percent(t.burst_share),
            "minimum": t.burst_min_proposals,
        }  # fmt: skip
        alerts.append(
            Alert(DEADLINE_BURST, WARNING, message, share, t.burst_share, tuple(late), "proposal")
        )
    return alerts


@dataclass(frozen=True)
class AddressedProposal:
    """A proposal, the family it names (None: a new family, its own) and where it lives."""

    proposal_id: int
    family_id: int | None
    address: str
    rt: str
    rw: str


def _number(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return digits.lstrip("0") or ("0" if digits else "")


def address_of(p: AddressedProposal) -> tuple[str, str, str]:
    """The address in one writing (Jalan = Jl., No. dropped…), RT and RW without zeros."""
    return address_key(p.address), _number(p.rt), _number(p.rw)


def address_alerts(who: Who, proposals: Iterable[AddressedProposal], t: Thresholds) -> list[Alert]:
    """One alert per address at which the operator's proposals name many different families."""
    places: dict[tuple[str, str, str], list[AddressedProposal]] = defaultdict(list)
    for p in proposals:
        key = address_of(p)
        if key[0]:
            places[key].append(p)
    alerts = []
    for (address, rt, rw), rows in sorted(places.items()):
        families = {p.family_id or -p.proposal_id for p in rows}
        if len(families) < t.address_min_families:
            continue
        message = _(
            "%(operator)s (desa %(desa)s): %(count)d proposals name %(families)d different "
            "families at one address (%(address)s RT %(rt)s RW %(rw)s); threshold "
            "%(threshold)d families."
        ) % {
            "operator": who.operator, "desa": who.desa, "count": len(rows),
            "families": len(families), "address": address, "rt": rt or "-", "rw": rw or "-",
            "threshold": t.address_min_families,
        }  # fmt: skip
        evidence = tuple(sorted(p.proposal_id for p in rows))
        known = tuple(sorted({p.family_id for p in rows if p.family_id}))
        alert = Alert(SAME_ADDRESS, HIGH, message, len(families), t.address_min_families,
                      evidence, "proposal", known)  # fmt: skip
        alerts.append(alert)
    return alerts


def is_odd_hour(hour: int, t: Thresholds) -> bool:
    """Whether a local hour (0-23) is an odd hour: 22:00 is, 05:00 is not (by default)."""
    if t.odd_start_hour > t.odd_end_hour:
        return hour >= t.odd_start_hour or hour < t.odd_end_hour
    return t.odd_start_hour <= hour < t.odd_end_hour


def odd_hours_q(field: str, t: Thresholds) -> Q:
    """`is_odd_hour` as a filter on an annotated local hour `field`."""
    start, end = Q(**{f"{field}__gte": t.odd_start_hour}), Q(**{f"{field}__lt": t.odd_end_hour})
    return start | end if t.odd_start_hour > t.odd_end_hour else start & end


def odd_hours_alert(
    who: Who, total: int, odd_event_ids: Iterable[int], t: Thresholds, families: Iterable[int] = ()
) -> Alert | None:
    """An alert when many of the operator's audited changes were made at odd hours
    (`families`: the families those changes belong to, for links)."""
    odd = tuple(sorted(odd_event_ids))
    share = len(odd) / total if total else 0.0
    by_count = len(odd) >= t.odd_count
    by_share = len(odd) >= t.odd_share_min_count and share >= t.odd_share
    if not (by_count or by_share):
        return None
    message = _(
        "%(operator)s (desa %(desa)s) made %(odd)d of %(total)d changes (%(share)s) between "
        "%(start)02d:00 and %(end)02d:00; threshold %(count)d changes, or %(threshold)s of at "
        "least %(minimum)d."
    ) % {
        "operator": who.operator, "desa": who.desa, "odd": len(odd), "total": total,
        "share": _percent(share), "start": t.odd_start_hour, "end": t.odd_end_hour,
        "count": t.odd_count, "threshold": _percent(t.odd_share),
        "minimum": t.odd_share_min_count,
    }  # fmt: skip
    figure, threshold = (len(odd), t.odd_count) if by_count else (share, t.odd_share)
    return Alert(
        ODD_HOURS, WARNING, message, figure, threshold, odd, "audit", tuple(sorted(families))
    )
