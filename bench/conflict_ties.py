"""What the linkage ties add to the conflict-of-interest check of every registry edit: the
median of `conflicts(officer, subject_of(family))` (what `authorise_family_edit` runs) with
`DTKS_CONFLICT_TIES`, beside the same call with the registry's own ties only, in one run.

    DTKS_DATA_DIR=/tmp/demo dtks demo --no-serve       # the demo registry (SQLite), or any
    DTKS_DATA_DIR=/tmp/demo python bench/conflict_ties.py [--families 400]   # DATABASE_URL

Over N random active families, two officers per family:
- ordinary: the NIK, No. KK and name of a real person of another family (their own family is
  in the registry): the common case, where no member shares the NIK's birth date;
- worst: a NIK encoding the head's birth date and sex and the head's name in another
  spelling, so the member names are normalised (polars) and matched: timed only where the
  check found `linked_self` (a head born before the NIK's two-digit year reads as this
  century is not).
Target: the ties cost <= 20 ms per edit.
"""

from __future__ import annotations

import argparse
import statistics
from functools import partial

from _common import load_average, random_values, report, setup_django, time_ms

TARGET_MS = 20.0


def _officers(family, other):
    """(ordinary, worst) unsaved officers for `family`; `other` is a family of another KK."""
    from dtks.accounts.models import User
    from dtks.demo.synth import make_nik

    me = other.current_memberships().first().person
    ordinary = User(pk=1, first_name=me.name, nik=me.nik, no_kk=other.no_kk)
    head = family.current_memberships().order_by("relationship").first().person
    variant = head.name.replace("Muhammad", "Moh.").replace("u", "oe", 1)
    nik = make_nik(family.desa_id[:8], head.birth_date, head.sex, 9999)
    return ordinary, User(pk=2, first_name=variant, nik=nik, no_kk=other.no_kk)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=400)
    args = parser.parse_args()
    setup_django(postgres=False)
    from django.test.utils import override_settings

    from dtks.registry.conflicts import conflicts, subject_of
    from dtks.registry.models import Family

    sql = "SELECT id FROM registry_family WHERE status = 'active'"
    ids = random_values(sql, args.families * 2)
    families = Family.objects.in_bulk(ids)
    pairs = [(families[a], families[b]) for a, b in zip(ids[::2], ids[1::2], strict=True)]
    timings: dict[str, list[float]] = {"ordinary": [], "worst": [], "own": []}
    for family, other in pairs[:20]:  # warm up imports, polars and the connection
        conflicts(_officers(family, other)[1], subject_of(family))
    for family, other in pairs:
        ordinary, worst = _officers(family, other)
        subject = subject_of(family)
        timings["ordinary"].append(time_ms(partial(conflicts, ordinary, subject)))
        took = time_ms(partial(conflicts, worst, subject))
        if any(c.code == "linked_self" for c in conflicts(worst, subject)):
            timings["worst"].append(took)  # the names were normalised and matched
        with override_settings(DTKS_CONFLICT_TIES=()):
            timings["own"].append(time_ms(partial(conflicts, ordinary, subject)))
    worst = len(timings["worst"])
    print(f"{len(pairs)} families ({worst} worst cases linked), {load_average()}")
    own = statistics.median(timings["own"])
    for case in ("ordinary", "worst"):
        figure = statistics.median(timings[case])
        print(f"conflict check per edit, {case}: {figure:.2f} ms with the linkage ties")
        report(f"linkage ties per edit, {case}", figure - own, own, "own ties", TARGET_MS)


if __name__ == "__main__":
    main()
