"""Outcomes: created, updated, unchanged; re-import; dry run; the report round trip; scope."""

from __future__ import annotations

import csv

import pytest

from dtks.audit.models import AuditEvent
from dtks.core.errors import PermissionDeniedError
from dtks.imports.models import ImportBatch, StagedRow
from dtks.imports.pipeline import import_file
from dtks.imports.report import write_report
from dtks.registry.models import Family, FamilyProgram, Membership, Person
from dtks.verification.models import Finding
from tests.conftest import DESA_B
from tests.factories import family_with_members
from tests.imports.import_rows import HEAD_NIK, KK, member, row, write_csv


def family_rows(**head):
    return [row(**head), member(1), member(2, nama="Anak Dua")]


def test_reimporting_the_same_file_changes_nothing_and_says_so(regions, tmp_path):
    path = write_csv(tmp_path / "a.csv", family_rows())
    first = import_file(path, by=None)
    persons = set(Person.objects.values_list("pk", "updated_at"))
    again = import_file(path, by=None)
    assert first.already_imported_at is None
    assert again.as_dict() == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "rejected": 0,
        "total": 3,
    }
    assert again.already_imported_at == ImportBatch.objects.get(pk=first.batch_id).finished_at
    assert set(Person.objects.values_list("pk", "updated_at")) == persons
    assert Membership.objects.count() == 3


def test_a_changed_field_updates_the_person_and_keeps_the_value_it_replaced(regions, tmp_path):
    import_file(write_csv(tmp_path / "a.csv", family_rows()), by=None)
    changed = family_rows(nama="Siti Aminah Binti Ali", rt="7")
    result = import_file(write_csv(tmp_path / "b.csv", changed), by=None)
    assert (result.updated, result.unchanged) == (1, 2)  # family values ride on the head's row
    assert Person.objects.get(nik=HEAD_NIK).name == "Siti Aminah Binti Ali"
    assert Family.objects.get().rt == "007"
    staged = StagedRow.objects.get(batch_id=result.batch_id, nik=HEAD_NIK)
    assert staged.before["nama"] == "Siti Aminah"
    assert staged.before["rt"] == "001"


def test_a_relationship_change_swaps_the_head(regions, tmp_path):
    import_file(write_csv(tmp_path / "a.csv", family_rows()), by=None)
    swapped = [
        row(hubungan_keluarga="Istri"),
        member(1, hubungan_keluarga="Kepala Keluarga"),
        member(2, nama="Anak Dua"),
    ]
    result = import_file(write_csv(tmp_path / "b.csv", swapped), by=None)
    assert (result.updated, result.rejected) == (2, 0)
    head = Membership.objects.get(relationship=1, end_date__isnull=True)
    assert head.person.nik == member(1)["nomor_nik"]


def test_a_person_moving_to_another_kk_leaves_the_old_family(regions, tmp_path):
    import_file(write_csv(tmp_path / "a.csv", family_rows()), by=None)
    new_kk = "1709010101200077"
    moved = [member(1, nomor_kk=new_kk, hubungan_keluarga="Kepala Keluarga")]
    result = import_file(write_csv(tmp_path / "b.csv", moved), by=None)
    assert result.updated == 1
    person = Person.objects.get(nik=member(1)["nomor_nik"])
    current = Membership.objects.get(person=person, end_date__isnull=True)
    assert current.family.no_kk == new_kk
    old = Family.objects.get(no_kk=KK)
    assert "ANAK 1" not in old.member_names
    assert "ANAK 1" in current.family.member_names


def test_programs_of_an_updated_family_are_untouched(regions, tmp_path):
    import_file(write_csv(tmp_path / "a.csv", family_rows()), by=None)
    family = Family.objects.get()
    FamilyProgram.objects.create(family=family, program="pkh", start_month="2024-01-01")
    import_file(write_csv(tmp_path / "b.csv", family_rows(alamat="Jl. Baru")), by=None)
    assert FamilyProgram.objects.get().family_id == family.pk


def test_dry_run_reports_the_outcomes_and_writes_nothing(regions, tmp_path):
    rows = [*family_rows(), member(3, tanggal_lahir="31-02-2010")]
    result = import_file(write_csv(tmp_path / "a.csv", rows), by=None, dry_run=True)
    assert result.as_dict() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "total": 4,
    }
    assert not Family.objects.exists()
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action="import_batch").exists()


