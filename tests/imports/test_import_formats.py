"""The files people really have: CSV with `,` or `;`, with or without BOM, xlsx, blank rows."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from dtks.core.errors import DomainError
from dtks.imports.columns import FLAT_COLUMNS
from dtks.imports.models import StagedRow
from dtks.imports.pipeline import import_file
from dtks.registry.models import Family, Person
from tests.imports.import_rows import HEAD_NIK, KK, member, row, write_csv


def rejections(result) -> dict[int, tuple[str, str]]:
    rows = StagedRow.objects.filter(batch_id=result.batch_id, outcome="rejected")
    return {r.row: (r.field, r.reason) for r in rows}


@pytest.mark.parametrize(
    ("separator", "bom"), [(",", False), (";", False), (";", True), (",", True)]
)
def test_reads_csv_with_either_separator_and_optional_bom(regions, tmp_path, separator, bom):
    path = write_csv(tmp_path / "a.csv", [row(), member(1)], separator=separator, bom=bom)
    result = import_file(path, by=None)
    assert (result.created, result.rejected) == (2, 0)
    assert Person.objects.get(nik=HEAD_NIK).name == "Siti Aminah"


def test_blank_rows_are_skipped_and_not_counted(regions, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(), {}, member(1), {"nama": "   "}])
    result = import_file(path, by=None)
    assert result.total == 2
    assert result.created == 2


def test_refuses_a_file_missing_required_columns_and_names_them(regions, tmp_path):
    columns = [c for c in FLAT_COLUMNS if c not in ("nomor_nik", "tanggal_lahir")]
    path = write_csv(tmp_path / "a.csv", [row()], columns=columns)
    with pytest.raises(DomainError) as error:
        import_file(path, by=None)
    assert "nomor_nik" in error.value.message
    assert "tanggal_lahir" in error.value.message
    assert not Person.objects.exists()


def test_optional_columns_may_be_missing_and_extra_columns_are_ignored(regions, tmp_path):
    columns = [c for c in FLAT_COLUMNS if c not in ("dusun", "iddtks", "tahun_data")]
    columns.append("catatan petugas")
    path = write_csv(tmp_path / "a.csv", [row(**{"catatan petugas": "x"})], columns=columns)
    result = import_file(path, by=None)
    assert result.created == 1
    family = Family.objects.get()
    assert family.dusun == ""
    assert family.data_year == 2023  # DTKS_CURRENT_YEAR when the file says nothing


def test_header_names_match_whatever_their_case_and_spacing(regions, tmp_path):
    columns = [c.upper().replace("_", " ") + " " for c in FLAT_COLUMNS]
    values = row()
    path = tmp_path / "a.csv"
    path.write_text(",".join(columns) + "\n" + ",".join(values[c] for c in FLAT_COLUMNS) + "\n")
    assert import_file(path, by=None).created == 1


def xlsx(path, rows, *, numeric=()):
    book = Workbook()
    sheet = book.active
    sheet.append(list(FLAT_COLUMNS))
    for values in rows:
        cells = []
        for column in FLAT_COLUMNS:
            value = values.get(column, "")
            if column in numeric and value:
                value = float(value)
            cells.append(value)
        sheet.append(cells)
    book.save(path)
    return path


def test_reads_a_flat_xlsx_sheet_with_date_and_number_cells(regions, tmp_path):
    head = row(tanggal_lahir=dt.datetime(1985, 8, 5), rt=1, tahun_data=2024)
    path = xlsx(tmp_path / "a.xlsx", [head, member(1, tanggal_lahir=40360)])
    result = import_file(path, by=None)
    assert rejections(result) == {}
    assert (result.created, result.rejected) == (2, 0)
    assert Person.objects.get(nik=HEAD_NIK).birth_date == dt.date(1985, 8, 5)
    assert Person.objects.exclude(nik=HEAD_NIK).get().birth_date == dt.date(2010, 7, 1)
    assert Family.objects.get().rt == "001"


def test_numeric_nik_cell_in_xlsx_is_refused_with_how_to_fix_it(regions, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [row(), member(1)], numeric=("nomor_nik",))
    result = import_file(path, by=None)
    assert result.rejected == 2
    field, reason = rejections(result)[2]
    assert field == "nomor_nik"
    assert "Excel" in reason
    assert "nomor_nik" in reason  # names the column to format as Text


@pytest.mark.parametrize("typed", ["3.2E+15", "1.70901E+15", "1709014508850003.0", "3,20123E+15"])
def test_float_looking_nik_or_kk_is_refused_as_excel_damage(regions, tmp_path, typed):
    path = write_csv(tmp_path / "a.csv", [row(nomor_kk=typed)])
    result = import_file(path, by=None)
    field, reason = rejections(result)[2]
    assert field == "nomor_kk"
    assert "Excel" in reason
    assert typed in reason


def test_numeric_kk_cell_in_xlsx_is_refused(regions, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [row()], numeric=("nomor_kk",))
    result = import_file(path, by=None)
    assert rejections(result)[2][0] == "nomor_kk"
    assert not Family.objects.filter(no_kk=KK).exists()
