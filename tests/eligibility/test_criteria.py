"""Each criterion of Kepmensos 146/HUK/2013 judged from Regsosek answers, unknowns included,
and the inclusion-error flag under changed thresholds and asset lists (no database)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dtks.eligibility.criteria import (
    BY_CODE,
    NOT_ASSESSABLE,
    CriterionConfig,
    default_rules,
    evaluate,
    judge,
)
from dtks.registry import choices as c

RULES = default_rules()


def answer(code: str, **facts: object) -> bool | None:
    criterion = BY_CODE[code]
    return judge(criterion, RULES.config(criterion), facts)


@pytest.mark.parametrize(
    ("code", "met", "not_met"),
    [
        ("wall", c.Wall.BAMBOO, c.Wall.MASONRY),
        ("wall", c.Wall.WOOD, c.Wall.OTHER),
        ("floor", c.Floor.EARTH, c.Floor.CERAMIC),
        ("floor", c.Floor.BAMBOO, c.Floor.CEMENT),
        ("roof", c.Roof.STRAW, c.Roof.ZINC),
        ("lighting", c.Lighting.NOT_ELECTRIC, c.Lighting.PLN_METERED),
        ("lighting", c.Lighting.PLN_UNMETERED, c.Lighting.PLN_METERED),
        ("drinking_water", c.DrinkingWater.SURFACE, c.DrinkingWater.PIPED),
        ("drinking_water", c.DrinkingWater.UNPROTECTED_WELL, c.DrinkingWater.PROTECTED_WELL),
        ("cooking_fuel", c.CookingFuel.FIREWOOD, c.CookingFuel.LPG_3),
        ("toilet", c.Toilet.NONE, c.Toilet.OWN),
    ],
)
def test_a_coded_criterion_is_met_by_its_codes_only(code, met, not_met):
    field = BY_CODE[code].field
    assert answer(code, **{field: met}) is True
    assert answer(code, **{field: not_met}) is False


@pytest.mark.parametrize("code", ["wall", "floor", "roof", "lighting", "drinking_water", "toilet"])
def test_an_unrecorded_attribute_is_unknown_not_false(code):
    assert answer(code, **{BY_CODE[code].field: None}) is None
    assert answer(code) is None


def test_floor_area_is_judged_per_current_member():
    assert answer("floor_area", floor_area=31, members=4) is True  # 7.75 m² each
    assert answer("floor_area", floor_area=32, members=4) is False  # exactly 8: not below
    assert answer("floor_area", floor_area=None, members=4) is None
    assert answer("floor_area", floor_area=30, members=0) is None  # no current member


def test_criteria_the_data_cannot_judge_are_listed_apart():
    codes = {k.code for k in NOT_ASSESSABLE}
    assert codes == {"livelihood", "food", "healthcare", "clothing", "schooling"}
    assert all(k.field is None for k in NOT_ASSESSABLE)


def test_drinking_water_is_marked_unconfirmed_and_bps_criteria_start_disabled():
    assert BY_CODE["drinking_water"].unconfirmed
    assert not RULES.config(BY_CODE["cooking_fuel"]).enabled
    assert not RULES.config(BY_CODE["toilet"]).enabled


WELL_OFF = {
    "wall": c.Wall.MASONRY, "floor": c.Floor.CERAMIC, "roof": c.Roof.CLAY_TILE,
    "lighting": c.Lighting.PLN_METERED, "floor_area": 120, "members": 4,
    "drinking_water": c.DrinkingWater.PIPED, "asset_car": True, "asset_ac": True,
    "asset_gold": False,
}  # fmt: skip


def test_a_well_off_family_with_a_car_and_ac_is_flagged():
    result = evaluate(WELL_OFF, RULES)
    assert result.met == () and result.unknown == ()
    assert result.assets_held == ("asset_car", "asset_ac")
    assert result.flagged


def test_unknown_criteria_that_could_reach_the_threshold_do_not_flag():
    facts = {**WELL_OFF, "wall": None, "roof": None}
    result = evaluate(facts, RULES)
    assert result.unknown == ("wall", "roof")
    assert not result.flagged  # had both held, the family would meet 2 criteria


def test_an_unrecorded_asset_is_not_held():
    result = evaluate({**WELL_OFF, "asset_ac": None}, RULES)
    assert result.assets_held == ("asset_car",)
    assert "asset_ac" in result.assets_unknown
    assert not result.flagged


def test_raising_the_threshold_flags_a_family_meeting_more_criteria():
    facts = {**WELL_OFF, "wall": c.Wall.WOOD, "floor": c.Floor.WOOD}
    assert not evaluate(facts, RULES).flagged
    assert evaluate(facts, replace(RULES, threshold=3)).flagged


def test_the_asset_list_and_count_decide_what_holds_high_value():
    assert not evaluate(WELL_OFF, replace(RULES, assets=("asset_car", "asset_gold"))).flagged
    assert evaluate(WELL_OFF, replace(RULES, assets=("asset_car",), min_assets=1)).flagged
    assert not evaluate(WELL_OFF, replace(RULES, min_assets=3)).flagged


def test_a_disabled_criterion_is_not_counted_and_its_codes_are_configurable():
    criteria = dict(RULES.criteria)
    criteria["floor"] = CriterionConfig(True, frozenset({c.Floor.CERAMIC}))
    facts = {**WELL_OFF}
    result = evaluate(facts, replace(RULES, criteria=criteria))
    assert result.met == ("floor",)
    criteria["floor"] = CriterionConfig(False, frozenset({c.Floor.CERAMIC}))
    assert "floor" not in evaluate(facts, replace(RULES, criteria=criteria)).met
