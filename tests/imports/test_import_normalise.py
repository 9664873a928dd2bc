"""What people type becomes registry values: dates, sex, relationship, RT/RW, regions, spaces."""

from __future__ import annotations

import datetime as dt

import pytest

from dtks.imports.pipeline import import_file
from dtks.registry.models import Family, Membership, Person
from tests.conftest import DESA_A, DESA_A2, DESA_B
from tests.imports.import_rows import HEAD_NIK, row, write_csv


def import_one(tmp_path, **values):
    result = import_file(write_csv(tmp_path / "a.csv", [row(**values)]), by=None)
    assert result.rejected == 0, result
    return Person.objects.get(nik=HEAD_NIK)


@pytest.mark.parametrize(
    "typed",
    [
        "05-08-1985",
        "5/8/1985",
        "1985-08-05",
        "5 Agustus 1985",
        "05 AGUSTUS 1985",
        "5 agt 1985",
        "05-Agu-1985",
        "31264",
        " 05-08-1985 ",
        "05-08-1985 00:00",
        "5 Agt. 1985",
        "05/Agustus/1985",
    ],
)
def test_reads_the_date_forms_people_type(regions, tmp_path, typed):
    assert import_one(tmp_path, tanggal_lahir=typed).birth_date == dt.date(1985, 8, 5)


@pytest.mark.parametrize(
    ("typed", "sex"),
    [
        ("P", 2),
        ("p", 2),
        ("PEREMPUAN", 2),
        (" perempuan ", 2),
        ("2", 2),
        ("L", 1),
        ("Laki-Laki", 1),
        ("LAKI - LAKI", 1),
        ("1", 1),
        ("LK", 1),
        ("L.", 1),
        ("PR", 2),
    ],
)
def test_reads_sex_as_letters_words_or_codes(regions, tmp_path, typed, sex):
    assert import_one(tmp_path, jenis_kelamin=typed).sex == sex


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Istri", 2),
        ("SUAMI", 2),
        ("anak", 3),
        ("Menantu", 4),
        ("cucu", 5),
        ("Orang Tua", 6),
        ("MERTUA", 6),
        ("Pembantu", 7),
        ("Famili Lain", 8),
        ("lainnya", 8),
        ("3", 3),
    ],
)
def test_reads_relationship_names_in_any_case_or_codes(regions, tmp_path, typed, code):
    rows = [row(), row(nomor_nik="1709010101900007", hubungan_keluarga=typed)]
    assert import_file(write_csv(tmp_path / "a.csv", rows), by=None).created == 2
    membership = Membership.objects.get(person__nik="1709010101900007")
    assert membership.relationship == code


@pytest.mark.parametrize("typed", ["Kepala Keluarga", "KEPALA KELUARGA", "kepala  keluarga", "1"])
def test_reads_the_head_in_any_case(regions, tmp_path, typed):
    import_one(tmp_path, hubungan_keluarga=typed)
    assert Membership.objects.get().relationship == 1


@pytest.mark.parametrize(
    ("typed", "stored"), [("1", "001"), ("01", "001"), ("001", "001"), ("12", "012"), ("", "")]
)
def test_pads_rt_and_rw_to_three_digits(regions, tmp_path, typed, stored):
    import_one(tmp_path, rt=typed, rw=typed)
    family = Family.objects.get()
    assert (family.rt, family.rw) == (stored, stored)


def test_collapses_stray_spaces(regions, tmp_path):
    person = import_one(tmp_path, nama="  Siti   Aminah ", alamat=" Jl.  Merdeka   1 ")
    assert person.name == "Siti Aminah"
    assert Family.objects.get().address == "Jl. Merdeka 1"


@pytest.mark.parametrize(
    ("kabupaten", "kecamatan", "desa"),
    [
        ("Kab. Bengkulu Tengah", "Kec. Karang Tinggi", "Desa Taba Terunjam"),
        ("KABUPATEN BENGKULU TENGAH", "KECAMATAN KARANG TINGGI", "TABA TERUNJAM"),
        ("bengkulu  tengah", "KEC.KARANG TINGGI", " desa taba terunjam "),
        ("Kab Bengkulu Tengah", "karang tinggi", "Kel. Taba Terunjam"),
        ("17.09", "17.09.01", "17.09.01.2001"),
    ],
)
def test_resolves_region_names_whatever_their_case_spacing_or_prefix(
    regions, tmp_path, kabupaten, kecamatan, desa
):
    import_one(tmp_path, kabupaten_kota=kabupaten, kecamatan=kecamatan, desa_kelurahan=desa)
    assert Family.objects.get().desa_id == DESA_A


def test_resolves_a_desa_within_its_own_kecamatan(regions, tmp_path):
    """Talang Empat is both a desa of Karang Tinggi and a kecamatan of its own."""
    import_one(tmp_path, kecamatan="Karang Tinggi", desa_kelurahan="Talang Empat")
    assert Family.objects.get().desa_id == DESA_A2


def test_resolves_a_desa_of_another_kecamatan(regions, tmp_path):
    import_one(tmp_path, kecamatan="Kec. Talang Empat", desa_kelurahan="Air Sebakul")
    assert Family.objects.get().desa_id == DESA_B


def test_leading_quote_of_a_text_nik_is_dropped(regions, tmp_path):
    assert import_one(tmp_path, nomor_nik="'" + HEAD_NIK).nik == HEAD_NIK
