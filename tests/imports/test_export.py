"""Export of the registry: the flat exchange columns, the user's scope, masking, safe text,
and a record of every export."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dtks.accounts.scope import mask_identity
from dtks.audit.models import AccessEvent, AuditEvent
from dtks.imports.columns import EXPORT_COLUMNS
from dtks.imports.export import export_registry
from dtks.verification.models import Finding
from tests.conftest import DESA_A, KEC_A
from tests.factories import family_with_members


def _csv(by, wilayah=None) -> list[dict[str, str]]:
    out = io.BytesIO()
    export_registry(by=by, wilayah=wilayah, fmt="csv", out=out)
    text = out.getvalue().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _head(family):
    return family.current_memberships().get(relationship=1).person


def test_csv_has_the_export_columns_in_order(family_a) -> None:
    out = io.BytesIO()
    export_registry(by=None, wilayah=None, fmt="csv", out=out)
    header = out.getvalue().decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == list(EXPORT_COLUMNS)


def test_row_carries_region_names_dates_and_codes_the_importer_reads(family_a) -> None:
    rows = _csv(None)
    head = _head(family_a)
    row = next(r for r in rows if r["nomor_nik"] == head.nik)
    assert (row["provinsi"], row["kabupaten_kota"]) == ("Bengkulu", "Kab. Bengkulu Tengah")
    assert (row["kecamatan"], row["desa_kelurahan"]) == ("Karang Tinggi", "Taba Terunjam")
    assert row["tanggal_lahir"] == head.birth_date.strftime("%d-%m-%Y")
    assert row["jenis_kelamin"] == "L"
    assert row["hubungan_keluarga"] == "Kepala keluarga"
    assert row["nomor_kk"] == family_a.no_kk
    assert (row["iddtks"], row["tahun_data"]) == (head.id_dtks, str(family_a.data_year))
    assert (row["status"], row["perlu_perbaikan"], row["temuan"]) == ("aktif", "tidak", "")


def test_one_row_per_current_member(family_a, family_b) -> None:
    assert len(_csv(None)) == 4 + 3


def test_open_findings_fill_perlu_perbaikan_and_temuan(family_a) -> None:
    head = _head(family_a)
    Finding.objects.create(
        rule="r1", severity="error", level="person", person=head, message="NIK tidak cocok"
    )
    Finding.objects.create(
        rule="r2", severity="warning", level="family", family=family_a, message="Rumah kosong"
    )
    Finding.objects.create(
        rule="r3", severity="error", level="person", person=head, message="Lama", status="resolved"
    )
    rows = {r["nomor_nik"]: r for r in _csv(None)}
    assert rows[head.nik]["perlu_perbaikan"] == "ya"
    assert rows[head.nik]["temuan"] == "NIK tidak cocok; Rumah kosong"
    other = next(r for nik, r in rows.items() if nik != head.nik)
    assert (other["perlu_perbaikan"], other["temuan"]) == ("tidak", "Rumah kosong")


def test_operator_exports_only_their_own_desa(personas, family_a, family_b) -> None:
    rows = _csv(personas.operator_a)
    assert {r["desa_kelurahan"] for r in rows} == {"Taba Terunjam"}
    assert {r["nomor_kk"] for r in rows} == {family_a.no_kk}


def test_wilayah_narrows_the_export(personas, family_a, family_b) -> None:
    rows = _csv(personas.pengelola, wilayah=KEC_A)
    assert {r["nomor_kk"] for r in rows} == {family_a.no_kk}


@pytest.mark.parametrize("persona", ["operator_kecamatan", "pengesah", "pimpinan"])
def test_roles_without_identity_rights_get_masked_numbers(persona, personas, family_a) -> None:
    rows = _csv(getattr(personas, persona))
    head = _head(family_a)
    row = next(r for r in rows if r["nama"] == head.name)
    assert row["nomor_nik"] == mask_identity(head.nik) != head.nik
    assert row["nomor_kk"] == mask_identity(family_a.no_kk)


def test_user_without_registry_access_exports_nothing(personas, family_a) -> None:
    assert _csv(personas.nobody) == []


def test_formula_in_a_name_is_neutralised_in_csv(family_a) -> None:
    head = _head(family_a)
    head.name = '=HYPERLINK("http://x")'
    head.save()
    rows = _csv(None)
    assert any(r["nama"] == '\'=HYPERLINK("http://x")' for r in rows)


def test_xlsx_has_text_identity_cells_and_no_formula(family_a, tmp_path) -> None:
    head = _head(family_a)
    head.name, head.mother_name = "=1+1", "@SUM(A1)"
    head.save()
    path = tmp_path / "dtks.xlsx"
    count = export_registry(by=None, wilayah=None, fmt="xlsx", out=path)
    sheet = load_workbook(path)["dtks"]
    rows = list(sheet.iter_rows(min_row=2))
    assert count == len(rows) == 4
    column = {name: i for i, name in enumerate(EXPORT_COLUMNS)}
    for row in rows:
        for name in ("nomor_nik", "nomor_kk"):
            cell = row[column[name]]
            assert (cell.data_type, len(cell.value), cell.number_format) == ("s", 16, "@")
    assert not [cell for row in rows for cell in row if cell.data_type == "f"]
    head_row = next(r for r in rows if r[column["nomor_nik"]].value == head.nik)
    assert head_row[column["nama"]].value == "=1+1"
    assert head_row[column["nama"]].data_type == "s"
    assert head_row[column["nama_ibu_kandung"]].quotePrefix
    assert head_row[column["tanggal_lahir"]].value.date() == head.birth_date


def test_every_export_is_recorded_with_who_scope_and_rows(personas, family_a) -> None:
    export_registry(by=personas.operator_a, wilayah=DESA_A, fmt="csv", out=io.BytesIO())
    event = AuditEvent.objects.get(subject_type="export")
    assert (event.actor, event.action) == (personas.operator_a, "export_registry")
    assert (event.after["scope"], event.after["rows"], event.after["format"]) == (DESA_A, 4, "csv")
    access = AccessEvent.objects.get(what="export")
    assert access.user == personas.operator_a


def test_cli_exports_as_the_system_and_records_it(family_a, family_b, tmp_path) -> None:
    out = tmp_path / "dtks.csv"
    call_command("export", "--format", "csv", "--output", str(out), "--wilayah", KEC_A)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {r["nomor_kk"] for r in rows} == {family_a.no_kk}
    assert AuditEvent.objects.get(subject_type="export").actor_label == "sistem"


def test_cli_export_as_a_user_applies_their_scope(personas, family_a, family_b, tmp_path) -> None:
    out = tmp_path / "dtks.csv"
    call_command("export", "--format", "csv", "--output", str(out), "--user", "op_b")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {r["nomor_kk"] for r in rows} == {family_b.no_kk}


def _queries_of_export() -> int:
    with CaptureQueriesContext(connection) as context:
        _csv(None)
    return len(context)


def test_export_costs_the_same_queries_for_one_family_or_many(family_a) -> None:
    few = _queries_of_export()
    for _ in range(5):
        family_with_members(DESA_A, size=3)
    assert _queries_of_export() == few
