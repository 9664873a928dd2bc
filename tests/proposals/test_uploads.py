"""The batch's documents: type from content, size, storage outside the web root, history on
replacement, permission-checked download, and the berita acara submission needs."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError
from dtks.proposals import actions
from dtks.proposals.models import Document
from dtks.proposals.uploads import (
    content_type_of,
    current_documents,
    stored_path,
    upload_document,
)
from dtks.wilayah.models import Region
from tests.conftest import DESA_A

from .conftest import TINY_PDF

pytestmark = pytest.mark.django_db
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def tiny_xlsx() -> bytes:
    book = Workbook()
    book.active.append(["nik", "nama"])
    book.active.append(["1709014101900001", "Kepala Baru"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(batch, user, name: str, content: bytes, kind: str = "berita_acara") -> Document:
    return upload_document(batch, by=user, kind=kind, file=SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("kind", "name", "content", "content_type"),
    [
        ("berita_acara", "ba.pdf", TINY_PDF, "application/pdf"),
        ("berita_acara", "foto.png", tiny_png(), "image/png"),
        ("berita_acara", "foto.jpg", JPEG_HEAD + b"\x00" * 64, "image/jpeg"),
        ("bnba", "bnba.xlsx", tiny_xlsx(), XLSX_TYPE),
        ("bnba", "bnba.csv", b"nik,nama\n1709014101900001,Kepala Baru\n", "text/csv"),
        ("bnba", "bnba.pdf", TINY_PDF, "application/pdf"),
    ],
)  # fmt: skip
def test_real_small_files_are_stored_outside_the_web_root(
    batch, personas, documents_dir, kind, name, content, content_type
):
    document = upload(batch, personas.operator_a, name, content, kind)
    assert content_type_of(document) == content_type and document.size == len(content)
    path = stored_path(document)
    assert path.parent == documents_dir and path.read_bytes() == content
    assert name not in document.stored_name  # a generated name
    event = AuditEvent.objects.filter(action="upload_proposal_document").order_by("id").last()
    assert event.subject_id == str(document.pk) and event.region_code == DESA_A


@pytest.mark.parametrize(
    ("kind", "name", "content", "code"),
    [
        ("berita_acara", "ba.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "wrong_type"),
        ("berita_acara", "foto.jpg", b"<html><script>alert(1)</script></html>", "wrong_type"),
        ("bnba", "bnba.csv", b"<!doctype html><html><body>x</body></html>", "wrong_type"),
        ("bnba", "bnba.xlsx", b"PK\x03\x04 not really a workbook", "wrong_type"),
        ("berita_acara", "bnba.xlsx", tiny_xlsx(), "wrong_type"),  # a workbook is no berita acara
        ("berita_acara", "ba.pdf", b"", "empty"),
    ],
)
def test_files_whose_content_is_not_an_accepted_type_are_refused(
    batch, personas, documents_dir, kind, name, content, code
):
    before = Document.objects.count()
    with pytest.raises(DomainError) as refused:
        upload(batch, personas.operator_a, name, content, kind)
    assert refused.value.code == code
    assert Document.objects.count() == before
    assert [p.name for p in documents_dir.iterdir()] == [
        d.stored_name for d in Document.objects.all()
    ]  # nothing left behind


def test_an_oversize_file_is_refused(batch, personas, documents_dir, settings):
    settings.DTKS_PROPOSAL_DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(DomainError) as refused:
        upload(batch, personas.operator_a, "ba.pdf", TINY_PDF + b"0" * 2000)
    assert refused.value.code == "too_large"


def test_only_an_editor_of_the_desa_uploads(batch, personas, documents_dir):
    for user in (personas.operator_b, personas.pengesah, personas.operator_kecamatan):
        with pytest.raises(DomainError):
            upload(batch, user, "ba.pdf", TINY_PDF)


def test_a_replaced_document_stays_as_history(batch, personas, documents_dir):
    first = batch.documents.get()
    second = upload(batch, personas.operator_a, "ba-revisi.pdf", TINY_PDF)
    assert current_documents(batch)["berita_acara"] == second
    assert stored_path(first).is_file()
    event = AuditEvent.objects.filter(action="upload_proposal_document").order_by("id").last()
    assert event.before == {"document": first.pk}
    page = Client()
    page.force_login(personas.operator_a)
    body = page.get(reverse("proposals:batch"), {"bulan": "2023-08"}).content.decode()
    assert "ba-revisi.pdf" in body and "berita-acara.pdf" in body  # current and replaced


def test_submission_needs_the_berita_acara(personas, family_a, open_windows, documents_dir):
    batch = actions.open_batch(
        by=personas.operator_a, desa=Region.objects.get(code=DESA_A), year=2023, month=9
    )
    proposal = actions.create_proposal(
        batch, by=personas.operator_a, kind="program", subtype="pkh", family=family_a
    )
    with pytest.raises(DomainError) as refused:
        actions.submit_proposal(proposal, by=personas.operator_a)
    assert refused.value.code == "berita_acara_missing"
    upload(batch, personas.operator_a, "foto.png", tiny_png())
    assert actions.submit_proposal(proposal, by=personas.operator_a).status == "submitted"


def _get(user, document):
    client = Client()
    client.force_login(user)
    return client.get(reverse("proposals:document", args=[document.pk]))


def test_download_is_an_attachment_for_the_area_only(batch, personas, documents_dir):
    document = batch.documents.get()
    response = _get(personas.pengesah, document)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == TINY_PDF
    assert _get(personas.operator_b, document).status_code == 404  # another desa
    assert _get(personas.admin, document).status_code == 404  # no registry access at all


def test_a_bnba_list_needs_full_identity_rights(batch, personas, documents_dir):
    bnba = upload(batch, personas.operator_a, "bnba.csv", b"nik,nama\n1,A\n", "bnba")
    assert _get(personas.operator_a, bnba).status_code == 200
    assert _get(personas.operator_kecamatan, bnba).status_code == 403  # NIK masked role
    assert _get(personas.pengesah, bnba).status_code == 403
    assert _get(personas.operator_b, bnba).status_code == 404


def test_upload_page_refuses_with_a_message(batch, personas, documents_dir):
    client = Client()
    client.force_login(personas.operator_a)
    response = client.post(
        reverse("proposals:document_upload"),
        {"desa": DESA_A, "bulan": "2023-08", "kind": "berita_acara",
         "file": SimpleUploadedFile("x.jpg", b"<html></html>")},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    assert batch.documents.count() == 1
    assert any(m.level_tag == "error" for m in response.context["messages"])