def test_one_audit_event_records_the_batch(regions, tmp_path):
    result = import_file(write_csv(tmp_path / "a.csv", family_rows()), by=None)
    event = AuditEvent.objects.get(action="import_batch")
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert event.after["sha256"] == batch.sha256
    assert event.after["counts"]["created"] == 3


def test_data_quality_problems_become_findings_not_rejections(regions, tmp_path):
    rows = [row(tanggal_lahir="01-01-1970"), member(1, nama_ibu_kandung="")]
    result = import_file(write_csv(tmp_path / "a.csv", rows), by=None)
    assert result.rejected == 0
    head = Person.objects.get(nik=HEAD_NIK)
    assert Finding.objects.filter(person=head, status="open").exists()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_report_gives_back_rejected_rows_and_the_fixed_rows_complete_the_import(
    regions, tmp_path, suffix
):
    columns = [*row().keys(), "catatan"]
    rows = [
        row(catatan="kepala"),
        member(1, tanggal_lahir="31-02-2010", catatan="salah tanggal"),
        member(2, jenis_kelamin="X"),
        member(3),
    ]
    path = write_csv(tmp_path / "a.csv", rows, columns=columns)
    result = import_file(path, by=None)
    assert (result.created, result.rejected) == (2, 2)
    out = tmp_path / f"report{suffix}"
    assert write_report(result, out) == 2
    fixed = fix_report(out, tmp_path, {"31-02-2010": "28-02-2010", "X": "L"})
    assert fixed[0]["catatan"] == "salah tanggal"
    assert [r["baris"] for r in fixed] == ["3", "4"]
    again = import_file(write_csv(tmp_path / "fixed.csv", fixed, columns=list(fixed[0])), by=None)
    assert (again.created, again.rejected) == (2, 0)
    assert Person.objects.count() == 4


def fix_report(out, tmp_path, replacements):
    if out.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        values = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
        header, body = values[0], values[1:]
        records = [dict(zip(header, map(str, r), strict=True)) for r in body]
    else:
        with out.open(encoding="utf-8-sig") as handle:
            records = list(csv.DictReader(handle))
    for record in records:
        assert record["alasan"]
        for key, value in record.items():
            record[key] = replacements.get(value, value)
    return records


def test_an_operator_imports_only_into_their_own_desa(personas, tmp_path):
    other = row(
        kecamatan="Talang Empat",
        desa_kelurahan="Air Sebakul",
        nomor_kk="1709020101200001",
        nomor_nik="1709020101900001",
    )
    path = write_csv(tmp_path / "a.csv", [*family_rows(), other])
    result = import_file(path, by=personas.operator_a)
    assert (result.created, result.rejected) == (3, 1)
    staged = StagedRow.objects.get(batch_id=result.batch_id, outcome="rejected")
    assert (staged.row, staged.field) == (5, "desa_kelurahan")
    assert not Family.objects.filter(desa_id=DESA_B).exists()


def test_a_nik_active_outside_the_operators_area_is_refused_without_revealing_it(
    personas, tmp_path
):
    elsewhere = family_with_members(DESA_B, size=2)
    spouse = elsewhere.memberships.get(relationship=2).person
    rows = [row(), member(1, nomor_nik=spouse.nik)]
    result = import_file(write_csv(tmp_path / "a.csv", rows), by=personas.operator_a)
    staged = StagedRow.objects.get(batch_id=result.batch_id, outcome="rejected")
    assert staged.field == "nomor_nik"
    assert spouse.name not in staged.reason
    assert elsewhere.no_kk not in staged.reason
    assert Membership.objects.get(person=spouse, end_date__isnull=True).family == elsewhere


def test_a_kk_registered_outside_the_operators_area_is_refused(personas, tmp_path):
    elsewhere = family_with_members(DESA_B, size=1)
    result = import_file(
        write_csv(tmp_path / "a.csv", [row(nomor_kk=elsewhere.no_kk)]), by=personas.operator_a
    )
    assert StagedRow.objects.get(batch_id=result.batch_id).field == "nomor_kk"
    assert Family.objects.get(no_kk=elsewhere.no_kk).desa_id == DESA_B


