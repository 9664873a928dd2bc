"""The upload page end to end: upload → background job (immediate backend) → counts → report.

The real import engine runs here; test_jobs.py pins the job wiring with a scripted engine.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dtks.audit.models import AccessEvent
from dtks.demo.synth import make_nik, make_no_kk
from dtks.imports.columns import FLAT_COLUMNS
from dtks.imports.models import BatchStatus, ImportBatch
from dtks.registry.models import Person
from tests.conftest import DESA_A, DESA_B, KEC_A, KEC_B

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PLACES = {
    DESA_A: ("Bengkulu", "Bengkulu Tengah", "Karang Tinggi", "Taba Terunjam"),
    DESA_B: ("Bengkulu", "Bengkulu Tengah", "Talang Empat", "Air Sebakul"),
}


@pytest.fixture(autouse=True)
def _jobs(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path
    settings.TASKS = IMMEDIATE


def row(desa: str, serial: int, *, nik: str | None = None, name: str = "SITI AMINAH") -> dict:
    kecamatan = KEC_A if desa == DESA_A else KEC_B
    born = dt.date(1985, 8, 17)
    provinsi, kabupaten, kec_name, desa_name = PLACES[desa]
    values = {
        "provinsi": provinsi,
        "kabupaten_kota": kabupaten,
        "kecamatan": kec_name,
        "desa_kelurahan": desa_name,
        "alamat": "Jl. Merdeka",
        "rt": "001",
        "rw": "002",
        "nomor_kk": make_no_kk(kecamatan, dt.date(2015, 1, 2), serial),
        "nomor_nik": nik or make_nik(kecamatan, born, 2, serial),
        "nama": name,
        "tanggal_lahir": born.strftime("%d-%m-%Y"),
        "tempat_lahir": "Bengkulu",
        "jenis_kelamin": "P",
        "nama_ibu_kandung": "FATIMAH",
        "hubungan_keluarga": "Kepala Keluarga",
        "tahun_data": "2023",
    }
    return {column: values.get(column, "") for column in FLAT_COLUMNS}


def csv_file(rows: list[dict], name: str = "desa.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FLAT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def upload(client, user, file, *, dry_run: bool = False, capture=None):
    client.force_login(user)
    data = {"file": file, **({"dry_run": "on"} if dry_run else {})}
    with capture(execute=True):
        return client.post(reverse("imports:upload"), data)


def test_operator_imports_a_file_and_downloads_the_report_of_rejected_rows(
    client, personas, django_capture_on_commit_callbacks
):
    rows = [row(DESA_A, 1), row(DESA_A, 2, nik="12345"), row(DESA_B, 3)]
    response = upload(
        client, personas.operator_a, csv_file(rows), capture=django_capture_on_commit_callbacks
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:batch", args=[batch.pk])
    assert batch.status == BatchStatus.DONE
    assert batch.counts == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 2, "total": 3}
    assert Person.objects.filter(nik=rows[0]["nomor_nik"]).exists()
    assert not Person.objects.filter(nik=rows[2]["nomor_nik"]).exists()  # desa B: not hers

    page = client.get(response.url).content.decode()
    assert 'id="count-created">1<' in page and 'id="count-rejected">2<' in page
    assert reverse("imports:batch_report", args=[batch.pk]) in page

    report = client.get(reverse("imports:batch_report", args=[batch.pk]))
    assert report.status_code == 200
    assert "attachment" in report["Content-Disposition"]
    lines = list(
        csv.DictReader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig")))
    )
    assert sorted(line["nomor_nik"] for line in lines) == sorted(
        [rows[1]["nomor_nik"], rows[2]["nomor_nik"]]
    )
    assert all(line["baris"] and line["alasan"] for line in lines)
    assert AccessEvent.objects.filter(user=personas.operator_a, subject_id=str(batch.pk)).exists()


def test_dry_run_writes_nothing_and_says_so(client, personas, django_capture_on_commit_callbacks):
    response = upload(
        client,
        personas.operator_a,
        csv_file([row(DESA_A, 1)]),
        dry_run=True,
        capture=django_capture_on_commit_callbacks,
    )
    batch = ImportBatch.objects.get()
    assert batch.dry_run and batch.status == BatchStatus.DONE
    assert batch.counts["created"] == 1
    assert not Person.objects.exists()
    assert "tidak ada yang disimpan" in client.get(response.url).content.decode()


def test_unsafe_file_is_refused_in_the_form_and_not_kept(
    client, personas, settings, django_capture_on_commit_callbacks
):
    renamed = SimpleUploadedFile("desa.xlsx", b"nomor_kk,nomor_nik\n1,2\n")
    response = upload(
        client, personas.operator_a, renamed, capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()
    assert list((settings.DATA_DIR / "imports").iterdir()) == []


def test_upload_page_names_the_operators_villages(client, personas):
    client.force_login(personas.operator_a)
    page = client.get(reverse("imports:upload")).content.decode()
    assert "Taba Terunjam" in page and DESA_A in page
    assert "Air Sebakul" not in page


def test_upload_page_lists_recent_batches_only_of_the_users_scope(client, personas):
    mine = ImportBatch.objects.create(
        uploaded_by=personas.operator_a,
        original_name="punyaku.csv",
        sha256="a" * 64,
        wilayah=DESA_A,
    )
    ImportBatch.objects.create(
        uploaded_by=personas.operator_b,
        original_name="orang-lain.csv",
        sha256="b" * 64,
        wilayah=DESA_B,
    )
    client.force_login(personas.operator_a)
    page = client.get(reverse("imports:upload")).content.decode()
    assert mine.original_name in page and "orang-lain.csv" not in page


def test_progress_partial_polls_while_running_and_stops_when_done(client, personas):
    batch = ImportBatch.objects.create(
        uploaded_by=personas.operator_a,
        original_name="desa.csv",
        sha256="a" * 64,
        wilayah=DESA_A,
        status=BatchStatus.RUNNING,
        progress_done=250,
        progress_total=1000,
    )
    client.force_login(personas.operator_a)
    url = reverse("imports:batch", args=[batch.pk])
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="progress"')
    assert 'hx-trigger="every 1s"' in partial
    assert 'value="25"' in partial and "250" in partial
    assert "<html" not in partial

    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.DONE)
    finished = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in finished


def test_cancel_button_stops_a_pending_batch_and_nothing_is_imported(
    client, personas, django_capture_on_commit_callbacks
):
    client.force_login(personas.operator_a)
    with django_capture_on_commit_callbacks(execute=False) as queued:  # the worker is slow
        client.post(reverse("imports:upload"), {"file": csv_file([row(DESA_A, 1)])})
    batch = ImportBatch.objects.get()
    response = client.post(reverse("imports:batch_cancel", args=[batch.pk]))
    assert response.status_code == 302
    for callback in queued:  # the worker picks the job up after the cancel
        callback()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED
    assert not Person.objects.exists()
    assert "Impor dibatalkan" in client.get(response.url).content.decode()


def test_pengelola_of_the_kabupaten_sees_an_operators_batch_another_operator_does_not(
    client, personas
):
    batch = ImportBatch.objects.create(
        uploaded_by=personas.operator_a, original_name="desa.csv", sha256="a" * 64, wilayah=DESA_A
    )
    url = reverse("imports:batch", args=[batch.pk])
    client.force_login(personas.pengelola)
    assert client.get(url).status_code == 200
    client.force_login(personas.operator_b)
    assert client.get(url).status_code == 404
    client.force_login(personas.operator_a)
    assert client.get(url).status_code == 200


def test_report_of_a_batch_without_rejections_is_not_found(client, personas):
    batch = ImportBatch.objects.create(
        uploaded_by=personas.operator_a, original_name="desa.csv", sha256="a" * 64, wilayah=DESA_A
    )
    client.force_login(personas.operator_a)
    assert client.get(reverse("imports:batch_report", args=[batch.pk])).status_code == 404


def test_report_path_outside_the_imports_folder_is_never_served(client, personas, tmp_path):
    secret = tmp_path / "secret.key"
    secret.write_text("s3cr3t")
    batch = ImportBatch.objects.create(
        uploaded_by=personas.operator_a,
        original_name="desa.csv",
        sha256="a" * 64,
        wilayah=DESA_A,
        report_path=str(secret),
    )
    client.force_login(personas.operator_a)
    assert client.get(reverse("imports:batch_report", args=[batch.pk])).status_code == 404


def test_upload_announced_over_the_limit_is_refused_before_it_is_read(client, personas, settings):
    settings.DTKS_IMPORT_MAX_BYTES = 1024
    big = csv_file([row(DESA_A, serial) for serial in range(1, 2000)])
    client.force_login(personas.operator_a)
    response = client.post(reverse("imports:upload"), {"file": big})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()
    assert not (settings.DATA_DIR / "imports").exists()
