"""Write a valid flat DTKS exchange file (the 18 columns of `dtks.imports.columns.FLAT_COLUMNS`)
of N synthetic persons, for the import benchmarks.

    python bench/make_flat_csv.py --rows 1000000 --out /tmp/dtks-1m.csv
    python bench/make_flat_csv.py --rows 100000 --out /tmp/dtks-100k.xlsx --xlsx

Persons live in ~N/2.86 families (one head each, consistent ages and relationships from
`dtks.demo.synth.plan_family`) spread over the real desa of Kabupaten Bengkulu Tengah (17.09),
read from the same source as `load_wilayah`, so no database is needed. NIK and No. KK follow
`synth.make_nik`/`make_no_kk` and are unique. Every family is typed by a different hand: region
names in varying case and prefix (`Kab. Bengkulu Tengah`, `KEC. Karang Tinggi`), dates as
`17-08-1985`, `17/08/1985`, `1985-08-17` or `17 Agustus 1985` (and real date cells in xlsx),
sex as `L/P`, `LAKI-LAKI/PEREMPUAN` or `1/2`, RT as `1` or `001`, relationship names in any case.
Every row is meant to be accepted. Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

KABUPATEN = "17.09"
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip
RELATIONSHIP_NAMES = {
    1: "Kepala Keluarga",
    2: ("Suami", "Istri"),  # by the member's sex (1 male, 2 female)
    3: "Anak",
    4: "Menantu",
    5: "Cucu",
    6: "Orang Tua",
    7: "Pembantu",
    8: "Lainnya",
}
SEX_STYLES = (("L", "P"), ("LAKI-LAKI", "PEREMPUAN"), ("1", "2"), ("Laki-laki", "Perempuan"))


def _django_free_path() -> None:
    """Make `dtks` importable from a source checkout without installing it."""
    src = Path(__file__).resolve().parent.parent / "src"
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="persons (data rows)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--xlsx", action="store_true", help="write an xlsx workbook instead")
    parser.add_argument("--seed", type=int, default=17)
    return parser.parse_args()


def villages() -> list[tuple[str, str, str, str, str]]:
    """(desa code, provinsi, kabupaten, kecamatan, desa) names of every desa of 17.09."""
    from lokal import wilayah as source

    prov = source.get_wilayah(KABUPATEN.split(".")[0]).name
    kab = source.get_wilayah(KABUPATEN).name.removeprefix("Kabupaten ")
    found = []
    for kec in source.list_wilayah(KABUPATEN):
        for desa in source.list_wilayah(kec.code):
            found.append((desa.code, prov, kab, kec.name, desa.name))
    return found


def _region_names(rng: random.Random, prov: str, kab: str, kec: str, desa: str) -> list[str]:
    """The four region names as one hand types them: case, spacing and prefix vary."""
    prov = rng.choice((prov, prov.upper(), f"Provinsi {prov}"))
    kab = rng.choice((f"Kab. {kab}", f"Kabupaten {kab}", kab.upper(), f"KAB. {kab.upper()}", kab))
    kec = rng.choice((f"KEC. {kec}", kec, kec.upper(), f"Kecamatan {kec}", f" {kec.lower()} "))
    desa = rng.choice((desa, desa.upper(), desa.lower(), f" {desa}"))
    return [prov, kab, kec, desa]


def _date_text(day: dt.date, style: int) -> str | dt.date:
    if style == 0:
        return f"{day.day:02d}-{day.month:02d}-{day.year}"
    if style == 1:
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if style == 2:
        return day.isoformat()
    if style == 3:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return day  # an Excel date cell (xlsx only)


def _relationship(code: int, sex: int, case: int) -> str:
    name = RELATIONSHIP_NAMES.get(code, "Lainnya")
    if isinstance(name, tuple):
        name = name[sex - 1]
    return (name, name.upper(), name.lower())[case]


class Generator:
    """Yields flat rows family by family; unique NIK/KK serials per 12-digit prefix."""

    def __init__(self, seed: int, *, date_cells: bool) -> None:
        from dtks.demo.synth import Serials

        self.rng = random.Random(seed)
        self.nik_serials = Serials()
        self.kk_serials = Serials()
        self.date_styles = 5 if date_cells else 4

    def rows(self, persons: int) -> Iterator[list]:
        from dtks.demo import synth

        rng = self.rng
        places = villages()
        weights = [rng.uniform(0.5, 1.5) for _ in places]
        families = max(1, round(persons / 2.86))
        sizes = synth.family_sizes(rng, families, persons)
        chosen = rng.choices(places, weights=weights, k=families)
        for size, place in zip(sizes, chosen, strict=True):
            yield from self._family(place, size)

    def _family(self, place: tuple[str, str, str, str, str], size: int) -> Iterator[list]:
        from dtks.demo import synth

        rng = self.rng
        kec_code = place[0][:8]
        issued = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(4900))
        prefix = synth.make_no_kk(kec_code, issued, 0)[:12]
        no_kk = synth.make_no_kk(kec_code, issued, self.kk_serials.next(prefix))
        rt = rng.randint(1, 15)
        shared = [
            "",  # iddtks: new to the registry
            *_region_names(rng, *place[1:]),
            f"{rng.choice(synth.STREETS)} No. {rng.randint(1, 200)}",
            rng.choice(synth.DUSUN),
            rng.choice((str(rt), f"{rt:03d}")),
            rng.choice(("1", "001", "2", "002")),
            no_kk,
        ]
        date_style = rng.randrange(self.date_styles)
        sex_style = rng.choice(SEX_STYLES)
        year = str(rng.choice((2021, 2022, 2023)))
        birth_place = rng.choice(synth.BIRTH_PLACES_FAR + (place[4],) * 5)
        case = rng.randrange(3)  # relationship names: as written, upper or lower case
        shouting = rng.random() < 0.02  # names in capitals with stray spaces
        for p in synth.plan_family(rng, size):
            nik_prefix = synth.make_nik(kec_code, p.birth_date, p.sex, 0)[:12]
            nik = f"{nik_prefix}{self.nik_serials.next(nik_prefix):04d}"
            yield [
                *shared,
                nik,
                f" {p.name.upper()} " if shouting else p.name,
                _date_text(p.birth_date, date_style),
                birth_place,
                sex_style[p.sex - 1],
                p.mother_name or synth.full_name(rng, synth.FEMALE),
                _relationship(p.relationship, p.sex, case),
                year,
            ]


def write_csv(path: Path, rows: Iterator[list], header: tuple[str, ...]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_xlsx(path: Path, rows: Iterator[list], header: tuple[str, ...]) -> int:
    """One flat sheet, written streaming (openpyxl write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("dtks")
    sheet.append(list(header))
    date_column = header.index("tanggal_lahir")
    count = 0
    for row in rows:
        day = row[date_column]
        if isinstance(day, dt.date):
            cell = WriteOnlyCell(sheet, value=day)
            cell.number_format = "DD/MM/YYYY"
            row[date_column] = cell
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count


def main() -> None:
    _django_free_path()
    from dtks.imports.columns import FLAT_COLUMNS

    args = _args()
    started = time.perf_counter()
    rows = Generator(args.seed, date_cells=args.xlsx).rows(args.rows)
    write = write_xlsx if args.xlsx else write_csv
    count = write(args.out, rows, FLAT_COLUMNS)
    size = args.out.stat().st_size / 1e6
    took = time.perf_counter() - started
    print(f"wrote {count:,} rows to {args.out} ({size:.1f} MB) in {took:.1f} s")


if __name__ == "__main__":
    main()
