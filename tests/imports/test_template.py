"""The offline template workbook: what Excel shows the operator, and what comes back from it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from dtks.imports.columns import FLAT_COLUMNS
from dtks.imports.template import (
    FAMILY_COLUMNS,
    PERSON_COLUMNS,
    build_template,
    read_template,
)
from dtks.wilayah.models import Region
from tests.conftest import DESA_A

NIK = "1709014508850003"
KK = "1709010101150001"


@pytest.fixture
def book(regions):
    with translation.override("id"):
        data = build_template(Region.objects.get(code=DESA_A))
    return load_workbook(io.BytesIO(data))


def _column(sheet, name: str) -> str:
    header = [cell.value for cell in sheet[1]]
    return sheet.cell(row=1, column=header.index(name) + 1).column_letter


def test_has_instruction_family_person_and_hidden_code_sheets(book) -> None:
    assert book.sheetnames == ["petunjuk", "keluarga", "individu", "kode"]
    assert book["kode"].sheet_state == "hidden"
    assert [c.value for c in book["keluarga"][1]] == list(FAMILY_COLUMNS)
    assert [c.value for c in book["individu"][1]] == list(PERSON_COLUMNS)


def test_instructions_name_the_desa_and_its_regions(book) -> None:
    text = " ".join(str(c.value) for row in book["petunjuk"].iter_rows() for c in row if c.value)
    for name in ("Bengkulu Tengah", "Karang Tinggi", "Taba Terunjam", DESA_A):
        assert name in text


TEXT_COLUMNS = [("individu", "nomor_nik"), ("individu", "nomor_kk"), ("keluarga", "nomor_kk"),
                ("keluarga", "rt")]  # fmt: skip


@pytest.mark.parametrize("sheet, column", TEXT_COLUMNS)
def test_identity_and_rt_columns_are_text(book, sheet: str, column: str) -> None:
    letter = _column(book[sheet], column)
    assert book[sheet].column_dimensions[letter].number_format == "@"


@pytest.mark.parametrize("sheet", ["keluarga", "individu"])
def test_header_is_locked_and_frozen_data_cells_are_editable(book, sheet: str) -> None:
    ws = book[sheet]
    assert ws.protection.sheet and not ws.protection.password
    assert ws.freeze_panes == "A2"
    assert all(cell.protection.locked for cell in ws[1])
    assert not ws.column_dimensions["A"].protection.locked


def _dropdown_source(book, sheet: str, column: str) -> list[str]:
    ws = book[sheet]
    letter = _column(ws, column)
    rule = next(v for v in ws.data_validations.dataValidation if f"{letter}2" in v.sqref)
    assert rule.type == "list"
    ref = rule.formula1.lstrip("=").split("!")[1].replace("$", "")
    return [c.value for row in book["kode"][ref] for c in row]


def test_coded_columns_have_dropdowns_of_code_and_label(book) -> None:
    assert _dropdown_source(book, "individu", "jenis_kelamin") == ["L - Laki-laki", "P - Perempuan"]
    relationships = _dropdown_source(book, "individu", "hubungan_keluarga")
    assert relationships[0] == "1 - Kepala keluarga" and len(relationships) == 8
    assert len(_dropdown_source(book, "individu", "status_kawin")) == 4
    assert _dropdown_source(book, "keluarga", "jenis_atap")[2] == "3 - Seng"


def _fill(book, tmp_path):
    fam, ind = book["keluarga"], book["individu"]
    fam.append(
        [KK, "Jl. Merdeka 1", "Dusun I", "001", "002", "1 - Milik sendiri", 36, "2 - Keramik"]
    )
    ind.append([KK, NIK, "Siti Aminah", "05-08-1985", "Bengkulu", "P - Perempuan", "Rahma",
                "1 - Kepala keluarga", "2 - Kawin"])  # fmt: skip
    ind.append([None] * 9)  # a blank row is skipped
    ind.append([KK, 1709010101150002.0, "Budi", dt.datetime(2010, 1, 2), "", "L - Laki-laki",
                "Siti", "3 - Anak", "1 - Belum kawin"])  # fmt: skip
    path = tmp_path / "isi.xlsx"
    book.save(path)
    return path


def test_read_template_gives_flat_rows_with_the_desa_and_family(book, tmp_path) -> None:
    rows = list(read_template(_fill(book, tmp_path)))
    assert len(rows) == 2
    first = rows[0]
    assert set(FLAT_COLUMNS) <= set(first)
    assert (first["provinsi"], first["kabupaten_kota"]) == ("Bengkulu", "Bengkulu Tengah")
    assert (first["kecamatan"], first["desa_kelurahan"]) == ("Karang Tinggi", "Taba Terunjam")
    assert (first["nomor_kk"], first["nomor_nik"], first["nama"]) == (KK, NIK, "Siti Aminah")
    assert (first["alamat"], first["dusun"], first["rt"], first["rw"]) == (
        "Jl. Merdeka 1", "Dusun I", "001", "002"
    )  # fmt: skip
    assert (first["jenis_kelamin"], first["hubungan_keluarga"]) == ("P", "Kepala keluarga")
    assert (first["tanggal_lahir"], first["status_kawin"], first["baris"]) == ("05-08-1985", "2", 2)
    assert (first["status_bangunan"], first["jenis_lantai"], first["luas_lantai"]) == ("1", "2", 36)


def test_read_template_passes_numeric_nik_and_dates_through_as_typed(book, tmp_path) -> None:
    second = list(read_template(_fill(book, tmp_path)))[1]
    assert second["baris"] == 4
    assert isinstance(second["nomor_nik"], float)  # the import engine rejects it (Excel trap)
    assert second["tanggal_lahir"] == dt.date(2010, 1, 2)
    assert (second["hubungan_keluarga"], second["jenis_kelamin"]) == ("Anak", "L")


def test_filled_template_imports_into_the_registry(book, tmp_path) -> None:
    from dtks.imports.pipeline import import_file
    from dtks.registry.models import Person

    fam, ind = book["keluarga"], book["individu"]
    fam.append([KK, "Jl. Merdeka 1", "Dusun I", "001", "002"])
    ind.append([KK, NIK, "Siti Aminah", "05-08-1985", "Bengkulu", "P - Perempuan", "Rahma",
                "1 - Kepala keluarga", "2 - Kawin"])  # fmt: skip
    path = tmp_path / "isi.xlsx"
    book.save(path)
    result = import_file(path, by=None, checks=False)
    assert (result.created, result.rejected) == (1, 0)
    person = Person.objects.get(nik=NIK)
    family = person.memberships.get().family
    assert (family.desa_id, family.rt, person.birth_date.isoformat()) == (
        DESA_A,
        "001",
        "1985-08-05",
    )
    assert person.marital_status == 2  # "2 - Kawin": the template carries status kawin


def test_nik_typed_as_a_number_in_the_template_is_rejected(book, tmp_path) -> None:
    from dtks.imports.pipeline import import_file

    book["keluarga"].append([KK, "Jl. Merdeka 1", "Dusun I", "001", "002"])
    book["individu"].append([KK, float(NIK), "Siti Aminah", "05-08-1985", "Bengkulu",
                             "P - Perempuan", "Rahma", "1 - Kepala keluarga"])  # fmt: skip
    path = tmp_path / "isi.xlsx"
    book.save(path)
    result = import_file(path, by=None, checks=False)
    assert (result.created, result.rejected) == (0, 1)
