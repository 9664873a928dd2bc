"""Findings kept in step with what the rules found, set-based: temporary tables, three statements
per level.

A run reads the persons in scope in chunks into polars (PostgreSQL: one COPY … TO STDOUT into a
spooled file; SQLite: keyset pages), with the facts that need other records (`person_facts`:
the other families of a person in two KKs, the other holders of a NIK) gathered once per run.
Then it reads the families in scope by ranges of ids, each with its current programs and its
current active members. Per chunk it writes the ids it checked to a scope table and what the
rules found to a found table (COPY FROM STDIN on PostgreSQL, executemany on SQLite), one pair
per level (`PERSONS`, `FAMILIES`). Then three statements per level make the open findings of the
checked subjects equal the found rows: resolve those no longer found, update those whose
severity, field or message changed, insert the new ones. No `Finding` instance is built, and
memory holds one chunk at a time.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import polars as pl
from django.db import connection
from django.db.models import Count, Q, QuerySet

from dtks.core.csvrecords import record_blocks
from dtks.registry.choices import InactiveReason, RecordStatus
from dtks.registry.models import Family, FamilyProgram, Membership, Person

from .models import Finding, FindingStatus, RuleLevel
from .rules.family_vector import FAMILY_SCHEMA, MEMBER_SCHEMA
from .rules.vector import PERSON_COLUMNS, PERSON_SCHEMA

FINDINGS = Finding._meta.db_table
MEMBERSHIPS = Membership._meta.db_table
PERSONS_TABLE = Person._meta.db_table
MESSAGE_LENGTH = Finding._meta.get_field("message").max_length or 300
FIELDS = tuple(PERSON_COLUMNS)
ROW_BYTES = 80  # a person's rule columns as CSV, about: turns a chunk's rows into bytes
SPOOL_MEMORY = 32 << 20  # the COPY output stays in memory up to this, then goes to disk
ANALYZE_FROM = 10_000  # checked subjects; below, the planner's estimate from size does well
LISTS = {"families": pl.List(pl.String()), "nik_others": pl.List(pl.String())}


@dataclass(frozen=True)
class Subjects:
    """One level of findings: its subject column and the run's two temporary tables."""

    level: str
    column: str
    scope: str
    found: str

    def open(self, alias: str = "f") -> str:
        return f"{alias}.status = '{FindingStatus.OPEN}' AND {alias}.level = '{self.level}'"

    def open_or_waived(self) -> str:
        """A waived finding (accepted by a verifier, with a reason) is never opened again."""
        return (
            f"f.status IN ('{FindingStatus.OPEN}', '{FindingStatus.WAIVED}')"
            f" AND f.level = '{self.level}'"
        )

    def same(self) -> str:
        """A found row `t` about the same rule and subject as the finding `f`."""
        return f"WHERE t.{self.column} = f.{self.column} AND t.rule = f.rule"


PERSONS = Subjects(RuleLevel.PERSON, "person_id", "verification_scope", "verification_found")
FAMILIES = Subjects(
    RuleLevel.FAMILY, "family_id", "verification_family_scope", "verification_family_found"
)
LEVELS = (PERSONS, FAMILIES)
# Kept for callers of the person level: an open person finding, and the waived ones.
OPEN = PERSONS.open()
OPEN_OR_WAIVED = PERSONS.open_or_waived()


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def create_tables(cursor: Any) -> None:
    """Empty temporary tables for this run (session-local: concurrent runs in other sessions
    have their own).

    PostgreSQL: created once per session, emptied at every commit (`ON COMMIT DELETE ROWS`)
    and at the start of a run, so a family's recheck at every save does no DDL (creating and
    dropping four tables cost it ~5 ms); joined by hash after an ANALYZE, so no index to keep
    up while they fill. SQLite: dropped and created per run (`drop_tables` after it), with
    primary keys, as it joins by nested loops.
    """
    if _postgres():
        if not connection.in_atomic_block:  # the commit of each statement would empty them
            raise RuntimeError("the checks' tables need the run's transaction")
        statements = []
        for subjects in LEVELS:
            statements += [
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({columns}) ON COMMIT DELETE ROWS"
                for table, columns in _columns(subjects, "bigint", "", "")
            ]
        tables = [table for s in LEVELS for table in (s.scope, s.found)]
        _execute_all(cursor, *statements, *(f"DELETE FROM {table}" for table in tables))
        return
    statements = list(_drops())
    for subjects in LEVELS:
        keys = ("integer", " PRIMARY KEY", f", PRIMARY KEY ({subjects.column}, rule)")
        statements += [
            f"CREATE TEMPORARY TABLE {table} ({columns})"
            for table, columns in _columns(subjects, *keys)
        ]
    _execute_all(cursor, *statements)


