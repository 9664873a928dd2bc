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


# --- Issue #3 (import/export): subprocess runs with their own peak memory, fresh databases ---


def load_average() -> str:
    """The 1/5/15-minute load average, printed with every figure (the machine is shared)."""
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def stamp() -> str:
    """Date and load average: one line to paste above the figures."""
    return f"{time.strftime('%a %b %d %H:%M:%S UTC %Y', time.gmtime())}, {load_average()}"


def bench_url() -> str:
    """DATABASE_URL, checked as `setup_django` checks it, without setting Django up."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"Set DATABASE_URL to a PostgreSQL database it may fill, e.g. {BENCH_DB_HINT}")
    if url.rstrip("/").rsplit("/", 1)[-1].startswith("test_"):
        sys.exit("Refusing to use a test database; use a dedicated one such as dtks_bench3")
    import tempfile  # the `dtks` subprocesses keep their secret key and files out of the tree

    os.environ.setdefault(
        "DTKS_DATA_DIR", os.path.join(tempfile.gettempdir(), "dtks-bench", "data")
    )
    return url


def _with_db(url: str, name: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[0] + "/" + name


def dtks_command(*args: str) -> list[str]:
    """The `dtks` console script of this interpreter's environment."""
    return [sys.executable, "-m", "dtks.cli", *args]


class Measured:
    """A finished subprocess: wall time, its own peak resident memory, output, exit code."""

    def __init__(self, seconds: float, max_rss_mb: float, out: str, err: str, code: int):
        self.seconds, self.max_rss_mb, self.out, self.err, self.code = (
            seconds, max_rss_mb, out, err, code,
        )  # fmt: skip


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run `cmd`, reaping it with wait4 so ru_maxrss is this child's alone (kB on Linux)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(seconds, usage.ru_maxrss / 1024, out.read(), err.read(), proc.returncode)


def fresh_database(url: str) -> None:
    """Drop and re-create the database of `url` as a copy of `<name>_template`, a database that
    is migrated with `load_wilayah --only 17.09` once (and brought up to date on every call)."""
    import psycopg

    name = url.rstrip("/").rsplit("/", 1)[-1]
    template = f"{name}_template"
    admin = _with_db(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
            conn.execute(f'CREATE DATABASE "{template}"')
    env = {"DATABASE_URL": _with_db(url, template)}
    for args in (("migrate", "-v", "0"), ("load_wilayah", "--only", "17.09", "-v", "0")):
        done = run_measured(dtks_command(*args), env)
        if done.code:
            sys.exit(f"dtks {' '.join(args)} failed:\n{done.err}")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def report_ratio(name: str, figure: float, baseline: float, baseline_name: str, goal: float,
                 stretch: float | None = None, unit: str = "s") -> None:  # fmt: skip
    """Print a figure beside its same-run baseline; the verdict compares the ratio with the goal."""
    ratio = figure / baseline if baseline else float("inf")
    verdict = "OK" if ratio <= goal else "MISSED"
    extra = ""
    if stretch is not None:
        extra = f", stretch <= {stretch:g}x: {'OK' if ratio <= stretch else 'not met'}"
    print(
        f"{name}: {figure:.2f} {unit} | baseline ({baseline_name}): {baseline:.2f} {unit}"
        f" | ratio {ratio:.2f}x | goal <= {goal:g}x: {verdict}{extra} | {load_average()}"
    )
