"""The index of PermenPANRB 14/2017: NRR per element, mean × 25, the four grades."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from dtks.survey.elements import ELEMENT_CODES, ELEMENTS
from dtks.survey.ikm import compute, from_totals, grade


@pytest.mark.parametrize(
    ("value", "letter"),
    [
        ("100.00", "A"),
        ("88.31", "A"),
        ("88.30", "B"),
        ("76.61", "B"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.99", "D"),
        ("25.00", "D"),
    ],
)
def test_grade_boundaries(value, letter):
    assert grade(Decimal(value)).letter == letter


@pytest.mark.parametrize("value", ["24.99", "100.01", "0"])
def test_grade_refuses_an_index_off_the_scale(value):
    with pytest.raises(ValueError):
        grade(Decimal(value))


def test_grade_labels():
    with translation.override("en"):
        labels = [str(grade(Decimal(v)).label) for v in ("95", "80", "70", "50")]
    assert labels == ["Very good", "Good", "Poor", "Not good"]


def test_all_fours_is_100_not_the_99_90_of_a_0_111_weight():
    result = compute([[4] * 9, [4] * 9])
    assert result.value == Decimal("100.00")
    assert result.grade.letter == "A"
    assert result.respondents == 2
    assert set(result.nrr.values()) == {Decimal("4.00")}


def test_all_ones_is_25():
    result = compute([[1] * 9])
    assert (result.value, result.grade.letter) == (Decimal("25.00"), "D")


def test_nobody_answered_is_none():
    assert compute([]) is None
    assert from_totals(dict.fromkeys(ELEMENT_CODES, 0), 0) is None


def test_nrr_per_element_in_element_order():
    # Three respondents: u1 answered 4, 3, 2 (NRR 3), u4 4, 4, 4, the rest 3.
    rows = [[4, 3, 3, 4, 3, 3, 3, 3, 3], [3, 3, 3, 4, 3, 3, 3, 3, 3], [2, 3, 3, 4, 3, 3, 3, 3, 3]]
    result = compute(rows)
    assert result.nrr["u1"] == Decimal("3.00")
    assert result.nrr["u4"] == Decimal("4.00")
    assert result.nrr["u9"] == Decimal("3.00")
    # (3 × 8 + 4) / 9 × 25 = 77.777… → 77.78, B
    assert (result.value, result.grade.letter) == (Decimal("77.78"), "B")


def test_nrr_rounds_to_two_decimals_half_up():
    # u1: 4, 4, 3 → 3.666… → 3.67
    rows = [[4] + [3] * 8, [4] + [3] * 8, [3] * 9]
    assert compute(rows).nrr["u1"] == Decimal("3.67")


# Regression vectors: (rows, index). Worked by hand: Σ answers × 25 / (9 × respondents).
VECTORS = [
    ([[3] * 9], "75.00"),  # C: 75.00 lies in 65.00-76.60
    ([[4] * 9, [3] * 9], "87.50"),  # B
    ([[4] * 9, [4] * 9, [4] * 9, [3] * 9], "93.75"),  # A
    ([[2] * 9, [3] * 9], "62.50"),  # D
    ([[1, 2, 3, 4, 1, 2, 3, 4, 1]], "58.33"),  # 21 × 25 / 9 = 58.333…
    ([[4, 4, 4, 4, 4, 4, 4, 4, 3]], "97.22"),  # 35 × 25 / 9 = 97.222…
]


@pytest.mark.parametrize(("rows", "value"), VECTORS)
def test_regression_vectors(rows, value):
    assert compute(rows).value == Decimal(value)


def test_an_index_on_a_half_cent_rounds_up_into_a():
    # 5000 respondents, 158 949 points in all: 158949 × 25 / 45000 = 88.305 exactly → 88.31.
    totals = dict.fromkeys(ELEMENT_CODES, 17661)
    totals["u1"] += 158949 - 17661 * 9
    result = from_totals(totals, 5000)
    assert result.value == Decimal("88.31")
    assert result.grade.letter == "A"


def test_one_point_less_stays_b():
    # 158 948 points over 5000 respondents: 88.30444… → 88.30, B.
    totals = dict.fromkeys(ELEMENT_CODES, 17661)
    totals["u1"] += 158948 - 17661 * 9
    result = from_totals(totals, 5000)
    assert (result.value, result.grade.letter) == (Decimal("88.30"), "B")


@pytest.mark.parametrize("row", [[5] * 9, [0] * 9, [4] * 8])
def test_refuses_answers_off_the_scale_or_missing(row):
    with pytest.raises(ValueError):
        compute([row])


def test_the_nine_elements_of_the_regulation():
    assert [e.code for e in ELEMENTS] == [f"u{i}" for i in range(1, 10)]
    assert ELEMENTS[0].name == "Persyaratan"
    assert ELEMENTS[0].answers == ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")
    assert ELEMENTS[3].answers[-1] == "Gratis"  # the cost element: free scores best
    assert all(len(e.answers) == 4 and e.question.endswith("?") for e in ELEMENTS)
