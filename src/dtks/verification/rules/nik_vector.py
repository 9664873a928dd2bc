"""`validate_nik` as polars expressions: the NIK problems of a whole frame of persons at once.

It follows `dtks.core.nik` step by step (structure first, and nothing else when the structure is
wrong; an invalid date without a birth-date or sex mismatch on top of it; the year in the most
recent century not after today) and takes its message templates, constants and sex labels from
there, so the per-record and vectorised findings agree word for word.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dtks.core.nik import FEMALE, FEMALE_DAY_OFFSET, LENGTH, MALE, MESSAGES, sex_label

from .vector import VectorHit, zero_padded

# Columns added once per chunk (`with_nik_columns`) and read by every NIK rule; `_nik_day` is
# the real day (women -40).
_LENGTH, _NOT_DIGITS, _OK = "_nik_length", "_nik_not_digits", "_nik_ok"
_DAY, _MONTH, _YY, _YEAR = "_nik_day", "_nik_month", "_nik_yy", "_nik_year"
_SEX, _DATE_OK = "_nik_sex", "_nik_date_ok"


def _text() -> pl.Expr:
    return pl.col("nik").fill_null("")


def with_nik_columns(frame: pl.LazyFrame, today: dt.date) -> pl.LazyFrame:
    """`frame` with the parsed NIK (`parse_nik`): length, digits, the real day (women -40),
    month, two-digit year, the sex it encodes, and whether digits 7-12 are a real date
    (`resolve_birth_date`). Built in steps over named columns: inlining each step into the
    next makes an expression tree polars takes milliseconds to plan, even for five rows."""
    text = _text()
    digits = text.str.contains(r"^[0-9]+$")
    length = text.str.len_chars()
    parsed = frame.with_columns(
        length.alias(_LENGTH),
        ((text != "") & ~digits).alias(_NOT_DIGITS),
        (digits & (length == LENGTH)).alias(_OK),
    ).with_columns(
        _number(6).alias(_DAY),
        _number(8).alias(_MONTH),
        _number(10).alias(_YY),
    )
    day, month, yy = pl.col(_DAY), pl.col(_MONTH), pl.col(_YY)
    female = day > FEMALE_DAY_OFFSET
    parsed = parsed.with_columns(
        pl.when(female).then(day - FEMALE_DAY_OFFSET).otherwise(day).alias(_DAY),
        pl.when(female).then(FEMALE).otherwise(MALE).alias(_SEX),
    )
    day = pl.col(_DAY)
    return parsed.with_columns(_year(day, month, yy, today).alias(_YEAR)).with_columns(
        (pl.col(_OK) & _is_date(day, month, pl.col(_YEAR))).alias(_DATE_OK)
    )


def _number(start: int) -> pl.Expr:
    """Two digits of a well-formed NIK as a number (null when the NIK is malformed)."""
    return pl.when(pl.col(_OK)).then(_text().str.slice(start, 2).cast(pl.Int32, strict=False))


def _year(day: pl.Expr, month: pl.Expr, yy: pl.Expr, today: dt.date) -> pl.Expr:
    """This century's year, or the last one's when that date would lie after `today`."""
    year = today.year - today.year % 100 + yy
    after_today = (year > today.year) | (
        (year == today.year)
        & ((month > today.month) | ((month == today.month) & (day > today.day)))
    )
    return pl.when(after_today).then(year - 100).otherwise(year)


def _is_date(day: pl.Expr, month: pl.Expr, year: pl.Expr) -> pl.Expr:
    """Whether `dt.date(year, month, day)` exists (29 February only in leap years)."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    return (month.is_between(1, 12) & day.is_between(1, 31) & (day <= month_days)).fill_null(False)


def nik_hits(known_regions: list[str] | None) -> dict[str, VectorHit]:
    """Every NIK problem as a `VectorHit`, by problem code, in the order `validate_nik` reports
    them. Reads the `nik_columns`; `known_regions` None means the region is not checked."""
    ok, date_ok = pl.col(_OK), pl.col(_DATE_OK)
    text = _text()
    length = pl.col(_LENGTH)

    def hit(code: str, when: pl.Expr, **params: pl.Expr) -> VectorHit:
        return VectorHit("nik", when, params, MESSAGES[code])

    region = pl.concat_str(
        [text.str.slice(0, 2), text.str.slice(2, 2), text.str.slice(4, 2)], separator="."
    )
    unknown = pl.lit(False) if known_regions is None else ok & ~region.is_in(known_regions)
    return {
        "nik_not_digits": hit("nik_not_digits", pl.col(_NOT_DIGITS)),
        "nik_length": hit("nik_length", length != LENGTH, length=length),
        "nik_region_unknown": hit("nik_region_unknown", unknown, region=region),
        "nik_invalid_date": hit(
            "nik_invalid_date",
            ok & ~date_ok,
            digits=pl.concat_str(
                [text.str.slice(6, 2), text.str.slice(8, 2), text.str.slice(10, 2)], separator="-"
            ),
        ),
        "nik_serial_zero": hit("nik_serial_zero", ok & (text.str.slice(12, 4) == "0000")),
        "nik_birth_date_mismatch": _birth_date_mismatch(date_ok),
        "nik_sex_mismatch": _sex_mismatch(date_ok),
    }


def _birth_date_mismatch(date_ok: pl.Expr) -> VectorHit:
    """Day, month and two-digit year of the NIK against the birth date on record."""
    born = pl.col("birth_date")
    day, month, yy = pl.col(_DAY), pl.col(_MONTH), pl.col(_YY)
    differs = (day != born.dt.day()) | (month != born.dt.month()) | (yy != born.dt.year() % 100)
    return VectorHit(
        "nik",
        date_ok & born.is_not_null() & differs,
        {
            "nik_date": pl.concat_str(
                [zero_padded(day), zero_padded(month), zero_padded(yy)], separator="-"
            ),
            # f"{date:%d-%m-%Y}": the year as strftime writes it on Linux (no padding below 1000)
            "birth_date": pl.concat_str(
                [zero_padded(born.dt.day()), zero_padded(born.dt.month()), born.dt.year()],
                separator="-",
            ),
        },
        MESSAGES["nik_birth_date_mismatch"],
    )


def _sex_mismatch(date_ok: pl.Expr) -> VectorHit:
    """A recorded sex (1 or 2) other than the one the NIK's day encodes."""
    sex, nik_sex = pl.col("sex"), pl.col(_SEX)
    female, male = sex_label(FEMALE), sex_label(MALE)  # translated once, in the active language

    def label(expr: pl.Expr) -> pl.Expr:
        return pl.when(expr == FEMALE).then(pl.lit(female)).otherwise(pl.lit(male))

    return VectorHit(
        "nik",
        date_ok & sex.is_in([MALE, FEMALE]) & (sex != nik_sex),
        {"nik_sex": label(nik_sex), "sex": label(sex)},
        MESSAGES["nik_sex_mismatch"],
    )
