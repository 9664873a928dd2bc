"""Closing a period: what it freezes, who may, once only, audited."""

from __future__ import annotations

import pytest

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.periods.actions import close_period, get_or_create_period
from dtks.periods.models import FamilyFingerprint, Period, Snapshot
from dtks.registry.models import Family
from dtks.reports.queries import recap_rows
from tests.conftest import DESA_A, DESA_A2, DESA_B
from tests.factories import family_with_members


def _numbers(rows) -> dict[str, tuple[int, int, int]]:
    return {r.code: (r.individuals, r.families, r.needing_repair) for r in rows}


def test_snapshot_holds_the_live_recap_per_desa(registry, personas) -> None:
    live = _numbers(recap_rows(year=2023, level="desa"))
    period = close_period(get_or_create_period(2023), by=personas.pengelola)
    frozen = {
        s.desa_code: (s.individuals, s.families, s.needing_repair)
        for s in Snapshot.objects.filter(period=period)
    }
    assert frozen == {code: n for code, n in live.items() if n[1]}
    assert frozen == {DESA_A: (4, 1, 0), DESA_A2: (2, 1, 1), DESA_B: (3, 1, 0)}


def test_closing_fingerprints_every_family_counted(closed_2023: Period, registry) -> None:
    prints = FamilyFingerprint.objects.filter(period=closed_2023)
    assert {(f.family_id, f.members) for f in prints} == {
        (registry["a1"].pk, 4),
        (registry["a2"].pk, 2),
        (registry["b"].pk, 3),
    }
    assert {f.no_kk for f in prints} == {f.no_kk for f in registry.values()}
    assert all(len(f.digest) == 32 for f in prints)


def test_closed_period_records_who_and_when(closed_2023: Period, personas) -> None:
    closed_2023.refresh_from_db()
    assert closed_2023.is_closed
    assert closed_2023.closed_by == personas.pengelola
    assert closed_2023.closed_at is not None


def test_closing_twice_is_refused(closed_2023: Period, personas) -> None:
    with pytest.raises(DomainError) as refused:
        close_period(closed_2023, by=personas.pengelola)
    assert refused.value.code == "closed"
    assert Snapshot.objects.filter(period=closed_2023).count() == 3


@pytest.mark.parametrize("persona", ["operator_a", "pengisi", "pengesah", "pimpinan", "admin"])
def test_only_the_kabupaten_verifier_may_close(registry, personas, persona: str) -> None:
    period = get_or_create_period(2023)
    with pytest.raises(PermissionDeniedError):
        close_period(period, by=getattr(personas, persona))
    period.refresh_from_db()
    assert not period.is_closed
    assert not Snapshot.objects.filter(period=period).exists()


def test_a_period_not_yet_ended_cannot_be_closed(registry, personas, settings) -> None:
    period = get_or_create_period(2999)
    with pytest.raises(DomainError) as refused:
        close_period(period, by=personas.pengelola)
    assert refused.value.code == "not_ended"


def test_closing_is_audited_with_the_totals(closed_2023: Period, personas) -> None:
    event = AuditEvent.objects.get(action="close_period")
    assert event.actor == personas.pengelola
    assert event.subject_id == "2023"
    assert event.after == {
        "status": "closed",
        "desa": 3,
        "families": 3,
        "individuals": 9,
        "needing_repair": 1,
    }


def test_the_cli_may_close_without_a_user(registry) -> None:
    period = close_period(get_or_create_period(2023), by=None)
    assert period.closed_by is None
    assert period.closed_by_label == "sistem"


def test_monthly_periods_are_their_own(registry, personas) -> None:
    month = close_period(get_or_create_period(2023, 5), by=personas.pengelola)
    assert month.key == "2023-05"
    assert (month.start.isoformat(), month.end.isoformat()) == ("2023-05-01", "2023-05-31")
    assert Period.objects.by_key("2023-05").get() == month
    assert not get_or_create_period(2023).is_closed


def test_later_families_do_not_enter_a_closed_snapshot(closed_2023: Period) -> None:
    family_with_members(DESA_B, size=5)
    Family.objects.filter(desa_id=DESA_A).update(status="inactive", inactive_reason="moved")
    rows = Snapshot.objects.filter(period=closed_2023)
    assert sum(r.families for r in rows) == 3
    assert sum(r.individuals for r in rows) == 9
