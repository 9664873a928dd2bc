"""Names, dates and numbers written one way before records are compared."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtks.linkage.normalize import (
    canonical_name,
    digits,
    parse_birth_date,
    place_norm,
    sex_code,
    sound_key,
)


@pytest.mark.parametrize(
    "variants",
    [
        (
            "Muhammad Yusuf",
            "M. Yusuf",
            "Moh. Yusuf",
            "MOHD YUSUF",
            "Muhamad Yusuf",
            "Mohammad Yusuf",
        ),
        ("Siti Aminah", "St. Aminah", "SITI AMINAH", " siti  aminah "),
        ("Nurul Huda", "Nur Huda"),
        ("Joko Susanto", "Djoko Soesanto"),
        ("Cahyono", "Tjahjono"),
        ("Syamsul", "Sjamsul"),
        ("Khairul Anwar", "Chairul Anwar"),
        ("Yusuf", "Joesoef"),
        ("Abdul Rahman", "Abd. Rahman"),
        ("Ahmad", "H. Ahmad", "Ahmad, S.Pd.", "Ahmad bin Hasan"),
        ("Efendi", "Effendi"),
        ("Ma'ruf", "Maruf"),
    ],
)
def test_spelling_variants_share_one_canonical_name(variants: tuple[str, ...]) -> None:
    assert len({canonical_name(v) for v in variants}) == 1


def test_canonical_name_keeps_the_name_readable() -> None:
    assert canonical_name("Moh. Joesoef") == "MUHAMAD YUSUF"
    assert canonical_name("St. Nurhayati") == "SITI NURHAYATI"


def test_a_j_stays_j_outside_the_old_spelling() -> None:
    assert canonical_name("Joko") == "JOKO"
    assert canonical_name("Juliana") == "JULIANA"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Nur Hayati", "Nurhayati"),
        ("Ahmad", "Achmad"),
        ("Fatimah", "Fatima"),
        ("Hendri", "Hendry"),
        ("Khairul", "Hairul"),
        ("Jusuf", "Yusuf"),
    ],
)
def test_sound_key_joins_what_canonical_spelling_keeps_apart(a: str, b: str) -> None:
    assert sound_key(a) == sound_key(b)


def test_different_names_keep_different_keys() -> None:
    assert sound_key("Siti Aminah") != sound_key("Siti Rahayu")


@pytest.mark.parametrize("blank", ["", "   ", ".,", None])
def test_a_blank_name_is_unknown(blank: str | None) -> None:
    assert canonical_name(blank) is None
    assert sound_key(blank) is None


@pytest.mark.parametrize(
    "typed",
    ["17-08-1985", "17/8/1985", "17.08.1985", "1985-08-17", "1985-08-17 00:00:00",
     "17 Agustus 1985", "17 Agt 1985", "17-AGUSTUS-1985"],
)  # fmt: skip
def test_birth_dates_as_typed_in_indonesia(typed: str) -> None:
    assert parse_birth_date(typed) == dt.date(1985, 8, 17)


@pytest.mark.parametrize("bad", ["31-02-1985", "1985", "kemarin", "", None])
def test_a_date_that_does_not_exist_is_unknown(bad: str | None) -> None:
    assert parse_birth_date(bad) is None


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_day_first_dates_read_back(day: dt.date) -> None:
    assert parse_birth_date(f"{day.day:02d}/{day.month:02d}/{day.year}") == day
    assert parse_birth_date(day.isoformat()) == day


def _one(expr, value):  # type: ignore[no-untyped-def]
    return pl.select(expr(pl.lit(value, dtype=pl.String))).item()


def test_nik_digits_ignore_spacing_and_the_excel_quote() -> None:
    assert _one(digits, "'3201 2345 6789 0123") == "3201234567890123"
    assert _one(digits, "0000000000000000") is None
    assert _one(digits, "-") is None


@pytest.mark.parametrize(("typed", "code"), [("L", 1), ("Laki-laki", 1), ("1", 1), ("P", 2),
                                             ("PEREMPUAN", 2), ("2", 2), ("?", None)])  # fmt: skip
def test_sex_as_typed(typed: str, code: int | None) -> None:
    assert _one(sex_code, typed) == code


def test_place_prefixes_are_dropped() -> None:
    assert _one(place_norm, "Kota Bengkulu") == _one(place_norm, "BENGKULU") == "BENGKULU"
    assert _one(place_norm, "Kab. Kepahiang") == "KEPAHIANG"
