"""A closed period, its snapshot and its fingerprints cannot change: not through the models,
not through QuerySet.update/delete, not through raw SQL (database triggers)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from dtks.core.errors import DomainError
from dtks.periods.models import FamilyFingerprint, Period, Snapshot


def test_snapshot_row_refuses_save_and_delete(closed_2023: Period) -> None:
    row = Snapshot.objects.filter(period=closed_2023).first()
    row.families = 999
    with pytest.raises(DomainError):
        row.save()
    with pytest.raises(DomainError):
        row.delete()


def test_querysets_refuse_update_and_delete(closed_2023: Period) -> None:
    with pytest.raises(DomainError):
        Snapshot.objects.filter(period=closed_2023).update(families=0)
    with pytest.raises(DomainError):
        FamilyFingerprint.objects.filter(period=closed_2023).delete()
    with pytest.raises(DomainError):
        Period.objects.filter(pk=closed_2023.pk).update(status="open")


def test_period_refuses_reopening_and_deletion(closed_2023: Period) -> None:
    closed_2023.status = "open"
    with pytest.raises(DomainError):
        closed_2023.save()
    with pytest.raises(DomainError):
        Period.objects.get(pk=closed_2023.pk).delete()


def test_new_rows_cannot_join_a_closed_period(closed_2023: Period) -> None:
    with pytest.raises(DomainError):
        Snapshot(
            period=closed_2023, desa_code="17.09.02.2002", individuals=1, families=1,
            needing_repair=0,
        ).save()  # fmt: skip


def _raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE periods_snapshot SET families = 0 WHERE period_id = %s",
        "DELETE FROM periods_snapshot WHERE period_id = %s",
        "UPDATE periods_familyfingerprint SET digest = 'x' WHERE period_id = %s",
        "DELETE FROM periods_familyfingerprint WHERE period_id = %s",
        "UPDATE periods_period SET status = 'open', closed_at = NULL WHERE id = %s",
        "DELETE FROM periods_period WHERE id = %s",
        "INSERT INTO periods_snapshot (period_id, desa_code, individuals, families,"
        " needing_repair) VALUES (%s, '17.09.02.2002', 1, 1, 0)",
    ],
)
def test_the_database_refuses_raw_changes(closed_2023: Period, sql: str) -> None:
    with pytest.raises(IntegrityError, match="closed period is immutable"):
        _raw(sql, [closed_2023.pk])
    assert Snapshot.objects.filter(period=closed_2023).count() == 3


def test_an_open_period_may_still_be_edited(registry) -> None:
    from dtks.periods.actions import get_or_create_period

    period = get_or_create_period(2023)
    Snapshot.objects.create(
        period=period, desa_code="17.09.02.2002", individuals=1, families=1, needing_repair=0
    )
    _raw("DELETE FROM periods_snapshot WHERE period_id = %s", [period.pk])
    assert not Snapshot.objects.filter(period=period).exists()