def test_a_user_without_edit_permission_cannot_import(personas, tmp_path):
    with pytest.raises(PermissionDeniedError):
        import_file(write_csv(tmp_path / "a.csv", [row()]), by=personas.operator_kecamatan)
    assert not Person.objects.exists()


def test_new_records_continue_the_id_dtks_sequence_of_their_desa(regions, tmp_path):
    import_file(write_csv(tmp_path / "a.csv", family_rows()), by=None)
    second = [row(nomor_kk="1709010101200002", nomor_nik="1709010101900021")]
    import_file(write_csv(tmp_path / "b.csv", second), by=None)
    assert sorted(Family.objects.values_list("id_dtks", flat=True)) == [
        "1709012001K000001",
        "1709012001K000002",
    ]
    assert Person.objects.get(nik="1709010101900021").id_dtks == "1709012001P000004"


def test_a_new_person_keeps_the_id_dtks_the_file_brings(regions, tmp_path):
    family_with_members(DESA_B, size=1)
    taken = Person.objects.get().id_dtks
    rows = [
        row(iddtks="1709012001P000777"),
        member(1, iddtks="1709012001P000777"),  # twice in the file: neither may have it
        member(2, iddtks=taken),  # held by another person
        member(3, iddtks=""),
        row(nomor_kk="1709010101200002", nomor_nik="1709010101900021", iddtks="1709012002P000005"),
        row(nomor_kk="1709010101200003", nomor_nik="1709010101900031", iddtks="KEMENSOS-0042"),
    ]
    import_file(write_csv(tmp_path / "a.csv", rows), by=None, checks=False)
    ids = dict(Person.objects.values_list("nik", "id_dtks"))
    assert ids["1709010101900021"] == "1709012002P000005"
    assert ids["1709010101900031"] == "KEMENSOS-0042"
    generated = {ids[r["nomor_nik"]] for r in rows[:4]}
    assert generated == {f"1709012001P00000{n}" for n in range(1, 5)}


def test_status_kawin_is_read_when_the_file_has_it_and_kept_when_it_does_not(regions, tmp_path):
    columns = [*row(), "status_kawin"]
    import_file(
        write_csv(tmp_path / "a.csv", [row(status_kawin="Cerai Mati")], columns=columns), by=None
    )
    assert Person.objects.get(nik=HEAD_NIK).marital_status == 4
    result = import_file(write_csv(tmp_path / "b.csv", [row(nama="Siti Aminah Z")]), by=None)
    assert result.updated == 1
    assert Person.objects.get(nik=HEAD_NIK).marital_status == 4


def test_member_names_of_new_and_changed_families_follow_the_import(regions, tmp_path):
    import_file(write_csv(tmp_path / "a.csv", family_rows()), by=None, checks=False)
    family = Family.objects.get(no_kk=KK)
    assert sorted(family.member_names.split("|")) == ["ANAK 1", "ANAK DUA", "SITI AMINAH"]
    other = "1709010101200002"
    moved = [
        row(nomor_kk=other, nomor_nik="1709010101900021", nama="Budi"),
        member(2, nomor_kk=other, nama="Anak Dua"),
    ]
    import_file(write_csv(tmp_path / "b.csv", moved), by=None, checks=False)
    family.refresh_from_db()
    assert sorted(family.member_names.split("|")) == ["ANAK 1", "SITI AMINAH"]
    assert sorted(Family.objects.get(no_kk=other).member_names.split("|")) == ["ANAK DUA", "BUDI"]


def test_an_officer_cannot_import_their_own_family(personas, tmp_path):
    officer = personas.operator_a
    officer.nik = member(1)["nomor_nik"]
    officer.save()
    other = row(nomor_kk="1709010101200002", nomor_nik="1709010101900021")
    result = import_file(write_csv(tmp_path / "a.csv", [*family_rows(), other]), by=officer)
    assert (result.created, result.rejected) == (1, 3)
    reasons = StagedRow.objects.filter(batch_id=result.batch_id, outcome="rejected")
    assert {r.field for r in reasons} == {"nomor_kk"}
    assert not Person.objects.filter(nik=HEAD_NIK).exists()
