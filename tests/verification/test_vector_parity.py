"""The vectorised rules find exactly what the per-record rules find: same rule, field, message
and severity for the same persons, on edge cases and on whatever Hypothesis draws."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sys

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from dtks.demo.synth import make_nik
from dtks.verification.rules import RULES, CheckContext, PersonData, check_frame, check_person
from dtks.verification.rules.base import register
from dtks.verification.rules.vector import (
    ALNUM_SCAN_LIMIT,
    PERSON_SCHEMA,
    persons_frame,
    sentence,
)

KNOWN = {"17.09.01", "17.09.02"}
TODAY = dt.date(2026, 11, 27)
BORN = dt.date(1985, 8, 17)
CLEAN = PersonData(
    id=1,
    nik=make_nik("17.09.01", BORN, 2, 1),
    name="Siti Aminah",
    birth_place="Bengkulu",
    birth_date=BORN,
    sex=2,
    marital_status=2,
    mother_name="Rosmala",
)


def per_record(persons: list[PersonData], context: CheckContext) -> list[tuple]:
    return sorted(
        (p.id, f.rule, f.severity, f.field, f.message)
        for p in persons
        for f in check_person(p, context)
    )


def vectorised(persons: list[PersonData], context: CheckContext) -> list[tuple]:
    return sorted(check_frame(persons_frame(persons), context).rows())


def assert_same(persons: list[PersonData], context: CheckContext, language: str = "id") -> None:
    with translation.override(language):
        assert vectorised(persons, context) == per_record(persons, context)


def nik(region: str, day: str, month: str, yy: str, serial: str = "0001") -> str:
    return region.replace(".", "") + day + month + yy + serial


EDGE_NIKS = [
    nik("17.09.01", "29", "02", "00"),  # 29 Feb 2000: a leap year
    nik("17.09.01", "69", "02", "00"),  # the same date for a woman (+40)
    nik("17.09.01", "29", "02", "23"),  # 29 Feb 2023 does not exist
    nik("17.09.01", "69", "02", "25"),
    nik("17.09.01", "29", "02", "28"),  # 2028 lies ahead: 1928, a leap year
    nik("17.09.01", "28", "11", "26"),  # one day after TODAY: read as 1926
    nik("17.09.01", "27", "11", "26"),  # TODAY itself: 2026
    nik("17.09.01", "31", "04", "90"),  # 31 April
    nik("17.09.01", "71", "01", "90"),  # woman born 31 January
    nik("17.09.01", "72", "01", "90"),  # day 72: beyond any woman's day
    nik("17.09.01", "40", "01", "90"),  # day 40: neither a man's nor a woman's
    nik("17.09.01", "41", "01", "90"),
    nik("17.09.01", "00", "01", "90"),
    nik("17.09.01", "17", "00", "90"),
    nik("17.09.01", "17", "13", "90"),
    nik("17.09.01", "17", "08", "85", "0000"),  # serial zero
    nik("17.09.01", "17", "13", "85", "0000"),  # invalid date and serial zero
    nik("99.09.01", "17", "08", "85"),  # unknown region
    nik("99.09.01", "17", "13", "85", "0000"),
    "",
    "1709",
    "17090157088500011",  # 17 digits
    "17090157088500a1",
    "1709015708850001\n",
    " 709015708850001",
    "１７０９０１５７０８８５０００１",  # full-width digits: digits, but not 0-9
    "1709015708850٠01",  # an Arabic-Indic zero
    "abc",
]
EDGE_TEXTS = [None, "", " ", "-", ".", "_", "  -  ", "\u0301", "²", "Ⅻ", "ß", "Å", "\u1c89", "A"]


def edge_persons() -> list[PersonData]:
    persons = []
    for nik_ in EDGE_NIKS:
        for birth_date in (None, BORN, dt.date(2000, 2, 29), dt.date(1928, 2, 29)):
            for sex in (None, 1, 2, 3):
                persons.append(dataclasses.replace(CLEAN, nik=nik_, birth_date=birth_date, sex=sex))
    for text in EDGE_TEXTS:
        persons.append(dataclasses.replace(CLEAN, name=text, birth_place=text, mother_name=text))
    persons.append(dataclasses.replace(CLEAN, nik=None, marital_status=None))
    for presence in (None, 1, 2, 3):
        persons.append(dataclasses.replace(CLEAN, presence=presence))
    for listed in ((), ("1709012001K000001",), ("A", "B"), ("A", "B", "C"), ("", "x")):
        persons.append(dataclasses.replace(CLEAN, families=listed, nik_others=listed))
    persons.append(dataclasses.replace(CLEAN, presence=2, families=("A", "B"), nik_others=("C",)))
    return [dataclasses.replace(p, id=i) for i, p in enumerate(persons, start=1)]


@pytest.mark.parametrize("known", [KNOWN, None])
@pytest.mark.parametrize("language", ["id", "en"])
def test_edge_cases_agree(known: set[str] | None, language: str) -> None:
    persons = edge_persons()
    context = CheckContext(known_regions=known, today=TODAY)
    assert_same(persons, context, language)
    assert len(per_record(persons, context)) > len(persons)  # the cases do find things


def test_edge_cases_agree_on_the_real_today() -> None:
    assert_same(edge_persons(), CheckContext(known_regions=KNOWN))


def test_nik_messages_read_alike_in_both_forms() -> None:
    person = dataclasses.replace(CLEAN, sex=1, birth_date=dt.date(1985, 8, 18))
    with translation.override("id"):
        (row_mismatch, row_sex) = vectorised([person], CheckContext(known_regions=KNOWN))
    assert row_mismatch[4] == (
        "Tanggal lahir pada NIK (17-08-85) tidak sesuai dengan tanggal lahir (18-08-1985)"
    )
    assert row_sex[1:4] == ("nik_sex_mismatch", "error", "nik")


digits = st.text(alphabet="0123456789", min_size=2, max_size=2)
niks = st.one_of(
    st.builds(
        lambda region, day, month, yy, serial: region + day + month + yy + serial,
        st.sampled_from(["170901", "170902", "990901"]),
        digits,
        st.sampled_from(["00", "01", "02", "04", "08", "11", "12", "13"]) | digits,
        digits,
        st.sampled_from(["0000", "0001"]) | st.text(alphabet="0123456789", min_size=4, max_size=4),
    ),
    st.builds(
        make_nik,
        st.sampled_from(sorted(KNOWN)),
        st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2026, 11, 27)),
        st.sampled_from([1, 2]),
        st.integers(min_value=0, max_value=9999),
    ),
    st.text(alphabet="0123456789a -", max_size=18),
    st.text(max_size=18),
    st.none(),
)
texts = st.one_of(st.none(), st.sampled_from(EDGE_TEXTS), st.text(max_size=6))
ids_dtks = st.lists(st.text(alphabet="0123456789.KP%", max_size=6), max_size=3).map(tuple)
# Years from 1000: below it `f"{date:%Y}"` pads on some platforms and not on others.
dates = st.none() | st.dates(min_value=dt.date(1000, 1, 1))
persons = st.lists(
    st.builds(
        PersonData,
        id=st.none(),
        nik=niks,
        name=texts,
        birth_place=texts,
        birth_date=dates,
        sex=st.none() | st.sampled_from([1, 2]) | st.integers(min_value=-1, max_value=4),
        marital_status=st.none() | st.integers(min_value=0, max_value=4),
        mother_name=texts,
        presence=st.none() | st.integers(min_value=0, max_value=7),
        families=ids_dtks,
        nik_others=ids_dtks,
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(
    persons,
    st.none() | st.just(KNOWN),
    st.none() | st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
)
def test_any_persons_agree(
    drawn: list[PersonData], known: set[str] | None, today: dt.date | None
) -> None:
    persons = [dataclasses.replace(p, id=i) for i, p in enumerate(drawn, start=1)]
    assert_same(persons, CheckContext(known_regions=known, today=today))


def test_frame_columns_are_the_person_data_fields_in_order() -> None:
    assert tuple(PERSON_SCHEMA) == PersonData.field_names()


def test_every_rule_has_its_vectorised_form() -> None:
    assert all(rule.vector for rule in RULES.values())


@pytest.mark.parametrize("level", ["person", "family"])
def test_a_rule_without_vectorised_form_is_refused(level: str) -> None:
    with pytest.raises(ValueError, match="vectorised"):
        register("new_rule", severity="error", level=level, message="x", regulation="y")
    assert "new_rule" not in RULES


def test_sentence_fills_placeholders_as_percent_formatting_does() -> None:
    import polars as pl

    template = "%(a)s is %(n)d%% of %(a)s"
    frame = pl.DataFrame({"a": ["x"], "n": [5]})
    made = frame.select(sentence(template, {"a": pl.col("a"), "n": pl.col("n")})).item()
    assert made == template % {"a": "x", "n": 5}
    with pytest.raises(ValueError, match="placeholder"):
        sentence("%(a)05d", {"a": pl.col("a")})


def test_no_letter_or_digit_lies_beyond_the_scanned_code_points() -> None:
    beyond = "".join(map(chr, range(ALNUM_SCAN_LIMIT, sys.maxunicode + 1)))
    assert not re.search(r"[^\W_]", beyond)
