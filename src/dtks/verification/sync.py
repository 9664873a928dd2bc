"""Findings kept in step with what the rules found, set-based: two temporary tables, three
statements.

A run reads the persons in scope in chunks into polars (PostgreSQL: one COPY … TO STDOUT into a
spooled file; SQLite: keyset pages), and per chunk writes the ids it checked to
`verification_scope` and what the rules found to `verification_found` (COPY FROM STDIN on
PostgreSQL, executemany on SQLite). Then three statements make the open findings of the checked
persons equal the found rows: resolve those no longer found, update those whose severity, field
or message changed, insert the new ones. No `Finding` instance is built, and memory holds one
chunk at a time.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

import polars as pl
from django.db import connection
from django.db.models import QuerySet

from dtks.core.csvrecords import record_blocks
from dtks.registry.models import Person

from .models import Finding, FindingStatus, RuleLevel
from .rules.vector import PERSON_SCHEMA

SCOPE = "verification_scope"
FOUND = "verification_found"
FINDINGS = Finding._meta.db_table
MESSAGE_LENGTH = Finding._meta.get_field("message").max_length or 300
FIELDS = tuple(PERSON_SCHEMA)
ROW_BYTES = 80  # a person's rule columns as CSV, about: turns a chunk's rows into bytes
SPOOL_MEMORY = 32 << 20  # the COPY output stays in memory up to this, then goes to disk
ANALYZE_FROM = 10_000  # checked persons; below, the planner's estimate from size does well
# An open person-level finding `f`, and a found row `t` about the same rule and person.
OPEN = f"f.status = '{FindingStatus.OPEN}' AND f.level = '{RuleLevel.PERSON}'"
SAME = "WHERE t.person_id = f.person_id AND t.rule = f.rule"
# A waived finding (accepted by a verifier, with a reason) is never opened again.
OPEN_OR_WAIVED = (
    f"f.status IN ('{FindingStatus.OPEN}', '{FindingStatus.WAIVED}')"
    f" AND f.level = '{RuleLevel.PERSON}'"
)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def create_tables(cursor: Any) -> None:
    """Empty temporary tables for this run (session-local: concurrent runs in other sessions
    have their own), dropped by `drop_tables` or by the rollback of a failed run.

    PostgreSQL joins them by hash after an ANALYZE, so they get no index to keep up while they
    fill; SQLite joins by nested loops, so they get their primary keys.
    """
    if _postgres():
        key, scope_key, found_key = "bigint", "", ""
    else:
        key, scope_key, found_key = "integer", " PRIMARY KEY", ", PRIMARY KEY (person_id, rule)"
    _execute_all(
        cursor,
        *_drops(),
        f"CREATE TEMPORARY TABLE {SCOPE} (person_id {key} NOT NULL{scope_key})",
        f"CREATE TEMPORARY TABLE {FOUND} (person_id {key} NOT NULL, rule varchar(40) NOT NULL,"
        " severity varchar(8) NOT NULL, field varchar(40) NOT NULL, message text NOT NULL"
        f"{found_key})",
    )


def drop_tables(cursor: Any) -> None:
    _execute_all(cursor, *_drops())


def _drops() -> tuple[str, str]:
    return f"DROP TABLE IF EXISTS {SCOPE}", f"DROP TABLE IF EXISTS {FOUND}"


def _execute_all(cursor: Any, *statements: str) -> None:
    """Statements without parameters; on PostgreSQL in one round trip (a family's recheck
    runs at every save, where each round trip shows)."""
    if _postgres():
        cursor.execute("; ".join(statements))
    else:
        for statement in statements:
            cursor.execute(statement)


def read_persons(cursor: Any, scope: QuerySet[Person], size: int) -> Iterator[pl.DataFrame]:
    """The persons of `scope` as `PERSON_SCHEMA` frames of about `size` rows.

    PostgreSQL: one COPY of the whole scope into a spooled file, then cut into chunks. One pass
    of the scope's semi-join is ~3x faster than a keyset query per chunk, and the connection is
    free again for writing each chunk's findings. SQLite: keyset pages.
    """
    if not _postgres():
        yield from _pages(scope, size)
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
        _copy_out(cursor, scope, spool)
        for block in record_blocks(spool, size * ROW_BYTES):
            yield pl.read_csv(block, has_header=False, schema=PERSON_SCHEMA)


def _pages(scope: QuerySet[Person], size: int) -> Iterator[pl.DataFrame]:
    last = 0
    while True:
        page = scope.filter(pk__gt=last).order_by("pk").values_list(*FIELDS)[:size]
        frame = pl.DataFrame(list(page), schema=PERSON_SCHEMA, orient="row")
        if frame.is_empty():
            return
        yield frame
        last = frame["id"][-1]


def _copy_out(cursor: Any, scope: QuerySet[Person], spool: IO[bytes]) -> None:
    """The scope's rule columns as CSV into `spool`, rewound (dates as ISO whatever the
    server's DateStyle; NULL an unquoted empty field, empty text a quoted one)."""
    sql, params = (
        scope.order_by().values_list(*FIELDS).query.get_compiler(connection=connection).as_sql()
    )
    columns = ", ".join(
        "to_char(s.birth_date, 'YYYY-MM-DD')" if name == "birth_date" else f"s.{name}"
        for name in FIELDS
    )
    query = f"COPY (SELECT {columns} FROM ({sql}) s) TO STDOUT (FORMAT csv)"
    with cursor.cursor.copy(query, params) as copy:
        for block in copy:
            spool.write(block)
    spool.seek(0)


