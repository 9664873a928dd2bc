"""Primary keys reserved in bulk, so a bulk writer can name its rows before inserting them.

A set-based insert of a million rows that lets the database pick the ids must then find out
which id each source row got (a join back over the source); reserving the ids first lets the
writer carry them along and insert explicit ids. Reserved ids are consumed even when the writer
later rolls back, exactly as ids drawn by ordinary inserts are: gaps are normal.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Model


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` fresh primary keys of `model`'s table, never handed out again."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _reserve_postgresql(cursor, table, pk, count)
        if connection.vendor == "sqlite":
            return _reserve_sqlite(cursor, table, pk, count)
    raise ImproperlyConfigured(
        f"dtks runs on PostgreSQL or SQLite; reserving ids on {connection.vendor} is not supported"
    )


def _reserve_postgresql(cursor: CursorWrapper, table: str, pk: str, count: int) -> list[int]:
    """One `nextval` and one `setval` move the sequence past the block. Inserts draw from the
    sequence while holding a ROW EXCLUSIVE lock on the table, so a SHARE ROW EXCLUSIVE lock held
    for these two calls keeps every other writer out of the block (they wait a moment)."""
    quoted = connection.ops.quote_name(table)
    with transaction.atomic():
        cursor.execute(f"LOCK TABLE {quoted} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            "SELECT n.first, setval(n.seq, n.first + %s - 1) FROM ("
            "SELECT pg_get_serial_sequence(%s, %s) AS seq, "
            "nextval(pg_get_serial_sequence(%s, %s)) AS first) AS n",
            [count, table, pk, table, pk],
        )
        first = cursor.fetchone()[0]
    return list(range(first, first + count))


def _reserve_sqlite(cursor: CursorWrapper, table: str, pk: str, count: int) -> list[int]:
    """AUTOINCREMENT tables never reuse a number below `sqlite_sequence.seq`: raising it by
    `count` (inside a write transaction, so two writers cannot take the same block) reserves
    the block above it."""
    with transaction.atomic():
        cursor.execute(f'SELECT MAX("{pk}") FROM "{table}"')
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(top, row[0] if row else 0)
        if row:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + count, table]
            )
        else:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start + count]
            )
    return list(range(start + 1, start + count + 1))