def _columns(subjects: Subjects, key: str, scope_key: str, found_key: str) -> list[tuple]:
    column = subjects.column
    return [
        (subjects.scope, f"{column} {key} NOT NULL{scope_key}"),
        (
            subjects.found,
            f"{column} {key} NOT NULL, rule varchar(40) NOT NULL, severity varchar(8) NOT NULL,"
            f" field varchar(40) NOT NULL, message text NOT NULL{found_key}",
        ),
    ]


def drop_tables(cursor: Any) -> None:
    """SQLite: drop the run's tables. PostgreSQL keeps them for the session; the commit
    empties them."""
    if not _postgres():
        _execute_all(cursor, *_drops())


def _drops() -> list[str]:
    tables = [table for s in LEVELS for table in (s.scope, s.found)]
    return [f"DROP TABLE IF EXISTS {table}" for table in tables]


def _execute_all(cursor: Any, *statements: str) -> None:
    """Statements without parameters; on PostgreSQL in one round trip (a family's recheck
    runs at every save, where each round trip shows)."""
    if _postgres():
        cursor.execute("; ".join(statements))
    else:
        for statement in statements:
            cursor.execute(statement)


def person_facts(scope: QuerySet[Person], persons: Any = None) -> pl.DataFrame:
    """Per person of `scope` with something to say: `families`, the ID DTKS of the active
    families they currently belong to when there are two or more, and `nik_others`, the ID
    DTKS of the other records with their NIK not settled as duplicates (the database keeps a
    NIK unique among active persons, so those are inactive). Few rows: both are defects.

    Persons in two families are found from the current memberships alone (an index-only pass,
    0.3 s for 1,000,000), narrowed to `persons` when the run names them (a family's recheck);
    a semi-join with the whole scope would cost ten times more. Rows about persons outside
    the scope are harmless: only the scope's persons are joined to them.
    """
    current = Membership.objects.filter(end_date__isnull=True)
    candidates = current if persons is None else current.filter(person__in=persons)
    several = (
        candidates.order_by()
        .values("person_id")
        .annotate(n=Count("family_id"))
        .filter(n__gt=1)
        .values("person_id")
    )
    families = (
        current.filter(family__status=RecordStatus.ACTIVE, person_id__in=several)
        .order_by()
        .values_list("person_id", "family__id_dtks")
    )
    unsettled = Person.objects.exclude(status=RecordStatus.ACTIVE).exclude(
        inactive_reason=InactiveReason.DUPLICATE
    )
    holders = scope.order_by().filter(nik__in=unsettled.values("nik"))
    holding = list(holders.values_list("pk", "nik"))
    others = (
        list(unsettled.filter(nik__in=holders.values("nik")).values_list("pk", "nik", "id_dtks"))
        if holding
        else []
    )
    return _facts(list(families), holding, others)


def _facts(families: list[tuple], holding: list[tuple], others: list[tuple]) -> pl.DataFrame:
    """The fact rows as one frame (id, families, nik_others), lists sorted."""
    text, key = pl.String(), pl.Int64()
    if not families and not holding:  # the usual case, and a family's recheck: no frame work
        return pl.DataFrame(schema={"id": key, **LISTS})
    by_family = (
        pl.DataFrame(families, schema={"id": key, "value": text}, orient="row")
        .group_by("id")
        .agg(families=pl.col("value").sort())
        .filter(pl.col("families").list.len() > 1)  # two current memberships, one inactive
    )
    holders = pl.DataFrame(holding, schema={"id": key, "nik": text}, orient="row")
    other = pl.DataFrame(others, schema={"other": key, "nik": text, "value": text}, orient="row")
    by_nik = (
        holders.join(other, on="nik")
        .filter(pl.col("id") != pl.col("other"))
        .group_by("id")
        .agg(nik_others=pl.col("value").sort())
    )
    return by_family.join(by_nik, on="id", how="full", coalesce=True)


