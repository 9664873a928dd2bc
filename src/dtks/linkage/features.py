"""The persons table, whatever its type, turned into the columns the model compares.

Input: `PERSON_COLUMNS` (any but `id` may be missing). Output, one row per person: `unique_id`
(the row number: joins run on integers), `id`, the normalised name and mother's name with
their sound keys and first names, the birth date as text and as numbers, NIK and No. KK
digits, birth place, desa and kecamatan, address, sex, and one hash column per block
(`model.BLOCKS`).

Every text column is normalised once per distinct value and mapped back: a million persons
carry some 160,000 names, 120,000 ways of writing a birth date and under 1,000 birth places,
so this is several times faster than normalising every row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from . import normalize as n
from .model import BLOCKS, block_column

PERSON_COLUMNS = (
    "id", "nik", "no_kk", "name", "birth_date", "birth_place", "mother_name", "desa_code",
    "address", "sex",
)  # fmt: skip


def as_polars(persons: Any) -> pl.DataFrame:
    """The persons as a polars DataFrame, whichever table type the caller holds."""
    if isinstance(persons, pl.LazyFrame):
        return persons.collect()
    if isinstance(persons, pl.DataFrame):
        return persons
    if hasattr(persons, "pl"):  # a DuckDB relation
        return persons.pl()
    module = type(persons).__module__
    if module.startswith("pandas"):
        return pl.from_pandas(persons)
    if module.startswith("pyarrow"):
        return pl.DataFrame(pl.from_arrow(persons))
    raise TypeError(f"persons must be a polars, pandas, pyarrow or DuckDB table, not {module}")


def by_value(values: pl.Series, normalise: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """`normalise` applied to each distinct value once, then mapped back onto `values`."""
    distinct = values.drop_nulls().unique()
    done = pl.select(normalise(pl.lit(distinct))).to_series()
    return values.replace_strict(distinct, done, default=None, return_dtype=done.dtype)


def features(persons: Any) -> pl.DataFrame:
    """The compared columns of `persons` (see the module docstring)."""
    frame = _person_columns(as_polars(persons))
    name = by_value(frame["name"], n.name_norm)
    mother = by_value(frame["mother_name"], n.name_norm)
    born = frame["birth_date"]
    born = (
        born.cast(pl.Date) if born.dtype in (pl.Date, pl.Datetime) else by_value(born, n.birth_date)
    )
    desa = by_value(frame["desa_code"], _code)
    table = pl.DataFrame(
        {
            "unique_id": pl.int_range(frame.height, dtype=pl.Int64, eager=True),
            "id": frame["id"],
            "name_norm": name,
            "name_key": by_value(name, n.name_key),
            "mother_norm": mother,
            "mother_key": by_value(mother, n.name_key),
            "dob_date": born,
            "nik": by_value(frame["nik"], n.digits),
            "no_kk": by_value(frame["no_kk"], n.digits),
            "birth_place": by_value(frame["birth_place"], n.place_norm),
            "desa": desa,
            "kecamatan": by_value(desa, lambda e: e.str.replace(r"\.[^.]*$", "")),
            "address": by_value(frame["address"], n.text_norm),
            "sex": by_value(frame["sex"], n.sex_code),
        }
    )
    return _derived(table).with_columns(_block_key(columns) for columns in BLOCKS)


def _person_columns(frame: pl.DataFrame) -> pl.DataFrame:
    if "id" not in frame.columns:
        raise ValueError("persons need an `id` column")
    return frame.select(
        (pl.col(c) if c in frame.columns else pl.lit(None, dtype=pl.String)).alias(c)
        for c in PERSON_COLUMNS
    ).with_columns(pl.col(c).cast(pl.String) for c in PERSON_COLUMNS if c != "birth_date")


def _code(expr: pl.Expr) -> pl.Expr:
    """A desa code (`17.09.01.2001`, or region names joined by dots) as given; blank is
    null. Its kecamatan is the code without its last part."""
    expr = expr.str.strip_chars()
    return pl.when(expr.str.len_bytes() > 0).then(expr).otherwise(None)


def _derived(table: pl.DataFrame) -> pl.DataFrame:
    dob = pl.col("dob_date")
    return table.with_columns(
        pl.col("name_norm").str.extract(r"^(\S+)").alias("name_first"),
        dob.dt.to_string("%Y-%m-%d").alias("dob"),
        dob.dt.year().alias("dob_y"),
        dob.dt.month().cast(pl.Int32).alias("dob_m"),
        dob.dt.day().cast(pl.Int32).alias("dob_d"),
        dob.cast(pl.Int32).alias("dob_days"),
        pl.col("nik").str.slice(6, 6).alias("nik_date"),
    ).drop("dob_date")


def _block_key(columns: tuple[str, ...]) -> pl.Expr:
    """A 64-bit hash of the block's columns, null when one of them is unknown."""
    known = pl.all_horizontal(pl.col(c).is_not_null() for c in columns)
    key = pl.struct(columns).hash(seed=17).reinterpret(signed=True)
    return pl.when(known).then(key).alias(block_column(columns))
