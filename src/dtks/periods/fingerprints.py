"""Per-family fingerprints, computed in one set-based statement.

A fingerprint is the family's identifiers, desa, number of current active members and the MD5
of its attributes followed by its current active members' attributes (ordered by person id).
Two fingerprints of the same family differ exactly when one of those attributes, or who its
active members are, changed. Both engines compute it in SQL: PostgreSQL with `md5` and
`string_agg … ORDER BY`; SQLite with the `MD5` function Django registers and `group_concat`
over rows already ordered by (family, person). Digests are compared only within one database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

from dtks.registry.models import Family, Membership, Person

from .models import FamilyFingerprint

FAMILY_FIELDS = (
    "id_dtks", "no_kk", "desa_id", "address", "dusun", "rt", "rw", "data_year", "status",
    "tenure", "floor_area", "floor", "wall", "roof", "drinking_water", "lighting", "power",
    "cooking_fuel", "toilet", "sewage", "asset_gas_cylinder", "asset_refrigerator", "asset_ac",
    "asset_water_heater", "asset_landline", "asset_flat_tv", "asset_gold", "asset_computer",
    "asset_motorcycle", "asset_boat", "asset_motor_boat", "asset_car", "asset_land", "desil",
)  # fmt: skip
PERSON_FIELDS = (
    "id", "id_dtks", "nik", "name", "birth_place", "birth_date", "sex", "marital_status",
    "mother_name", "presence", "status",
)  # fmt: skip


@dataclass(frozen=True)
class Fingerprint:
    family_id: int
    id_dtks: str
    no_kk: str
    desa_code: str
    members: int
    digest: str


def _text(alias: str, fields: tuple[str, ...]) -> str:
    """`a.x || '|' || a.y …` with NULL as empty text (column names are ours, not input)."""
    parts = [f"COALESCE(CAST({alias}.{connection.ops.quote_name(f)} AS TEXT), '')" for f in fields]
    return " || '|' || ".join(parts)


def _aggregate(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"STRING_AGG({expr}, ';' ORDER BY mp.person_id)"
    return f"GROUP_CONCAT({expr}, ';')"


def _order() -> str:
    """SQLite's `group_concat` keeps the order rows arrive in; PostgreSQL orders in the
    aggregate, so it need not sort a million member rows first."""
    return "" if connection.vendor == "postgresql" else "ORDER BY m.family_id, p.id"


def _select_sql() -> str:
    """One row per active family of data year ≤ %s: id, id_dtks, no_kk, desa, members, digest."""
    family, person = Family._meta.db_table, Person._meta.db_table
    membership = Membership._meta.db_table
    member_text = f"CAST(m.relationship AS TEXT) || '|' || {_text('p', PERSON_FIELDS)}"
    return f"""
        SELECT f.id, f.id_dtks, f.no_kk, f.desa_id, COUNT(mp.person_id),
               MD5({_text("f", FAMILY_FIELDS)} || '#' || COALESCE({_aggregate("mp.txt")}, ''))
        FROM {family} f
        LEFT JOIN (
            SELECT m.family_id, p.id AS person_id, {member_text} AS txt
            FROM {membership} m JOIN {person} p ON p.id = m.person_id
            WHERE m.end_date IS NULL AND p.status = 'active'
            {_order()}
        ) mp ON mp.family_id = f.id
        WHERE f.status = 'active' AND f.data_year <= %s
        GROUP BY f.id, f.id_dtks, f.no_kk, f.desa_id
    """


def write_fingerprints(period_id: int, year: int) -> int:
    """Insert the fingerprints of the recap's families of `year` under the period; how many."""
    table = FamilyFingerprint._meta.db_table
    columns = "period_id, family_id, id_dtks, no_kk, desa_code, members, digest"
    select = _select_sql().replace("SELECT f.id,", "SELECT %s, f.id,", 1)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", [period_id, year])
        return cursor.rowcount


def live_fingerprints(year: int) -> Iterator[Fingerprint]:
    """The fingerprints the registry would get if the period of `year` closed now."""
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(), [year])
        while rows := cursor.fetchmany(10_000):
            for row in rows:
                yield Fingerprint(*row)


def stored_fingerprints(period_id: int) -> Iterator[Fingerprint]:
    """The fingerprints frozen when the period closed."""
    rows = FamilyFingerprint.objects.filter(period_id=period_id).values_list(
        "family_id", "id_dtks", "no_kk", "desa_code", "members", "digest"
    )
    for row in rows.iterator(chunk_size=10_000):
        yield Fingerprint(*row)
