"""The flat DTKS exchange row (DOMAIN.md §5): one place for its column names and order.

Import reads these names, export writes them, so export → import is the identity.
"""

from __future__ import annotations

FLAT_COLUMNS: tuple[str, ...] = (
    "iddtks",
    "provinsi",
    "kabupaten_kota",
    "kecamatan",
    "desa_kelurahan",
    "alamat",
    "dusun",
    "rt",
    "rw",
    "nomor_kk",
    "nomor_nik",
    "nama",
    "tanggal_lahir",
    "tempat_lahir",
    "jenis_kelamin",
    "nama_ibu_kandung",
    "hubungan_keluarga",
    "tahun_data",
)

# Export adds the record's status, the perlu-perbaikan flag (ya/tidak) and its open findings.
EXPORT_COLUMNS: tuple[str, ...] = (*FLAT_COLUMNS, "status", "perlu_perbaikan", "temuan")

# A file lacking any of these is refused whole: no row could be placed without them.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "provinsi",
    "kabupaten_kota",
    "kecamatan",
    "desa_kelurahan",
    "nomor_kk",
    "nomor_nik",
    "nama",
    "tanggal_lahir",
    "jenis_kelamin",
    "hubungan_keluarga",
)

# The error report's own columns, appended to the original ones.
ROW_COLUMN = "baris"
REASON_COLUMN = "alasan"
