"""Each reason a row is refused: its sheet row number (`baris`), the field, and why."""

from __future__ import annotations

import datetime as dt

import pytest

from dtks.imports.models import StagedRow
from dtks.imports.pipeline import import_file
from dtks.registry.models import Family, Person
from tests.factories import family_with_members
from tests.imports.import_rows import HEAD_NIK, member, row, write_csv


def rejected(tmp_path, rows, **options):
    result = import_file(write_csv(tmp_path / "a.csv", rows), by=options.pop("by", None), **options)
    found = StagedRow.objects.filter(batch_id=result.batch_id, outcome="rejected")
    return result, {r.row: (r.field, r.reason) for r in found}


@pytest.mark.parametrize(
    "column",
    [
        "nomor_kk",
        "nomor_nik",
        "nama",
        "tanggal_lahir",
        "jenis_kelamin",
        "hubungan_keluarga",
        "provinsi",
        "kabupaten_kota",
        "kecamatan",
        "desa_kelurahan",
    ],
)
def test_rejects_an_empty_required_field(regions, tmp_path, column):
    result, found = rejected(tmp_path, [row(), member(1, **{column: " "})])
    assert found[3][0] == column
    assert column in found[3][1]
    assert result.created == 1


@pytest.mark.parametrize(("nik", "count"), [("170901450885000", 15), ("17090145088500031", 17)])
def test_rejects_a_nik_that_is_not_16_digits(regions, tmp_path, nik, count):
    _result, found = rejected(tmp_path, [row(), member(1, nomor_nik=nik)])
    assert found[3][0] == "nomor_nik"
    assert str(count) in found[3][1]


def test_rejects_a_kk_with_letters(regions, tmp_path):
    _result, found = rejected(tmp_path, [row(nomor_kk="17090101012000AB")])
    assert found[2][0] == "nomor_kk"


def test_rejects_every_later_duplicate_nik_naming_the_first_row(regions, tmp_path):
    twin = member(1)
    result, found = rejected(tmp_path, [row(), twin, member(2), twin, twin])
    assert set(found) == {5, 6}
    assert found[5][0] == "nomor_nik"
    assert "3" in found[5][1]
    assert result.created == 3


@pytest.mark.parametrize("column", ["provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan"])
def test_rejects_a_region_that_does_not_exist(regions, tmp_path, column):
    _result, found = rejected(tmp_path, [row(**{column: "Antah Berantah"})])
    assert found[2][0] == column
    assert "Antah Berantah" in found[2][1]


def test_rejects_a_desa_that_lies_in_another_kecamatan(regions, tmp_path):
    _result, found = rejected(tmp_path, [row(desa_kelurahan="Air Sebakul")])
    assert found[2][0] == "desa_kelurahan"


@pytest.mark.parametrize("typed", ["31-02-1990", "30/02/2000", "1990-13-01", "32 Agustus 1985"])
def test_rejects_a_date_that_does_not_exist(regions, tmp_path, typed):
    _result, found = rejected(tmp_path, [row(tanggal_lahir=typed)])
    assert found[2][0] == "tanggal_lahir"


@pytest.mark.parametrize("typed", ["kemarin", "17-08-85", "Agustus 1985", "1985"])
def test_rejects_text_that_is_not_a_date(regions, tmp_path, typed):
    _result, found = rejected(tmp_path, [row(tanggal_lahir=typed)])
    assert found[2][0] == "tanggal_lahir"


def test_rejects_a_birth_date_in_the_future(regions, tmp_path):
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).strftime("%d-%m-%Y")
    _result, found = rejected(tmp_path, [row(tanggal_lahir=tomorrow)])
    assert found[2][0] == "tanggal_lahir"


@pytest.mark.parametrize(
    ("column", "typed"),
    [
        ("jenis_kelamin", "X"),
        ("hubungan_keluarga", "Tetangga"),
        ("rt", "1A"),
        ("rw", "1234"),
        ("tahun_data", "24"),
    ],
)
def test_rejects_values_that_are_not_one_of_the_codes(regions, tmp_path, column, typed):
    _result, found = rejected(tmp_path, [row(**{column: typed})])
    assert found[2][0] == column


def test_rejects_a_family_without_a_head_and_one_with_two(regions, tmp_path):
    other_kk = "1709010101200099"
    rows = [
        member(1),
        member(2),
        row(nomor_kk=other_kk, nomor_nik="1709010101900011"),
        row(nomor_kk=other_kk, nomor_nik="1709010101900012"),
    ]
    result, found = rejected(tmp_path, rows)
    assert set(found) == {2, 3, 4, 5}
    assert {field for field, _reason in found.values()} == {"hubungan_keluarga"}
    assert "0" in found[2][1] and "2" in found[4][1]
    assert not Family.objects.exists()
    assert result.rejected == 4


def test_a_member_added_to_an_existing_family_keeps_its_head(regions, tmp_path):
    family = family_with_members("17.09.01.2001", size=2)
    new = member(5, nomor_kk=family.no_kk)
    result, found = rejected(tmp_path, [new])
    assert found == {}
    assert result.created == 1


def test_a_second_head_for_an_existing_family_is_rejected(regions, tmp_path):
    family = family_with_members("17.09.01.2001", size=2)
    _result, found = rejected(tmp_path, [row(nomor_kk=family.no_kk)])
    assert found[2][0] == "hubungan_keluarga"


def test_every_problem_of_a_row_is_listed(regions, tmp_path):
    _result, found = rejected(tmp_path, [row(nama="", jenis_kelamin="X", tanggal_lahir="nanti")])
    field, reason = found[2]
    assert field == "nama"
    assert reason.count(";") == 2


def test_rows_outside_the_chosen_wilayah_are_rejected(regions, tmp_path):
    rows = [
        row(),
        row(
            kecamatan="Talang Empat",
            desa_kelurahan="Air Sebakul",
            nomor_kk="1709020101200001",
            nomor_nik="1709020101900001",
        ),
    ]
    _result, found = rejected(tmp_path, rows, wilayah="17.09.01")
    assert set(found) == {3}
    assert found[3][0] == "desa_kelurahan"
    assert Person.objects.get().nik == HEAD_NIK


def test_rejects_every_row_of_a_kk_whose_rows_name_different_desa(regions, tmp_path):
    rows = [row(), member(1), member(2, desa_kelurahan="Talang Empat")]
    result, found = rejected(tmp_path, rows)
    assert set(found) == {2, 3, 4}
    assert {field for field, _reason in found.values()} == {"desa_kelurahan"}
    assert "1709010101200001" in found[4][1] and " 2 " in found[4][1]
    assert result.created == 0 and not Family.objects.exists()


def test_rejects_a_status_kawin_that_is_not_one_of_the_codes(regions, tmp_path):
    rows = [row(status_kawin="Kawin"), member(1, status_kawin="bujang")]
    path = write_csv(tmp_path / "a.csv", rows, columns=[*row(), "status_kawin"])
    result = import_file(path, by=None, checks=False)
    bad = StagedRow.objects.get(batch_id=result.batch_id, outcome="rejected")
    assert (bad.row, bad.field) == (3, "status_kawin")
