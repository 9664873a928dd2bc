"""Time and peak memory of `dtks padan` (Dukcapil matching) of 1,000,000 persons against a
1,000,000-row extract on PostgreSQL, beside baselines measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench python bench/padan.py

1. The registry: the persons already in the database when there are --persons of them,
   otherwise `seed_registry.py --persons N` fills it (it empties the registry first).
2. The extract, written by one `COPY (SELECT …) TO STDOUT` of the registry's active persons in
   their current families (names in capitals as Dukcapil writes them): every 100th person's
   NIK replaced by one of someone not in DTKS (nik_not_found), every 100th another name,
   another birth date, died; every 200th another No. KK; every 300th the other sex; every 50th
   written in the old spelling (OE for U: still padan); then people not in DTKS until the file
   has a row per registry person.
3. Baselines: PostgreSQL loading the same file into an unlogged table (`COPY … FROM STDIN`)
   and joining it to the persons on NIK (`count(*)`); and polars reading the file.
4. `dtks padan FILE --json` as a subprocess, twice: run 1 (the persons' first results; earlier
   results of this script are deleted first) and run 2 (the same file again: every person's
   result superseded, history kept). Wall time (interpreter and Django start-up included), the
   child's own peak resident memory (os.wait4), the counts. Goal: well under 60 s.
MATCH RESULTS AND EXTRACTS ARE DELETED at the start.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import dtks_command, load_average, run_measured, setup_django, stamp

GOAL_SECONDS = 60.0
EXTRACT_SQL = """
SELECT CASE WHEN p.id % 100 = 97 THEN '99' || lpad(p.id::text, 14, '0') ELSE p.nik END,
       CASE WHEN p.id % 200 = 5 THEN left(f.no_kk, 12) || '9999' ELSE f.no_kk END,
       CASE WHEN p.id % 100 = 1 THEN upper(p.name) || ' WIJAYA'
            WHEN p.id % 50 = 2 THEN replace(upper(p.name), 'U', 'OE')
            ELSE upper(p.name) END,
       to_char(CASE WHEN p.id % 100 = 3 THEN p.birth_date - 400 ELSE p.birth_date END,
               'DD-MM-YYYY'),
       CASE WHEN (p.sex = 1) <> (p.id % 300 = 4) THEN 'LAKI-LAKI' ELSE 'PEREMPUAN' END,
       CASE WHEN p.id % 100 = 6 THEN 'MENINGGAL' ELSE 'HIDUP' END
FROM registry_person p
JOIN registry_membership m ON m.person_id = p.id AND m.end_date IS NULL
JOIN registry_family f ON f.id = m.family_id AND f.status = 'active'
WHERE p.status = 'active'
"""
HEADER = "nik,no_kk,nama,tanggal_lahir,jenis_kelamin,status_hidup\n"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "dtks-bench")
    parser.add_argument("--runs", type=int, default=3, help="baseline repetitions (median)")
    return parser.parse_args()


def _ensure_registry(persons: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_person WHERE status = 'active'")
        have = cursor.fetchone()[0]
    if have != persons:
        seed = Path(__file__).with_name("seed_registry.py")
        subprocess.run([sys.executable, str(seed), "--persons", str(persons)], check=True)


def write_extract(path: Path) -> int:
    """The extract (see the module docstring); its number of data rows."""
    from django.db import connection

    with connection.cursor() as cursor, path.open("wb") as out:
        out.write(HEADER.encode())
        with cursor.cursor.copy(f"COPY ({EXTRACT_SQL}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                out.write(block)
        cursor.execute(f"SELECT count(*) FROM ({EXTRACT_SQL}) s")
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM registry_person")
        wanted = cursor.fetchone()[0]
    with path.open("a") as out:  # people Dukcapil holds who are not in DTKS
        for i in range(wanted - rows):
            nik = f"98{i:014d}"
            out.write(f"{nik},{nik},WARGA LUAR DTKS,01-01-1980,LAKI-LAKI,HIDUP\n")
    return max(rows, wanted)


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def sql_join_seconds(path: Path, runs: int) -> float:
    """COPY the file into an unlogged table and count the persons joined to it on NIK."""
    from django.db import connection

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TABLE IF EXISTS bench_padan_extract; CREATE UNLOGGED TABLE"
                " bench_padan_extract (nik text, no_kk text, nama text, tanggal_lahir text,"
                " jenis_kelamin text, status_hidup text)"
            )
            with (
                cursor.cursor.copy(
                    "COPY bench_padan_extract FROM STDIN (FORMAT csv, HEADER)"
                ) as copy,
                path.open("rb") as handle,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
            cursor.execute(
                "SELECT count(*) FROM registry_person p JOIN bench_padan_extract e"
                " ON e.nik = p.nik WHERE p.status = 'active'"
            )
            cursor.fetchone()
            cursor.execute("DROP TABLE bench_padan_extract")
        times.append(time.perf_counter() - started)
    return _median(times)


def polars_read_seconds(path: Path, runs: int) -> float:
    import polars as pl

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        pl.read_csv(path, infer_schema=False)
        times.append(time.perf_counter() - started)
    return _median(times)


def _clear_results() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE adminduk_matchresult, adminduk_dukcapilextract")


def run_padan(path: Path, label: str, join: float, read: float) -> None:
    env = {"DTKS_DATA_DIR": str(path.parent / "data")}
    done = run_measured(dtks_command("padan", str(path), "--json", "-v", "0"), env)
    if done.code:
        sys.exit(f"dtks padan failed:\n{done.err}")
    counts = json.loads(done.out.strip().splitlines()[-1])
    print(
        f"{label}: {done.seconds:.2f} s wall, peak RSS {done.max_rss_mb:.0f} MB, matching"
        f" {counts['seconds']:.2f} s before commit | {counts['persons']:,} persons,"
        f" {counts['padan']:,} padan, {counts['tidak_padan']:,} tidak padan"
        f" ({100 * counts['padan'] / counts['persons']:.2f} %), reasons {counts['reasons']},"
        f" rows {counts['read']:,} read / {counts['rejected']:,} rejected"
    )
    verdict = "OK" if done.seconds <= GOAL_SECONDS else "MISSED"
    print(
        f"{label}: ratio {done.seconds / join:.1f}x the COPY + join on NIK ({join:.2f} s),"
        f" {done.seconds / read:.0f}x polars reading the file ({read:.2f} s)"
        f" | goal <= {GOAL_SECONDS:g} s: {verdict} | {load_average()}"
    )


def main() -> None:
    args = _args()
    setup_django()
    os.environ.setdefault("DTKS_DATA_DIR", str(args.workdir / "data"))
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(stamp())
    _ensure_registry(args.persons)
    path = args.workdir / f"dukcapil-{args.persons}.csv"
    started = time.perf_counter()
    rows = write_extract(path)
    print(f"extract: {rows:,} rows, {path.stat().st_size / 2**20:.0f} MB written in"
          f" {time.perf_counter() - started:.1f} s")  # fmt: skip
    join = sql_join_seconds(path, args.runs)
    read = polars_read_seconds(path, args.runs)
    print(f"baselines: COPY + join {join:.2f} s, polars read {read:.2f} s | {load_average()}")
    _clear_results()
    run_padan(path, "run 1 (first results)", join, read)
    run_padan(path, "run 2 (every result superseded)", join, read)


if __name__ == "__main__":
    main()