def add_chunk(cursor: Any, persons: pl.DataFrame, found: pl.DataFrame) -> None:
    """Record a chunk: the ids checked, and what was found (`FOUND_SCHEMA`, messages cut to
    the column's size)."""
    found = found.with_columns(pl.col("message").str.slice(0, MESSAGE_LENGTH))
    _write(cursor, SCOPE, persons.select(person_id="id"))
    _write(cursor, FOUND, found)


def _write(cursor: Any, table: str, frame: pl.DataFrame) -> None:
    if frame.is_empty():
        return
    if not _postgres():
        marks = ", ".join(["%s"] * frame.width)
        cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", frame.iter_rows())
        return
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    columns = ", ".join(frame.columns)
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())


def sync_findings(
    cursor: Any, *, checked: int, codes: Sequence[str], by_id: int | None, now: dt.datetime
) -> tuple[int, int, int]:
    """Make the open findings of rules `codes` on the checked persons equal the found rows;
    (opened, updated, resolved). Persons not checked are not touched."""
    if _postgres() and checked >= ANALYZE_FROM:  # autovacuum never analyses temp tables
        cursor.execute(f"ANALYZE {SCOPE}, {FOUND}")
    stamp = connection.ops.adapt_datetimefield_value(now)
    marks = ", ".join(["%s"] * len(codes))
    cursor.execute(
        f"UPDATE {FINDINGS} AS f SET status = %s, closed_at = %s, closed_by_id = %s"
        f" WHERE {OPEN} AND f.rule IN ({marks}) AND f.person_id IN (SELECT person_id FROM {SCOPE})"
        f" AND NOT EXISTS (SELECT 1 FROM {FOUND} t {SAME})",
        [FindingStatus.RESOLVED, stamp, by_id, *codes],
    )
    resolved = cursor.rowcount
    cursor.execute(
        f"UPDATE {FINDINGS} AS f SET severity = t.severity, field = t.field, message = t.message"
        f" FROM {FOUND} t {SAME} AND {OPEN}"
        " AND (f.severity <> t.severity OR f.field <> t.field OR f.message <> t.message)"
    )
    updated = cursor.rowcount
    cursor.execute(
        f"INSERT INTO {FINDINGS} (rule, severity, level, person_id, message, field, status,"
        " opened_at, waiver_reason) SELECT t.rule, t.severity, %s, t.person_id, t.message,"
        f" t.field, %s, %s, '' FROM {FOUND} t"
        f" WHERE NOT EXISTS (SELECT 1 FROM {FINDINGS} f {SAME} AND {OPEN_OR_WAIVED})",
        [RuleLevel.PERSON, FindingStatus.OPEN, stamp],
    )
    return cursor.rowcount, updated, resolved
