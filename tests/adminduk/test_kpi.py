"""`share_padan`: the KPI over the registry's individuals with a current result."""

from __future__ import annotations

import pytest

from dtks.adminduk.actions import match_extract
from dtks.adminduk.queries import share_padan
from dtks.registry import choices as c
from tests.adminduk.extracts import row_of, write_csv
from tests.conftest import DESA_A, DESA_B, KEC_A, KEC_B
from tests.factories import family_with_members

pytestmark = pytest.mark.django_db


def test_share_padan_per_region_and_overall(regions, tmp_path) -> None:
    assert share_padan() == (0, 0, None)
    a, b = family_with_members(DESA_A, size=4), family_with_members(DESA_B, size=2)
    persons_a = [m.person for m in a.current_memberships()]
    persons_b = [m.person for m in b.current_memberships()]
    rows = [row_of(p) for p in persons_a[:3]] + [row_of(p) for p in persons_b]
    match_extract(write_csv(tmp_path / "d.csv", rows), by=None)
    assert share_padan() == (5, 6, 5 / 6)
    assert share_padan(KEC_A) == (3, 4, 0.75)
    assert share_padan(KEC_B) == (2, 2, 1.0)


def test_a_person_who_left_the_registry_no_longer_counts(regions, tmp_path) -> None:
    family = family_with_members(DESA_A, size=2)
    head, spouse = (m.person for m in family.current_memberships().order_by("relationship"))
    match_extract(write_csv(tmp_path / "d.csv", [row_of(head)]), by=None)
    assert share_padan() == (1, 2, 0.5)
    spouse.status, spouse.inactive_reason = c.RecordStatus.INACTIVE, c.InactiveReason.DIED
    spouse.save()
    assert share_padan() == (1, 1, 1.0)
