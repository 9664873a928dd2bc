"""Registry mode of `dtks dedup` at 1,000,000 persons on PostgreSQL: reading the persons,
linkage and writing the candidate pairs, beside baselines measured in the same run.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench4
    python bench/dedup_registry.py                 # ~6 min on the 2-core machine
    python bench/dedup_registry.py --rows 200000 --no-load   # reuse what is loaded

1. The registry: `make_duplicates.Generator` (the records of `bench/make_duplicates.py`, the
   file `bench/dedup.py` measures, same seed) loaded with COPY into a fresh database (DROPped
   and re-created from `<name>_template`, as the import benchmarks do). The registry refuses
   what a file allows, so a re-typed copy keeps its family when it stays in it (a second head
   becomes "other"), gets a new family when it has a new KK, and gets a NIK of its own when
   the NIK is missing or already held by an active person (two active records cannot share
   one). Missing birth dates become 1 July 1970.
2. Figure: `dtks dedup -v 2` (registry mode, whole registry) as a child process, twice: first
   on an empty queue (every pair new), then again (every pair found again: probabilities
   updated, decided pairs skipped — 1,000 are decided between the runs). Wall time, peak RSS,
   and the split read / link / write the command prints; precision and recall against the
   generator's truth.
3. Baselines in the same run: (a) reading — the same persons query as a plain
   `COPY (…) TO STDOUT` into a file; (b) the whole — file mode, `dtks dedup FILE --output`,
   over those same persons exported as a flat CSV (so the difference is what registry mode
   adds: the database read and the queue write; the pairs must be the same).
The load average is printed with every figure: the machine is shared.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    bench_url,
    dtks_command,
    fresh_database,
    load_average,
    run_measured,
    setup_django,
    stamp,
)

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
MISSING_DATE = dt.date(1970, 7, 1)


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=41)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "dtks-bench")
    parser.add_argument("--no-load", action="store_true", help="keep the registry loaded before")
    return parser.parse_args()


class Loader:
    """The generator's records as registry rows (families, persons, memberships)."""

    def __init__(self) -> None:
        self.families: dict[str, tuple] = {}  # no_kk → row
        self.heads: set[str] = set()
        self.niks: set[str] = set()
        self.persons: list[tuple] = []
        self.members: list[tuple] = []
        self.truth: list[tuple[int, int]] = []  # (person pk, human being)
        self.per_desa: dict[str, int] = {}
        self.now = dt.datetime.now(dt.UTC)

    def add(self, r: object) -> None:
        from dtks.registry.ids import format_id_dtks

        family_id = self._family(r)
        pk = len(self.persons) + 1
        seq = self.per_desa[r.place.code] = self.per_desa.get(r.place.code, 0) + 1
        born = r.birth_date or MISSING_DATE
        self.persons.append(
            (pk, format_id_dtks(r.place.code, "P", seq), self._nik(r, born), r.name,
             r.birth_place, born, r.sex, r.mother_name, 1, "active", "", "", "", "",
             self.now, self.now)
        )  # fmt: skip
        relationship = int(r.relationship)
        if relationship == 1 and r.no_kk in self.heads:
            relationship = 8
        if relationship == 1:
            self.heads.add(r.no_kk)
        self.members.append((pk, family_id, pk, relationship, dt.date(2020, 1, 1), ""))
        self.truth.append((pk, r.person))

    def _family(self, r: object) -> int:
        from dtks.registry.ids import format_id_dtks

        if r.no_kk not in self.families:
            pk = len(self.families) + 1
            self.families[r.no_kk] = (
                pk, format_id_dtks(r.place.code, "K", pk), r.no_kk, r.place.code, r.address,
                "", "", "", 2023, "active", "", "{}", "", self.now, self.now,
            )  # fmt: skip
        return self.families[r.no_kk][0]

    def _nik(self, r: object, born: dt.date) -> str:
        from dtks.demo import synth

        nik, serial = r.nik, 9000
        while not nik or nik in self.niks:
            serial += 1
            nik = synth.make_nik(r.place.code[:8], born, r.sex, serial % 10000)
        self.niks.add(nik)
        return nik


COPIES = {
    "registry_family": "id, id_dtks, no_kk, desa_id, address, dusun, rt, rw, data_year, status,"
    " inactive_reason, livestock, member_names, created_at, updated_at",
    "registry_person": "id, id_dtks, nik, name, birth_place, birth_date, sex, mother_name,"
    " presence, status, inactive_reason, work_sector, chronic_illness, health_insurance,"
    " created_at, updated_at",
    "registry_membership": "id, family_id, person_id, relationship, start_date, end_reason",
}


def load(rows: int, seed: int) -> list[tuple[int, int]]:
    """Fill the registry; the truth as (person pk, human being)."""
    from django.db import connection, transaction
    from make_duplicates import Generator

    loader = Loader()
    for record in Generator(seed).records(rows):
        loader.add(record)
    tables = (list(loader.families.values()), loader.persons, loader.members)
    with transaction.atomic(), connection.cursor() as cursor:
        for (table, columns), data in zip(COPIES.items(), tables, strict=True):
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        for table in COPIES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM"
                f" {table}))"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return loader.truth


def copy_baseline(path: Path) -> float:
    """Seconds to COPY the registry-mode query's rows to a file."""
    from django.db import connection

    from dtks.dedup.source import persons_sql

    sql, _params = persons_sql(None)
    started = time.perf_counter()
    with (
        path.open("wb") as out,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy,
    ):
        for block in copy:
            out.write(block)
    return time.perf_counter() - started


