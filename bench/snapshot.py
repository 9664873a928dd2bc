"""Time of closing a yearly period over the seeded registry (snapshot per desa + fingerprint
per family), against the live recap (`recap_rows(year=2023)`) measured in the same run; also the
diff of the closed period against the live year (every family fingerprinted again, compared).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench python bench/snapshot.py

Needs a seeded registry (`seed_registry.py`). A closed period cannot be deleted (database
triggers), so every run closes 2023 inside a transaction that is rolled back: the database is
left as it was. The figure is the median of --runs runs. Target: closing <= 30 s at 1,000,000
persons / ~350,000 families.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _common import report, setup_django, stamp, time_ms

TARGET_MS = 30_000.0


def _close_and_diff() -> tuple[float, float, int, int]:
    """Close 2023 and diff it against the live 2023, then roll both back; (close ms, diff ms,
    families fingerprinted, families differing)."""
    from django.db import transaction

    from dtks.periods.actions import close_period, get_or_create_period
    from dtks.periods.diff import diff_periods
    from dtks.periods.models import FamilyFingerprint

    with transaction.atomic():
        period = get_or_create_period(2023)
        started = time.perf_counter()
        close_period(period, by=None)
        closed_ms = (time.perf_counter() - started) * 1000
        period.refresh_from_db()
        families = FamilyFingerprint.objects.filter(period=period).count()
        live = get_or_create_period(2024)  # open: fingerprinted live, data year <= 2024
        started = time.perf_counter()
        diff = diff_periods(period, live)
        diff_ms = (time.perf_counter() - started) * 1000
        figures = [closed_ms, diff_ms, families, len(diff.entries)]
        transaction.set_rollback(True)  # leave the database as it was
    return figures[0], figures[1], figures[2], figures[3]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from dtks.reports.queries import recap_rows

    print(stamp())
    recap_rows(year=2023)  # warm-up
    baseline = statistics.median(time_ms(lambda: recap_rows(year=2023)) for _ in range(args.runs))
    runs = [_close_and_diff() for _ in range(args.runs)]
    close_ms = statistics.median(r[0] for r in runs)
    diff_ms = statistics.median(r[1] for r in runs)
    print(f"median of {args.runs} runs; {runs[0][2]:,} families fingerprinted,"
          f" {runs[0][3]:,} differing from the live registry")  # fmt: skip
    report("close_period(2023)", close_ms, baseline, "recap_rows(year=2023)", TARGET_MS)
    report("diff_periods(2023 closed, 2024 live)", diff_ms, baseline, "recap_rows", TARGET_MS)
    print(stamp())


if __name__ == "__main__":
    main()
