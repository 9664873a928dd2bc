"""Promotion of a settled batch into the registry: set-based SQL inside one transaction.

Families, persons and memberships are written with INSERT … SELECT and UPDATE … FROM from the
staged rows; ids come from the database in bulk and ID DTKS numbers are allotted per desa with
a window function, never one row at a time. FamilyProgram rows are never touched. The caller
holds the transaction: a crash anywhere leaves the registry as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from dtks.registry.choices import Relationship

from .settle import WRITTEN, T, _pg, analyze, fetch, run


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


def create_families(batch_id: int, now: dt.datetime) -> int:
    """One family per new No. KK, from its head's row (the only head: settled before)."""
    livestock = "CAST('{}' AS JSONB)" if _pg() else "'{}'"
    rows = f"{WRITTEN} AND s.family_id IS NULL AND s.relationship = {Relationship.HEAD.value}"
    created = run(
        _id_dtks_sql("K", "registry_family", rows, batch_id)
        + f"""INSERT INTO registry_family (id_dtks, no_kk, desa_id, address, dusun, rt, rw,
                data_year, status, inactive_reason, livestock, member_names, created_at,
                updated_at)
            SELECT {_new_id("K")}, r.no_kk, r.desa_code, r.address, r.dusun, r.rt, r.rw,
                r.data_year, 'active', '', {livestock}, '', %s, %s
            FROM r LEFT JOIN top ON top.prefix = r.prefix""",
        [batch_id, _stamp(now), _stamp(now)],
    )
    analyze("registry_family")
    run(
        f"""UPDATE {T} AS s SET family_id = f.id FROM registry_family AS f
            WHERE {WRITTEN} AND s.family_id IS NULL AND f.no_kk = s.no_kk
              AND f.status = 'active'""",
        [batch_id],
    )
    return created


def update_families(batch_id: int, now: dt.datetime) -> int:
    """Existing families take the values of their head's row (else their first row), the
    same row `settle.classify` compared them on."""
    return run(
        f"""UPDATE registry_family AS f SET desa_id = r.desa_code, address = r.address,
                dusun = r.dusun, rt = r.rt, rw = r.rw, data_year = r.data_year, updated_at = %s
            FROM (SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.family_id ORDER BY
                        CASE WHEN s.relationship = {Relationship.HEAD.value} THEN 0 ELSE 1 END,
                        s."row") AS pick
                  FROM {T} AS s WHERE s.batch_id = %s AND s.outcome <> 'rejected') AS r
            WHERE r.pick = 1 AND f.id = r.family_id
              AND (f.desa_id <> r.desa_code OR f.address <> r.address OR f.dusun <> r.dusun
                   OR f.rt <> r.rt OR f.rw <> r.rw OR f.data_year <> r.data_year)""",
        [_stamp(now), batch_id],
    )


def create_persons(batch_id: int, now: dt.datetime) -> int:
    rows = "s.batch_id = %s AND s.outcome = 'created'"
    created = run(
        _id_dtks_sql("P", "registry_person", rows, batch_id)
        + f"""INSERT INTO registry_person (id_dtks, nik, name, birth_place, birth_date, sex,
                mother_name, presence, status, inactive_reason, work_sector, chronic_illness,
                health_insurance, created_at, updated_at)
            SELECT {_new_id("P")}, r.nik, r.name, r.birth_place, r.birth_date, r.sex,
                r.mother_name, 1, 'active', '', '', '', '', %s, %s
            FROM r LEFT JOIN top ON top.prefix = r.prefix""",
        [batch_id, _stamp(now), _stamp(now)],
    )
    analyze("registry_person")
    run(
        f"""UPDATE {T} AS s SET person_id = p.id FROM registry_person AS p
            WHERE s.batch_id = %s AND s.outcome = 'created' AND p.nik = s.nik
              AND p.status = 'active'""",
        [batch_id],
    )
    return created


def update_persons(batch_id: int, now: dt.datetime) -> int:
    return run(
        f"""UPDATE registry_person AS p SET name = s.name, birth_place = s.birth_place,
                birth_date = s.birth_date, sex = s.sex, mother_name = s.mother_name,
                updated_at = %s
            FROM {T} AS s WHERE s.batch_id = %s AND s.outcome = 'updated'
              AND p.id = s.person_id""",
        [_stamp(now), batch_id],
    )


MOVED = f"""SELECT m.id FROM registry_membership AS m JOIN {T} AS s ON s.person_id = m.person_id
    WHERE {WRITTEN} AND m.end_date IS NULL AND m.family_id <> s.family_id"""
RELATED = f"""SELECT m.id FROM registry_membership AS m JOIN {T} AS s ON s.person_id = m.person_id
    WHERE {WRITTEN} AND m.end_date IS NULL AND m.family_id = s.family_id
      AND m.relationship <> s.relationship"""


def write_memberships(batch_id: int, today: dt.date) -> list[int]:
    """End memberships in a family the file moves a person out of, change relationships, add
    new memberships; the families left behind are returned (their names need refreshing)."""
    left = [
        row[0]
        for row in fetch(
            f"SELECT DISTINCT family_id FROM registry_membership WHERE id IN ({MOVED})", [batch_id]
        )
    ]
    run(
        f"""UPDATE registry_membership SET end_date = %s, end_reason = %s
            WHERE id IN ({MOVED})""",
        [_day(today), _("Moved to another KK (import)"), batch_id],
    )
    # Through "other" first: a head and a member swapping places never hold two heads at once.
    changed = [row[0] for row in fetch(RELATED, [batch_id])]
    if changed:
        run(
            f"UPDATE registry_membership SET relationship = {Relationship.OTHER.value} "
            f"WHERE id IN ({RELATED})",
            [batch_id],
        )
        run(
            f"""UPDATE registry_membership AS m SET relationship = s.relationship
                FROM {T} AS s WHERE {WRITTEN} AND s.person_id = m.person_id
                  AND m.end_date IS NULL AND m.family_id = s.family_id""",
            [batch_id],
        )
    run(
        f"""INSERT INTO registry_membership (family_id, person_id, relationship, start_date,
                end_reason)
            SELECT s.family_id, s.person_id, s.relationship, %s, '' FROM {T} AS s
            WHERE {WRITTEN} AND NOT EXISTS (SELECT 1 FROM registry_membership AS m
                WHERE m.person_id = s.person_id AND m.family_id = s.family_id
                  AND m.end_date IS NULL)""",
        [_day(today), batch_id],
    )
    return left


def promote(batch_id: int, *, now: dt.datetime, today: dt.date) -> list[int]:
    """Write the batch; returns the ids of families that lost a member to another KK."""
    create_families(batch_id, now)
    update_families(batch_id, now)
    create_persons(batch_id, now)
    update_persons(batch_id, now)
    analyze(T)
    return write_memberships(batch_id, today)
