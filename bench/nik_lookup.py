"""p95 server-side time of the NIK lookup the UI and the API run, for a kabupaten user, against
a primary-key lookup measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench python bench/nik_lookup.py

The query is `Person.objects.visible_to(user).filter(nik=...)`; its server-side time is the
planning + execution time PostgreSQL reports under EXPLAIN ANALYZE. The time around the ORM
call (Python + round trip) is printed too. Target: p95 <= 5 ms.
"""

from __future__ import annotations

import argparse
import json

from _common import (
    kabupaten_user,
    percentile,
    random_values,
    report,
    setup_django,
    time_ms,
)

TARGET_MS = 5.0


def server_ms(qs) -> float:
    """Planning + execution time of `qs` as PostgreSQL measures it."""
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return plan[0]["Planning Time"] + plan[0]["Execution Time"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lookups", type=int, default=500)
    args = parser.parse_args()
    setup_django()
    from dtks.registry.models import Person

    user = kabupaten_user()
    niks = random_values("SELECT nik FROM registry_person", args.lookups)
    pks = random_values("SELECT id FROM registry_person", args.lookups)
    nik_qs = [Person.objects.visible_to(user).filter(nik=nik) for nik in niks]
    pk_qs = [Person.objects.filter(pk=pk) for pk in pks]
    for qs in nik_qs[:20] + pk_qs[:20]:  # warm the cache and the connection
        list(qs.all())
    nik_server = [server_ms(qs) for qs in nik_qs]
    pk_server = [server_ms(qs) for qs in pk_qs]
    nik_orm = [time_ms(lambda qs=qs: list(qs.all())) for qs in nik_qs]
    pk_orm = [time_ms(lambda qs=qs: list(qs.all())) for qs in pk_qs]
    print(f"{args.lookups} random lookups each, {Person.objects.count():,} persons")
    report(
        "NIK lookup p95 (server, visible_to kabupaten user)",
        percentile(nik_server, 95), percentile(pk_server, 95), "primary-key lookup", TARGET_MS,
    )  # fmt: skip
    report(
        "NIK lookup p95 (around the ORM call)",
        percentile(nik_orm, 95), percentile(pk_orm, 95), "primary-key lookup", TARGET_MS,
    )  # fmt: skip


if __name__ == "__main__":
    main()
