"""A small flat DTKS file with known duplicates, namesakes and twins, for the linkage tests.

Eighty synthetic families (`dtks.demo.synth`, fixed seed) give the model ordinary neighbours;
beside them, planted records whose truth the tests know.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from dtks.demo import synth
from dtks.imports.columns import FLAT_COLUMNS

DESA = ("Taba Terunjam", "Karang Tinggi", "Pagar Jati")

# iddtks, nama, tanggal_lahir, nomor_nik, nomor_kk, nama_ibu_kandung, tempat_lahir, desa, sex
PLANTED = [
    # A and its copy: Muhammad written M., Siti written St.
    ("A1", "Muhammad Yusuf", "12-03-1980", "1709011203800001", "1709012005100001",
     "Siti Aminah", "Bengkulu", "Taba Terunjam", "L"),
    ("A2", "M. Yusuf", "12/03/1980", "1709011203800001", "1709012005100001",
     "St. Aminah", "Bengkulu", "Taba Terunjam", "LAKI-LAKI"),
    # B moved to another desa with a new KK; old spelling; a typo in the NIK.
    ("B1", "Joko Susanto", "1975-07-05", "1709010507750003", "1709011102090002",
     "Sumarni", "Kebumen", "Taba Terunjam", "L"),
    ("B2", "Djoko Soesanto", "05-07-1975", "1709010507750008", "1709021503180004",
     "Sumarni", "Kebumen", "Karang Tinggi", "1"),
    # C typed again without a NIK; day and month transposed; Nurhayati split.
    ("C1", "Nurhayati", "04-11-1990", "1709014411900002", "1709010101120003",
     "Rohani", "Curup", "Taba Terunjam", "P"),
    ("C2", "Nur Hayati", "11-04-1990", "", "1709010101120003",
     "Rohani", "Curup", "Taba Terunjam", "PEREMPUAN"),
    # D: two men named Rahmat Hidayat in one desa, different birth dates, mothers, NIKs.
    ("D1", "Rahmat Hidayat", "20-01-1985", "1709012001850001", "1709010202110005",
     "Fatimah", "Bengkulu", "Pagar Jati", "L"),
    ("D2", "Rahmat Hidayat", "02-06-1992", "1709010206920004", "1709010303150006",
     "Halimah", "Bengkulu", "Pagar Jati", "L"),
    # E: twins, one KK, one mother, one birth date, NIKs one serial apart.
    ("E1", "Hasan Basri", "15-09-2010", "1709011509100001", "1709010404140007",
     "Yuliana", "Manna", "Karang Tinggi", "L"),
    ("E2", "Rina Wati", "15-09-2010", "1709015509100001", "1709010404140007",
     "Yuliana", "Manna", "Karang Tinggi", "P"),
]  # fmt: skip
DUPLICATES = {("A1", "A2"), ("B1", "B2"), ("C1", "C2")}
NAMESAKES = ("D1", "D2")
TWINS = ("E1", "E2")


def flat_row(iddtks: str, nama: str, born: str, nik: str, kk: str, mother: str, place: str,
             desa: str, sex: str) -> dict[str, str]:  # fmt: skip
    """A flat row; the address is the KK's own house."""
    return {
        "iddtks": iddtks,
        "provinsi": "Bengkulu",
        "kabupaten_kota": "Bengkulu Tengah",
        "kecamatan": "Karang Tinggi",
        "desa_kelurahan": desa,
        "alamat": f"Jl. Desa No. {int(kk[-4:] or 0)}",
        "nomor_kk": kk,
        "nomor_nik": nik,
        "nama": nama,
        "tanggal_lahir": born,
        "tempat_lahir": place,
        "jenis_kelamin": sex,
        "nama_ibu_kandung": mother,
    }


def neighbours(families: int = 80, seed: int = 5) -> list[dict[str, str]]:
    """Ordinary families of distinct persons."""
    rng = random.Random(seed)
    serials = synth.Serials()
    rows = []
    for f in range(families):
        desa = DESA[f % len(DESA)]
        kk = f"17090121{f % 97:04d}{f + 100:04d}"
        for i, p in enumerate(synth.plan_family(rng, rng.randint(1, 5))):
            prefix = synth.make_nik("17.09.01", p.birth_date, p.sex, 0)[:12]
            nik = f"{prefix}{serials.next(prefix):04d}"
            rows.append(
                flat_row(
                    f"N{f:03d}{i}",
                    p.name,
                    p.birth_date.strftime("%d-%m-%Y"),
                    nik,
                    kk,
                    p.mother_name or synth.full_name(rng, synth.FEMALE),
                    "Bengkulu",
                    desa,
                    "L" if p.sex == synth.MALE else "P",
                )
            )
    return rows


def write_file(path: Path, rows: list[dict[str, str]] | None = None) -> Path:
    rows = rows if rows is not None else [*neighbours(), *(flat_row(*r) for r in PLANTED)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FLAT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
