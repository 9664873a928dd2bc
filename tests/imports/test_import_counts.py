"""created + updated + unchanged + rejected == data rows, whatever the file holds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtks.imports.pipeline import import_file
from tests.imports.import_rows import row, write_csv

MESSY = {
    "nomor_nik": st.sampled_from(
        [
            "1709014508850003",
            "1709010101900007",
            "1709010101900008",
            "3.2E+15",
            "17090",
            "",
            "17090101019000AB",
            " 1709010101900009 ",
        ]
    ),
    "nomor_kk": st.sampled_from(["1709010101200001", "1709010101200002", "1709010101200001.0", ""]),
    "tanggal_lahir": st.sampled_from(
        ["05-08-1985", "31-02-1990", "17 Agustus 1985", "31264", "kemarin", "", "2999-01-01"]
    ),
    "jenis_kelamin": st.sampled_from(["L", "p", "Perempuan", "X", "", "2"]),
    "hubungan_keluarga": st.sampled_from(["Kepala Keluarga", "anak", "ISTRI", "9", "", "Cucu"]),
    "desa_kelurahan": st.sampled_from(
        ["Taba Terunjam", "DESA TALANG EMPAT", "Air Sebakul", "Antah", ""]
    ),
    "rt": st.sampled_from(["1", "001", "1A", ""]),
    "nama": st.sampled_from(["Siti", "  Budi   Santoso ", "", "x" * 120]),
}
messy_row = st.fixed_dictionaries({k: v for k, v in MESSY.items()}).map(lambda d: row(**d))
blank_row = st.just({})


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(st.one_of(messy_row, messy_row, messy_row, blank_row), max_size=12))
def test_every_data_row_has_exactly_one_outcome(regions, tmp_path_factory, rows):
    path = write_csv(tmp_path_factory.mktemp("messy") / "a.csv", rows)
    result = import_file(path, by=None, checks=False)
    data_rows = sum(1 for r in rows if r)
    assert result.total == data_rows
    assert result.created + result.updated + result.unchanged + result.rejected == data_rows
