"""The findings pages at scale: median time of the dashboard (/temuan/, per kecamatan, and one
kecamatan per desa) and of the work queue's first page (/temuan/antrian/) as a kabupaten
pengelola, against a plain count of the open findings measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench python bench/findings_dashboard.py

Needs a seeded registry (`seed_registry.py`: ~3 % of persons with an open error finding).
`--checks` first runs every rule over the registry (`run_checks`, ~20 s at 1,000,000 persons),
which adds the findings the rules really find (warnings, family-level findings) to the seeded
ones. Uses Django's test Client in-process (the full view: scope, query, paging, template).
Targets at 1,000,000 persons: dashboard <= 1 s, queue first page <= 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from _common import kabupaten_user, load_average, setup_django, time_ms

TARGETS_MS = {"dashboard": 1000.0, "queue": 300.0}


def _counts() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_person")
        persons = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE severity = 'error'),"
            " count(*) FILTER (WHERE level = 'family')"
            " FROM verification_finding WHERE status = 'open'"
        )
        found, errors, family = cursor.fetchone()
    return (
        f"{persons:,} persons; {found:,} open findings ({errors:,} errors, {family:,} on a family)"
    )


def _baseline_ms(runs: int) -> float:
    from django.db import connection

    def count() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM verification_finding WHERE status = 'open'")
            cursor.fetchone()

    count()
    return statistics.median(time_ms(count) for _ in range(runs))


def _page_ms(client, url: str, runs: int) -> float:  # type: ignore[no-untyped-def]
    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    get()  # warm up templates, caches and the connection
    return statistics.median(time_ms(get) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7, help="requests per page (median)")
    parser.add_argument("--checks", action="store_true", help="run every rule first")
    args = parser.parse_args()
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    setup_django()
    from django.test import Client

    from dtks.wilayah.models import Region

    if args.checks:
        from dtks.verification.actions import run_checks

        start = time.perf_counter()
        run_checks()
        print(f"run_checks: {time.perf_counter() - start:.1f} s")
    client = Client()
    client.force_login(kabupaten_user())
    kecamatan = Region.objects.within("17.09").filter(level=3).order_by("code").first()
    print(f"{_counts()}; median of {args.runs} requests as a kabupaten pengelola")
    print(load_average())
    baseline = _baseline_ms(args.runs)
    code = kecamatan.code
    pages = [
        ("dashboard per kecamatan (/temuan/)", "dashboard", "/temuan/"),
        (f"dashboard per desa of {code}", "dashboard", f"/temuan/?wilayah={code}"),
        ("queue first page (/temuan/antrian/)", "queue", "/temuan/antrian/"),
        (f"queue first page of {code}", "queue", f"/temuan/antrian/?wilayah={code}"),
    ]
    for name, kind, url in pages:
        figure = _page_ms(client, url, args.runs)
        target = TARGETS_MS[kind]
        print(
            f"{name}: {figure:.1f} ms | baseline (count of open findings): {baseline:.2f} ms"
            f" | ratio {figure / baseline:.0f}x | target <= {target:g} ms:"
            f" {'OK' if figure <= target else 'MISSED'}"
        )
    print(load_average())


if __name__ == "__main__":
    main()
