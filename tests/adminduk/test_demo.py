"""The demo's synthetic extract: matching it gives exactly the reasons it planted, spelling
variants padan, and shows rejected rows."""

from __future__ import annotations

import pytest

from dtks.adminduk.actions import match_extract
from dtks.adminduk.demo import write_demo_extract
from dtks.adminduk.models import MatchResult
from tests.conftest import DESA_A, DESA_B, KAB
from tests.factories import family_with_members

pytestmark = pytest.mark.django_db


def test_matching_the_demo_extract_finds_exactly_what_it_planted(regions, tmp_path) -> None:
    for i in range(6):
        family_with_members(DESA_A if i % 2 else DESA_B, size=4)
    demo = write_demo_extract(tmp_path / "demo.csv", wilayah=KAB, seed=7)
    summary = match_extract(demo.path, by=None, wilayah=KAB)
    found = {r.person_id: set(r.reason_codes()) for r in MatchResult.objects.current()}
    assert found == {pk: demo.reasons.get(pk, set()) for pk in found}
    assert summary.persons == 24 and summary.padan == 24 - len(demo.reasons)
    assert {code for reasons in demo.reasons.values() for code in reasons} == set(summary.reasons)
    assert summary.rejected == demo.rejected_rows
    assert summary.not_in_registry > 0
