"""Peak memory of a flat CSV import at two file sizes: streaming keeps it flat in file size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench3 python bench/import_memory.py

For each size (--rows, default 100,000 and 1,000,000 persons; the files are written once by
`make_flat_csv.py` into --workdir and reused):
1. reader: a child process opens the file with `dtks.imports.readers.open_table` and consumes
   every chunk (no database); its own peak resident memory (ru_maxrss, os.wait4);
2. import: `dtks import FILE --dry-run --json` as a child process: reading, validating and
   staging every row and settling the batch in SQL, writing nothing to the registry; its own
   peak resident memory. The batches it leaves are deleted afterwards.
Baseline, same run: the smallest size's figure; the ratio of each larger size to it says how
memory grows with the file (flat: about 1.0-1.3; proportional: the ratio of the file sizes). The
smallest default is a single chunk (DTKS_IMPORT_CHUNK_ROWS, 100,000 rows); the peak rises over
the first few chunks, then holds (`--rows 100000 250000 1000000 3000000` shows it). Start-up (a
child that imports the reader and opens the file's header only) is printed for reference.

The database is migrated and loaded with `load_wilayah --only 17.09` (both idempotent); it is
not dropped. Goal: import <= 1 GB at 1,000,000 rows, and flat in file size.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from _common import bench_url, dtks_command, run_measured, setup_django, stamp
from import_csv import counts_of, flat_file, import_env

MEMORY_GOAL_MB = 1024
FLAT_GOAL = 1.3


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "dtks-bench")
    parser.add_argument("--no-import", action="store_true", help="measure the reader only")
    parser.add_argument("--child", choices=["read", "open"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def child(mode: str, path: Path) -> None:
    """In the measured child: open the file, and (mode `read`) consume every chunk."""
    setup_django(postgres=False)
    from dtks.imports.readers import open_table

    table = open_table(path)
    rows = chunks = 0
    if mode == "read":
        for chunk in table.chunks:
            rows += chunk.height
            chunks += 1
    print(json.dumps({"rows": rows, "chunks": chunks, "columns": len(table.columns)}))


def measure_child(mode: str, path: Path, env: dict[str, str]) -> tuple[float, dict]:
    script = str(Path(__file__).resolve())
    done = run_measured([sys.executable, script, "--child", mode, "--file", str(path)], env)
    if done.code:
        sys.exit(f"reader child failed ({done.code}):\n{done.err[-3000:]}")
    return done.max_rss_mb, counts_of(done.out)


def prepare_database(env: dict[str, str]) -> None:
    for args in (("migrate", "-v", "0"), ("load_wilayah", "--only", "17.09", "-v", "0")):
        done = run_measured(dtks_command(*args), env)
        if done.code:
            sys.exit(f"dtks {' '.join(args)} failed:\n{done.err}")


def forget_dry_runs(path: Path) -> None:
    """Delete the batches (and their staged rows) the dry runs of `path` left behind."""
    from django.db import connection

    from dtks.imports.models import ImportBatch, StagedRow

    batches = ImportBatch.objects.filter(original_name=path.name, dry_run=True)
    ids = list(batches.values_list("pk", flat=True))
    if ids:
        with connection.cursor() as cursor:  # a bulk delete: no per-row cascade in Python
            cursor.execute(
                f"DELETE FROM {StagedRow._meta.db_table} WHERE batch_id = ANY(%s)", [ids]
            )
        batches.delete()


def measure_import(path: Path, env: dict[str, str]) -> tuple[float, dict, float]:
    cmd = dtks_command("import", str(path), "--dry-run", "--json", "-v", "0")
    done = run_measured(cmd, env)
    forget_dry_runs(path)
    if done.code:
        sys.exit(f"dtks import failed ({done.code}):\n{done.err[-3000:]}\n{done.out[-2000:]}")
    return done.max_rss_mb, counts_of(done.out), done.seconds


def ratio_lines(name: str, peaks: dict[int, float]) -> None:
    small = min(peaks)
    for large in sorted(peaks)[1:]:
        ratio = peaks[large] / peaks[small]
        verdict = "OK" if ratio <= FLAT_GOAL else "MISSED"
        print(
            f"{name}: {large:,} rows {peaks[large]:.0f} MB | baseline ({small:,} rows):"
            f" {peaks[small]:.0f} MB | ratio {ratio:.2f}x (file {large / small:g}x)"
            f" | flat goal <= {FLAT_GOAL:g}x: {verdict}"
        )


def main() -> None:
    args = _args()
    if args.child:
        child(args.child, args.file)
        return
    env = import_env(args.workdir)
    if not args.no_import:
        env["DATABASE_URL"] = bench_url()
        setup_django()
        prepare_database(env)
    print(stamp())
    readers: dict[int, float] = {}
    imports: dict[int, float] = {}
    for rows in args.rows:
        path = flat_file(args.workdir, rows, args.seed)
        print(f"\n{rows:,} persons, {path} ({path.stat().st_size / 1e6:.1f} MB)")
        start_mb, _ = measure_child("open", path, env)
        readers[rows], read = measure_child("read", path, env)
        print(f"  start-up (open_table, header only): peak RSS {start_mb:.0f} MB")
        print(f"  reader, every chunk: peak RSS {readers[rows]:.0f} MB, {read}")
        if not args.no_import:
            imports[rows], counts, seconds = measure_import(path, env)
            verdict = "OK" if imports[rows] <= MEMORY_GOAL_MB else "MISSED"
            print(f"  dtks import --dry-run: peak RSS {imports[rows]:.0f} MB, {seconds:.1f} s,"
                  f" {counts} | goal <= {MEMORY_GOAL_MB} MB: {verdict}")  # fmt: skip
    if len(args.rows) > 1:
        print()
        ratio_lines("peak memory, reader", readers)
        if imports:
            ratio_lines("peak memory, dtks import --dry-run", imports)


if __name__ == "__main__":
    main()
