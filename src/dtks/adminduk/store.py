"""The database side of a match run: the persons in scope read out, the results written in.

PostgreSQL moves both sides with COPY (a million persons out in a couple of seconds, a million
results in); SQLite reads with one query and writes with executemany. Nothing here builds a
model instance per person.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import polars as pl
from django.db import connection

from dtks.core.sequences import reserve_ids
from dtks.registry.choices import RecordStatus
from dtks.registry.models import Family, Membership, Person

from .matching import PERSONS, RESULT
from .models import CurrentMatch, MatchResult

RESULTS = MatchResult._meta.db_table
CURRENT = CurrentMatch._meta.db_table
RUN_POINTERS = "adminduk_run_pointers"  # temporary: the run's (person, result) pairs
LOCK_KEY = 7390413  # pg_advisory_xact_lock: two runs write their results one after the other
WRITTEN = ("id", *RESULT, "extract_id", "matched_at")


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def scope_sql(wilayah: str | None) -> tuple[str, list[Any]]:
    """Active persons with their current, active families in `wilayah` (any level; None:
    all), one row per family: the `PERSONS` columns."""
    quote = connection.ops.quote_name
    born = "to_char(p.birth_date, 'YYYY-MM-DD')" if _postgres() else "p.birth_date"
    sql = (
        f"SELECT p.id, p.nik, p.name, {born}, p.sex, f.no_kk"
        f" FROM {quote(Person._meta.db_table)} p"
        f" JOIN {quote(Membership._meta.db_table)} m"
        " ON m.person_id = p.id AND m.end_date IS NULL"
        f" JOIN {quote(Family._meta.db_table)} f ON f.id = m.family_id AND f.status = %s"
        " WHERE p.status = %s"
    )
    params: list[Any] = [RecordStatus.ACTIVE, RecordStatus.ACTIVE]
    if wilayah:
        sql += " AND (f.desa_id = %s OR f.desa_id LIKE %s)"
        params += [wilayah, wilayah + ".%"]
    return sql, params


def read_persons(wilayah: str | None) -> pl.DataFrame:
    """The persons in scope as a `PERSONS` frame."""
    sql, params = scope_sql(wilayah)
    with connection.cursor() as cursor:
        if not _postgres():  # sqlite3 converts columns declared `date` itself
            cursor.execute(sql, params)
            return pl.DataFrame(cursor.fetchall(), schema=PERSONS, orient="row")
        buffer = io.BytesIO()
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    return pl.read_csv(buffer, has_header=False, schema=PERSONS)


def write_results(results: pl.DataFrame, *, extract_id: int, now: dt.datetime) -> None:
    """Append `results` and make them their persons' current ones (earlier results stay as
    history). Ids are reserved first, so the results and their pointers are written directly
    (COPY), never read back. Runs inside the run's transaction."""
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        stamp = connection.ops.adapt_datetimefield_value(now)
        ids = pl.Series("id", reserve_ids(MatchResult, results.height), dtype=pl.Int64)
        frame = results.with_columns(
            ids,
            pl.lit(extract_id, dtype=pl.Int64).alias("extract_id"),
            pl.lit(str(stamp)).alias("matched_at"),
        ).select(WRITTEN)
        _insert(cursor, RESULTS, frame)
        pointers = frame.select("person_id", pl.col("id").alias("result_id"))
        _point(cursor, pointers)


def _point(cursor: Any, pointers: pl.DataFrame) -> None:
    """Each person's current result: their old pointer deleted, the new one inserted."""
    if _postgres():
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {RUN_POINTERS}"
            " (person_id bigint NOT NULL, result_id bigint NOT NULL) ON COMMIT DROP"
        )
        cursor.execute(f"DELETE FROM {RUN_POINTERS}")  # a second run in one transaction
    else:
        cursor.execute(f"DROP TABLE IF EXISTS {RUN_POINTERS}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {RUN_POINTERS}"
            " (person_id integer PRIMARY KEY, result_id integer NOT NULL)"
        )
    _insert(cursor, RUN_POINTERS, pointers)
    if _postgres():
        cursor.execute(f"ANALYZE {RUN_POINTERS}")
    cursor.execute(
        f"DELETE FROM {CURRENT} WHERE person_id IN (SELECT person_id FROM {RUN_POINTERS})"
    )
    cursor.execute(
        f"INSERT INTO {CURRENT} (person_id, result_id) SELECT person_id, result_id"
        f" FROM {RUN_POINTERS}"
    )
    if not _postgres():
        cursor.execute(f"DROP TABLE {RUN_POINTERS}")


def _insert(cursor: Any, table: str, frame: pl.DataFrame) -> None:
    if frame.is_empty():
        return
    columns = ", ".join(frame.columns)
    if not _postgres():
        marks = ", ".join(["%s"] * frame.width)
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", frame.iter_rows())
        return
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())
