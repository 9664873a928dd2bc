"""Small flat DTKS files for the import tests, written as the user would type them."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from dtks.imports.columns import FLAT_COLUMNS

HEAD_NIK = "1709014508850003"
KK = "1709010101200001"


def row(**values: Any) -> dict[str, Any]:
    """A valid row of desa A (Taba Terunjam), overridable per column."""
    base = {
        "iddtks": "",
        "provinsi": "Bengkulu",
        "kabupaten_kota": "Kab. Bengkulu Tengah",
        "kecamatan": "Kec. Karang Tinggi",
        "desa_kelurahan": "Desa Taba Terunjam",
        "alamat": "Jl. Merdeka 1",
        "dusun": "Dusun I",
        "rt": "1",
        "rw": "2",
        "nomor_kk": KK,
        "nomor_nik": HEAD_NIK,
        "nama": "Siti Aminah",
        "tanggal_lahir": "05-08-1985",
        "tempat_lahir": "Bengkulu",
        "jenis_kelamin": "P",
        "nama_ibu_kandung": "Rohani",
        "hubungan_keluarga": "Kepala Keluarga",
        "tahun_data": "2024",
    }
    base.update(values)
    return base


def member(n: int, **values: Any) -> dict[str, str]:
    """The n-th child of the family in `row()` (NIK serial n + 3)."""
    data = {
        "nomor_nik": f"170901010710{n + 3:04d}",
        "nama": f"Anak {n}",
        "tanggal_lahir": "01-07-2010",
        "jenis_kelamin": "L",
        "hubungan_keluarga": "Anak",
    }
    data.update(values)
    return row(**data)


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    columns: list[str] | None = None,
    separator: str = ",",
    bom: bool = False,
) -> Path:
    columns = columns or list(FLAT_COLUMNS)
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.writer(handle, delimiter=separator)
        writer.writerow(columns)
        for values in rows:
            writer.writerow([str(values.get(c, "")) for c in columns])
    return path
