"""Checks that need the whole file or the registry, in set-based SQL over the staged rows.

After every chunk is staged, `settle` rejects what only the whole batch reveals (a NIK twice
in the file, a family without exactly one head, a NIK or No. KK held outside the importer's
area) and classifies the rest as created / updated / unchanged, keeping for each update the
registry values it replaces. Nothing in the registry changes here (a dry run stops after it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from dtks.registry.choices import Relationship

from .models import Outcome, StagedRow

T = StagedRow._meta.db_table
# Accepted rows are staged as `created` and stay so unless settling finds otherwise: on a file
# of new records (the bulk case) no statement has to rewrite every staged row.
PENDING = "s.batch_id = %s AND s.outcome = 'created'"
WRITTEN = "s.batch_id = %s AND s.outcome IN ('created', 'updated')"


def run(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _json(pairs: dict[str, str]) -> str:
    function = "jsonb_build_object" if _pg() else "json_object"
    args = ", ".join(f"'{key}', {value}" for key, value in pairs.items())
    return f"{function}({args})"


def _area_sql(column: str, area: tuple[str, ...]) -> tuple[str, list[str]]:
    """`column` inside one of the codes (a prefix match on dotted codes)."""
    if not area:
        return "1 = 0", []
    parts, params = [], []
    for code in area:
        parts.append(f"({column} = %s OR {column} LIKE %s)")
        params += [code, code + ".%"]
    return "(" + " OR ".join(parts) + ")", params


def analyze(*tables: str) -> None:
    """Fresh planner statistics after a bulk write (PostgreSQL): a table that autovacuum has
    not yet seen looks empty, and a nested loop over 100,000 staged rows then runs for minutes."""
    if _pg():
        for table in tables:
            run(f"ANALYZE {table}")


# The staged columns settling and promotion join, group and filter on: their statistics are
# what the plans need, and sampling these seven costs a fraction of all thirty.
STAGED_KEYS = "(batch_id, outcome, nik, no_kk, person_id, family_id, relationship)"


def reject_duplicates(batch_id: int) -> int:
    """Every later occurrence of a NIK already in an earlier row of the file."""
    template = _("NIK also appears in row %(row)s of this file.")
    return run(
        f"""UPDATE {T} AS s SET outcome = 'rejected', field = 'nomor_nik',
               reason = REPLACE(%s, %s, CAST(d.first_row AS TEXT))
            FROM (SELECT nik, MIN("row") AS first_row FROM {T}
                  WHERE batch_id = %s AND outcome = 'created' GROUP BY nik HAVING COUNT(*) > 1) AS d
            WHERE {PENDING} AND s.nik = d.nik AND s."row" > d.first_row""",
        [template, "%(row)s", batch_id, batch_id],
    )


def match_registry(batch_id: int) -> None:
    """Point each row at the active person with its NIK and the active family with its KK
    (one pass over the staged rows: each pass rewrites every row it touches)."""
    run(
        f"""UPDATE {T} AS s SET person_id = k.person_id, family_id = k.family_id
            FROM (SELECT x.id, p.id AS person_id, f.id AS family_id FROM {T} AS x
                  LEFT JOIN registry_person AS p ON p.nik = x.nik AND p.status = 'active'
                  LEFT JOIN registry_family AS f ON f.no_kk = x.no_kk AND f.status = 'active'
                  WHERE x.batch_id = %s AND x.outcome = 'created'
                    AND (p.id IS NOT NULL OR f.id IS NOT NULL)) AS k
            WHERE s.id = k.id""",
        [batch_id],
    )


def reject_outside_area(batch_id: int, area: tuple[str, ...] | None) -> None:
    """A No. KK or NIK already held by a record outside the importer's area: refused, with a
    message that reveals nothing about that record."""
    if area is None:
        return
    inside, params = _area_sql("f.desa_id", area)
    run(
        f"""UPDATE {T} AS s SET outcome = 'rejected', field = 'nomor_kk', reason = %s
            FROM registry_family AS f
            WHERE {PENDING} AND f.id = s.family_id AND NOT {inside}""",
        [_("No. KK is already registered in DTKS; contact Dinas Sosial."), batch_id, *params],
    )
    run(
        f"""UPDATE {T} AS s SET outcome = 'rejected', field = 'nomor_nik', reason = %s
            FROM registry_membership AS m JOIN registry_family AS f ON f.id = m.family_id
            WHERE {PENDING} AND m.person_id = s.person_id AND m.end_date IS NULL
              AND f.no_kk <> s.no_kk AND NOT {inside}""",
        [_("NIK is already registered in DTKS; contact Dinas Sosial."), batch_id, *params],
    )


def reject_split_families(batch_id: int) -> int:
    """Every row of a No. KK whose rows name more than one desa/kelurahan: a family lives in
    one desa, and choosing one of them would move the others silently."""
    template = _(
        "The rows of No. KK %(no_kk)s name %(count)s different desa/kelurahan; a family "
        "lives in one desa. Correct desa_kelurahan on its rows."
    )
    return run(
        f"""UPDATE {T} AS s SET outcome = 'rejected', field = 'desa_kelurahan',
               reason = REPLACE(REPLACE(%s, %s, d.no_kk), %s, CAST(d.places AS TEXT))
            FROM (SELECT no_kk, COUNT(DISTINCT desa_code) AS places FROM {T}
                  WHERE batch_id = %s AND outcome = 'created' GROUP BY no_kk
                  HAVING COUNT(DISTINCT desa_code) > 1) AS d
            WHERE {PENDING} AND s.no_kk = d.no_kk""",
        [template, "%(no_kk)s", "%(count)s", batch_id, batch_id],
    )


def reject_own_family(batch_id: int, nik: str, no_kk: str) -> int:
    """Every row of a No. KK that holds the importer's own NIK or is their own No. KK: an
    officer never writes their own family (conflict of interest, Kepmensos 73/HUK/2024)."""
    if not (nik or no_kk):
        return 0
    return run(
        f"""UPDATE {T} AS s SET outcome = 'rejected', field = 'nomor_kk', reason = %s
            WHERE {PENDING} AND s.no_kk IN (
                SELECT x.no_kk FROM {T} AS x WHERE x.batch_id = %s AND x.outcome = 'created'
                  AND (x.nik = %s OR x.no_kk = %s))""",
        [
            _(
                "Conflict of interest: this is your own family (your NIK or No. KK). Ask "
                "another officer to import it."
            ),
            batch_id,
            batch_id,
            nik or "-",
            no_kk or "-",
        ],
    )


def reject_headless(batch_id: int) -> int:
    """Every row of a No. KK whose family would not have exactly one head after the import
    (the heads in the file plus current heads of the family the file leaves in place)."""
    template = _(
        "The family with No. KK %(no_kk)s would have %(count)s heads (kepala keluarga); "
        "it needs exactly one."
    )
    head = Relationship.HEAD.value
    return run(
        f"""UPDATE {T} AS s SET outcome = 'rejected', field = 'hubungan_keluarga',
               reason = REPLACE(REPLACE(%s, %s, h.no_kk), %s, CAST(h.heads AS TEXT))
            FROM (SELECT x.no_kk,
                         SUM(CASE WHEN x.relationship = {head} THEN 1 ELSE 0 END)
                         + COALESCE(MAX(k.kept), 0) AS heads
                  FROM {T} AS x LEFT JOIN (
                      SELECT m.family_id, COUNT(*) AS kept FROM registry_membership AS m
                      WHERE m.end_date IS NULL AND m.relationship = {head}
                        AND m.person_id NOT IN (
                            SELECT person_id FROM {T}
                            WHERE batch_id = %s AND outcome = 'created' AND person_id IS NOT NULL)
                      GROUP BY m.family_id) AS k ON k.family_id = x.family_id
                  WHERE x.batch_id = %s AND x.outcome = 'created'
                  GROUP BY x.no_kk) AS h
            WHERE {PENDING} AND s.no_kk = h.no_kk AND h.heads <> 1""",
        [template, "%(no_kk)s", "%(count)s", batch_id, batch_id, batch_id],
    )


PERSON_DIFFERS = """(p.name <> s.name OR p.birth_date <> s.birth_date OR p.sex <> s.sex
    OR p.birth_place <> s.birth_place OR p.mother_name <> s.mother_name
    OR s.marital_status IS NOT NULL
       AND (p.marital_status IS NULL OR p.marital_status <> s.marital_status)
    OR NOT EXISTS (SELECT 1 FROM registry_membership AS m WHERE m.person_id = s.person_id
        AND m.end_date IS NULL AND m.family_id = s.family_id
        AND m.relationship = s.relationship)
    OR r.pick = 1 AND EXISTS (SELECT 1 FROM registry_family AS f WHERE f.id = s.family_id
        AND (f.desa_id <> s.desa_code OR f.address <> s.address OR f.dusun <> s.dusun
             OR f.rt <> s.rt OR f.rw <> s.rw OR f.data_year <> s.data_year)))"""

CURRENT = "FROM registry_membership AS m JOIN registry_family AS f ON f.id = m.family_id"
CURRENT_WHERE = "WHERE m.person_id = p.id AND m.end_date IS NULL"


def _before() -> str:
    """The registry's values for an updated row, in the file's column names."""
    family = f"{CURRENT} {CURRENT_WHERE}"
    return _json(
        {
            "nama": "p.name",
            "tanggal_lahir": "p.birth_date",
            "jenis_kelamin": "p.sex",
            "tempat_lahir": "p.birth_place",
            "nama_ibu_kandung": "p.mother_name",
            "status_kawin": "p.marital_status",
            "nomor_kk": f"(SELECT f.no_kk {family} LIMIT 1)",
            "hubungan_keluarga": f"(SELECT m.relationship {family} LIMIT 1)",
            "desa_kelurahan": f"(SELECT f.desa_id {family} LIMIT 1)",
            "alamat": f"(SELECT f.address {family} LIMIT 1)",
            "dusun": f"(SELECT f.dusun {family} LIMIT 1)",
            "rt": f"(SELECT f.rt {family} LIMIT 1)",
            "rw": f"(SELECT f.rw {family} LIMIT 1)",
            "tahun_data": f"(SELECT f.data_year {family} LIMIT 1)",
        }
    )


def classify(batch_id: int) -> None:
    """Created (NIK new: the staged outcome stays), updated (a value differs; `before` kept),
    else unchanged."""
    known = f"{PENDING} AND s.person_id IS NOT NULL"
    if not fetch(f"SELECT 1 FROM {T} AS s WHERE {known} LIMIT 1", [batch_id]):
        return
    # Family values are compared on the row that carries them into the registry only (the
    # head's row, else the first row of the KK), as `promote.update_families` writes them.
    run(
        f"""UPDATE {T} AS s SET outcome = 'updated', before = {_before()}
            FROM registry_person AS p, (
                SELECT x.id, ROW_NUMBER() OVER (PARTITION BY x.no_kk ORDER BY
                    CASE WHEN x.relationship = {Relationship.HEAD.value} THEN 0 ELSE 1 END,
                    x."row") AS pick
                FROM {T} AS x WHERE x.batch_id = %s AND x.outcome = 'created') AS r
            WHERE {known} AND p.id = s.person_id AND r.id = s.id AND {PERSON_DIFFERS}""",
        [batch_id, batch_id],
    )
    run(f"UPDATE {T} AS s SET outcome = 'unchanged' WHERE {known}", [batch_id])


def settle(
    batch_id: int,
    area: tuple[str, ...] | None,
    *,
    dry_run: bool = False,
    importer: tuple[str, str] = ("", ""),
) -> None:
    """Every staged row gets its outcome; nothing in the registry changes. A dry run stops
    here, so it skips the statistics only promotion would use. `importer` is the user's own
    (NIK, No. KK)."""
    if _pg():
        # Sorts and hashes over a whole batch: the default 4 MB would spill them to disk.
        # For the rest of the caller's transaction only (promotion included).
        fetch("SELECT set_config('work_mem', %s, true)", [settings.DTKS_IMPORT_WORK_MEM])
    analyze(T + STAGED_KEYS)
    reject_duplicates(batch_id)
    match_registry(batch_id)
    reject_outside_area(batch_id, area)
    reject_split_families(batch_id)
    reject_own_family(batch_id, *importer)
    reject_headless(batch_id)
    classify(batch_id)
    if not dry_run:
        analyze(T + STAGED_KEYS)


def counts(batch_id: int) -> dict[str, int]:
    found = dict(
        fetch(f"SELECT outcome, COUNT(*) FROM {T} WHERE batch_id = %s GROUP BY outcome", [batch_id])
    )
    result = {o.value: int(found.get(o.value, 0)) for o in Outcome}
    result["total"] = sum(result.values())
    return result
