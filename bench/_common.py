"""Shared plumbing for the benchmark scripts: Django setup on a benchmark database, timing,
and one report line per figure (figure, baseline measured in the same run, ratio, target)."""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable

BENCH_DB_HINT = "DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench"


def setup_django(*, postgres: bool = True) -> None:
    """Configure Django; refuse to run against SQLite (when `postgres`) or a test database."""
    url = os.environ.get("DATABASE_URL", "")
    if postgres and not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"Set DATABASE_URL to a PostgreSQL database it may fill, e.g. {BENCH_DB_HINT}")
    if url.rstrip("/").rsplit("/", 1)[-1].startswith("test_"):
        sys.exit("Refusing to use a test database; use a dedicated one such as dtks_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtks.settings")
    os.environ.setdefault("DEBUG", "1")  # plain HTTP and static files without a manifest
    import django

    django.setup()


def kabupaten_user(username: str = "bench_pengelola"):
    """A pengelola DTKS over Kabupaten Bengkulu Tengah (17.09): sees the whole registry."""
    from dtks.accounts.models import RoleAssignment, User
    from dtks.accounts.roles import Role

    user, _ = User.objects.get_or_create(username=username)
    RoleAssignment.objects.get_or_create(user=user, role=Role.PENGELOLA, area_id="17.09")
    return User.objects.get(pk=user.pk)


def random_values(sql: str, n: int) -> list:
    """`n` random values of the first column of `sql` (a SELECT over the seeded registry)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) s ORDER BY random() LIMIT %s", [n])
        values = [row[0] for row in cursor.fetchall()]
    if len(values) < n:
        sys.exit("The registry is empty: run bench/seed_registry.py first")
    return values


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def time_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def report(name: str, figure: float, baseline: float, baseline_name: str, target: float) -> None:
    """Print the figure beside its baseline; the verdict compares the figure with the target."""
    ratio = figure / baseline if baseline else float("inf")
    verdict = "OK" if figure <= target else "MISSED"
    print(
        f"{name}: {figure:.2f} ms | baseline ({baseline_name}): {baseline:.2f} ms"
        f" | ratio {ratio:.1f}x | target <= {target:g} ms: {verdict}"
    )
