"""Fill a PostgreSQL database with a synthetic registry of 1,000,000 persons (~350,000 families)
across the real desa of Kabupaten Bengkulu Tengah, for the other benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench python bench/seed_registry.py

Runs `migrate` and `load_wilayah --only 17.09`, empties the registry, then writes families,
persons, memberships and open error findings (~3 % of persons, each on a real planted defect:
a missing mother's name) with COPY. NIKs and No. KKs follow `dtks.demo.synth` (region, birth
date with +40 for women, unique serials). Options: --persons N, --seed S.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from _common import setup_django

FINDING_SHARE = 0.03
BASE_SIZES = 3  # synth.family_sizes draws ~3.4 members a family; tuned below to ~2.86


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=17)
    return parser.parse_args()


def _prepare() -> list[str]:
    from django.core.management import call_command
    from django.db import connection

    from dtks.wilayah.models import Region

    call_command("migrate", verbosity=0)
    call_command("load_wilayah", only="17.09", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE verification_finding, registry_familyprogram, registry_membership,"
            " registry_person, registry_family RESTART IDENTITY CASCADE"
        )
    return list(Region.objects.within("17.09").villages().values_list("code", flat=True))


class Writer:
    """Builds the rows of the four tables in memory-light lists, then COPYs each one."""

    def __init__(self, rng: random.Random) -> None:
        from dtks.demo.synth import Serials

        self.rng = rng
        self.nik_serials = Serials()
        self.kk_serials = Serials()
        self.desa_seq: dict[str, int] = {}
        self.families: list[tuple] = []
        self.persons: list[tuple] = []
        self.members: list[tuple] = []
        self.findings: list[tuple] = []
        self.now = dt.datetime.now(dt.UTC)

    def add_family(self, desa: str, size: int) -> None:
        from dtks.demo import synth
        from dtks.registry.ids import format_id_dtks

        kec = desa[:8]
        people = synth.plan_family(self.rng, size)
        issued = dt.date(2010, 1, 1) + dt.timedelta(days=self.rng.randrange(4900))
        prefix = synth.make_no_kk(kec, issued, 0)[:12]
        no_kk = synth.make_no_kk(kec, issued, self.kk_serials.next(prefix))
        seq = self.desa_seq[desa] = self.desa_seq.get(desa, 0) + 1
        family_id = len(self.families) + 1
        self.families.append(
            (family_id, format_id_dtks(desa, "K", seq), no_kk, desa,
             f"Jl. {self.rng.choice(synth.STREETS)} No. {self.rng.randint(1, 200)}",
             self.rng.choice(synth.DUSUN), f"{self.rng.randint(1, 15):03d}", "001",
             self.rng.choice((2021, 2022, 2023)), "active", "", "{}", "", self.now, self.now)
        )  # fmt: skip
        for p in people:
            self._add_person(family_id, desa, p)

    def _add_person(self, family_id: int, desa: str, p: object) -> None:
        from dtks.demo import synth
        from dtks.registry.ids import format_id_dtks

        nik_prefix = synth.make_nik(desa[:8], p.birth_date, p.sex, 0)[:12]
        nik = synth.make_nik(desa[:8], p.birth_date, p.sex, self.nik_serials.next(nik_prefix))
        person_id = len(self.persons) + 1
        defect = self.rng.random() < FINDING_SHARE
        self.persons.append(
            (person_id, format_id_dtks(desa, "P", person_id % 1_000_000), nik, p.name,
             "Bengkulu Tengah", p.birth_date, p.sex, p.marital_status,
             "" if defect else (p.mother_name or "Siti Aminah"), 1, "active", "", "", "", "",
             self.now, self.now)
        )  # fmt: skip
        self.members.append(
            (person_id, family_id, person_id, p.relationship, dt.date(2020, 1, 1), "")
        )
        if defect:
            self.findings.append(
                ("missing_mother_name", "error", "person", person_id,
                 "Nama ibu kandung kosong", "mother_name", "open", self.now, "")
            )  # fmt: skip


COPIES = {
    "registry_family": "id, id_dtks, no_kk, desa_id, address, dusun, rt, rw, data_year, status,"
    " inactive_reason, livestock, member_names, created_at, updated_at",
    "registry_person": "id, id_dtks, nik, name, birth_place, birth_date, sex, marital_status,"
    " mother_name, presence, status, inactive_reason, work_sector, chronic_illness,"
    " health_insurance, created_at, updated_at",
    "registry_membership": "id, family_id, person_id, relationship, start_date, end_reason",
    "verification_finding": "rule, severity, level, person_id, message, field, status,"
    " opened_at, waiver_reason",
}


def _copy(table: str, rows: list[tuple]) -> None:
    from django.db import connection

    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({COPIES[table]}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _finish() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("registry_family", "registry_person", "registry_membership"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: visibility map and statistics


def main() -> None:
    args = _args()
    setup_django()
    from django.db import transaction

    from dtks.demo import synth

    started = time.perf_counter()
    villages = _prepare()
    rng = random.Random(args.seed)
    writer = Writer(rng)
    families = round(args.persons / 2.86)
    sizes = synth.family_sizes(rng, families, args.persons)
    weights = [rng.uniform(0.5, 1.5) for _ in villages]
    for size, desa in zip(sizes, rng.choices(villages, weights=weights, k=families), strict=True):
        writer.add_family(desa, size)
    planned = time.perf_counter()
    with transaction.atomic():
        for table, rows in zip(
            COPIES,
            (writer.families, writer.persons, writer.members, writer.findings),
            strict=True,
        ):
            _copy(table, rows)
        from dtks.registry.models import Family
        from dtks.registry.search_names import refresh_member_names

        refresh_member_names(Family.objects.all())
    _finish()
    done = time.perf_counter()
    print(
        f"seeded {len(writer.persons):,} persons in {len(writer.families):,} families across"
        f" {len(villages)} desa, {len(writer.findings):,} open error findings;"
        f" generate {planned - started:.1f} s, COPY + VACUUM ANALYZE {done - planned:.1f} s"
    )


if __name__ == "__main__":
    main()
