"""Write a synthetic flat DTKS file with known duplicates, and the truth beside it, for
`bench/dedup.py` (and for training the packaged linkage model on another seed).

    python bench/make_duplicates.py --rows 1000000 --out /tmp/dedup-1m.csv
    # writes /tmp/dedup-1m.csv (FLAT_COLUMNS, iddtks filled) and /tmp/dedup-1m.truth.csv

The truth file has `iddtks,person`: rows with the same `person` are one human being.

The registry: persons in families (`dtks.demo.synth.plan_family`: consistent ages, mothers,
relationships) over the 143 desa of Kabupaten Bengkulu Tengah (17.09), NIK and No. KK from
`synth.make_nik`/`make_no_kk` (so a NIK carries the birth date, sex and kecamatan), region
names, dates and sex typed in the varied ways of `make_flat_csv.py`. Base records have gaps:
~8 % without a mother's name, ~5 % without a birth place, ~1 % without a NIK.

What makes it hard (rates per duplicate record, drawn independently):
- Duplicates: ~3.5 % of persons are entered again, ~10 % of those twice. The copy is
  re-typed in the same family (50 %), under a new KK in the same desa (25 %, a newly-wed still
  in the parents' KK), or after a move to another desa (25 %, new KK and address).
- Name: kept 45 %; an Indonesian spelling variant 20 % (Muhammad → M./Moh./Muhamad/Mochamad,
  Siti → St., Nur ↔ Nurul, old spelling u → oe, j → dj, c → tj, sy → sj, kh → ch, y → j,
  i → y at the end, a doubled or dropped letter, a final h dropped, Haji/Hajjah title,
  Nurhayati ↔ Nur Hayati); one typo 15 %; second name dropped 6 %; a variant and a typo 4 %;
  case and spacing only 10 %.
- Birth date: kept 86 %; day and month transposed 4 %; one digit of the day mistyped 3 %; year
  ±1 2 %; another day of the same year 2 % (unknown dates written as 1 January or 1 July);
  a few days off 2 %; missing 1 %.
- NIK: kept 72 %; one digit mistyped 10 %; two adjacent digits swapped 4 %; missing 8 %; another
  NIK altogether 6 % (issued again elsewhere: the date part stays, region and serial change).
- Mother's name: kept 60 %, variant 12 %, typo 10 %, missing 12 %, first name only 6 %.
  Birth place: kept 82 %, variant 6 %, missing 8 %, another place 4 %. Sex flipped 1 %.
- Namesakes who are different people (~1 % extra persons): the same name as typed (or only
  its case changed), another birth date (the same year in 30 %), another mother, their own NIK
  and KK, in the same desa 60 %; and ~1 % of sons named after their father, in his KK.
- Twins (~1 % of families with two or more children): same birth date, mother, KK, address and
  birth place, NIKs one serial apart; their own names.
Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import string
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

KABUPATEN = "17.09"
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip
SEX_STYLES = (("L", "P"), ("LAKI-LAKI", "PEREMPUAN"), ("1", "2"), ("Laki-laki", "Perempuan"))
DUPLICATE_RATE = 0.035
TRIPLE_SHARE = 0.10
NAMESAKE_RATE = 0.01


def _src_path() -> None:
    """Make `dtks` importable from a source checkout without installing it."""
    src = Path(__file__).resolve().parent.parent / "src"
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))


@dataclass(frozen=True)
class Place:
    code: str  # desa code, 17.09.01.2001
    names: tuple[str, str, str, str]  # provinsi, kabupaten, kecamatan, desa


@dataclass(frozen=True)
class Record:
    """One row of the file as a person (the truth) and as typed."""

    person: int
    place: Place
    address: str
    no_kk: str
    nik: str
    name: str
    birth_date: dt.date | None
    birth_place: str
    sex: int
    mother_name: str
    relationship: str


def villages() -> list[Place]:
    from lokal import wilayah as source

    prov = source.get_wilayah(KABUPATEN.split(".")[0]).name
    kab = source.get_wilayah(KABUPATEN).name.removeprefix("Kabupaten ")
    return [
        Place(desa.code, (prov, kab, kec.name, desa.name))
        for kec in source.list_wilayah(KABUPATEN)
        for desa in source.list_wilayah(kec.code)
    ]


# --- Ways of typing a name differently ---------------------------------------------------

_VARIANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Muhammad", ("M.", "Muh.", "Moh.", "Muhamad", "Mohammad", "Mochamad", "Mohd.")),
    ("Ahmad", ("Achmad", "Akhmad")),
    ("Siti", ("St.",)),
    ("Nurul", ("Nur",)),
    ("Nur ", ("Nurul ",)),
    ("Abdul", ("Abd.",)),
    ("Khairul", ("Chairul", "Hairul")),
    ("Syamsul", ("Sjamsul", "Samsul")),
    ("Syah", ("Sjah",)),
    ("Yusuf", ("Jusuf", "Joesoef")),
    ("Yu", ("Ju",)),
    ("Ya", ("Ja",)),
    ("Su", ("Soe",)),
    ("u", ("oe",)),
    ("J", ("Dj",)),
    ("j", ("dj",)),
    ("C", ("Tj",)),
    ("c", ("tj",)),
    ("sy", ("sj",)),
    ("Sy", ("Sj",)),
    ("kh", ("ch",)),
    ("Kh", ("Ch",)),
    ("di ", ("dy ",)),
    ("ri ", ("ry ",)),
    ("ti ", ("ty ",)),
    ("f", ("ff",)),
    ("ff", ("f",)),
    ("mm", ("m",)),
    ("ah ", ("a ",)),
    ("Nurh", ("Nur H",)),
    ("Nur H", ("Nurh",)),
)


def spelling_variant(rng: random.Random, name: str) -> str | None:
    """One Indonesian spelling variant of `name` that applies to it, or None."""
    padded = name + " "
    options = [(a, b) for a, bs in _VARIANTS if a in padded for b in bs]
    if not options:
        return None
    old, new = rng.choice(options)
    starts = [i for i in range(len(padded)) if padded.startswith(old, i)]
    i = rng.choice(starts)
    return (padded[:i] + new + padded[i + len(old) :]).strip()


def typo(rng: random.Random, text: str) -> str:
    """One slip of the keyboard (not on the first letter): substitution, deletion, insertion
    or two neighbours swapped."""
    if len(text) < 3:
        return text + rng.choice("aeiou")
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    letter = rng.choice(string.ascii_lowercase)
    if kind == 0:
        return text[:i] + letter + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + letter + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def retype_name(rng: random.Random, name: str, sex: int, born: dt.date | None) -> str:
    roll = rng.random()
    if roll < 0.45:
        return name
    if roll < 0.65:
        if rng.random() < 0.15 and born and born.year < 1980:
            return ("H. " if sex == 1 else "Hj. ") + name
        return spelling_variant(rng, name) or typo(rng, name)
    if roll < 0.80:
        return typo(rng, name)
    if roll < 0.86:
        words = name.split()
        return words[0] if len(words) > 1 else typo(rng, name)
    if roll < 0.90:
        return typo(rng, spelling_variant(rng, name) or name)
    return rng.choice((name.upper(), name.lower(), f" {name.upper()}  ", name.replace(" ", "  ")))


def retype_mother(rng: random.Random, name: str) -> str:
    roll = rng.random()
    if not name or roll < 0.60:
        return name
    if roll < 0.72:
        return spelling_variant(rng, name) or typo(rng, name)
    if roll < 0.82:
        return typo(rng, name)
    if roll < 0.94:
        return ""
    return name.split()[0]


def retype_date(rng: random.Random, day: dt.date | None) -> dt.date | None:
    roll = rng.random()
    if day is None or roll < 0.86:
        return day
    if roll < 0.90 and day.day <= 12 and day.day != day.month:
        return dt.date(day.year, day.day, day.month)
    if roll < 0.93:
        tens, ones = divmod(day.day, 10)
        for _ in range(10):
            new = (
                tens * 10 + rng.randrange(10)
                if rng.random() < 0.5
                else rng.randrange(3) * 10 + ones
            )
            if 1 <= new <= 28 and new != day.day:
                return day.replace(day=new)
        return day.replace(day=1 if day.day != 1 else 2)
    if roll < 0.95:
        return _safe_year(day, day.year + rng.choice((-1, 1)))
    if roll < 0.97:
        other = rng.choice((dt.date(day.year, 1, 1), dt.date(day.year, 7, 1)))
        return other if other != day else dt.date(day.year, 12, 31)
    if roll < 0.99:
        return day + dt.timedelta(days=rng.choice((-1, 1)) * rng.randint(1, 10))
    return None


def _safe_year(day: dt.date, year: int) -> dt.date:
    return day.replace(year=year, day=min(day.day, 28))


def retype_nik(rng: random.Random, nik: str, kec_codes: list[str]) -> str:
    roll = rng.random()
    if not nik or roll < 0.72:
        return nik
    if roll < 0.82:
        i = rng.randrange(16)
        return nik[:i] + rng.choice([d for d in "0123456789" if d != nik[i]]) + nik[i + 1 :]
    if roll < 0.86:
        i = rng.randrange(15)
        if nik[i] == nik[i + 1]:
            i = next((j for j in range(15) if nik[j] != nik[j + 1]), i)
        return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2 :]
    if roll < 0.94:
        return ""
    region = rng.choice(kec_codes).replace(".", "")[:6]
    return f"{region}{nik[6:12]}{rng.randint(1, 9999):04d}"


def retype_place(rng: random.Random, place: str, desa: str) -> str:
    roll = rng.random()
    if not place or roll < 0.82:
        return place
    if roll < 0.88:
        return rng.choice((place.upper(), f"Kota {place}", f"Kab. {place}", typo(rng, place)))
    if roll < 0.96:
        return ""
    return desa


# --- The registry ----------------------------------------------------------------------


class Generator:
    """Families first (remembering who will be entered again or get a namesake), then the
    namesakes and the duplicate records, until the file has --rows rows."""

    def __init__(self, seed: int) -> None:
        from dtks.demo.synth import Serials

        self.rng = random.Random(seed)
        self.nik_serials = Serials()
        self.kk_serials = Serials()
        self.places = villages()
        self.kec_codes = sorted({p.code[:8] for p in self.places})
        self.person = 0
        self.to_duplicate: list[Record] = []
        self.to_namesake: list[Record] = []

    def records(self, rows: int) -> Iterator[Record]:
        base = round(rows / (1 + DUPLICATE_RATE * (1 + TRIPLE_SHARE) + NAMESAKE_RATE))
        made = 0
        for record in self._families(base):
            made += 1
            yield record
        extras = self._extras()
        while made < rows:
            yield next(extras)
            made += 1

    def _families(self, persons: int) -> Iterator[Record]:
        from dtks.demo import synth

        rng = self.rng
        families = max(1, round(persons / 2.86))
        sizes = synth.family_sizes(rng, families, persons)
        weights = [rng.uniform(0.5, 1.5) for _ in self.places]
        for size, place in zip(
            sizes, rng.choices(self.places, weights=weights, k=families), strict=True
        ):
            yield from self._family(place, size)

    def _new_kk(self, place: Place) -> str:
        from dtks.demo import synth

        issued = dt.date(2010, 1, 1) + dt.timedelta(days=self.rng.randrange(4900))
        prefix = synth.make_no_kk(place.code[:8], issued, 0)[:12]
        return synth.make_no_kk(place.code[:8], issued, self.kk_serials.next(prefix))

    def _new_nik(self, kec_code: str, born: dt.date, sex: int) -> str:
        from dtks.demo import synth

        prefix = synth.make_nik(kec_code, born, sex, 0)[:12]
        return f"{prefix}{self.nik_serials.next(prefix):04d}"

    def _address(self) -> str:
        from dtks.demo import synth

        return f"{self.rng.choice(synth.STREETS)} No. {self.rng.randint(1, 200)}"

    def _family(self, place: Place, size: int) -> Iterator[Record]:
        from dtks.demo import synth

        rng = self.rng
        members = synth.plan_family(rng, size)
        kids = [m for m in members if m.relationship == synth.CHILD]
        if len(kids) >= 2 and rng.random() < 0.01:
            kids[1].birth_date = kids[0].birth_date  # twins
        head = members[0]
        for kid in kids:
            if kid.sex == synth.MALE and head.sex == synth.MALE and rng.random() < 0.01:
                kid.name = head.name  # a son named after his father
        no_kk, address = self._new_kk(place), self._address()
        birth_place = rng.choice(synth.BIRTH_PLACES_FAR + (place.names[3],) * 5)
        for m in members:
            self.person += 1
            nik = self._new_nik(place.code[:8], m.birth_date, m.sex)
            record = Record(
                person=self.person,
                place=place,
                address=address,
                no_kk=no_kk,
                nik="" if rng.random() < 0.01 else nik,
                name=m.name,
                birth_date=m.birth_date,
                birth_place="" if rng.random() < 0.05 else birth_place,
                sex=m.sex,
                mother_name=""
                if rng.random() < 0.08
                else (m.mother_name or synth.full_name(rng, 2)),
                relationship=str(m.relationship),
            )
            if rng.random() < DUPLICATE_RATE * 1.02:
                self.to_duplicate.append(record)
            if rng.random() < NAMESAKE_RATE * 1.05:
                self.to_namesake.append(record)
            yield record

    def _extras(self) -> Iterator[Record]:
        rng = self.rng
        work = [("namesake", r) for r in self.to_namesake] + [("dup", r) for r in self.to_duplicate]
        rng.shuffle(work)
        for kind, record in work:
            if kind == "namesake":
                yield self._namesake(record)
                continue
            yield self._duplicate(record)
            if rng.random() < TRIPLE_SHARE:
                yield self._duplicate(record)
        raise RuntimeError("not enough planned duplicates for --rows")

    def _duplicate(self, r: Record) -> Record:
        rng = self.rng
        roll = rng.random()
        place, no_kk, address = r.place, r.no_kk, r.address
        if roll >= 0.5:
            if roll >= 0.75:
                place = rng.choice(self.places)
                address = self._address()
            no_kk = self._new_kk(place)
        born = retype_date(rng, r.birth_date)
        return replace(
            r,
            place=place,
            address=address,
            no_kk=no_kk,
            nik=retype_nik(rng, r.nik, self.kec_codes),
            name=retype_name(rng, r.name, r.sex, r.birth_date),
            birth_date=born,
            birth_place=retype_place(rng, r.birth_place, place.names[3]),
            sex=r.sex if rng.random() >= 0.01 else 3 - r.sex,
            mother_name=retype_mother(rng, r.mother_name),
            relationship="1" if no_kk != r.no_kk else r.relationship,
        )

    def _namesake(self, r: Record) -> Record:
        """Another person of the same name: own birth date, mother, NIK and KK."""
        from dtks.demo import synth

        rng = self.rng
        assert r.birth_date is not None
        born = r.birth_date
        while born == r.birth_date:
            if rng.random() < 0.3:
                born = dt.date(r.birth_date.year, rng.randint(1, 12), rng.randint(1, 28))
            else:
                years = rng.choice((-1, 1)) * rng.randint(1, 15)
                born = _safe_year(r.birth_date, min(r.birth_date.year + years, 2022))
                born += dt.timedelta(days=rng.randint(-150, 150))
        place = r.place if rng.random() < 0.6 else rng.choice(self.places)
        self.person += 1
        return Record(
            person=self.person,
            place=place,
            address=self._address(),
            no_kk=self._new_kk(place),
            nik=self._new_nik(place.code[:8], born, r.sex),
            name=rng.choice((r.name, r.name, r.name.upper())),
            birth_date=born,
            birth_place=rng.choice(synth.BIRTH_PLACES_FAR + (place.names[3],) * 5),
            sex=r.sex,
            mother_name=synth.full_name(rng, synth.FEMALE),
            relationship="1",
        )


# --- Writing ---------------------------------------------------------------------------


def _date_text(day: dt.date | None, style: int) -> str:
    if day is None:
        return ""
    return (
        f"{day.day:02d}-{day.month:02d}-{day.year}",
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        day.isoformat(),
        f"{day.day} {MONTHS[day.month - 1]} {day.year}",
    )[style]


def _region_names(rng: random.Random, names: tuple[str, str, str, str]) -> list[str]:
    prov, kab, kec, desa = names
    return [
        rng.choice((prov, prov.upper(), f"Provinsi {prov}")),
        rng.choice((f"Kab. {kab}", f"Kabupaten {kab}", kab.upper(), kab)),
        rng.choice((f"KEC. {kec}", kec, kec.upper(), f"Kecamatan {kec}")),
        rng.choice((desa, desa.upper(), desa.lower())),
    ]


def write(rows: Iterator[Record], out: Path, truth: Path, seed: int) -> int:
    from dtks.imports.columns import FLAT_COLUMNS

    rng = random.Random(seed + 1)
    per_desa: dict[str, int] = {}
    count = 0
    with (
        out.open("w", newline="", encoding="utf-8") as handle,
        truth.open("w", newline="", encoding="utf-8") as truth_handle,
    ):
        writer, truth_writer = csv.writer(handle), csv.writer(truth_handle)
        writer.writerow(FLAT_COLUMNS)
        truth_writer.writerow(("iddtks", "person"))
        for r in rows:
            per_desa[r.place.code] = per_desa.get(r.place.code, 0) + 1
            iddtks = f"{r.place.code.replace('.', '')}P{per_desa[r.place.code]:06d}"
            rt = rng.randint(1, 15)
            writer.writerow(
                [
                    iddtks,
                    *_region_names(rng, r.place.names),
                    r.address,
                    rng.choice(("Dusun I", "Dusun II", "Dusun III")),
                    rng.choice((str(rt), f"{rt:03d}")),
                    "1",
                    r.no_kk,
                    r.nik,
                    r.name,
                    _date_text(r.birth_date, rng.randrange(4)),
                    r.birth_place,
                    rng.choice(SEX_STYLES)[r.sex - 1],
                    r.mother_name,
                    r.relationship,
                    "2023",
                ]
            )
            truth_writer.writerow((iddtks, r.person))
            count += 1
    return count


def truth_path(out: Path) -> Path:
    return out.with_name(out.name.removesuffix(out.suffix) + ".truth.csv")


def main() -> None:
    _src_path()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=41)
    args = parser.parse_args()
    started = time.perf_counter()
    count = write(
        Generator(args.seed).records(args.rows), args.out, truth_path(args.out), args.seed
    )
    took = time.perf_counter() - started
    print(f"wrote {count:,} rows to {args.out} and {truth_path(args.out)} in {took:.1f} s")


if __name__ == "__main__":
    main()
