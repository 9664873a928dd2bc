"""Time and peak memory of `run_checks()` over the whole registry (every active person, every
rule, findings synced), against PostgreSQL's own COPY of the persons' rule columns, same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench python bench/verify.py

1. The registry: the persons already in the database when there are --persons of them,
   otherwise `seed_registry.py --persons N` fills it (it empties the registry first).
2. Baseline: psycopg `COPY (SELECT id, nik, name, birth_place, birth_date, sex, marital_status,
   mother_name FROM registry_person) TO STDOUT`, read to the end (median of --copy-runs).
3. Scenario "seeded" (~3 % of persons with a missing mother's name): every finding deleted,
   then run 1 (all findings new) and run 2 (nothing changes).
4. Scenario "every person" (as an import of a file without status_kawin): every person's
   marital status emptied (kept aside in `bench_verify_marital` and put back afterwards, also
   after an interrupted run), every finding deleted; run 1 opens one error finding per person,
   run 2 changes nothing, then the statuses are put back and run 3 resolves them all.
Each run is `run_checks()` in a subprocess of this script (`--child`): the figure is the time of
the call, COMMIT included (deferred foreign-key checks of new findings run there); the time
`run_checks` reports for itself (before the COMMIT), the wall time with interpreter and Django
start-up and the child's own peak resident memory (ru_maxrss, os.wait4) are printed too. To time
other code (e.g. an earlier verification app), put its `src` first on PYTHONPATH.
FINDINGS ARE DELETED. Goal: every run <= 10x the COPY (seconds, where the per-person Python
rules and `Finding.bulk_create` took ~260 s for 1,000,000 findings); memory flat (chunks).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import bench_url, report_ratio, run_measured, setup_django, stamp

GOAL = 10.0
SAVED = "bench_verify_marital"
COLUMNS = "id, nik, name, birth_place, birth_date, sex, marital_status, mother_name"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--copy-runs", type=int, default=3)
    parser.add_argument(
        "--scenarios", nargs="+", default=["seeded", "every-person"],
        choices=["seeded", "every-person"],
    )  # fmt: skip
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def child() -> None:
    """One `run_checks()` over the whole registry; its summary as JSON on the last line, with
    the time of the call (`call_seconds`: the summary's own time stops before the COMMIT)."""
    setup_django()
    from dtks.verification.actions import run_checks

    start = time.perf_counter()
    summary = run_checks().as_dict()
    summary["call_seconds"] = time.perf_counter() - start
    print(json.dumps(summary))


def execute(url: str, sql: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql).rowcount


def scalar(url: str, sql: str) -> object:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchone()[0]


def ensure_registry(url: str, persons: int) -> None:
    restore_marital(url)
    if scalar(url, "SELECT count(*) FROM registry_person") == persons:
        return
    script = Path(__file__).with_name("seed_registry.py")
    subprocess.run([sys.executable, str(script), "--persons", str(persons)], check=True)


def copy_seconds(url: str) -> tuple[float, int]:
    """The baseline: the rule columns of every person, COPY … TO STDOUT read to the end."""
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        start = time.perf_counter()
        size = 0
        with cursor.copy(f"COPY (SELECT {COLUMNS} FROM registry_person) TO STDOUT") as copy:
            for block in copy:
                size += len(block)
        return time.perf_counter() - start, size


def run(label: str, baseline: float) -> dict:
    done = run_measured([sys.executable, __file__, "--child"])
    if done.code:
        sys.exit(f"run_checks failed ({done.code}):\n{done.err[-3000:]}")
    summary = json.loads(done.out.strip().splitlines()[-1])
    counts = {k: summary[k] for k in ("checked", "opened", "updated", "resolved", "unchanged")}
    print(f"  {label}: {counts}, by rule {summary['by_rule']}")
    print(f"    {summary['seconds']:.2f} s before the COMMIT; wall {done.seconds:.2f} s with"
          f" start-up; peak RSS {done.max_rss_mb:.0f} MB")  # fmt: skip
    report_ratio(
        f"  run_checks(), {label}", summary["call_seconds"], baseline, "COPY persons", GOAL
    )
    return summary


def restore_marital(url: str) -> None:
    """Put back the marital statuses the "every person" scenario emptied, if any are aside."""
    if not scalar(url, f"SELECT to_regclass('{SAVED}') IS NOT NULL"):
        return
    execute(
        url,
        f"UPDATE registry_person p SET marital_status = s.marital_status FROM {SAVED} s"
        " WHERE s.id = p.id",
    )
    execute(url, f"DROP TABLE {SAVED}")


def seeded(url: str, baseline: float) -> None:
    print(f"\nScenario seeded: the registry as seeded, no findings; {stamp()}")
    execute(url, "TRUNCATE verification_finding")
    run("run 1 (all findings new)", baseline)
    run("run 2 (nothing changes)", baseline)


def every_person(url: str, baseline: float) -> None:
    print(f"\nScenario every person: no marital status on any person, no findings; {stamp()}")
    execute(url, "TRUNCATE verification_finding")
    execute(url, f"CREATE TABLE {SAVED} AS SELECT id, marital_status FROM registry_person")
    execute(url, "UPDATE registry_person SET marital_status = NULL")
    execute(url, "VACUUM ANALYZE registry_person")
    try:
        run("run 1 (all findings new)", baseline)
        run("run 2 (nothing changes)", baseline)
    finally:
        restore_marital(url)
    execute(url, "VACUUM ANALYZE registry_person")
    run("run 3 (marital status back: findings resolved)", baseline)


def main() -> None:
    args = _args()
    if args.child:
        return child()
    url = bench_url()
    ensure_registry(url, args.persons)
    count = scalar(url, "SELECT count(*) FROM registry_person")
    copies = [copy_seconds(url) for _ in range(args.copy_runs)]
    baseline = statistics.median(seconds for seconds, _ in copies)
    print(f"{count:,} persons; {stamp()}")
    print(f"baseline COPY ({COLUMNS}) TO STDOUT: {copies[0][1] / 1e6:.1f} MB,"
          f" median of {len(copies)}: {baseline:.2f} s")  # fmt: skip
    if "seeded" in args.scenarios:
        seeded(url, baseline)
    if "every-person" in args.scenarios:
        every_person(url, baseline)


if __name__ == "__main__":
    main()
