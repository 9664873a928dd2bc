"""PermenPANRB 6/2022: the predikat matrix, BerAKHLAK guide, distribution check, suggestion."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from dtks.performance.scoring import pmpanrb6
from dtks.performance.scoring.pmpanrb6 import (
    DISTRIBUTION,
    CoreValue,
    OrganisationPredikat,
    Predikat,
    Rating,
)

D = Decimal
SB, B, BP, K, SK = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG,
    Predikat.SANGAT_KURANG,
)


@pytest.mark.parametrize(
    ("results", "behaviour", "expected"),
    [
        (Rating.ABOVE, Rating.BELOW, K),
        (Rating.ABOVE, Rating.AS_EXPECTED, B),
        (Rating.ABOVE, Rating.ABOVE, SB),
        (Rating.AS_EXPECTED, Rating.BELOW, K),
        (Rating.AS_EXPECTED, Rating.AS_EXPECTED, B),
        (Rating.AS_EXPECTED, Rating.ABOVE, B),
        (Rating.BELOW, Rating.BELOW, SK),
        (Rating.BELOW, Rating.AS_EXPECTED, BP),
        (Rating.BELOW, Rating.ABOVE, BP),
    ],
)
def test_predikat_matrix(results, behaviour, expected):
    assert pmpanrb6.predikat(results, behaviour) == expected


def test_predikat_accepts_stored_slugs():
    assert pmpanrb6.predikat("above", "above") == SB  # type: ignore[arg-type]


def test_behaviour_guide_has_three_statements_for_each_core_value():
    assert set(pmpanrb6.BEHAVIOUR_GUIDE) == set(CoreValue)
    assert all(len(s) == 3 and all(s) for s in pmpanrb6.BEHAVIOUR_GUIDE.values())
    assert pmpanrb6.BEHAVIOUR_GUIDE[CoreValue.BERORIENTASI_PELAYANAN][0] == (
        "Memahami dan memenuhi kebutuhan masyarakat"
    )


def test_official_predikat_names_stay_indonesian_in_english():
    with translation.override("en"):
        assert [str(p.label) for p in Predikat] == [
            "Sangat Baik",
            "Baik",
            "Butuh Perbaikan",
            "Kurang",
            "Sangat Kurang",
        ]
        assert str(OrganisationPredikat.ISTIMEWA.label) == "Istimewa"


# A spread each organisation predikat allows, per 10 employees.
COMPLIANT = {
    OrganisationPredikat.ISTIMEWA: [SB] * 7 + [B] * 3,
    OrganisationPredikat.BAIK: [B] * 7 + [SB, BP, SK],
    OrganisationPredikat.BUTUH_PERBAIKAN: [BP] * 6 + [SB, B, K, SK],
    OrganisationPredikat.KURANG: [K] * 6 + [BP, SB, B, SK],
    OrganisationPredikat.SANGAT_KURANG: [SK] * 6 + [K, B, B, B],
}


@pytest.mark.parametrize("organisation", list(OrganisationPredikat))
def test_every_organisation_predikat_has_a_spread_that_keeps_all_its_rules(organisation):
    assert pmpanrb6.check_distribution(organisation, COMPLIANT[organisation]) == []


def test_empty_unit_breaks_no_rule():
    assert pmpanrb6.check_distribution(OrganisationPredikat.BAIK, []) == []


def _messages(organisation, predikats):
    with translation.override("en"):
        broken = pmpanrb6.check_distribution(organisation, predikats)
        return [str(b.message) for b in broken]


@pytest.mark.parametrize(
    ("organisation", "predikats", "messages"),
    [
        (
            OrganisationPredikat.ISTIMEWA,
            [SB] * 8 + [B] * 2,
            ["At most 70% of employees may be Sangat Baik; this unit has 80%."],
        ),
        (
            OrganisationPredikat.BAIK,
            [B] * 3,
            [
                "At most 70% of employees may be Baik; this unit has 100%.",
                "At least one employee must be Butuh Perbaikan / Kurang; this unit has 0%.",
            ],
        ),
        (
            OrganisationPredikat.BUTUH_PERBAIKAN,
            [BP] * 5 + [SB] * 2 + [B] * 3,
            [
                "At least 60% of employees must be Butuh Perbaikan; this unit has 50%.",
                "At most 10% of employees may be Sangat Baik; this unit has 20%.",
            ],
        ),
        (
            OrganisationPredikat.KURANG,
            [B, B, K],
            [
                "At least 60% of employees must be Kurang; this unit has 33.33%.",
                "At least 10% of employees must be Butuh Perbaikan; this unit has 0%.",
            ],
        ),
        (
            OrganisationPredikat.SANGAT_KURANG,
            [SK] * 9 + [SB],
            [
                "At least 10% of employees must be Butuh Perbaikan / Kurang; this unit has 0%.",
                "At most 0% of employees may be Sangat Baik; this unit has 10%.",
            ],
        ),
    ],
)
def test_broken_rules_name_predikat_allowed_and_actual_share(organisation, predikats, messages):
    assert _messages(organisation, predikats) == messages


def test_shares_exactly_at_the_limit_are_allowed():
    assert pmpanrb6.check_distribution(OrganisationPredikat.BAIK, [B] * 7 + [BP] * 3) == []
    assert pmpanrb6.check_distribution(OrganisationPredikat.KURANG, [K] * 6 + [BP, SB, B, B]) == []


def test_broken_rule_carries_the_numbers():
    (broken,) = pmpanrb6.check_distribution(OrganisationPredikat.ISTIMEWA, [SB] * 5 + [B])
    assert (broken.allowed, broken.actual) == (D(70), D("83.33"))
    assert broken.rule.predikats == {SB}


def test_message_uses_indonesian_number_format_in_indonesian():
    with translation.override("id"):
        broken = pmpanrb6.check_distribution(OrganisationPredikat.KURANG, [B, B, K])
        assert "33,33%" in str(broken[0].message)


@pytest.mark.parametrize(
    ("achievements", "rating"),
    [
        (["100", "100"], Rating.AS_EXPECTED),
        (["100", "105"], Rating.AS_EXPECTED),
        (["110", "110"], Rating.ABOVE),
        (["100", "120"], Rating.ABOVE),  # every one met, mean 110
        (["99", "130"], Rating.AS_EXPECTED),  # one missed: never above
        (["90", "110"], Rating.AS_EXPECTED),  # short on one, mean 100
        (["90", "100"], Rating.BELOW),  # mean 95
        (["79.99", "200"], Rating.BELOW),  # one well below
        (["80"], Rating.BELOW),
        (["100"], Rating.AS_EXPECTED),
    ],
)
def test_suggest_results_rating(achievements, rating):
    assert pmpanrb6.suggest_results_rating([D(a) for a in achievements]) == rating


def test_suggestion_needs_an_indicator():
    with pytest.raises(ValueError):
        pmpanrb6.suggest_results_rating([])


# Property tests ------------------------------------------------------------------------------

RATING_ORDER = [Rating.BELOW, Rating.AS_EXPECTED, Rating.ABOVE]
capaian = st.decimals(min_value="0", max_value="200", places=2)


@given(st.lists(capaian, min_size=1, max_size=8), st.data())
def test_raising_an_achievement_never_lowers_the_suggestion(values, data):
    index = data.draw(st.integers(0, len(values) - 1))
    raised = list(values)
    raised[index] += data.draw(st.decimals(min_value="0", max_value="50", places=2))
    before = pmpanrb6.suggest_results_rating(values)
    after = pmpanrb6.suggest_results_rating(raised)
    assert RATING_ORDER.index(before) <= RATING_ORDER.index(after)


def _oracle(organisation, predikats):
    total = len(predikats)
    broken = []
    for rule in DISTRIBUTION[organisation]:
        share = Fraction(sum(p in rule.predikats for p in predikats) * 100, total)
        if (
            (rule.max_share is not None and share > Fraction(rule.max_share))
            or (rule.min_share is not None and share < Fraction(rule.min_share))
            or (rule.required and share == 0)
        ):
            broken.append(rule)
    return broken


@given(
    st.sampled_from(list(OrganisationPredikat)),
    st.lists(st.sampled_from(list(Predikat)), min_size=1, max_size=40),
)
def test_check_distribution_reports_exactly_the_rules_an_exact_count_breaks(organisation, spread):
    broken = pmpanrb6.check_distribution(organisation, spread)
    assert [b.rule for b in broken] == _oracle(organisation, spread)
