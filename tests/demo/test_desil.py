"""The demo families get a DTSEN desil through the desil import: plausible, the same for the
same seed, audited, and changing none of the registry's counts."""

from __future__ import annotations

from collections import Counter

import pytest

from dtks.audit.models import AuditEvent
from dtks.demo.desil import demo_desil_rows, import_demo_desil
from dtks.demo.generator import KecamatanTarget, build_demo_registry
from dtks.registry.models import Family, Person
from tests.conftest import KAB, KEC_A, KEC_B

TARGETS = [
    KecamatanTarget(KEC_A, "Karang Tinggi", individuals=700, families=240, needing_repair=9),
    KecamatanTarget(KEC_B, "Talang Empat", individuals=350, families=120, needing_repair=5),
]


@pytest.fixture
def demo(regions: None) -> None:
    build_demo_registry(TARGETS, seed=11)


def test_the_same_seed_gives_the_same_desil_and_another_seed_others(demo: None) -> None:
    assert demo_desil_rows(7, KAB) == demo_desil_rows(7, KAB)
    assert demo_desil_rows(7, KAB) != demo_desil_rows(8, KAB)


def test_most_families_are_in_desil_1_to_4_some_higher_some_unranked(demo: None) -> None:
    import_demo_desil(seed=7, kabupaten=KAB)
    desil = Counter(Family.objects.active().values_list("desil", flat=True))
    families = sum(desil.values())
    poor = sum(desil[d] for d in range(1, 5))
    higher = sum(desil[d] for d in range(5, 11))
    assert poor > families / 2
    assert 0 < higher < poor
    assert 0 < desil[None] < families / 5
    assert set(desil) <= {None, *range(1, 11)}


def test_the_desil_comes_through_the_audited_import_and_changes_no_count(demo: None) -> None:
    counts = (
        Family.objects.count(),
        Person.objects.count(),
        Person.objects.needing_repair().count(),
    )
    result = import_demo_desil(seed=7, kabupaten=KAB)
    assert result.rejected == 0 and result.imported == result.changed > 0
    assert AuditEvent.objects.filter(action="import_desil", subject_type="family").count() == (
        result.changed
    )
    assert AuditEvent.objects.filter(action="import_desil", subject_type="desil_import").exists()
    assert Family.objects.filter(desil__isnull=False).count() == result.imported
    again = import_demo_desil(seed=7, kabupaten=KAB)
    assert (again.imported, again.changed) == (result.imported, 0)
    after = (
        Family.objects.count(),
        Person.objects.count(),
        Person.objects.needing_repair().count(),
    )
    assert after == counts
