"""Time and peak memory of `dtks import FILE --json` (full validation, staging, promotion) for a
flat CSV of 1,000,000 persons, against a raw COPY of the same file measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench3 python bench/import_csv.py

For each size (--rows, default 250,000 and 1,000,000, so memory can be seen to stay flat):
1. the file is written by `make_flat_csv.py` into --workdir (reused when already there);
2. baseline: psycopg `COPY bench_raw_flat FROM STDIN (FORMAT csv, HEADER)` streaming the file
   into a plain table of 18 text columns (median of --copy-runs runs; the table is dropped after);
3. the database is dropped and re-created from `<name>_template` (migrated, `load_wilayah --only
   17.09`: a fresh, empty registry), then `dtks import FILE --json -v 2` runs as a subprocess
   (-v 2: it also prints the time of each stage, shown as the time split); its
   wall time includes interpreter and Django start-up (printed apart), its peak resident memory
   is the child's own ru_maxrss (os.wait4).
THE DATABASE IS DROPPED AND RE-CREATED. The last size's registry is left in place for
`bench/export.py`. Goal: import <= 3x the COPY (stretch 1.5x); peak memory <= 1 GB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import bench_url, dtks_command, fresh_database, report_ratio, run_measured, stamp

GOAL, STRETCH = 3.0, 1.5
MEMORY_GOAL_MB = 1024
RAW_TABLE = "bench_raw_flat"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[250_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--copy-runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "dtks-bench")
    return parser.parse_args()


def flat_file(workdir: Path, rows: int, seed: int, suffix: str = "csv") -> Path:
    """The generated file for `rows` persons, written once by make_flat_csv.py."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"flat-{rows}-s{seed}.{suffix}"
    if not path.exists():
        script = Path(__file__).with_name("make_flat_csv.py")
        cmd = [sys.executable, str(script), "--rows", str(rows), "--seed", str(seed)]
        cmd += ["--out", str(path)] + (["--xlsx"] if suffix == "xlsx" else [])
        subprocess.run(cmd, check=True)
    return path


def copy_seconds(url: str, path: Path) -> float:
    """One raw COPY of the file into a plain 18-text-column table, streamed in 1 MB blocks."""
    import psycopg

    from dtks.imports.columns import FLAT_COLUMNS

    columns = ", ".join(f"{name} text" for name in FLAT_COLUMNS)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        conn.execute(f"CREATE TABLE {RAW_TABLE} ({columns})")
        start = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY {RAW_TABLE} FROM STDIN (FORMAT csv, HEADER)") as copy,
            path.open("rb") as handle,
        ):
            while block := handle.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - start
        loaded = conn.execute(f"SELECT count(*) FROM {RAW_TABLE}").fetchone()[0]
        conn.execute(f"DROP TABLE {RAW_TABLE}")
    print(f"  COPY: {loaded:,} rows in {seconds:.2f} s")
    return seconds


def import_env(workdir: Path) -> dict[str, str]:
    """The import's environment: a data dir of its own and a size limit above the file's."""
    data_dir = workdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    return {
        "DTKS_DATA_DIR": str(data_dir),
        "DTKS_IMPORT_MAX_BYTES": str(4 << 30),
        "DTKS_IMPORT_MAX_UNCOMPRESSED": str(4 << 30),
    }


def counts_of(out: str) -> dict:
    """The counts `--json` prints as its last line."""
    lines = [line for line in out.strip().splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else {}


def run_import(url: str, path: Path, env: dict[str, str], *extra: str):
    """`dtks import FILE --json [extra]` on a fresh database; exits when it fails."""
    fresh_database(url)
    done = run_measured(dtks_command("import", str(path), "--json", "-v", "2", *extra), env)
    if done.code:
        sys.exit(f"dtks import failed ({done.code}):\n{done.err[-3000:]}\n{done.out[-2000:]}")
    return done


def measure(url: str, rows: int, args: argparse.Namespace, startup: float) -> float:
    path = flat_file(args.workdir, rows, args.seed)
    size_mb = path.stat().st_size / 1e6
    print(f"\n{rows:,} persons, {path} ({size_mb:.1f} MB), {stamp()}")
    fresh_database(url)
    copies = [copy_seconds(url, path) for _ in range(args.copy_runs)]
    baseline = statistics.median(copies)
    done = run_import(url, path, import_env(args.workdir))
    counts = counts_of(done.out)
    print(f"  dtks import --json: {done.seconds:.2f} s, peak RSS {done.max_rss_mb:.0f} MB,"
          f" counts {counts}")  # fmt: skip
    for line in done.out.strip().splitlines()[:-1]:  # the summary
        print(f"    {line}")
    stages = [line for line in done.err.replace("\r", "\n").splitlines() if " s, " in line]
    if stages:  # -v 2: the time of each stage, on stderr after the progress bar
        print(f"    time split: {stages[-1].strip()}")
    if counts.get("created") != rows or counts.get("rejected"):
        print(f"  WARNING: expected {rows:,} created and none rejected")
    name = f"import {rows:,} persons (CSV)"
    report_ratio(name, done.seconds, baseline, "raw COPY", GOAL, STRETCH)
    report_ratio(f"  same, less start-up ({startup:.2f} s)", done.seconds - startup, baseline,
                 "raw COPY", GOAL, STRETCH)  # fmt: skip
    verdict = "OK" if done.max_rss_mb <= MEMORY_GOAL_MB else "MISSED"
    print(f"peak memory, import of {rows:,}: {done.max_rss_mb:.0f} MB"
          f" | goal <= {MEMORY_GOAL_MB} MB: {verdict}")  # fmt: skip
    return done.max_rss_mb


def main() -> None:
    args = _args()
    url = bench_url()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    startup = run_measured(dtks_command("import", "--help")).seconds
    print(f"{stamp()}; start-up of `dtks import --help`: {startup:.2f} s")
    peaks = {rows: measure(url, rows, args, startup) for rows in args.rows}
    if len(peaks) > 1:
        print("peak memory by file size: "
              + ", ".join(f"{rows:,} rows {mb:.0f} MB" for rows, mb in peaks.items()))  # fmt: skip


if __name__ == "__main__":
    main()
