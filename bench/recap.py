"""Time of the kabupaten recap (Tabel 5.3 layout) over the seeded registry, against
`SELECT count(*) FROM registry_person` measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench python bench/recap.py

`recap_rows(year=2023)` is what `dtks recap` runs; the dashboard runs it scoped to the user
(printed too). The figure is the median of --runs runs. Target: <= 1 s.
"""

from __future__ import annotations

import argparse
import statistics

from _common import kabupaten_user, report, setup_django, time_ms

TARGET_MS = 1000.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from dtks.reports.queries import recap_rows

    def count() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM registry_person")
            cursor.fetchone()

    user = kabupaten_user()
    recap_rows(year=2023)  # warm-up
    count()
    plain = [time_ms(lambda: recap_rows(year=2023)) for _ in range(args.runs)]
    scoped = [time_ms(lambda: recap_rows(year=2023, user=user)) for _ in range(args.runs)]
    baseline = statistics.median([time_ms(count) for _ in range(args.runs)])
    rows = recap_rows(year=2023)
    print(f"median of {args.runs} runs; {len(rows)} kecamatan rows,"
          f" {sum(r.individuals for r in rows):,} individuals")  # fmt: skip
    report("recap_rows(year=2023)", statistics.median(plain), baseline, "count(*)", TARGET_MS)
    report(
        "recap_rows(year=2023, user=kabupaten)",
        statistics.median(scoped), baseline, "count(*)", TARGET_MS,
    )  # fmt: skip


if __name__ == "__main__":
    main()
