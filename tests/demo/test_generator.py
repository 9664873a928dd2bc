"""The demo registry generator on a scaled-down Tabel 5.3 over the test regions."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from dtks.audit.models import AuditEvent
from dtks.core.nik import validate_nik
from dtks.demo.generator import DemoResult, KecamatanTarget, build_demo_registry, tabel_5_3
from dtks.registry.models import Family, Membership, Person
from dtks.reports.queries import recap_rows, recap_total
from dtks.verification.actions import run_checks
from dtks.verification.models import Finding
from dtks.verification.rules import RULES
from dtks.wilayah.loader import load_regions
from tests.conftest import KAB, KEC_A, KEC_B
from tests.factories import family_with_members

TARGETS = [
    KecamatanTarget(KEC_A, "Karang Tinggi", individuals=90, families=30, needing_repair=9),
    KecamatanTarget(KEC_B, "Talang Empat", individuals=41, families=15, needing_repair=5),
]
PARENT_GAP = dt.timedelta(days=int(365.25 * 16))


@pytest.fixture
def demo(regions: None) -> DemoResult:
    return build_demo_registry(TARGETS, seed=11)


def test_tabel_5_3_data_file_sums_to_the_seed_totals() -> None:
    table = tabel_5_3()
    assert len(table) == 11
    assert sum(t.individuals for t in table) == 65_074
    assert sum(t.families for t in table) == 23_507
    assert sum(t.needing_repair for t in table) == 2_117


def test_counts_per_kecamatan_equal_the_table(demo: DemoResult) -> None:
    rows = {r.code: r for r in recap_rows(year=2023, wilayah=KAB)}
    for target in TARGETS:
        assert rows[target.code].individuals == target.individuals
        assert rows[target.code].families == target.families


def test_families_spread_over_the_kecamatan_villages(demo: DemoResult) -> None:
    desas = set(Family.objects.in_wilayah(KEC_A).values_list("desa_id", flat=True))
    assert desas == {"17.09.01.2001", "17.09.01.2002"}


def test_no_duplicate_nik_but_the_planted_ones_and_no_duplicate_no_kk(demo: DemoResult) -> None:
    niks = Counter(Person.objects.values_list("nik", flat=True))
    planted = [pk for pk, rule in demo.defects.items() if rule == "nik_duplicate"]
    twice = set(Person.objects.filter(pk__in=planted).values_list("nik", flat=True))
    assert {nik for nik, n in niks.items() if n > 1} == twice
    assert set(niks.values()) <= {1, 2} and niks.total() == demo.persons
    assert Person.objects.filter(nik__in=twice, status="inactive").count() == len(planted)
    kks = list(Family.objects.values_list("no_kk", flat=True))
    assert len(kks) == len(set(kks)) == demo.families


def test_every_family_has_exactly_one_head_unless_planted(demo: DemoResult) -> None:
    current = Membership.objects.filter(end_date__isnull=True, family__status="active")
    heads = Counter(current.filter(relationship=1).values_list("family_id", flat=True))
    headless = {pk for pk, rules in demo.family_defects.items() if "family_head_count" in rules}
    active = set(Family.objects.active().values_list("pk", flat=True))
    assert set(heads.values()) == {1}
    assert set(heads) == active - headless


def test_children_are_younger_than_their_parents(demo: DemoResult) -> None:
    shaped = set(demo.family_defects)
    for family in Family.objects.exclude(pk__in=shaped).prefetch_related("memberships__person"):
        members = list(family.memberships.all())
        parents = [m.person.birth_date for m in members if m.relationship in (1, 2)]
        for child in (m.person for m in members if m.relationship == 3):
            assert all(child.birth_date - born >= PARENT_GAP for born in parents)


def test_persons_without_a_planted_defect_have_a_consistent_nik(demo: DemoResult) -> None:
    for person in Person.objects.exclude(pk__in=demo.defects):
        assert validate_nik(person.nik, birth_date=person.birth_date, sex=person.sex) == []
        assert person.name and person.birth_place and person.mother_name
        assert person.marital_status is not None


def test_planted_defects_per_kecamatan_equal_the_table(demo: DemoResult) -> None:
    placed = set(
        Membership.objects.filter(person_id__in=demo.defects).values_list(
            "person_id", "family__desa__parent_id"
        )
    )
    per_kecamatan = Counter(kecamatan for _, kecamatan in placed)
    assert len(placed) == len(demo.defects)  # a person in two KKs has both in one desa
    assert per_kecamatan == {t.code: t.needing_repair for t in TARGETS}


def test_planted_defects_are_exactly_the_persons_needing_repair(demo: DemoResult) -> None:
    run_checks(wilayah=KAB)
    needing = set(Person.objects.needing_repair().values_list("pk", flat=True))
    assert needing == set(demo.defects)
    for person_id, rule in demo.defects.items():
        rules = set(Person.objects.get(pk=person_id).findings.values_list("rule", flat=True))
        assert rule in rules


def test_the_checks_find_exactly_the_planted_defects(demo: DemoResult) -> None:
    run_checks(wilayah=KAB)
    assert open_findings() == demo.expected_findings()
    assert any(level == "family" for level, _, _ in demo.expected_findings())


def test_families_needing_repair_are_the_families_of_persons_needing_repair(
    demo: DemoResult,
) -> None:
    run_checks(wilayah=KAB)
    of_persons = set(
        Membership.objects.filter(
            end_date__isnull=True, person__in=Person.objects.needing_repair()
        ).values_list("family_id", flat=True)
    )
    assert set(Family.objects.active().needing_repair().values_list("pk", flat=True)) == of_persons


def test_a_larger_registry_plants_every_kind_and_the_checks_find_exactly_them(
    regions: None,
) -> None:
    targets = [
        KecamatanTarget(KEC_A, "Karang Tinggi", individuals=900, families=300, needing_repair=120),
        KecamatanTarget(KEC_B, "Talang Empat", individuals=600, families=200, needing_repair=80),
    ]
    demo = build_demo_registry(targets, seed=3)
    run_checks(wilayah=KAB)
    assert open_findings() == demo.expected_findings()
    planted = {rule for _, _, rule in demo.expected_findings()}
    never = {"nik_format", "nik_region_unknown", "missing_name", "missing_marital_status"}
    assert planted == set(RULES) - never
    assert set(Person.objects.needing_repair().values_list("pk", flat=True)) == set(demo.defects)
    rows = {r.code: r for r in recap_rows(year=2023, wilayah=KAB)}
    assert [(rows[t.code].individuals, rows[t.code].families, rows[t.code].needing_repair)
            for t in targets] == [(900, 300, 120), (600, 200, 80)]  # fmt: skip


def open_findings() -> set[tuple[str, int, str]]:
    rows = Finding.objects.open().values_list("level", "person_id", "family_id", "rule")
    return {(level, person or family, rule) for level, person, family, rule in rows}


def test_recap_needing_repair_equals_the_table_after_checks(demo: DemoResult) -> None:
    run_checks(wilayah=KAB)
    rows = {r.code: r.needing_repair for r in recap_rows(year=2023, wilayah=KAB)}
    assert rows == {t.code: t.needing_repair for t in TARGETS}


def test_one_audit_event_per_desa(demo: DemoResult) -> None:
    events = AuditEvent.objects.filter(subject_type="registry")
    assert sorted(events.values_list("subject_id", flat=True)) == [
        "17.09.01.2001",
        "17.09.01.2002",
        "17.09.02.2001",
    ]
    assert {e.note for e in events} == {"synthetic demo registry"}


def test_same_seed_gives_the_same_registry(regions: None) -> None:
    build_demo_registry(TARGETS[:1], seed=5)
    first = list(Person.objects.order_by("id").values_list("nik", "name"))
    Family.objects.all().delete()
    Person.objects.all().delete()
    build_demo_registry(TARGETS[:1], seed=5)
    assert list(Person.objects.order_by("id").values_list("nik", "name")) == first


def test_refuses_a_kecamatan_that_is_not_loaded(regions: None) -> None:
    with pytest.raises(ValueError, match=r"17\.09\.99"):
        build_demo_registry([KecamatanTarget("17.09.99", "X", 3, 1, 0)])


def test_records_created_after_the_demo_get_fresh_ids(demo: DemoResult) -> None:
    family = family_with_members("17.09.01.2001", size=2)
    assert family.pk > demo.families
    assert Family.objects.count() == demo.families + 1
    assert Person.objects.count() == demo.persons + 2
    new = set(family.current_memberships().values_list("person_id", flat=True))
    assert min(new) > max(Person.objects.exclude(pk__in=new).values_list("pk", flat=True))


@pytest.mark.slow
@pytest.mark.django_db
def test_the_full_demo_checks_find_exactly_the_planted_defects() -> None:
    load_regions(only=KAB)
    demo = build_demo_registry()
    run_checks(wilayah=KAB)
    assert open_findings() == demo.expected_findings()
    total = recap_total(recap_rows(year=2023, wilayah=KAB))
    assert (total.individuals, total.families, total.needing_repair) == (65_074, 23_507, 2_117)
    planted = Counter(rule for _, _, rule in demo.expected_findings())
    assert all(planted[rule] >= 3 for rule in planted)  # a few of every planted kind
