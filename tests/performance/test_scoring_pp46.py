"""PP 46/2011 + Perka BKN 1/2013: aspect formulas, the 24% efficiency edge, bands, final value."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtks.performance.scoring import pp46
from dtks.performance.scoring.pp46 import Activity, BehaviourAspect, Measure, Predikat

D = Decimal


def m(target: str | int, realisation: str | int) -> Measure:
    return Measure(D(target), D(realisation))


BASE_RATINGS = {
    BehaviourAspect.SERVICE_ORIENTATION: D(80),
    BehaviourAspect.INTEGRITY: D(80),
    BehaviourAspect.COMMITMENT: D(80),
    BehaviourAspect.DISCIPLINE: D(80),
    BehaviourAspect.COOPERATION: D(80),
}


@pytest.mark.parametrize(
    ("target", "realisation", "expected"),
    [
        ("12", "12", "76.00"),  # on time: efficiency 0%
        ("12", "9.12", "100.00"),  # efficiency exactly 24%: the best value
        ("12", "9.11", "75.92"),  # just above 24%: the other branch
        ("12", "9", "75.00"),  # efficiency 25%
        ("12", "10", "92.67"),  # efficiency 16.67%
        ("12", "13", "67.67"),  # late: realisation above target
        ("12", "0", "0.00"),  # efficiency 100%
        ("12", "24", "0.00"),  # (1.76·12 − 24)/12 × 100 = −24, floored at 0
        ("170395000", "170395000", "76.00"),  # biaya spent exactly
    ],
)
def test_time_and_cost_are_scored_by_efficiency(target, realisation, expected):
    assert pp46.efficiency_score(m(target, realisation)) == D(expected)


def test_exactly_24_percent_efficiency_scores_100_where_float_gives_76():
    # The float path most spreadsheets and apps take lands on the wrong branch:
    float_efficiency = 100 - 9.12 / 12 * 100
    assert float_efficiency > 24
    assert pp46.efficiency_within_limit(m(12, "9.12"))
    assert pp46.efficiency_score(m(12, "9.12")) == D(100)


@pytest.mark.parametrize(
    ("target", "realisation", "expected"),
    [("1", "1", "100.00"), ("100", "90", "90.00"), ("10", "12", "120.00"), ("3", "1", "33.33")],
)
def test_quantity_and_quality_are_realisation_over_target_uncapped(target, realisation, expected):
    assert pp46.ratio_score(m(target, realisation)) == D(expected)


def test_worked_example_of_one_activity_with_four_aspects():
    # The BKN-style worked example ("rumus SKP", a public guide of Perka BKN 1/2013,
    # scribd.com/document/354032278): 1 of 1 report, quality 90 of 100, 12 of 12 months,
    # Rp 170,395,000 of 170,395,000 → (100 + 90 + 76 + 76) / 4 = 85.50.
    activity = Activity(m(1, 1), m(100, 90), m(12, 12), m(170395000, 170395000))
    score = pp46.score_activity(activity)
    assert (score.quantity, score.quality, score.time, score.cost) == (
        D(100),
        D(90),
        D(76),
        D(76),
    )
    assert score.value == D("85.50")


@pytest.mark.parametrize("cost", [None, m(0, 0), m(0, 5000)])
def test_cost_target_zero_or_missing_leaves_three_aspects(cost):
    score = pp46.score_activity(Activity(m(1, 1), m(100, 90), m(12, 12), cost))
    assert score.cost is None
    assert score.value == D("88.67")  # (100 + 90 + 76) / 3


def test_any_aspect_with_target_zero_is_left_out_not_divided_by():
    score = pp46.score_activity(Activity(m(10, 8), m(0, 0), m(0, 3)))
    assert (score.quality, score.time) == (None, None)
    assert score.value == D(80)


def test_activity_without_any_used_aspect_is_refused():
    with pytest.raises(ValueError, match="at least one aspect"):
        pp46.score_activity(Activity(m(0, 0), m(0, 0), m(0, 0)))


def test_floats_and_negative_values_are_refused():
    with pytest.raises(TypeError):
        Measure(12.0, D(9))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        m(12, -1)


@pytest.mark.parametrize(
    ("count", "points"),
    [(0, 0), (1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (25, 3)],
)
def test_additional_task_points(count, points):
    assert pp46.additional_task_points(count) == points


def test_skp_value_is_mean_of_activities_plus_tasks_and_creativity():
    activities = [
        Activity(m(1, 1), m(100, 90), m(12, 12), m(170395000, 170395000)),  # 85.50
        Activity(m(10, 10), m(100, 100), m(12, "9.12")),  # (100 + 100 + 100) / 3
    ]
    assert pp46.skp_value(activities) == D("92.75")
    assert pp46.skp_value(activities, additional_tasks=4, creativity_points=D(3)) == D("97.75")


def test_skp_needs_an_activity_and_refuses_negative_creativity():
    with pytest.raises(ValueError):
        pp46.skp_value([])
    with pytest.raises(ValueError):
        pp46.skp_value([Activity(m(1, 1), m(1, 1), m(1, 1))], creativity_points=D(-3))


def test_behaviour_leadership_only_and_always_for_structural_officials():
    assert pp46.behaviour_value(BASE_RATINGS, structural=False) == D(80)
    with_leadership = {**BASE_RATINGS, BehaviourAspect.LEADERSHIP: D(86)}
    assert pp46.behaviour_value(with_leadership, structural=True) == D(81)
    with pytest.raises(ValueError):
        pp46.behaviour_value(BASE_RATINGS, structural=True)
    with pytest.raises(ValueError):
        pp46.behaviour_value(with_leadership, structural=False)
    with pytest.raises(ValueError):
        pp46.behaviour_value({**BASE_RATINGS, BehaviourAspect.DISCIPLINE: D(101)}, structural=False)


def test_final_value_is_60_percent_skp_and_40_percent_behaviour():
    assert pp46.final_value(D("85.50"), D(80)) == D("83.30")


@pytest.mark.parametrize(
    ("value", "predikat"),
    [
        ("120", Predikat.SANGAT_BAIK),
        ("91", Predikat.SANGAT_BAIK),
        ("90.50", Predikat.SANGAT_BAIK),
        ("90.49", Predikat.BAIK),
        ("90", Predikat.BAIK),
        ("76", Predikat.BAIK),
        ("75.50", Predikat.BAIK),
        ("75.49", Predikat.CUKUP),
        ("61", Predikat.CUKUP),
        ("60.50", Predikat.CUKUP),
        ("60.49", Predikat.KURANG),
        ("51", Predikat.KURANG),
        ("50.50", Predikat.KURANG),
        ("50.49", Predikat.BURUK),
        ("50", Predikat.BURUK),
        ("0", Predikat.BURUK),
    ],
)
def test_band_boundaries(value, predikat):
    assert pp46.band(D(value)) == predikat


def test_assess_combines_skp_behaviour_and_band():
    result = pp46.assess(
        [Activity(m(1, 1), m(100, 90), m(12, 12), m(170395000, 170395000))],
        BASE_RATINGS,
        structural=False,
        additional_tasks=2,
    )
    assert (result.skp, result.behaviour, result.value) == (D("86.50"), D(80), D("83.90"))
    assert result.predikat == Predikat.BAIK


# Property tests ------------------------------------------------------------------------------

amounts = st.decimals(min_value="0.01", max_value="10000", places=2)
values = st.decimals(min_value="0", max_value="150", places=2)
ORDER = [Predikat.BURUK, Predikat.KURANG, Predikat.CUKUP, Predikat.BAIK, Predikat.SANGAT_BAIK]


def _exact_efficiency_score(target: Decimal, realisation: Decimal) -> Decimal:
    t, r = Fraction(target), Fraction(realisation)
    raw = (Fraction(176, 100) * t - r) / t * 100
    efficiency = 100 - r / t * 100
    value = max(raw if efficiency <= 24 else 76 - (raw - 100), Fraction(0))
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)


@given(amounts, st.decimals(min_value="0", max_value="20000", places=2))
def test_efficiency_score_matches_exact_rational_arithmetic(target, realisation):
    assert pp46.efficiency_score(Measure(target, realisation)) == _exact_efficiency_score(
        target, realisation
    )


@given(amounts, st.decimals(min_value="0", max_value="20000", places=2))
def test_efficiency_score_lies_in_0_to_100_and_peaks_at_24_percent(target, realisation):
    score = pp46.efficiency_score(Measure(target, realisation))
    assert 0 <= score <= 100
    if realisation * 100 == 76 * target:
        assert score == 100


@given(amounts, amounts, amounts)
def test_ratio_score_is_monotone_in_realisation(target, low, high):
    low, high = sorted((low, high))
    assert pp46.ratio_score(Measure(target, low)) <= pp46.ratio_score(Measure(target, high))


@given(values, values)
def test_bands_are_monotone(a, b):
    low, high = sorted((a, b))
    assert ORDER.index(pp46.band(low)) <= ORDER.index(pp46.band(high))


@given(values)
def test_every_value_falls_in_exactly_one_band(value):
    # The bands as half-open intervals on two-decimal values (whole-number rounding, half up).
    intervals = {
        Predikat.SANGAT_BAIK: (D("90.50"), None),
        Predikat.BAIK: (D("75.50"), D("90.50")),
        Predikat.CUKUP: (D("60.50"), D("75.50")),
        Predikat.KURANG: (D("50.50"), D("60.50")),
        Predikat.BURUK: (None, D("50.50")),
    }
    holding = [
        p
        for p, (low, high) in intervals.items()
        if (low is None or value >= low) and (high is None or value < high)
    ]
    assert holding == [pp46.band(value)]
