"""PP 30/2019 + PermenPANRB 8/2021: capaian, its conversion to nilai, final value and predikat."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtks.performance.scoring import pp30
from dtks.performance.scoring.pp30 import BehaviourAspect, Direction, Indicator, Predikat

D = Decimal
LOWER = Direction.LOWER_IS_BETTER

RATINGS = {
    BehaviourAspect.SERVICE_ORIENTATION: D(90),
    BehaviourAspect.COMMITMENT: D(90),
    BehaviourAspect.INITIATIVE: D(90),
    BehaviourAspect.COOPERATION: D(90),
}


@pytest.mark.parametrize(
    ("indicator", "capaian"),
    [
        # PermenPANRB 8/2021 Lampiran BAB VI A, worked examples (page 100 of the Salinan):
        # target 80-90%, realisation 70% → 70/80 = 87.5%.
        (Indicator(D(80), D(70), target_upper=D(90)), "87.50"),
        # Target 80-90%, realisation 92% → 92/90. (The Salinan prints 113%, a misprint:
        # 92/90 × 100 = 102.2.)
        (Indicator(D(80), D(92), target_upper=D(90)), "102.22"),
        # Kondisi khusus, target 7-8 months, realisation 6.5 → (1 + (1 − 6.5/7)) = 107%.
        (Indicator(D(7), D("6.5"), LOWER, D(8)), "107.14"),
        # Kondisi khusus, target 7-8 months, realisation 9 → (1 + (1 − 9/8)) = 87.5%.
        (Indicator(D(7), D(9), LOWER, D(8)), "87.50"),
        # Inside the range: the target is met.
        (Indicator(D(80), D(85), target_upper=D(90)), "100.00"),
        (Indicator(D(7), D("7.5"), LOWER, D(8)), "100.00"),
        # Single targets.
        (Indicator(D(85), D(85)), "100.00"),
        (Indicator(D(95), D(93)), "97.89"),
        (Indicator(D(10), D(10), LOWER), "100.00"),
        (Indicator(D(10), D(5), LOWER), "150.00"),
        (Indicator(D(10), D(25), LOWER), "0.00"),  # (2 − 2.5) × 100 < 0, floored
        (Indicator(D(3), D(1)), "33.33"),
    ],
)
def test_achievement(indicator, capaian):
    assert pp30.achievement(indicator) == D(capaian)


def test_worked_example_of_the_regulation_rounded_as_printed():
    # PermenPANRB 8/2021 Lampiran, the SKP form example (page 243 of the Salinan): target 85,
    # realisation 85 → 100%, Baik, 109; target 95, realisation 93 → printed 98%, Cukup, 88.
    assert pp30.indicator_value(Indicator(D(85), D(85))) == D(109)
    value = pp30.indicator_value(Indicator(D(95), D(93)))
    assert value == D("87.89")
    assert value.quantize(D(1), rounding=ROUND_HALF_UP) == D(88)


def test_target_zero_is_refused_not_divided_by():
    with pytest.raises(ValueError, match="target of 0"):
        Indicator(D(0), D(5))
    with pytest.raises(ValueError):
        Indicator(D(8), D(5), target_upper=D(7))


@pytest.mark.parametrize(
    ("capaian", "nilai"),
    [
        ("0", "0.00"),
        ("30", "24.92"),  # 30/59 × 49
        ("58.99", "48.99"),
        ("59", "49.00"),  # top of Sangat Kurang
        ("59.5", "49.50"),  # between the bands: joined
        ("60", "50.00"),  # bottom of Kurang
        ("79", "69.00"),
        ("79.5", "69.50"),
        ("80", "70.00"),  # bottom of Cukup
        ("98", "88.00"),
        ("99", "89.00"),
        ("99.5", "89.50"),
        ("99.99", "89.99"),
        ("100", "109.00"),  # Baik: the regulation's own step
        ("100.4", "109.40"),
        ("101", "110.00"),  # bottom of Sangat Baik
        ("105.5", "115.00"),
        ("107.14", "116.82"),
        ("110", "120.00"),
        ("110.5", "120.00"),  # above 110% → 120
        ("150", "120.00"),
    ],
)
def test_score_achievement_boundaries(capaian, nilai):
    assert pp30.score_achievement(D(capaian)) == D(nilai)


def test_full_achievement_of_a_maximal_target_scores_120():
    # Huruf (i): 100% of a target that is the most the indicator can reach is Sangat Baik.
    assert pp30.score_achievement(D(100), target_is_maximum=True) == D(120)
    assert pp30.score_achievement(D(99), target_is_maximum=True) == D(89)
    assert pp30.indicator_value(Indicator(D(100), D(100), target_is_maximum=True)) == D(120)


def test_negative_capaian_is_refused():
    with pytest.raises(ValueError):
        pp30.score_achievement(D(-1))


def test_skp_value_is_the_mean_of_indicator_nilai():
    indicators = [Indicator(D(85), D(85)), Indicator(D(95), D(93))]  # 109 and 87.89
    assert pp30.skp_value(indicators) == D("98.45")  # 98.445 half up
    with pytest.raises(ValueError):
        pp30.skp_value([])


@pytest.mark.parametrize(
    ("skp", "behaviour", "peers_rate", "value"),
    [
        ("100", "90", False, "97.00"),
        ("100", "90", True, "96.00"),
        ("120", "120", False, "120.00"),
        ("98.45", "90", False, "95.92"),  # 68.915 + 27 = 95.915 half up
    ],
)
def test_final_value_weights(skp, behaviour, peers_rate, value):
    assert pp30.final_value(D(skp), D(behaviour), peers_rate=peers_rate) == D(value)


def test_behaviour_leadership_only_and_always_for_those_who_lead():
    assert pp30.behaviour_value(RATINGS, leads=False) == D(90)
    with_leadership = {**RATINGS, BehaviourAspect.LEADERSHIP: D(100)}
    assert pp30.behaviour_value(with_leadership, leads=True) == D(92)
    with pytest.raises(ValueError):
        pp30.behaviour_value(RATINGS, leads=True)
    with pytest.raises(ValueError):
        pp30.behaviour_value({**RATINGS, BehaviourAspect.COMMITMENT: D(121)}, leads=False)


@pytest.mark.parametrize(
    ("value", "innovation", "predikat"),
    [
        ("120", True, Predikat.SANGAT_BAIK),
        ("110", True, Predikat.SANGAT_BAIK),
        ("109.99", True, Predikat.BAIK),
        ("120", False, Predikat.BAIK),  # no innovation: Baik however high
        ("110", False, Predikat.BAIK),
        ("90", False, Predikat.BAIK),
        ("89.99", True, Predikat.CUKUP),
        ("70", False, Predikat.CUKUP),
        ("69.99", False, Predikat.KURANG),
        ("50", False, Predikat.KURANG),
        ("49.99", False, Predikat.SANGAT_KURANG),
        ("0", False, Predikat.SANGAT_KURANG),
    ],
)
def test_predikat_boundaries(value, innovation, predikat):
    assert pp30.predikat(D(value), has_innovation=innovation) == predikat


def test_predikat_refuses_values_outside_0_to_120():
    with pytest.raises(ValueError):
        pp30.predikat(D("120.01"), has_innovation=True)


def test_assess_a_whole_appraisal():
    result = pp30.assess(
        [Indicator(D(85), D(85)), Indicator(D(10), D(9), LOWER)],  # 109 and 110% → 120
        {**RATINGS, BehaviourAspect.LEADERSHIP: D(100)},
        leads=True,
        has_innovation=True,
    )
    assert (result.skp, result.behaviour, result.value) == (D("114.50"), D(92), D("107.75"))
    assert result.predikat == Predikat.BAIK  # under 110: an innovation does not lift it


# Property tests ------------------------------------------------------------------------------

capaian = st.decimals(min_value="0", max_value="300", places=2)
finals = st.decimals(min_value="0", max_value="120", places=2)
ORDER = [
    Predikat.SANGAT_KURANG,
    Predikat.KURANG,
    Predikat.CUKUP,
    Predikat.BAIK,
    Predikat.SANGAT_BAIK,
]


@given(capaian, capaian)
def test_nilai_is_monotone_in_capaian(a, b):
    low, high = sorted((a, b))
    assert pp30.score_achievement(low) <= pp30.score_achievement(high)


@given(capaian, st.booleans())
def test_nilai_is_capped_at_120_and_never_negative(c, maximum):
    assert 0 <= pp30.score_achievement(c, target_is_maximum=maximum) <= 120


@given(capaian)
def test_nilai_is_continuous_except_where_the_target_is_met(c):
    step = D("0.01")
    if c + step == 100:
        return  # 99.99% → 89.99, 100% → 109: the regulation's own step
    jump = pp30.score_achievement(c + step) - pp30.score_achievement(c)
    assert 0 <= jump <= D("0.02")


@given(st.decimals(min_value="0.01", max_value="1000", places=2), capaian, capaian)
def test_achievement_is_monotone_in_realisation_each_way(target, a, b):
    low, high = sorted((a, b))
    assert pp30.achievement(Indicator(target, low)) <= pp30.achievement(Indicator(target, high))
    assert pp30.achievement(Indicator(target, low, LOWER)) >= pp30.achievement(
        Indicator(target, high, LOWER)
    )


@given(finals, finals, st.booleans())
def test_predikat_is_monotone(a, b, innovation):
    low, high = sorted((a, b))
    assert ORDER.index(pp30.predikat(low, has_innovation=innovation)) <= ORDER.index(
        pp30.predikat(high, has_innovation=innovation)
    )


@given(finals, st.booleans())
def test_every_value_falls_in_exactly_one_predikat(value, innovation):
    holding = [
        p
        for p, within in (
            (Predikat.SANGAT_BAIK, innovation and value >= 110),
            (Predikat.BAIK, value >= 90 and not (innovation and value >= 110)),
            (Predikat.CUKUP, 70 <= value < 90),
            (Predikat.KURANG, 50 <= value < 70),
            (Predikat.SANGAT_KURANG, value < 50),
        )
        if within
    ]
    assert holding == [pp30.predikat(value, has_innovation=innovation)]
