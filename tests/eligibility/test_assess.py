"""`dtks assess`: the set-based run over the registry gives each family the answer the
per-family function gives, replaces the last run, keeps to its region, and is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtks.audit.models import AuditEvent
from dtks.eligibility.actions import assess
from dtks.eligibility.criteria import (
    AREA,
    ASSESSABLE,
    CriterionConfig,
    RuleSet,
    default_rules,
    evaluate,
)
from dtks.eligibility.models import Assessment
from dtks.eligibility.queries import family_facts
from dtks.registry import choices as c
from dtks.registry.models import Family
from tests.conftest import DESA_A, DESA_B, KEC_B
from tests.factories import FamilyFactory, MembershipFactory, PersonFactory, family_with_members

WELL_OFF = {
    "wall": c.Wall.MASONRY, "floor": c.Floor.CERAMIC, "roof": c.Roof.CLAY_TILE,
    "lighting": c.Lighting.PLN_METERED, "floor_area": 120,
    "drinking_water": c.DrinkingWater.PIPED, "asset_car": True, "asset_ac": True,
}  # fmt: skip
POOR = {
    "wall": c.Wall.BAMBOO, "floor": c.Floor.EARTH, "roof": c.Roof.STRAW,
    "lighting": c.Lighting.NOT_ELECTRIC, "floor_area": 20, "asset_car": False,
}  # fmt: skip


def stored(family: Family) -> tuple:
    a = Assessment.objects.get(family=family)
    return (a.members, a.met_count, a.unknown_count, a.met_codes(), a.held_count, a.flagged)


def expected(family: Family, rules: RuleSet) -> tuple:
    facts = family_facts(Family.objects.get(pk=family.pk))
    e = evaluate(facts, rules)
    return (
        facts["members"], len(e.met), len(e.unknown), list(e.met), len(e.assets_held), e.flagged,
    )  # fmt: skip


def test_assess_flags_the_well_off_family_only(regions):
    rich = family_with_members(DESA_A, size=4, **WELL_OFF)
    poor = family_with_members(DESA_A, size=4, **POOR)
    summary = assess()
    assert (summary.assessed, summary.flagged) == (2, 1)
    assert stored(rich) == (4, 0, 0, [], 2, True)
    assert stored(poor) == (4, 5, 1, ["wall", "floor", "roof", "lighting", "floor_area"], 0, False)


def test_a_second_run_replaces_the_first_and_drops_inactive_families(regions):
    rich = family_with_members(DESA_A, size=2, **WELL_OFF)
    assess()
    Family.objects.filter(pk=rich.pk).update(status="inactive", inactive_reason="not_eligible")
    summary = assess()
    assert summary.assessed == 0
    assert not Assessment.objects.exists()


def test_assess_keeps_to_its_region(regions):
    a = family_with_members(DESA_A, size=2, **WELL_OFF)
    b = family_with_members(DESA_B, size=2, **WELL_OFF)
    assess(wilayah=KEC_B)
    assert list(Assessment.objects.values_list("family_id", flat=True)) == [b.pk]
    assess()
    Family.objects.filter(pk=a.pk).update(asset_car=False)
    assess(wilayah=KEC_B)  # desa A's row stays as it was
    assert Assessment.objects.get(family=a).flagged


def test_a_run_is_audited_with_its_summary_and_rules(regions):
    family_with_members(DESA_A, size=2, **WELL_OFF)
    call_command("assess", "--wilayah", DESA_A, verbosity=0)
    event = AuditEvent.objects.get(action="assess")
    assert event.subject_id == DESA_A
    assert event.after["flagged"] == 1 and event.after["rules"]["threshold"] == 2


def test_assess_refuses_an_unknown_region(regions):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("assess", "--wilayah", "99.99", verbosity=0)


def test_floor_area_exactly_at_the_limit_is_not_below_it_in_either_form(regions):
    family = family_with_members(DESA_A, size=2, floor_area=16)  # 8 m² each
    assess()
    assert stored(family) == expected(family, default_rules())
    assert "floor_area" not in stored(family)[3]


def test_former_members_do_not_count_toward_floor_area(regions):
    family = family_with_members(DESA_A, size=2, floor_area=12)  # 6 m² each: met
    membership = family.memberships.filter(relationship=c.Relationship.SPOUSE).get()
    membership.end_date = dt.date(2023, 1, 1)
    membership.save()
    assess()
    assert stored(family)[:4] == (1, 0, 5, [])  # 12 m² for one member: not met


# --- The two forms agree (Hypothesis) ---

OPTIONAL = st.none()
ATTRIBUTES = {
    k.field: OPTIONAL | st.integers(0, 30)  # small: the area boundary comes up often
    if k.kind == AREA
    else OPTIONAL | st.sampled_from(list(k.choices.values))
    for k in ASSESSABLE
}
ASSETS = {name: st.sampled_from([None, True, False]) for name in c.ASSET_FIELDS}
FAMILY = st.tuples(st.fixed_dictionaries({**ATTRIBUTES, **ASSETS}), st.integers(0, 3))


@st.composite
def rule_sets(draw: st.DrawFn) -> RuleSet:
    criteria = {}
    for k in ASSESSABLE:
        if k.kind == AREA:
            config = CriterionConfig(draw(st.booleans()), frozenset(), draw(st.integers(1, 10)))
        else:
            codes = draw(st.sets(st.sampled_from(list(k.choices.values)), min_size=1))
            config = CriterionConfig(draw(st.booleans()), frozenset(codes))
        criteria[k.code] = config
    assets = draw(st.lists(st.sampled_from(c.ASSET_FIELDS), min_size=1, unique=True))
    return RuleSet(
        threshold=draw(st.integers(1, 8)),
        min_assets=draw(st.integers(1, len(assets))),
        assets=tuple(assets),
        criteria=criteria,
    )


def _family(attributes: dict, members: int) -> Family:
    family = FamilyFactory(desa_id=DESA_A, **attributes)
    for i in range(members):
        relationship = c.Relationship.HEAD if i == 0 else c.Relationship.CHILD
        MembershipFactory(family=family, person=PersonFactory(), relationship=relationship)
    return family


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(families=st.lists(FAMILY, min_size=1, max_size=4), rules=rule_sets())
def test_the_set_based_run_equals_the_per_family_function(regions, families, rules):
    Family.objects.all().delete()
    made = [_family(attributes, members) for attributes, members in families]
    assess(rules=rules)
    for family in made:
        assert stored(family) == expected(family, rules)
        row = Assessment.objects.get(family=family)
        e = evaluate(family_facts(family), rules)
        assert row.unknown == ",".join(e.unknown)
        assert row.asset_fields() == list(e.assets_held)


def test_the_default_rules_are_the_seeded_ones(db):
    from dtks.eligibility.models import current_rules

    assert current_rules().as_dict() == default_rules().as_dict()
