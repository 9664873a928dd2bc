"""Dates and sex as people type them in Indonesia, read one way everywhere.

The import (`dtks.imports.normalize`) and duplicate detection (`dtks.linkage.normalize`) both
read these columns from files people fill in by hand or in Excel. The reading lives here once,
as polars expressions over a whole column (a million cells in well under a second), with
`parse_date` and `parse_sex` applying the same expressions to one value.

Dates: `17-08-1985`, `17/8/1985`, `17.08.1985`, `17 08 1985`, `1985-08-17` (also with a time
after it, as a spreadsheet date cell reads), `17 Agustus 1985`, `17 Agt. 1985`, `17-AUG-1985`,
`17Agustus1985` (Indonesian and English month names and abbreviations), day first when the
year is last, and an Excel serial day number left in a CSV (`31264` = 5 August 1985). A bare
year (`1985`) is not a date: it is never read as an Excel serial of 1905. A date that does not
exist (`31-02-1990`) is null, and `date_and_shape` says the text had a date's shape.

Sex: 1 male, 2 female, from `L`/`P`, `Laki-laki`/`Perempuan` (any case, spacing or
punctuation: `LAKI - LAKI`, `L.`), `Pria`/`Wanita`, `LK`/`PR`, `M`/`F`/`W` and the codes `1`/`2`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

EXCEL_EPOCH = dt.date(1899, 12, 30)
MONTHS = {
    **dict.fromkeys(["JANUARI", "JANUARY", "JAN"], 1),
    **dict.fromkeys(["FEBRUARI", "PEBRUARI", "FEBRUARY", "FEB", "PEB"], 2),
    **dict.fromkeys(["MARET", "MARCH", "MAR"], 3),
    **dict.fromkeys(["APRIL", "APR"], 4),
    **dict.fromkeys(["MEI", "MAY"], 5),
    **dict.fromkeys(["JUNI", "JUNE", "JUN"], 6),
    **dict.fromkeys(["JULI", "JULY", "JUL"], 7),
    **dict.fromkeys(["AGUSTUS", "AUGUST", "AGU", "AGT", "AGS", "AUG"], 8),
    **dict.fromkeys(["SEPTEMBER", "SEPT", "SEP"], 9),
    **dict.fromkeys(["OKTOBER", "OCTOBER", "OKT", "OCT"], 10),
    **dict.fromkeys(["NOVEMBER", "NOPEMBER", "NOV", "NOP"], 11),
    **dict.fromkeys(["DESEMBER", "DECEMBER", "DES", "DEC"], 12),
}
# Keys are the typed value in capitals with everything but letters and digits removed.
SEX = {
    **dict.fromkeys(["L", "LK", "LAKI", "LAKILAKI", "PRIA", "M", "1"], 1),
    **dict.fromkeys(["P", "PR", "PEREMPUAN", "WANITA", "W", "F", "2"], 2),
}

# A time after the date: `00:00:00`, `T00:00`, `10:30 WIB`, or Excel's bare `0:00:00.000`.
_TIME = r"(?:[ T][0-9]{1,2}:[0-9]{2}.*|[ T][0-9:.]+)?"
_YMD = rf"^([0-9]{{4}})[-/.]([0-9]{{1,2}})[-/.]([0-9]{{1,2}}){_TIME}$"
_DMY = rf"^([0-9]{{1,2}})[-/. ]([0-9]{{1,2}})[-/. ]([0-9]{{4}}){_TIME}$"
_NAMED = rf"^([0-9]{{1,2}})[-/. ]*([A-Z]+)[-/. ]*([0-9]{{4}}){_TIME}$"
# Three to five digits (Excel's integer day count, perhaps with `.0`), but not a year alone.
_SERIAL = r"^([0-9]{3,5})(?:\.0+)?$"
_YEAR = r"^(19|20)[0-9]{2}(?:\.0+)?$"


def _iso(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    return pl.concat_str([year, month, day], separator="-")


def date_and_shape(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(the date or null, whether the text has a date's shape) of a column as typed: a shaped
    text whose date is null names a day that does not exist (31-02-1990)."""
    value = expr.cast(pl.String).str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars()
    ymd = value.str.extract_groups(_YMD)
    dmy = value.str.extract_groups(_DMY)
    named = value.str.extract_groups(_NAMED)
    month = (
        named.struct.field("2")
        .replace_strict(MONTHS, default=None, return_dtype=pl.Int16)
        .cast(pl.String)
    )
    serial = (
        pl.when(value.str.contains(_YEAR))
        .then(None)
        .otherwise(value.str.extract(_SERIAL).cast(pl.Int64))
    )
    iso = pl.coalesce(
        _iso(dmy.struct.field("3"), dmy.struct.field("2"), dmy.struct.field("1")),
        _iso(ymd.struct.field("1"), ymd.struct.field("2"), ymd.struct.field("3")),
        _iso(named.struct.field("3"), month, named.struct.field("1")),
    )
    parsed = pl.coalesce(
        iso.str.to_date("%Y-%m-%d", strict=False),
        pl.lit(EXCEL_EPOCH) + pl.duration(days=serial),
    )
    return parsed, iso.is_not_null() | serial.is_not_null()


def typed_date(expr: pl.Expr) -> pl.Expr:
    """The date of a column as typed (see the module docstring); null when it is none."""
    return date_and_shape(expr)[0]


def typed_sex(expr: pl.Expr) -> pl.Expr:
    """1 male, 2 female (Int8) of a column as typed (see the module docstring); null when
    unknown."""
    key = expr.cast(pl.String).str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    return key.replace_strict(SEX, default=None, return_dtype=pl.Int8)


def parse_date(value: str | None) -> dt.date | None:
    """`typed_date` of one value: `parse_date("17 Agt 1985")` → 1985-08-17."""
    return pl.select(typed_date(pl.lit(value, dtype=pl.String))).item()


def parse_sex(value: str | None) -> int | None:
    """`typed_sex` of one value: `parse_sex("Perempuan")` → 2."""
    return pl.select(typed_sex(pl.lit(value, dtype=pl.String))).item()
