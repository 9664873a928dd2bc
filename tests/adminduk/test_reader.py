"""Reading a Dukcapil extract: accepted header variants, CSV and xlsx, and every rejected row
named by its row number and field, with read + rejected = data rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import override_settings
from openpyxl import Workbook

from dtks.adminduk.reader import read_extract
from dtks.core.errors import DomainError

TODAY = dt.date(2024, 6, 1)
NIK_A, NIK_B, KK = "1709014508850003", "1709011703800001", "1709011501150001"


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "dukcapil.csv"
    path.write_text(text, encoding=encoding)
    return path


def _read(path: Path):
    return read_extract(path, today=TODAY)


def test_reads_the_plain_columns(tmp_path) -> None:
    path = _csv(tmp_path, "nik,no_kk,nama,tanggal_lahir,jenis_kelamin,status_hidup\n"
                f"{NIK_A},{KK},Siti Aminah,05-08-1985,P,HIDUP\n"
                f"{NIK_B},{KK},Budi,17/03/1980,LAKI-LAKI,MENINGGAL\n")  # fmt: skip
    extract = _read(path)
    assert (extract.total, extract.rows.height, extract.rejected) == (2, 2, 0)
    rows = extract.rows.sort("row").to_dicts()
    assert rows[0] == {"row": 2, "nik": NIK_A, "no_kk": KK, "nama": "Siti Aminah",
                       "birth_date": dt.date(1985, 8, 5), "sex": 2, "died": False}  # fmt: skip
    assert (rows[1]["sex"], rows[1]["died"]) == (1, True)


def test_reads_dukcapil_headers_semicolons_and_a_bom(tmp_path) -> None:
    text = f"NIK;NO_KK;NAMA_LGKP;TGL_LHR;JENIS_KLMIN;STATUS\n{NIK_A};{KK};SITI;1985-08-05;P;MATI\n"
    path = _csv(tmp_path, text, encoding="utf-8-sig")
    extract = _read(path)
    assert extract.rows.to_dicts()[0]["died"] is True
    assert extract.rows["birth_date"].to_list() == [dt.date(1985, 8, 5)]


def test_status_column_may_be_absent(tmp_path) -> None:
    path = _csv(
        tmp_path, f"nik,no_kk,nama,tanggal_lahir,jenis_kelamin\n{NIK_A},{KK},Siti,5-8-1985,P\n"
    )
    assert _read(path).rows["died"].to_list() == [False]


def test_refuses_a_file_without_a_required_column(tmp_path) -> None:
    path = _csv(tmp_path, f"nik,nama,tanggal_lahir,jenis_kelamin\n{NIK_A},Siti,5-8-1985,P\n")
    with pytest.raises(DomainError, match="no_kk"):
        _read(path)


def test_every_rejection_names_row_and_field_and_counts_add_up(tmp_path) -> None:
    path = _csv(tmp_path, "nik,no_kk,nama,tanggal_lahir,jenis_kelamin,status_hidup\n"
                f"{NIK_A},{KK},Siti,05-08-1985,P,HIDUP\n"
                f"170901450885000,{KK},Ani,05-08-1985,P,HIDUP\n"  # 15 digits
                f"{NIK_B},{KK},Budi,31-02-1980,L,HIDUP\n"  # no such day
                "\n"  # a blank row is not a data row
                f"1709011703800002,1.70901E+15,Dedi,kemarin,X,HILANG\n"
                f"1709011703800003,{KK},,17-03-1980,L,\n")  # fmt: skip
    extract = _read(path)
    assert (extract.total, extract.rows.height, extract.rejected) == (5, 1, 4)
    assert extract.rows.height + extract.rejected == extract.total
    found = {(r["row"], r["field"]) for r in extract.rejections.to_dicts()}
    assert found == {(3, "nik"), (4, "tanggal_lahir"), (6, "no_kk"), (6, "tanggal_lahir"),
                     (6, "jenis_kelamin"), (6, "status_hidup"), (7, "nama")}  # fmt: skip
    by_place = {(r["row"], r["field"]): r["message"] for r in extract.rejections.to_dicts()}
    assert "15" in by_place[(3, "nik")]
    assert "1.70901E+15" in by_place[(6, "no_kk")]


def test_every_row_of_a_repeated_nik_is_rejected_naming_the_other(tmp_path) -> None:
    path = _csv(tmp_path, "nik,no_kk,nama,tanggal_lahir,jenis_kelamin\n"
                f"{NIK_A},{KK},Siti,05-08-1985,P\n"
                f"{NIK_B},{KK},Budi,17-03-1980,L\n"
                f"{NIK_A},{KK},Siti A,05-08-1985,P\n")  # fmt: skip
    extract = _read(path)
    assert extract.rows["nik"].to_list() == [NIK_B]
    rejected = {r["row"]: r["message"] for r in extract.rejections.to_dicts()}
    assert set(rejected) == {2, 4}
    assert "4" in rejected[2] and "2" in rejected[4]


def test_reads_in_chunks_with_the_same_result(tmp_path) -> None:
    lines = [f"17090117038{i:05d},{KK},Warga {i},17-03-1980,L" for i in range(1, 8)]
    path = _csv(tmp_path, "nik,no_kk,nama,tanggal_lahir,jenis_kelamin\n" + "\n".join(lines))
    with override_settings(DTKS_IMPORT_CHUNK_ROWS=3):
        extract = _read(path)
    assert extract.rows["row"].to_list() == list(range(2, 9))


def test_xlsx_with_a_numeric_nik_cell_is_the_excel_trap(tmp_path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["NIK", "NO_KK", "NAMA_LGKP", "TGL_LHR", "JENIS_KLMIN", "STATUS"])
    sheet.append([NIK_A, KK, "SITI", dt.datetime(1985, 8, 5), "PEREMPUAN", "HIDUP"])
    sheet.append([int(NIK_B), KK, "BUDI", "17-03-1980", "LAKI-LAKI", "HIDUP"])
    path = tmp_path / "dukcapil.xlsx"
    book.save(path)
    extract = _read(path)
    assert extract.rows.to_dicts()[0]["birth_date"] == dt.date(1985, 8, 5)
    assert [(r["row"], r["field"]) for r in extract.rejections.to_dicts()] == [(3, "nik")]
    assert "Excel" in extract.rejections["message"][0]
