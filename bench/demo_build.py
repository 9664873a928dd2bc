"""Time of `dtks demo --no-serve` into a fresh SQLite data directory, against `dtks migrate`
alone into another fresh one, measured in the same run.

    python bench/demo_build.py

Needs no PostgreSQL: DATABASE_URL is removed from the children's environment. The issue asks
for a build under a minute.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from _common import report

TARGET_MS = 60_000.0


def run(*args: str) -> float:
    """Milliseconds of `dtks <args>` in a fresh data directory, in a new process as a user would."""
    with tempfile.TemporaryDirectory(prefix="dtks-bench-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(DTKS_DATA_DIR=data_dir, DEBUG="1")
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "dtks", *args], env=env, check=True, stdout=subprocess.DEVNULL
        )
        return (time.perf_counter() - start) * 1000


def main() -> None:
    baseline = run("migrate")
    figure = run("demo", "--no-serve")
    report("dtks demo --no-serve (SQLite)", figure, baseline, "dtks migrate", TARGET_MS)


if __name__ == "__main__":
    main()