def with_facts(persons: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """A chunk of persons with their facts, empty lists where there are none, in
    `PERSON_SCHEMA` order."""
    if facts.is_empty():
        return persons.with_columns(
            [pl.lit([], dtype).alias(name) for name, dtype in LISTS.items()]
        ).select(list(PERSON_SCHEMA))
    joined = persons.join(facts, on="id", how="left", maintain_order="left")
    return joined.with_columns(
        [pl.col(name).fill_null(pl.lit([], dtype)) for name, dtype in LISTS.items()]
    ).select(list(PERSON_SCHEMA))


def read_persons(
    cursor: Any, scope: QuerySet[Person], size: int, persons: Any = None
) -> Iterator[pl.DataFrame]:
    """The persons of `scope` as `PERSON_SCHEMA` frames of about `size` rows, with their
    `person_facts` (`persons`: those the run names, if it names them).

    PostgreSQL: one COPY of the whole scope into a spooled file, then cut into chunks. One pass
    of the scope's semi-join is ~3x faster than a keyset query per chunk, and the connection is
    free again for writing each chunk's findings. SQLite: keyset pages.
    """
    facts = person_facts(scope, persons)
    if not _postgres():
        for page in _pages(scope, size):
            yield with_facts(page, facts)
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
        _copy_out(cursor, scope, spool)
        for block in record_blocks(spool, size * ROW_BYTES):
            chunk = pl.read_csv(block, has_header=False, schema=PERSON_COLUMNS)
            yield with_facts(chunk, facts)


def _pages(scope: QuerySet[Person], size: int) -> Iterator[pl.DataFrame]:
    last = 0
    while True:
        page = scope.filter(pk__gt=last).order_by("pk").values_list(*FIELDS)[:size]
        frame = pl.DataFrame(list(page), schema=PERSON_COLUMNS, orient="row")
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


def read_families(
    cursor: Any, scope: QuerySet[Family], size: int, today: dt.date
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """The families of `scope` by ranges of `size` ids: (`FAMILY_SCHEMA` frame with the
    programs received in `today`'s month, `MEMBER_SCHEMA` frame of the current members who
    are active persons, ordered by family and person)."""
    ids = list(scope.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        first, last = ids[start], ids[min(start + size, len(ids)) - 1]
        chunk = scope.filter(pk__gte=first, pk__lte=last)
        yield _families_frame(chunk, today), _members_frame(cursor, chunk, first, last)


def _families_frame(chunk: QuerySet[Family], today: dt.date) -> pl.DataFrame:
    month = today.replace(day=1)
    programs = (
        FamilyProgram.objects.filter(family__in=chunk.values("pk"), start_month__lte=today)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
        .order_by()
        .values_list("family_id", "program")
    )
    received: dict[int, set[str]] = {}
    for family_id, program in programs:
        received.setdefault(family_id, set()).add(program)
    rows = [
        (pk, status, sorted(received.get(pk, ())))
        for pk, status in chunk.order_by("pk").values_list("pk", "status")
    ]
    return pl.DataFrame(rows, schema=FAMILY_SCHEMA, orient="row")


def _members_frame(cursor: Any, chunk: QuerySet[Family], first: int, last: int) -> pl.DataFrame:
    """Current members who are active persons, ordered by family then person. The range of
    family ids is repeated on the memberships so each chunk reads them through their family
    index rather than scanning them all."""
    families_sql, params = (
        chunk.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
    )
    born = "to_char(p.birth_date, 'YYYY-MM-DD')" if _postgres() else "p.birth_date"
    sql = (
        f"SELECT m.family_id, m.person_id, p.name, m.relationship, {born}, p.presence"
        f" FROM {MEMBERSHIPS} m JOIN {PERSONS_TABLE} p ON p.id = m.person_id"
        f" WHERE m.end_date IS NULL AND p.status = '{RecordStatus.ACTIVE}'"
        f" AND m.family_id BETWEEN %s AND %s AND m.family_id IN ({families_sql})"
        " ORDER BY m.family_id, m.person_id"
    )
    params = (first, last, *params)
    if not _postgres():  # sqlite3 converts columns declared `date` itself
        cursor.execute(sql, params)
        return pl.DataFrame(cursor.fetchall(), schema=MEMBER_SCHEMA, orient="row")
    buffer = io.BytesIO()
    with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    return pl.read_csv(buffer, has_header=False, schema=MEMBER_SCHEMA)


def add_chunk(cursor: Any, subjects: Subjects, ids: pl.Series, found: pl.DataFrame) -> None:
    """Record a chunk of one level: the ids checked, and what was found (messages cut to the
    column's size)."""
    found = found.with_columns(pl.col("message").str.slice(0, MESSAGE_LENGTH))
    _write(cursor, subjects.scope, ids.rename(subjects.column).to_frame())
    _write(cursor, subjects.found, found)


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
    cursor: Any,
    subjects: Subjects,
    *,
    checked: int,
    codes: Sequence[str],
    by_id: int | None,
    now: dt.datetime,
) -> tuple[int, int, int]:
    """Make the open findings of rules `codes` on the checked subjects of one level equal the
    found rows; (opened, updated, resolved). Subjects not checked are not touched. The found
    table is consumed: afterwards it holds only the rows that were opened."""
    if _postgres() and checked >= ANALYZE_FROM:
        # Autovacuum never analyses temp tables, and may not yet have seen the findings a
        # bulk write (an import's checks, a first run) just added: planned on stale counts,
        # these statements nest loops over a million rows for tens of minutes.
        cursor.execute(f"ANALYZE {subjects.scope}, {subjects.found}, {FINDINGS}")
    stamp = connection.ops.adapt_datetimefield_value(now)
    marks = ", ".join(["%s"] * len(codes))
    column, scope, found = subjects.column, subjects.scope, subjects.found
    same, open_ = subjects.same(), subjects.open()
    cursor.execute(
        f"UPDATE {FINDINGS} AS f SET status = %s, closed_at = %s, closed_by_id = %s"
        f" WHERE {open_} AND f.rule IN ({marks}) AND f.{column} IN (SELECT {column} FROM {scope})"
        f" AND NOT EXISTS (SELECT 1 FROM {found} t {same})",
        [FindingStatus.RESOLVED, stamp, by_id, *codes],
    )
    resolved = cursor.rowcount
    cursor.execute(
        f"UPDATE {FINDINGS} AS f SET severity = t.severity, field = t.field, message = t.message"
        f" FROM {found} t {same} AND {open_}"
        " AND (f.severity <> t.severity OR f.field <> t.field OR f.message <> t.message)"
    )
    updated = cursor.rowcount
    # The found rows that are already open or waived are taken out first, so the INSERT
    # reads no findings: an anti-join against the table being written was planned as nested
    # loops over it when its statistics said "empty" (a first run), and each loop then
    # scanned every row inserted so far (30,000 findings: 13 s).
    cursor.execute(
        f"DELETE FROM {found} WHERE EXISTS (SELECT 1 FROM {FINDINGS} f"
        f" WHERE f.{column} = {found}.{column} AND f.rule = {found}.rule"
        f" AND {subjects.open_or_waived()})"
    )
    cursor.execute(
        f"INSERT INTO {FINDINGS} (rule, severity, level, {column}, message, field, status,"
        f" opened_at, waiver_reason) SELECT t.rule, t.severity, %s, t.{column}, t.message,"
        f" t.field, %s, %s, '' FROM {found} t",
        [subjects.level, FindingStatus.OPEN, stamp],
    )
    return cursor.rowcount, updated, resolved
