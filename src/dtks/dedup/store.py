"""Candidate pairs written set-based: the run's pairs go to a temporary table (COPY on
PostgreSQL, executemany on SQLite), then three statements settle them against the queue.

- decided pairs (sama, beda) found again are counted and left exactly as they are;
- pending and deferred pairs found again get the new probability and the run;
- pairs never seen before are inserted as pending.
No `CandidatePair` instance is built: 100,000 pairs cost four statements. The pairs already
queued are taken out of the temporary table before the INSERT, so the INSERT reads nothing of
the table it writes: an anti-join against it, planned on the statistics of an empty queue (a
first run), became nested loops over every row inserted so far (37,000 pairs: 15 s).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection

from .models import DECIDED, UNDECIDED, CandidatePair, PairStatus

PAIRS = CandidatePair._meta.db_table
FOUND = "dedup_found"
SAME_PAIR = "c.person_l_id = t.person_l AND c.person_r_id = t.person_r"


@dataclass(frozen=True)
class Written:
    created: int
    updated: int
    skipped: int


def _marks(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)  # status slugs: constants, never user input


def write_pairs(pairs: pl.DataFrame, run_id: int) -> Written:
    """Settle `pairs` (`person_l, person_r, match_probability`, left below right) with the
    stored queue; must run inside the run's transaction."""
    with connection.cursor() as cursor:
        _fill_found(cursor, pairs)
        cursor.execute(
            f"SELECT COUNT(*) FROM {FOUND} t JOIN {PAIRS} c ON {SAME_PAIR}"
            f" WHERE c.status IN ({_marks(DECIDED)})"
        )
        skipped = cursor.fetchone()[0]
        cursor.execute(
            f"UPDATE {PAIRS} AS c SET match_probability = t.p, last_run_id = %s"
            f" FROM {FOUND} t WHERE {SAME_PAIR} AND c.status IN ({_marks(UNDECIDED)})",
            [run_id],
        )
        updated = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {FOUND} WHERE EXISTS (SELECT 1 FROM {PAIRS} c"
            f" WHERE c.person_l_id = {FOUND}.person_l AND c.person_r_id = {FOUND}.person_r)"
        )
        cursor.execute(
            f"INSERT INTO {PAIRS} (person_l_id, person_r_id, match_probability, status, note,"
            " first_run_id, last_run_id) SELECT t.person_l, t.person_r, t.p, %s, '', %s, %s"
            f" FROM {FOUND} t",
            [PairStatus.PENDING, run_id, run_id],
        )
        created = cursor.rowcount
        cursor.execute(f"DROP TABLE {FOUND}")
    return Written(created=created, updated=updated, skipped=skipped)


def _fill_found(cursor: Any, pairs: pl.DataFrame) -> None:
    cursor.execute(
        f"CREATE TEMPORARY TABLE {FOUND} (person_l bigint NOT NULL, person_r bigint NOT NULL,"
        " p double precision NOT NULL, PRIMARY KEY (person_l, person_r))"
    )
    if pairs.is_empty():
        return
    if connection.vendor != "postgresql":
        cursor.executemany(f"INSERT INTO {FOUND} VALUES (%s, %s, %s)", pairs.iter_rows())
        return
    buffer = io.BytesIO()
    pairs.write_csv(buffer, include_header=False)
    with cursor.cursor.copy(
        f"COPY {FOUND} (person_l, person_r, p) FROM STDIN (FORMAT csv)"
    ) as copy:
        copy.write(buffer.getvalue())
    # Autovacuum never analyses a temporary table, and may not have seen the queue grow.
    cursor.execute(f"ANALYZE {FOUND}, {PAIRS}")
