"""p95 of the family search page: the pengelola DTKS POSTs a name or a NIK to the family list
(page 1), against the same request with an empty query, measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench python bench/family_search.py

Uses Django's test Client in-process (the full view: form, scoped query, paging, template).
Names are full names of random persons; NIKs are random persons' NIKs. Target: p95 <= 150 ms.
"""

from __future__ import annotations

import argparse
import os

from _common import kabupaten_user, percentile, random_values, report, setup_django, time_ms

TARGET_MS = 150.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--searches", type=int, default=100, help="per kind of search")
    args = parser.parse_args()
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    setup_django()
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(kabupaten_user())
    url = reverse("registry:family_list")
    names = random_values("SELECT name FROM registry_person", args.searches)
    niks = random_values("SELECT nik FROM registry_person", args.searches)

    def search(q: str) -> float:
        def call() -> None:
            response = client.post(url, {"q": q})
            assert response.status_code == 200, response.status_code

        return time_ms(call)

    for q in ["", *names[:5]]:  # warm up templates, caches and the connection
        search(q)
    by_name = [search(q) for q in names]
    by_nik = [search(q) for q in niks]
    empty = [search("") for _ in range(args.searches)]
    print(f"{args.searches} searches of each kind, page 1, as a kabupaten pengelola")
    baseline = percentile(empty, 95)
    report("family search by name p95", percentile(by_name, 95), baseline, "empty query", TARGET_MS)
    report("family search by NIK p95", percentile(by_nik, 95), baseline, "empty query", TARGET_MS)


if __name__ == "__main__":
    main()