def export_flat(copied: Path, flat: Path) -> None:
    """The copied persons as a flat DTKS file for file mode (iddtks = the person's pk; the
    region columns carry the parts of the desa code, which file mode joins with dots)."""
    import polars as pl

    from dtks.dedup.source import SCHEMA

    persons = pl.read_csv(copied, has_header=False, schema=SCHEMA)
    persons = persons.sort("id", "family_id").unique("id", keep="first", maintain_order=True)
    parts = pl.col("desa_code").str.split(".")
    persons.select(
        iddtks=pl.col("id").cast(pl.String),
        provinsi=parts.list.get(0), kabupaten_kota=parts.list.get(1),
        kecamatan=parts.list.get(2), desa_kelurahan=parts.list.get(3),
        alamat="address", nomor_kk="no_kk", nomor_nik="nik", nama="name",
        tanggal_lahir=pl.col("birth_date").dt.to_string("%Y-%m-%d"), tempat_lahir="birth_place",
        jenis_kelamin=pl.col("sex").cast(pl.String), nama_ibu_kandung="mother_name",
    ).write_csv(flat)  # fmt: skip


def registry_pairs() -> set[tuple[int, int]]:
    from dtks.dedup.models import CandidatePair

    return set(CandidatePair.objects.values_list("person_l", "person_r"))


def quality(found: set[tuple[int, int]], truth: list[tuple[int, int]]) -> tuple[float, float]:
    from collections import defaultdict

    people: dict[int, list[int]] = defaultdict(list)
    for pk, human in truth:
        people[human].append(pk)
    true = {(a, b) for pks in people.values() for a in pks for b in pks if a < b}
    hits = len(found & true)
    return hits / max(len(found), 1), hits / max(len(true), 1)


def split(err: str) -> str:
    """The `read … s, link … s, write … s` line the command prints at -v 2."""
    lines = [line for line in err.splitlines() if re.match(r"read [\d.]+ s", line.strip())]
    return lines[-1].strip() if lines else "?"


def decide_some(n: int) -> None:
    """Decide `n` pairs (beda) as the second run's "already decided" share."""
    from dtks.dedup.models import CandidatePair

    ids = list(CandidatePair.objects.order_by("pk").values_list("pk", flat=True)[:n])
    CandidatePair.objects.filter(pk__in=ids).update(status="different")


def main() -> None:
    args = _args()
    url = bench_url()
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = {"DTKS_DATA_DIR": str(args.workdir / "data")}
    print(stamp())
    truth_file = args.workdir / f"registry-truth-{args.rows}-s{args.seed}.csv"
    if not args.no_load:
        fresh_database(url)
    setup_django()
    if not args.no_load:
        started = time.perf_counter()
        truth = load(args.rows, args.seed)
        with truth_file.open("w", newline="") as handle:
            csv.writer(handle).writerows(truth)
        print(f"loaded {len(truth):,} persons in {time.perf_counter() - started:.1f} s")
    else:
        with truth_file.open() as handle:
            truth = [(int(a), int(b)) for a, b in csv.reader(handle)]
        from django.db import connection

        with connection.cursor() as cursor:  # an empty queue, and statistics that say so
            cursor.execute("TRUNCATE dedup_merge, dedup_candidatepair, dedup_deduprun CASCADE")
            cursor.execute("ANALYZE dedup_candidatepair")

    first = run_measured(dtks_command("dedup", "-v", "2"), env)
    if first.code:
        sys.exit(f"dtks dedup failed:\n{first.err}")
    found = registry_pairs()
    precision, recall = quality(found, truth)
    print(f"registry mode, empty queue: {first.seconds:.1f} s wall, peak {first.max_rss_mb:,.0f} MB"
          f" ({split(first.err)}); {len(found):,} pairs, precision {precision:.4f},"
          f" recall {recall:.4f} | {load_average()}")  # fmt: skip
    print("  " + first.out.strip().splitlines()[0])
    decide_some(1000)
    again = run_measured(dtks_command("dedup", "-v", "2"), env)
    print(f"registry mode, queue filled (1,000 decided): {again.seconds:.1f} s wall, peak"
          f" {again.max_rss_mb:,.0f} MB ({split(again.err)}) | {load_average()}")  # fmt: skip
    print("  " + again.out.strip().splitlines()[0])

    copied, flat, out = (args.workdir / n for n in ("registry.copy.csv", "registry.flat.csv",
                                                     "registry.pairs.csv"))  # fmt: skip
    copy_seconds = copy_baseline(copied)
    export_flat(copied, flat)
    file_mode = run_measured(dtks_command("dedup", str(flat), "--output", str(out), "-v", "2"), env)
    if file_mode.code:
        sys.exit(f"file mode failed:\n{file_mode.err}")
    import polars as pl

    file_pairs = pl.read_csv(out)
    file_found = {(min(a, b), max(a, b)) for a, b in zip(file_pairs["id_l"], file_pairs["id_r"],
                                                         strict=True)}  # fmt: skip
    read_s = float(re.search(r"read ([\d.]+) s", split(first.err)).group(1))
    print(
        f"reading the persons: {read_s:.1f} s | baseline (plain COPY of the same query to a"
        f" file): {copy_seconds:.1f} s | ratio {read_s / copy_seconds:.2f}x | {load_average()}"
    )
    print(
        f"whole run: {first.seconds:.1f} s | baseline (file mode on the same persons as a flat"
        f" CSV): {file_mode.seconds:.1f} s | ratio {first.seconds / file_mode.seconds:.2f}x"
        f" | same pairs: {file_found == found} | {load_average()}"
    )
    for path in (copied, flat, out):
        os.remove(path)


if __name__ == "__main__":
    main()
