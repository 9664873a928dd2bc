"""One chunk of a file → validated, normalised staged rows, written in bulk.

Everything one row can be judged on alone is judged here, as polars expressions over the
chunk: required fields, the Excel trap, dates, codes, regions, and the importer's area.
Checks that need the whole file or the registry run afterwards in SQL (`promote`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import polars as pl
from django.db import connection
from django.utils.translation import gettext as _

from .columns import FLAT_COLUMNS
from .models import Outcome, StagedRow
from .normalize import field_problems, normalised, sentence, text, with_optional_columns
from .readers import NUMERIC_KK, NUMERIC_NIK, ROW
from .regions import LEVEL_COLUMNS, resolve

DATA_COLUMNS = (
    "id_dtks",
    "desa_code",
    "address",
    "dusun",
    "rt",
    "rw",
    "no_kk",
    "nik",
    "name",
    "birth_date",
    "birth_place",
    "sex",
    "mother_name",
    "relationship",
    "data_year",
)
STAGED_COLUMNS = ("batch_id", "row", *DATA_COLUMNS, "outcome", "field", "reason")


@dataclass(frozen=True)
class Scope:
    """Where the rows may go: the `--wilayah` chosen and the importer's area (None = all)."""

    wilayah: str | None
    area: tuple[str, ...] | None


def _inside(codes: tuple[str, ...]) -> pl.Expr:
    desa = pl.col("desa_code")
    return pl.any_horizontal(
        [(desa == code) | desa.str.starts_with(code + ".") for code in codes] or [pl.lit(False)]
    )


def region_problems(scope: Scope) -> list[tuple[str, pl.Expr, pl.Expr]]:
    found = []
    for level, column in LEVEL_COLUMNS.items():
        parent_ok = pl.lit(True) if level == 1 else pl.col(f"__code_{level - 1}").is_not_null()
        found.append(
            (
                column,
                (text(column) != "") & parent_ok & pl.col(f"__code_{level}").is_null(),
                sentence(
                    _(
                        '%(column)s "%(value)s" was not found (check the spelling and the region '
                        "above it)."
                    ),
                    column=pl.lit(column),
                    value=text(column),
                ),
            )
        )
    resolved = pl.col("desa_code").is_not_null()
    if scope.wilayah:
        found.append(
            (
                "desa_kelurahan",
                resolved & ~_inside((scope.wilayah,)),
                pl.lit(
                    _("desa_kelurahan lies outside the region %(wilayah)s chosen for this import.")
                    % {"wilayah": scope.wilayah}
                ),
            )
        )
    if scope.area is not None:
        found.append(
            (
                "desa_kelurahan",
                resolved & ~_inside(scope.area),
                pl.lit(_("desa_kelurahan lies outside your area.")),
            )
        )
    return found


def blank(frame: pl.DataFrame, columns: list[str]) -> pl.Expr:
    """A row whose every cell is empty or spaces: skipped, not counted as data."""
    return pl.all_horizontal([text(c) == "" for c in columns])


def prepare(
    frame: pl.DataFrame,
    *,
    batch_id: int,
    lookups: dict[int, pl.DataFrame],
    scope: Scope,
    today: dt.date,
    default_year: int,
) -> pl.DataFrame:
    """The chunk's data rows as staged rows: normalised values, or the reason they fail."""
    data_columns = [c for c in frame.columns if c not in (ROW, NUMERIC_NIK, NUMERIC_KK)]
    frame = frame.filter(~blank(frame, data_columns))
    present = set(frame.columns)
    frame = with_optional_columns(frame, FLAT_COLUMNS)
    frame = resolve(frame, lookups)
    problems = field_problems(present, today) + region_problems(scope)
    reason = pl.concat_str(
        [pl.when(failed).then(message) for _f, failed, message in problems],
        separator="; ",
        ignore_nulls=True,
    )
    field = pl.coalesce([pl.when(failed).then(pl.lit(f)) for f, failed, _m in problems])
    staged = frame.select(
        pl.lit(batch_id, dtype=pl.Int64).alias("batch_id"),
        pl.col(ROW).alias("row"),
        *normalised(default_year),
        pl.col("desa_code"),
        field.fill_null("").alias("field"),
        reason.fill_null("").alias("reason"),
    )
    rejected = pl.col("reason") != ""
    return staged.with_columns(
        pl.when(rejected)
        .then(pl.lit(Outcome.REJECTED.value))
        .otherwise(pl.lit(""))
        .alias("outcome"),
        *[_blank_when_rejected(c, staged.schema[c], rejected) for c in DATA_COLUMNS],
    ).select(STAGED_COLUMNS)


def _blank_when_rejected(column: str, dtype: pl.DataType, rejected: pl.Expr) -> pl.Expr:
    """Rejected rows keep only their number and reason: their values may not fit the columns."""
    empty = pl.lit("") if dtype == pl.String else pl.lit(None, dtype=dtype)
    return pl.when(rejected).then(empty).otherwise(pl.col(column)).alias(column)


def write(staged: pl.DataFrame) -> None:
    """Bulk-insert staged rows: COPY on PostgreSQL, executemany on SQLite."""
    if staged.is_empty():
        return
    table = StagedRow._meta.db_table
    columns = ", ".join(STAGED_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            staged.write_csv(buffer, include_header=False, null_value="\\N")
            sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')"
            with cursor.cursor.copy(sql) as copy:
                copy.write(buffer.getvalue())
        else:
            marks = ", ".join(["%s"] * len(STAGED_COLUMNS))
            rows = staged.with_columns(pl.col("birth_date").cast(pl.String)).rows()
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
