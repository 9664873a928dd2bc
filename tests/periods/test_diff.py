"""Families in, out and changed between two periods."""

from __future__ import annotations

from dtks.periods.actions import close_period, get_or_create_period
from dtks.periods.diff import CHANGED, IN, OUT, diff_periods
from dtks.periods.models import Period
from dtks.registry.models import Family, Person
from tests.conftest import DESA_A, DESA_A2, DESA_B
from tests.factories import family_with_members


def _kinds(diff) -> dict[int, str]:
    return {e.family.family_id: e.kind for e in diff.entries}


def _evolve(registry) -> Family:
    """The 2024 registry: b deactivated, a new family in desa B, a2's member renamed."""
    Family.objects.filter(pk=registry["b"].pk).update(status="inactive", inactive_reason="moved")
    Person.objects.filter(memberships__family=registry["a2"], memberships__relationship=1).update(
        name="Nama Baru"
    )
    return family_with_members(DESA_B, size=2, data_year=2024)


def test_unchanged_registry_diffs_to_nothing(closed_2023: Period) -> None:
    assert diff_periods(closed_2023, get_or_create_period(2024)).entries == []


def test_in_out_and_changed_against_the_live_year(closed_2023: Period, registry) -> None:
    new = _evolve(registry)
    diff = diff_periods(closed_2023, get_or_create_period(2024))
    assert _kinds(diff) == {registry["b"].pk: OUT, registry["a2"].pk: CHANGED, new.pk: IN}
    assert diff.totals() == {IN: 1, OUT: 1, CHANGED: 1}
    assert diff.per_desa() == {DESA_A2: {CHANGED: 1}, DESA_B: {IN: 1, OUT: 1}}


def test_diff_of_two_closed_periods_reads_their_fingerprints(
    closed_2023: Period, registry, personas
) -> None:
    new = _evolve(registry)
    closed_2024 = close_period(get_or_create_period(2024), by=personas.pengelola)
    Family.objects.filter(pk=registry["a1"].pk).update(rt="099")  # after both closed
    assert _kinds(diff_periods(closed_2023, closed_2024)) == {
        registry["b"].pk: OUT,
        registry["a2"].pk: CHANGED,
        new.pk: IN,
    }


def test_a_member_leaving_changes_the_family(closed_2023: Period, registry) -> None:
    import datetime as dt

    registry["a1"].memberships.filter(relationship=3).update(end_date=dt.date(2024, 1, 1))
    diff = diff_periods(closed_2023, get_or_create_period(2024))
    (entry,) = diff.entries
    assert (entry.kind, entry.before.members, entry.after.members) == (CHANGED, 4, 2)


def test_diff_is_scoped_to_the_users_area(closed_2023: Period, registry, personas) -> None:
    new = _evolve(registry)
    later = get_or_create_period(2024)
    assert _kinds(diff_periods(closed_2023, later, user=personas.operator_b)) == {
        registry["b"].pk: OUT,
        new.pk: IN,
    }
    assert _kinds(diff_periods(closed_2023, later, user=personas.operator_a)) == {}
    assert diff_periods(closed_2023, later, user=personas.admin).entries == []
    assert _kinds(diff_periods(closed_2023, later, wilayah=DESA_A2)) == {registry["a2"].pk: CHANGED}
    assert DESA_A not in diff_periods(closed_2023, later).per_desa()
