"""Promotion of a settled batch into the registry: set-based SQL inside one transaction.

Families, persons and memberships are written with INSERT … SELECT and UPDATE … FROM from the
staged rows. Their ids were reserved while staging (`staging.with_reserved_ids`), so nothing
goes back over the staged rows to learn them: `WRITTEN_TABLE` pairs each written row with its
person and family once, and the memberships, names and checks read that. ID DTKS numbers are
allotted per desa with a window function, never one row at a time; a new person keeps the
ID DTKS the file brings (records from the ministry keep their ID) unless another holds it.
FamilyProgram rows are never touched. The caller holds the transaction: a crash anywhere leaves
the registry as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from dtks.registry.choices import Relationship
from dtks.registry.models import Family
from dtks.registry.search_names import SEPARATOR, refresh_member_names

from .settle import WRITTEN, T, _pg, analyze, fetch, run

WRITTEN_TABLE = "import_written"
HEAD = Relationship.HEAD.value


def _stamp(now: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(now)


def _day(day: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def _seq(number: str) -> str:
    """A 6-digit zero-padded sequence number as SQL text."""
    if _pg():
        return f"LPAD(CAST({number} AS TEXT), 6, '0')"
    return f"SUBSTR('000000' || CAST({number} AS TEXT), -6)"


def _digits6(column: str) -> str:
    if _pg():
        return f"{column} ~ '^[0-9]{{6}}$'"
    return f"{column} GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]'"


def _tops(kind: str, table: str, rows: str, batch_id: int) -> str:
    """A `top(prefix, base)` CTE body: per desa of `rows`, the highest ID DTKS sequence already
    in `table`. Read first and inlined: one row per desa, so no plan can loop over it."""
    found = fetch(
        f"""SELECT SUBSTR(t.id_dtks, 1, 11), MAX(CAST(SUBSTR(t.id_dtks, 12) AS INTEGER))
            FROM {table} AS t
            WHERE LENGTH(t.id_dtks) = 17 AND {_digits6("SUBSTR(t.id_dtks, 12)")}
              AND SUBSTR(t.id_dtks, 1, 11) IN (
                  SELECT DISTINCT REPLACE(s.desa_code, '.', '') || '{kind}' FROM {T} AS s
                  WHERE {rows})
            GROUP BY SUBSTR(t.id_dtks, 1, 11)""",
        [batch_id],
    )
    if not found:
        return "SELECT '' AS prefix, 0 AS base WHERE 1 = 0"
    values = ", ".join(f"('{prefix}', {int(base)})" for prefix, base in found if prefix.isalnum())
    return f"SELECT column1 AS prefix, column2 AS base FROM (VALUES {values}) AS v"


def _id_dtks_sql(kind: str, table: str, rows: str, batch_id: int) -> str:
    """CTEs numbering `rows` per desa after the highest ID DTKS already in `table`."""
    return f"""WITH r AS (
            SELECT s.*, REPLACE(s.desa_code, '.', '') || '{kind}' AS prefix,
                   ROW_NUMBER() OVER (PARTITION BY s.desa_code ORDER BY s."row") AS n
            FROM {T} AS s WHERE {rows}),
        top AS ({_tops(kind, table, rows, batch_id)})
        """


def _new_id(kind: str) -> str:
    return f"r.prefix || {_seq('COALESCE(top.base, 0) + r.n')}"


def _joined_names(column: str) -> str:
    if _pg():
        return f"STRING_AGG(UPPER({column}), '{SEPARATOR}')"
    return f"GROUP_CONCAT(UPPER({column}), '{SEPARATOR}')"


def pair_written(batch_id: int) -> None:
    """`WRITTEN_TABLE`: each created or updated row with its person and family id — the known
    ones, or those reserved for it (a new KK's family id is on its head's row)."""
    run(f"DROP TABLE IF EXISTS {WRITTEN_TABLE}")
    run(
        f"""CREATE TEMP TABLE {WRITTEN_TABLE} AS
            SELECT s.id, s.person_id AS known_person, s.family_id AS known_family,
                   COALESCE(s.person_id, s.new_person_id) AS person_id,
                   COALESCE(s.family_id, h.new_family_id) AS family_id,
                   s.relationship, s.name
            FROM {T} AS s LEFT JOIN {T} AS h
              ON s.family_id IS NULL AND h.batch_id = s.batch_id AND h.no_kk = s.no_kk
             AND h.outcome IN ('created', 'updated') AND h.family_id IS NULL
             AND h.relationship = {HEAD}
            WHERE {WRITTEN}""",
        [batch_id],
    )
    if _pg():
        run(f"ANALYZE {WRITTEN_TABLE}")
    else:
        run(f"CREATE INDEX {WRITTEN_TABLE}_person ON {WRITTEN_TABLE} (known_person)")
        run(f"CREATE INDEX {WRITTEN_TABLE}_family ON {WRITTEN_TABLE} (family_id)")


def drop_written() -> None:
    run(f"DROP TABLE IF EXISTS {WRITTEN_TABLE}")


def create_families(batch_id: int, now: dt.datetime) -> int:
    """One family per new No. KK, from its head's row (the only head: settled before), with
    its members' names aggregated from the batch (all of a new family's members are in it)."""
    livestock = "CAST('{}' AS JSONB)" if _pg() else "'{}'"
    rows = f"{WRITTEN} AND s.family_id IS NULL AND s.relationship = {HEAD}"
    created = run(
        _id_dtks_sql("K", "registry_family", rows, batch_id)
        + f""", names AS (
            SELECT w.family_id, {_joined_names("w.name")} AS joined FROM {WRITTEN_TABLE} AS w
            WHERE w.known_family IS NULL GROUP BY w.family_id)
        INSERT INTO registry_family (id, id_dtks, no_kk, desa_id, address, dusun, rt, rw,
                data_year, status, inactive_reason, livestock, member_names, created_at,
                updated_at)
            SELECT r.new_family_id, {_new_id("K")}, r.no_kk, r.desa_code, r.address, r.dusun,
                r.rt, r.rw, r.data_year, 'active', '', {livestock}, COALESCE(names.joined, ''),
                %s, %s
            FROM r LEFT JOIN top ON top.prefix = r.prefix
                   LEFT JOIN names ON names.family_id = r.new_family_id""",
        [batch_id, _stamp(now), _stamp(now)],
    )
    analyze("registry_family")
    return created


def update_families(batch_id: int, now: dt.datetime) -> int:
    """Existing families take the values of their head's row (else their first row), the
    same row `settle.classify` compared them on."""
    return run(
        f"""UPDATE registry_family AS f SET desa_id = r.desa_code, address = r.address,
                dusun = r.dusun, rt = r.rt, rw = r.rw, data_year = r.data_year, updated_at = %s
            FROM (SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.family_id ORDER BY
                        CASE WHEN s.relationship = {HEAD} THEN 0 ELSE 1 END,
                        s."row") AS pick
                  FROM {T} AS s WHERE s.batch_id = %s AND s.outcome <> 'rejected'
                    AND s.family_id IS NOT NULL) AS r
            WHERE r.pick = 1 AND f.id = r.family_id
              AND (f.desa_id <> r.desa_code OR f.address <> r.address OR f.dusun <> r.dusun
                   OR f.rt <> r.rt OR f.rw <> r.rw OR f.data_year <> r.data_year)""",
        [_stamp(now), batch_id],
    )


PERSON_COLUMNS = """id, id_dtks, nik, name, birth_place, birth_date, sex, marital_status,
    mother_name, presence, status, inactive_reason, work_sector, chronic_illness,
    health_insurance, created_at, updated_at"""
PERSON_VALUES = """r.nik, r.name, r.birth_place, r.birth_date, r.sex, r.marital_status,
    r.mother_name, 1, 'active', '', '', '', '', %s, %s"""


def create_persons(batch_id: int, now: dt.datetime) -> int:
    """New persons with their reserved ids: first those whose file brings an ID DTKS no other
    person holds (once in the batch; the ministry's IDs are kept as they are), then the rest
    with IDs allotted per desa."""
    kept = run(
        f"""WITH r AS (
                SELECT s.*, COUNT(*) OVER (PARTITION BY s.id_dtks) AS holders
                FROM {T} AS s WHERE s.batch_id = %s AND s.outcome = 'created')
            INSERT INTO registry_person ({PERSON_COLUMNS})
            SELECT r.new_person_id, r.id_dtks, {PERSON_VALUES} FROM r
            WHERE r.id_dtks <> '' AND r.holders = 1
              AND NOT EXISTS (SELECT 1 FROM registry_person AS p WHERE p.id_dtks = r.id_dtks)""",
        [batch_id, _stamp(now), _stamp(now)],
    )
    rows = """s.batch_id = %s AND s.outcome = 'created'
        AND NOT EXISTS (SELECT 1 FROM registry_person AS p WHERE p.id = s.new_person_id)"""
    allotted = run(
        _id_dtks_sql("P", "registry_person", rows, batch_id)
        + f"""INSERT INTO registry_person ({PERSON_COLUMNS})
            SELECT r.new_person_id, {_new_id("P")}, {PERSON_VALUES}
            FROM r LEFT JOIN top ON top.prefix = r.prefix""",
        [batch_id, _stamp(now), _stamp(now)],
    )
    analyze("registry_person")
    return kept + allotted


def update_persons(batch_id: int, now: dt.datetime) -> int:
    """Updated persons take the file's values; a status kawin the file leaves empty is kept."""
    return run(
        f"""UPDATE registry_person AS p SET name = s.name, birth_place = s.birth_place,
                birth_date = s.birth_date, sex = s.sex, mother_name = s.mother_name,
                marital_status = COALESCE(s.marital_status, p.marital_status), updated_at = %s
            FROM {T} AS s WHERE s.batch_id = %s AND s.outcome = 'updated'
              AND p.id = s.person_id""",
        [_stamp(now), batch_id],
    )


MOVED = f"""SELECT m.id FROM registry_membership AS m
    JOIN {WRITTEN_TABLE} AS w ON w.known_person = m.person_id
    WHERE m.end_date IS NULL AND m.family_id <> w.family_id"""
RELATED = f"""SELECT m.id FROM registry_membership AS m
    JOIN {WRITTEN_TABLE} AS w ON w.known_person = m.person_id
    WHERE m.end_date IS NULL AND m.family_id = w.family_id AND m.relationship <> w.relationship"""


def write_memberships(today: dt.date) -> list[int]:
    """End memberships in a family the file moves a person out of, change relationships, add
    new memberships; the families left behind are returned (their names need refreshing)."""
    moved = f"SELECT DISTINCT family_id FROM registry_membership WHERE id IN ({MOVED})"
    left = [row[0] for row in fetch(moved)]
    run(
        f"""UPDATE registry_membership SET end_date = %s, end_reason = %s
            WHERE id IN ({MOVED})""",
        [_day(today), _("Moved to another KK (import)")],
    )
    # Through "other" first: a head and a member swapping places never hold two heads at once.
    if fetch(f"{RELATED} LIMIT 1"):
        run(
            f"UPDATE registry_membership SET relationship = {Relationship.OTHER.value} "
            f"WHERE id IN ({RELATED})"
        )
        run(
            f"""UPDATE registry_membership AS m SET relationship = w.relationship
                FROM {WRITTEN_TABLE} AS w WHERE w.known_person = m.person_id
                  AND m.end_date IS NULL AND m.family_id = w.family_id"""
        )
    run(
        f"""INSERT INTO registry_membership (family_id, person_id, relationship, start_date,
                end_reason)
            SELECT w.family_id, w.person_id, w.relationship, %s, '' FROM {WRITTEN_TABLE} AS w
            WHERE w.known_person IS NULL OR NOT EXISTS (
                SELECT 1 FROM registry_membership AS m WHERE m.person_id = w.person_id
                  AND m.family_id = w.family_id AND m.end_date IS NULL)""",
        [_day(today)],
    )
    return left


def refresh_names(left: list[int]) -> int:
    """Member names of the families whose members may have changed other than by creation:
    those that existed before the batch, and those it moved a member out of."""
    known = RawSQL(f"SELECT family_id FROM {WRITTEN_TABLE} WHERE known_family IS NOT NULL", ())
    families = Family.objects.filter(Q(pk__in=known) | Q(pk__in=left))
    return refresh_member_names(families)


def promote(batch_id: int, *, now: dt.datetime, today: dt.date) -> None:
    """Write the batch, member names included. Uses `WRITTEN_TABLE` and drops it at the end."""
    pair_written(batch_id)
    create_families(batch_id, now)
    update_families(batch_id, now)
    create_persons(batch_id, now)
    update_persons(batch_id, now)
    refresh_names(write_memberships(today))
    analyze("registry_membership")  # the checks that follow join on it
    drop_written()
