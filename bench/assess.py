"""`dtks assess` over the seeded registry (1,000,000 persons, ~350,000 families) on PostgreSQL,
beside baselines measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench python bench/seed_registry.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench python bench/assess.py

The seeder leaves the housing and asset answers empty, so on first use this script fills them
(one UPDATE, drawn like `dtks.demo.synth.housing`, ~5 % of answers left unrecorded) and
analyses the table; that is preparation, not measured. Then, median of `--runs`:

- figure: `actions.assess()` in-process (the whole registry: DELETE of the last run, one
  INSERT … SELECT per 50,000 family ids, the summary counts and the audit event, committed);
- baselines: `SELECT count(*)` over families, and `COPY (SELECT <the columns a judgement
  reads>, current member count) TO STDOUT`: reading what the assessment reads, writing nothing.

Options: --runs N, --refill (draw the answers again).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from _common import load_average, setup_django, stamp

# Regsosek codes and weights as in dtks.demo.synth.housing; 5 % of each left unrecorded.
CODES = {
    "tenure": {1: 80, 2: 6, 3: 12, 5: 2},
    "floor": {8: 18, 6: 36, 5: 26, 2: 10, 7: 5, 4: 5},
    "wall": {3: 48, 1: 25, 4: 15, 2: 6, 6: 6},
    "roof": {3: 76, 2: 7, 4: 7, 7: 7, 6: 3},
    "drinking_water": {5: 30, 6: 14, 4: 15, 2: 20, 7: 8, 8: 4, 9: 4, 3: 5},
    "lighting": {1: 70, 2: 20, 3: 5, 4: 5},
    "cooking_fuel": {4: 65, 10: 30, 7: 5},
    "toilet": {1: 55, 2: 15, 4: 5, 6: 25},
}
ASSET_ODDS = {
    "asset_gas_cylinder": 0.15, "asset_refrigerator": 0.25, "asset_ac": 0.01,
    "asset_water_heater": 0.01, "asset_landline": 0.01, "asset_flat_tv": 0.15, "asset_gold": 0.05,
    "asset_computer": 0.03, "asset_motorcycle": 0.6, "asset_boat": 0.02,
    "asset_motor_boat": 0.01, "asset_car": 0.01, "asset_land": 0.4,
}  # fmt: skip
UNRECORDED = 0.05


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--refill", action="store_true")
    return parser.parse_args()


def _pick_sql(column: str, table: dict[int, int]) -> str:
    """A weighted draw from `table` over the row's own random numbers `d.r_<column>` (the code)
    and `d.n_<column>` (left unrecorded below UNRECORDED)."""
    total = sum(table.values())
    cases, upto = [], 0.0
    for code, weight in table.items():
        upto += weight / total
        cases.append(f"WHEN d.r_{column} < {upto:.6f} THEN {code}")
    cases[-1] = f"ELSE {code}"
    return f"CASE WHEN d.n_{column} < {UNRECORDED} THEN NULL {' '.join(cases)} END"


def _fill(cursor) -> None:
    """Housing and asset answers for every family, drawn in SQL (seeded: reproducible)."""
    columns = [*CODES, "floor_area", *ASSET_ODDS]
    draws = ", ".join(f"random() AS r_{c}, random() AS n_{c}" for c in columns)
    assignments = [f"{column} = {_pick_sql(column, table)}" for column, table in CODES.items()]
    assignments.append(
        f"floor_area = CASE WHEN d.n_floor_area < {UNRECORDED} THEN NULL"
        " ELSE 18 + floor(d.r_floor_area * 73)::int END"
    )
    assignments += [
        f"{c} = CASE WHEN d.n_{c} < {UNRECORDED} THEN NULL ELSE d.r_{c} < {odds} END"
        for c, odds in ASSET_ODDS.items()
    ]
    cursor.execute("SELECT setseed(0.17)")
    cursor.execute(
        f"UPDATE registry_family f SET {', '.join(assignments)}"
        f" FROM (SELECT id, {draws} FROM registry_family) d WHERE f.id = d.id"
    )
    cursor.execute("VACUUM ANALYZE registry_family")


def _prepare(refill: bool) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(wall) FROM registry_family")
        families, recorded = cursor.fetchone()
        if not families:
            sys.exit("The registry is empty: run bench/seed_registry.py first")
        if refill or recorded < families // 2:
            started = time.perf_counter()
            _fill(cursor)
            seconds = time.perf_counter() - started
            print(f"filled housing and assets of {families:,} families in {seconds:.1f} s")
    return families


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _count() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_family")
        cursor.fetchone()


def _copy_columns() -> None:
    """Read what a judgement reads: the attributes and each family's current member count."""
    from django.db import connection

    from dtks.eligibility.criteria import FACT_FIELDS

    columns = ", ".join(f"f.{name}" for name in FACT_FIELDS)
    query = (
        f"COPY (SELECT f.id, {columns}, m.n FROM registry_family f LEFT JOIN"
        " (SELECT family_id, count(*) AS n FROM registry_membership WHERE end_date IS NULL"
        " GROUP BY family_id) m ON m.family_id = f.id WHERE f.status = 'active') TO STDOUT"
    )
    with connection.cursor() as cursor, cursor.cursor.copy(query) as copy:
        sum(len(block) for block in copy)  # read to the end, as a client would


def main() -> None:
    args = _args()
    setup_django()
    from dtks.eligibility.actions import assess

    print(stamp())
    families = _prepare(args.refill)
    summary = assess()  # warm-up: caches, and the table at its steady size
    times = {"assess": [], "count": [], "copy": []}
    for _ in range(args.runs):
        times["count"].append(_timed(_count))
        times["copy"].append(_timed(_copy_columns))
        times["assess"].append(_timed(lambda: assess()))
    median = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"{families:,} families: {summary.assessed:,} assessed, {summary.flagged:,} flagged"
        f" (indikasi tidak layak), {summary.with_unknown:,} with an unknown criterion"
    )
    baselines = {
        "count": "SELECT count(*) FROM registry_family",
        "copy": "COPY of the judged columns + member counts TO STDOUT",
    }
    for name, label in baselines.items():
        ratio = median["assess"] / median[name] if median[name] else float("inf")
        print(
            f"dtks assess (median of {args.runs}): {median['assess']:.2f} s"
            f" | baseline ({label}): {median[name]:.3f} s | ratio {ratio:.1f}x"
        )
    print(f"per 100,000 families: {median['assess'] / families * 100_000:.2f} s | {load_average()}")


if __name__ == "__main__":
    main()
