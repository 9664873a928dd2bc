"""Dates and sex as typed in Indonesia: one reading shared by the import and by linkage."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtks.core.parsing import date_and_shape, parse_date, parse_sex, typed_date, typed_sex
from dtks.imports import normalize as import_normalize
from dtks.linkage import normalize as linkage_normalize

AUGUST_17 = dt.date(1985, 8, 17)


@pytest.mark.parametrize(
    "typed",
    ["17-08-1985", "17/8/1985", "17.08.1985", "17 08 1985", "1985-08-17", "1985/8/17",
     "1985-08-17 00:00:00", "1985-08-17T00:00:00Z", "17-08-1985 00:00", "17 Agustus 1985",
     "17 agt 1985", "17 Agt. 1985", "17-AUG-1985", "17 August 1985", "17/Agustus/1985",
     "17Agustus1985", "  17   Agustus  1985 ", "17\tAgustus 1985", "31276", "31276.0"],
)  # fmt: skip
def test_reads_the_dates_people_type(typed: str) -> None:
    assert parse_date(typed) == AUGUST_17


@pytest.mark.parametrize(
    ("typed", "month"),
    [("1 Pebruari 2000", 2), ("1 Nopember 2000", 11), ("1 Mei 2000", 5), ("1 Des 2000", 12),
     ("1 Okt 2000", 10), ("1 Sept 2000", 9), ("1 Juni 2000", 6), ("1 Maret 2000", 3)],
)  # fmt: skip
def test_reads_indonesian_month_names_and_abbreviations(typed: str, month: int) -> None:
    assert parse_date(typed) == dt.date(2000, month, 1)


@pytest.mark.parametrize("year", ["1985", "2001", "1985.0"])
def test_a_year_alone_is_not_a_date_nor_an_excel_serial(year: str) -> None:
    assert parse_date(year) is None
    _, shaped = _date_and_shape(year)
    assert shaped is False


def test_a_day_missing_from_the_calendar_is_null_but_has_a_dates_shape() -> None:
    assert _date_and_shape("31-02-1990") == (None, True)
    assert _date_and_shape("kemarin") == (None, False)
    assert _date_and_shape("17 Foo 1985") == (None, False)


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_a_blank_date_is_unknown(blank: str | None) -> None:
    assert parse_date(blank) is None


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_written_form_of_a_day_reads_back(day: dt.date) -> None:
    assert parse_date(f"{day.day:02d}-{day.month:02d}-{day.year}") == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_date(day.isoformat()) == day
    serial = (day - dt.date(1899, 12, 30)).days
    if serial >= 10000:  # from 1927 on an Excel serial has five digits: never a year
        assert parse_date(str(serial)) == day


@pytest.mark.parametrize(
    ("typed", "code"),
    [("L", 1), ("l", 1), ("L.", 1), ("LK", 1), ("Laki-laki", 1), ("LAKI - LAKI", 1),
     ("laki laki", 1), ("Pria", 1), ("M", 1), ("1", 1), ("P", 2), ("p", 2), ("PR", 2),
     (" perempuan ", 2), ("Wanita", 2), ("W", 2), ("F", 2), ("2", 2), ("?", None), ("3", None),
     ("", None), (None, None)],
)  # fmt: skip
def test_reads_sex_as_letters_words_or_codes(typed: str | None, code: int | None) -> None:
    assert parse_sex(typed) == code


SAMPLES = ["17-08-1985", "1985-08-17 00:00:00", "17 Agt. 1985", "31276", "1985", "31-02-1990",
           "L", "Laki-laki", "PR", "?", ""]  # fmt: skip


def test_import_and_linkage_read_dates_and_sex_alike() -> None:
    frame = pl.DataFrame({"typed": SAMPLES})
    read = frame.select(
        typed_date(pl.col("typed")).alias("core_date"),
        import_normalize.birth_date("typed")[0].alias("import_date"),
        linkage_normalize.birth_date(pl.col("typed")).alias("linkage_date"),
        typed_sex(pl.col("typed")).alias("core_sex"),
        linkage_normalize.sex_code(pl.col("typed")).alias("linkage_sex"),
    )
    assert read["core_date"].to_list() == read["import_date"].to_list()
    assert read["core_date"].to_list() == read["linkage_date"].to_list()
    assert read["core_sex"].to_list() == read["linkage_sex"].to_list()
    assert [linkage_normalize.parse_birth_date(v) for v in SAMPLES] == read["core_date"].to_list()


def _date_and_shape(value: str | None) -> tuple[dt.date | None, bool]:
    date, shaped = date_and_shape(pl.lit(value, dtype=pl.String))
    row = pl.select(date.alias("date"), shaped.alias("shaped")).row(0)
    return row[0], row[1]
