"""Time and peak memory of `dtks export --format csv|xlsx --output FILE` over the whole registry,
against PostgreSQL's own `COPY (SELECT …) TO STDOUT` of the same rows and columns, same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench3 python bench/export.py

Needs a filled registry: run `bench/import_csv.py` first (it leaves 1,000,000 imported persons)
or `bench/seed_registry.py`. Each export runs as a subprocess (`dtks export`, as the system: every
record, full NIK/No. KK); its peak resident memory is the child's own ru_maxrss (os.wait4).
The baseline is one SQL query producing the 21 export columns (regions by name, date as
dd-mm-yyyy, sex L/P, relationship code, status, perlu_perbaikan, the open findings joined by
`; `), streamed by psycopg into a CSV file. No target in issue #3 beyond reporting time and
memory; the ratio to the COPY is printed for scale. Options: --formats, --wilayah, --workdir.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import bench_url, dtks_command, run_measured, stamp

BASELINE_SQL = """
SELECT p.id_dtks AS iddtks, r1.name AS provinsi, r2.name AS kabupaten_kota,
       r3.name AS kecamatan, r4.name AS desa_kelurahan, f.address AS alamat, f.dusun, f.rt,
       f.rw, f.no_kk AS nomor_kk, p.nik AS nomor_nik, p.name AS nama,
       to_char(p.birth_date, 'DD-MM-YYYY') AS tanggal_lahir, p.birth_place AS tempat_lahir,
       CASE p.sex WHEN 1 THEN 'L' WHEN 2 THEN 'P' ELSE '' END AS jenis_kelamin,
       p.mother_name AS nama_ibu_kandung, m.relationship AS hubungan_keluarga,
       f.data_year AS tahun_data,
       CASE WHEN p.status = 'active' AND f.status = 'active' THEN 'aktif' ELSE 'nonaktif' END
           AS status,
       CASE WHEN fi.errors > 0 THEN 'ya' ELSE 'tidak' END AS perlu_perbaikan,
       coalesce(fi.messages, '') AS temuan
FROM registry_membership m
JOIN registry_person p ON p.id = m.person_id
JOIN registry_family f ON f.id = m.family_id
JOIN wilayah_region r4 ON r4.code = f.desa_id
JOIN wilayah_region r3 ON r3.code = r4.parent_id
JOIN wilayah_region r2 ON r2.code = r3.parent_id
JOIN wilayah_region r1 ON r1.code = r2.parent_id
LEFT JOIN (
    SELECT person_id, count(*) FILTER (WHERE severity = 'error') AS errors,
           string_agg(message, '; ' ORDER BY id) AS messages
    FROM verification_finding WHERE status = 'open' AND person_id IS NOT NULL
    GROUP BY person_id
) fi ON fi.person_id = p.id
WHERE m.end_date IS NULL AND f.desa_id LIKE %(prefix)s
ORDER BY f.desa_id, m.family_id, m.relationship, m.id
"""


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    parser.add_argument("--wilayah", default="", help="region code, e.g. 17.09 (default: all)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "dtks-bench")
    return parser.parse_args()


def copy_out(url: str, wilayah: str, path: Path) -> tuple[float, int]:
    """The baseline: COPY (SELECT …) TO STDOUT (FORMAT csv, HEADER) streamed into `path`."""
    import psycopg
    from psycopg import sql

    query = sql.SQL(BASELINE_SQL.replace("%(prefix)s", "{prefix}")).format(
        prefix=sql.Literal(f"{wilayah}%")
    )
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        start = time.perf_counter()
        with (
            cursor.copy(sql.SQL("COPY ({}) TO STDOUT (FORMAT csv, HEADER)").format(query)) as copy,
            path.open("wb") as handle,
        ):
            for block in copy:
                handle.write(block)
        seconds = time.perf_counter() - start
    with path.open("rb") as handle:
        rows = sum(1 for _ in handle) - 1
    return seconds, rows


def persons(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM registry_person").fetchone()[0]


def main() -> None:
    args = _args()
    url = bench_url()
    args.workdir.mkdir(parents=True, exist_ok=True)
    count = persons(url)
    if not count:
        sys.exit("The registry is empty: run bench/import_csv.py or bench/seed_registry.py first")
    print(f"{count:,} persons in the registry; {stamp()}")
    copy_path = args.workdir / "export-copy.csv"
    baseline, rows = copy_out(url, args.wilayah, copy_path)
    size = copy_path.stat().st_size / 1e6
    print(f"baseline COPY (SELECT …) TO STDOUT: {rows:,} rows, {size:.1f} MB in {baseline:.2f} s")
    for fmt in args.formats:
        out = args.workdir / f"export.{fmt}"
        cmd = dtks_command("export", "--format", fmt, "--output", str(out))
        if args.wilayah:
            cmd += ["--wilayah", args.wilayah]
        done = run_measured(cmd)
        if done.code:
            sys.exit(f"dtks export failed ({done.code}):\n{done.err[-3000:]}")
        size = out.stat().st_size / 1e6
        print(
            f"dtks export --format {fmt}: {done.seconds:.2f} s, peak RSS {done.max_rss_mb:.0f} MB,"
            f" {size:.1f} MB file | baseline (COPY TO STDOUT, CSV): {baseline:.2f} s"
            f" | ratio {done.seconds / baseline:.1f}x | {stamp()}"
        )
        print(f"  {done.err.strip().splitlines()[-1] if done.err.strip() else ''}")


if __name__ == "__main__":
    main()
