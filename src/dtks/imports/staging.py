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

from dtks.core.sequences import reserve_ids
from dtks.registry.choices import Relationship
from dtks.registry.models import Family, Person

from .columns import FLAT_COLUMNS
from .models import Outcome, StagedRow
from .normalize import (
    OPTIONAL_COLUMNS,
    cleaned,
    field_problems,
    normalised,
    sentence,
    with_optional_columns,
)
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
    "marital_status",
    "data_year",
)
STAGED_COLUMNS = ("batch_id", "row", *DATA_COLUMNS, "outcome", "field", "reason")
WRITTEN_COLUMNS = (*STAGED_COLUMNS, "new_person_id", "new_family_id")


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
                (pl.col(column) != "") & parent_ok & pl.col(f"__code_{level}").is_null(),
                sentence(
                    _(
                        '%(column)s "%(value)s" was not found (check the spelling and the region '
                        "above it)."
                    ),
                    column=pl.lit(column),
                    value=pl.col(column),
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
    return pl.all_horizontal([pl.col(c).fill_null("").str.strip_chars() == "" for c in columns])


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
    frame = cleaned(with_optional_columns(frame, (*FLAT_COLUMNS, *OPTIONAL_COLUMNS)))
    frame = resolve(frame, lookups)
    problems = field_problems(present, today) + region_problems(scope)
    failed = pl.any_horizontal([check for _f, check, _m in problems]).fill_null(False)
    frame = frame.with_columns(failed.alias("__failed"))
    # Reasons are written for the failing rows only: on a clean file that is none of them.
    good = frame.filter(~pl.col("__failed")).with_columns(
        pl.lit("").alias("field"), pl.lit("").alias("reason")
    )
    bad = frame.filter(pl.col("__failed")).with_columns(
        pl.coalesce([pl.when(check).then(pl.lit(f)) for f, check, _m in problems])
        .fill_null("")
        .alias("field"),
        pl.concat_str(
            [pl.when(check).then(message) for _f, check, message in problems],
            separator="; ",
            ignore_nulls=True,
        ).alias("reason"),
    )
    return pl.concat(
        [
            _staged(good, batch_id, default_year, rejected=False),
            _staged(bad, batch_id, default_year, rejected=True),
        ]
    )


def _staged(
    frame: pl.DataFrame, batch_id: int, default_year: int, *, rejected: bool
) -> pl.DataFrame:
    staged = frame.select(
        pl.lit(batch_id, dtype=pl.Int64).alias("batch_id"),
        pl.col(ROW).alias("row"),
        *normalised(default_year),
        pl.col("desa_code"),
        pl.col("field"),
        pl.col("reason"),
        # Accepted rows start as created; settling changes the few that are not (`settle`).
        pl.lit(Outcome.REJECTED.value if rejected else Outcome.CREATED.value).alias("outcome"),
    )
    if rejected:
        staged = staged.with_columns(_blank(c, staged.schema[c]) for c in DATA_COLUMNS)
    return staged.select(STAGED_COLUMNS)


def _blank(column: str, dtype: pl.DataType) -> pl.Expr:
    """Rejected rows keep only their number and reason: their values may not fit the columns."""
    return (pl.lit("") if dtype == pl.String else pl.lit(None, dtype=dtype)).alias(column)


def with_reserved_ids(staged: pl.DataFrame) -> pl.DataFrame:
    """Every accepted row gets a person id, every accepted head row a family id, reserved from
    the registry's sequences: promotion inserts them as they are (see `StagedRow`). A row that
    turns out to update a known person leaves its reserved id unused."""
    accepted = pl.col("outcome") == Outcome.CREATED.value
    heads = accepted & (pl.col("relationship") == Relationship.HEAD.value)
    n_persons = staged.select(accepted.sum()).item()
    n_families = staged.select(heads.sum()).item()
    person_ids = pl.Series(reserve_ids(Person, n_persons), dtype=pl.Int64)
    family_ids = pl.Series(reserve_ids(Family, n_families), dtype=pl.Int64)
    return staged.with_columns(
        _scatter(accepted, person_ids).alias("new_person_id"),
        _scatter(heads, family_ids).alias("new_family_id"),
    )


def _scatter(mask: pl.Expr, ids: pl.Series) -> pl.Expr:
    """`ids` laid in order onto the rows where `mask` holds; null elsewhere."""
    if ids.is_empty():
        return pl.lit(None, dtype=pl.Int64)
    position = (mask.cast(pl.Int64).cum_sum() - 1).clip(0)
    return pl.when(mask).then(pl.lit(ids).gather(position)).otherwise(None)


def write(staged: pl.DataFrame, *, reserve: bool) -> None:
    """Bulk-insert staged rows: COPY on PostgreSQL, executemany on SQLite. `reserve` gives
    them registry ids first (not for a dry run: it promotes nothing)."""
    if staged.is_empty():
        return
    staged = with_reserved_ids(staged) if reserve else staged
    names = WRITTEN_COLUMNS if reserve else STAGED_COLUMNS
    staged = staged.select(names)
    table = StagedRow._meta.db_table
    columns = ", ".join(names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            staged.write_csv(buffer, include_header=False, null_value="\\N")
            sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')"
            with cursor.cursor.copy(sql) as copy:
                copy.write(buffer.getbuffer())
        else:
            marks = ", ".join(["%s"] * len(names))
            rows = staged.with_columns(pl.col("birth_date").cast(pl.String)).rows()
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
