"""Recap rows (Tabel 5.3 layout): counts, year and status rules, and scoping by user."""

from __future__ import annotations

import datetime as dt

import pytest

from dtks.registry.models import Family, Membership, Person
from dtks.reports.queries import RecapRow, recap_rows, recap_total
from dtks.verification.actions import run_checks
from tests.conftest import DESA_A, DESA_A2, DESA_B, KAB, KEC_A, KEC_B
from tests.factories import family_with_members


@pytest.fixture
def registry(regions: None) -> dict[str, Family]:
    """Desa A: families of 4 and 2 (one member with no mother's name); desa B: a family of 3."""
    a1 = family_with_members(DESA_A, size=4)
    a2 = family_with_members(DESA_A2, size=2)
    b = family_with_members(DESA_B, size=3)
    Person.objects.filter(memberships__family=a2, memberships__relationship=2).update(
        mother_name=""
    )
    run_checks(wilayah=KAB)
    return {"a1": a1, "a2": a2, "b": b}


def _by_code(rows: list[RecapRow]) -> dict[str, tuple[int, int, int]]:
    return {r.code: (r.individuals, r.families, r.needing_repair) for r in rows}


def test_counts_per_kecamatan(registry: dict[str, Family]) -> None:
    rows = recap_rows(year=2023)
    assert _by_code(rows) == {KEC_A: (6, 2, 1), KEC_B: (3, 1, 0)}
    assert [r.name for r in rows] == ["Karang Tinggi", "Talang Empat"]


def test_counts_per_desa_list_every_desa(registry: dict[str, Family]) -> None:
    rows = recap_rows(year=2023, level="desa", wilayah=KAB)
    assert _by_code(rows) == {DESA_A: (4, 1, 0), DESA_A2: (2, 1, 1), DESA_B: (3, 1, 0)}


def test_kecamatan_without_records_is_listed_with_zeros(regions: None) -> None:
    family_with_members(DESA_A, size=2)
    assert _by_code(recap_rows(year=2023)) == {KEC_A: (2, 1, 0), KEC_B: (0, 0, 0)}


def test_total_sums_the_rows(registry: dict[str, Family]) -> None:
    total = recap_total(recap_rows(year=2023))
    assert (total.individuals, total.families, total.needing_repair) == (9, 3, 1)
    assert total.name == "Total"


def test_families_of_a_later_data_year_do_not_count(registry: dict[str, Family]) -> None:
    Family.objects.filter(pk=registry["b"].pk).update(data_year=2024)
    assert _by_code(recap_rows(year=2023))[KEC_B] == (0, 0, 0)
    assert _by_code(recap_rows(year=2024))[KEC_B] == (3, 1, 0)


def test_inactive_families_and_former_members_do_not_count(registry: dict[str, Family]) -> None:
    Family.objects.filter(pk=registry["b"].pk).update(status="inactive", inactive_reason="moved")
    Membership.objects.filter(family=registry["a1"], relationship=3).update(
        end_date=dt.date(2023, 1, 1)
    )
    rows = _by_code(recap_rows(year=2023))
    assert rows[KEC_A] == (4, 2, 1)
    assert rows[KEC_B] == (0, 0, 0)


def test_resolved_findings_are_not_needing_repair(registry: dict[str, Family]) -> None:
    Person.objects.filter(mother_name="").update(mother_name="Siti Rahmah")
    run_checks(wilayah=KAB)
    assert _by_code(recap_rows(year=2023))[KEC_A] == (6, 2, 0)


def test_operator_desa_sees_only_the_own_desa_in_its_kecamatan(
    registry: dict[str, Family], personas
) -> None:
    rows = recap_rows(year=2023, user=personas.operator_a)
    assert _by_code(rows) == {KEC_A: (4, 1, 0)}


def test_operator_of_another_kecamatan_sees_only_it(registry: dict[str, Family], personas) -> None:
    assert _by_code(recap_rows(year=2023, user=personas.operator_b)) == {KEC_B: (3, 1, 0)}


def test_kabupaten_role_sees_every_kecamatan(registry: dict[str, Family], personas) -> None:
    assert _by_code(recap_rows(year=2023, user=personas.pengelola)) == {
        KEC_A: (6, 2, 1),
        KEC_B: (3, 1, 0),
    }


def test_user_without_registry_access_sees_nothing(registry: dict[str, Family], personas) -> None:
    assert recap_rows(year=2023, user=personas.admin) == []
    assert recap_rows(year=2023, user=personas.nobody) == []


def test_wilayah_outside_the_users_area_gives_nothing(
    registry: dict[str, Family], personas
) -> None:
    assert recap_rows(year=2023, user=personas.operator_a, wilayah=KEC_B) == []
