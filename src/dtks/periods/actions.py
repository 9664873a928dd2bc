"""Closing a period: one atomic, audited action that freezes the snapshot.

Who may close: a user holding `Perm.VERIFY` over a kabupaten (or a wider area), i.e. the
pengelola DTKS kabupaten — the role that answers for the registry's quality; the ratifier and
pimpinan only read. A period covers the whole database (one deployment = one kabupaten). The
CLI may close without a user (a shell on the server already holds the whole database).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes
from dtks.audit.record import Change, record_event
from dtks.core.errors import DomainError, PermissionDeniedError

from .counts import desa_counts, recap_families
from .fingerprints import write_fingerprints
from .models import Kind, Period, Snapshot, Status, period_bounds

if TYPE_CHECKING:
    from dtks.accounts.models import User

Progress = Callable[[str], None]


def may_close(user: User | None) -> bool:
    """VERIFY over a kabupaten or province (codes of at most two levels: `17`, `17.09`)."""
    if user is None:
        return True
    return any(code.count(".") <= 1 for code in area_codes(user, Perm.VERIFY))


def get_or_create_period(year: int, month: int | None = None) -> Period:
    """The period of the year (or month), created open when first named."""
    start, end = period_bounds(year, month)
    kind = Kind.YEAR if month is None else Kind.MONTH
    period, _created = Period.objects.get_or_create(
        kind=kind, year=year, month=month, defaults={"start": start, "end": end}
    )
    return period


def _refuse_closing(period: Period, by: User | None) -> None:
    if not may_close(by):
        raise PermissionDeniedError(
            _("Only the kabupaten DTKS manager (verify permission) may close a period."),
            code="forbidden",
        )
    if period.is_closed:
        raise DomainError(
            _("Period %(key)s is already closed.") % {"key": period.key}, code="closed"
        )
    if period.end >= timezone.localdate():
        raise DomainError(
            _("Period %(key)s has not ended yet (it ends on %(end)s).")
            % {"key": period.key, "end": period.end.isoformat()},
            code="not_ended",
        )


def _write_snapshot(period: Period, say: Progress) -> dict[str, int]:
    """Snapshot rows per desa and fingerprints per family; the totals."""
    started = time.perf_counter()
    counts = desa_counts(recap_families(period.year))
    Snapshot.objects.bulk_create(
        Snapshot(
            period=period,
            desa_code=desa,
            individuals=c.individuals,
            families=c.families,
            needing_repair=c.needing_repair,
        )
        for desa, c in counts.items()
    )
    say(
        _("Counted %(n)d desa in %(s).1f s")
        % {"n": len(counts), "s": time.perf_counter() - started}
    )
    started = time.perf_counter()
    fingerprints = write_fingerprints(period.pk, period.year)
    say(
        _("Fingerprinted %(n)d families in %(s).1f s")
        % {"n": fingerprints, "s": time.perf_counter() - started}
    )
    return {
        "desa": len(counts),
        "families": sum(c.families for c in counts.values()),
        "individuals": sum(c.individuals for c in counts.values()),
        "needing_repair": sum(c.needing_repair for c in counts.values()),
    }


def close_period(period: Period, *, by: User | None, progress: Progress | None = None) -> Period:
    """Freeze the period: its snapshot per desa and fingerprint per family, then `closed`.

    Atomic (a failure leaves the period open and empty), audited (`close_period`, with the
    totals), refused for a period already closed (also when two closings race: the period row
    is locked first), not yet ended, or to a user who may not close.
    """
    say = progress or (lambda _msg: None)
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        _refuse_closing(period, by)
        totals = _write_snapshot(period, say)
        period.status = Status.CLOSED
        period.closed_at = timezone.now()
        period.closed_by = by
        period.closed_by_label = getattr(by, "username", "") or "sistem"
        period.save(update_fields=["status", "closed_at", "closed_by", "closed_by_label"])
        change = Change(
            "period", period.key, {"status": Status.OPEN}, {"status": Status.CLOSED, **totals}
        )
        record_event(by, "close_period", change)
    return period
