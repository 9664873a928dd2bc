"""Time of `dtks performance --year 2023` (the unit's report computed from the work log)
against `dtks recap --year 2023` (reading the closed period's snapshot), both in a new
process on a demo database, median of 3.

    python bench/performance_report.py [--data-dir DIR]

Without `--data-dir` it builds the demo first into a temporary SQLite directory (a few
minutes); with one it uses that demo (`dtks demo --no-serve` already run there). DATABASE_URL
is ignored: the demo runs on SQLite. The issue names no target: the figure is reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from _common import load_average

RUNS = 3


def run(data_dir: str, *args: str) -> float:
    """Milliseconds of `dtks <args>` on the demo in `data_dir`, in a new process."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DTKS_DATA_DIR=data_dir, DEBUG="1")
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dtks", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return (time.perf_counter() - start) * 1000


def measure(data_dir: str) -> None:
    baseline = statistics.median(run(data_dir, "recap", "--year", "2023") for _ in range(RUNS))
    figure = statistics.median(
        run(data_dir, "performance", "--year", "2023", "--format", "json") for _ in range(RUNS)
    )
    print(
        f"dtks performance --year 2023 (demo, SQLite): {figure:.0f} ms | baseline (dtks recap"
        f" --year 2023): {baseline:.0f} ms | ratio {figure / baseline:.1f}x | {load_average()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", help="a directory where `dtks demo --no-serve` ran")
    data_dir = parser.parse_args().data_dir
    if data_dir:
        measure(data_dir)
        return
    with tempfile.TemporaryDirectory(prefix="dtks-bench-") as fresh:
        run(fresh, "demo", "--no-serve", "--only", "17.09")
        measure(fresh)


if __name__ == "__main__":
    main()
