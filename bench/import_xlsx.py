"""Time of importing a 100,000-row flat xlsx workbook against python-calamine alone reading the
same workbook (every row to Python values), both in this process, same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench3 python bench/import_xlsx.py

The workbook is written by `make_flat_csv.py --xlsx` into --workdir (reused when there). Both
figures are taken in-process, after Django is set up, so interpreter start-up is in neither:
- dry run: `import_file(path, by=None, dry_run=True)` reads, parses and validates every row and
  writes nothing to the registry (the figure issue #3's "<= 2x calamine" is about: reading);
- full import: `import_file(path, by=None)` on a fresh database (dropped and re-created from
  `<name>_template` before the dry runs and again before it), for the record.
Baseline: `CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()`, median of
--runs. Goal: dry run <= 2x the baseline. THE DATABASE IS DROPPED AND RE-CREATED.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from _common import bench_url, fresh_database, report_ratio, setup_django, stamp
from import_csv import flat_file, import_env

GOAL = 2.0


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-full", action="store_true", help="skip the full import")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "dtks-bench")
    return parser.parse_args()


def calamine_seconds(path: Path) -> float:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    seconds = time.perf_counter() - start
    assert len(rows) > 1
    return seconds


def import_seconds(path: Path, *, dry_run: bool) -> tuple[float, dict]:
    from django.db import connections

    from dtks.imports.pipeline import import_file

    start = time.perf_counter()
    result = import_file(path, by=None, dry_run=dry_run)
    seconds = time.perf_counter() - start
    connections.close_all()
    return seconds, {**result.as_dict(), "split": result.seconds}


def main() -> None:
    args = _args()
    url = bench_url()
    path = flat_file(args.workdir, args.rows, args.seed, suffix="xlsx")
    os.environ.update(import_env(args.workdir))
    fresh_database(url)
    setup_django()
    print(f"{args.rows:,} rows, {path} ({path.stat().st_size / 1e6:.1f} MB); {stamp()}")
    baseline = statistics.median(calamine_seconds(path) for _ in range(args.runs))
    dry = []
    for _ in range(args.runs):
        seconds, counts = import_seconds(path, dry_run=True)
        dry.append(seconds)
    print(f"  dry-run counts and time split (last run) {counts}")
    report_ratio(
        f"import_file(dry_run=True), {args.rows:,}-row xlsx, median of {args.runs}",
        statistics.median(dry), baseline, "python-calamine to_python()", GOAL,
    )  # fmt: skip
    if not args.no_full:
        fresh_database(url)  # the dry runs' batches gone: nothing was imported before
        seconds, counts = import_seconds(path, dry_run=False)
        print(f"  full import counts and time split {counts}")
        report_ratio(
            f"import_file(), {args.rows:,}-row xlsx, fresh database, once",
            seconds, baseline, "python-calamine to_python()", GOAL,
        )  # fmt: skip


if __name__ == "__main__":
    main()
