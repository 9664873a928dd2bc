"""Fast inserts for generated rows: plain tuples through `executemany`, ids assigned up front.

Building tens of thousands of model instances and inserting them with `bulk_create` costs several
times more than the data itself on SQLite (999-parameter batches, per-field preparation); the
demo must build in under a minute, so generated rows skip the ORM's instance layer. Only for
freshly generated data that already satisfies the model's constraints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

BATCH = 5000
PREPARED = (models.DateField, models.JSONField)


def next_id(model: type[models.Model]) -> int:
    """The first free primary key (call inside the writing transaction)."""
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _column_values(
    model: type[models.Model], keys: set[str]
) -> tuple[list[str], list[Callable[[dict[str, Any]], Any]]]:
    """Column names and, per column, how to get its database value from a row dict."""
    now = timezone.now()
    columns, getters = [], []
    for f in model._meta.concrete_fields:
        columns.append(connection.ops.quote_name(f.column))
        if f.attname in keys:
            if isinstance(f, PREPARED):
                getters.append(lambda row, f=f: f.get_db_prep_save(row[f.attname], connection))
            else:
                getters.append(lambda row, name=f.attname: row[name])
        else:
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            constant = f.get_db_prep_save(now if auto else f.get_default(), connection)
            getters.append(lambda row, value=constant: value)
    return columns, getters


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts keyed by attname, the same keys in every row, `id` included)."""
    if not rows:
        return
    columns, getters = _column_values(model, set(rows[0]))
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            cursor.executemany(sql, [tuple(get(row) for get in getters) for row in batch])


def reset_sequences(*model_list: type[models.Model]) -> None:
    """After explicit ids, move PostgreSQL sequences past them (a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
