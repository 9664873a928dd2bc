"""The ratification pack's ministry export, marking sent, pages and CLI."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dtks.audit.models import AccessEvent, AuditEvent
from dtks.core.errors import DomainError
from dtks.imports.columns import EXPORT_COLUMNS
from dtks.imports.pipeline import import_file
from dtks.proposals import pack as packs
from dtks.proposals.models import RatificationPack, Status
from dtks.schedule.models import Extension
from tests.conftest import KAB

from . import test_pack

pytestmark = pytest.mark.django_db

# The pack fixtures of test_pack.py (settings, four ratified proposals, the issued pack).
_pack_settings, finalised, ratified, kab, issued = (
    test_pack._pack_settings,
    test_pack.finalised,
    test_pack.ratified,
    test_pack.kab,
    test_pack.issued,
)


def url(name: str, area: str = KAB) -> str:
    return reverse(f"proposals:{name}", kwargs={"year": 2023, "month": 8, "area": area})


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_ministry_xlsx_round_trips_through_the_import_dry_run(issued, ratified, tmp_path):
    out = tmp_path / "kemensos.xlsx"
    rows = packs.write_ministry_xlsx(issued, by=None, out=out)
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("dtks").to_python()
    assert sheet[0] == [*EXPORT_COLUMNS, "usulan"]
    assert len(sheet) == rows + 1 == 5  # family A: four, one moved out, one new child
    by_nik = {r[EXPORT_COLUMNS.index("nomor_nik")]: r[-1] for r in sheet[1:]}
    fix, member, _leave, program = ratified
    assert by_nik["1709016501100004"] == f"{member.pk}; {program.pk}"
    assert str(fix.pk) in by_nik[fix.person.nik]
    result = import_file(out, by=None, dry_run=True)
    assert (result.rejected, result.unchanged, result.total) == (0, rows, rows)


def test_export_is_recorded_on_the_pack_and_audited(issued, personas, tmp_path):
    packs.write_ministry_xlsx(issued, by=personas.pengelola, out=tmp_path / "k.xlsx")
    issued.refresh_from_db()
    assert issued.exported_at is not None
    event = AuditEvent.objects.get(action="export_registry")
    assert event.after["filters"] == {"pack": issued.number}


def test_mark_sent_needs_the_export_then_sends_all(issued, ratified, personas, tmp_path):
    with pytest.raises(DomainError) as refused:
        packs.mark_pack_sent(issued, by=personas.pengelola)
    assert refused.value.code == "not_exported"
    packs.write_ministry_xlsx(issued, by=personas.pengelola, out=tmp_path / "k.xlsx")
    sent = packs.mark_pack_sent(issued, by=personas.pengelola)
    assert [p.status for p in sent] == [Status.SENT] * 4
    assert AuditEvent.objects.filter(action="proposal_send").count() == 4


def test_mark_sent_respects_the_upload_window(issued, personas, tmp_path):
    Extension.objects.all().delete()
    packs.write_ministry_xlsx(issued, by=personas.pengelola, out=tmp_path / "k.xlsx")
    before_window = dt.datetime(2023, 8, 2, 10, tzinfo=dt.UTC)  # ratification upload: 15th on
    with pytest.raises(DomainError) as refused:
        packs.mark_pack_sent(issued, by=personas.pengelola, when=before_window)
    assert refused.value.code == "window_closed"
    assert {p.status for p in packs.pack_proposals(issued)} == {Status.RATIFIED}


def test_pack_page_lists_and_masks_by_role(issued, ratified, personas, family_a):
    page = client_of(personas.pengelola).get(url("pack"))
    body = page.content.decode()
    assert page.status_code == 200
    assert issued.number in body and issued.code in body
    assert "1709016501100004" in body and 'id="download-pdf"' in body
    masked = client_of(personas.pengesah).get(url("pack")).content.decode()
    assert issued.number in masked and "Putri Baru" in masked
    assert "1709016501100004" not in masked and family_a.no_kk not in masked
    assert 'id="download-pdf"' not in masked and 'id="pack-issue"' not in masked


def test_pack_page_outside_the_area_is_404(issued, personas):
    assert client_of(personas.operator_b).get(url("pack")).status_code == 404


def test_pdf_download_needs_identity_over_the_area(issued, personas):
    assert client_of(personas.pengesah).get(url("pack_pdf")).status_code == 403
    assert client_of(personas.pimpinan).get(url("pack_xlsx")).status_code == 403
    response = client_of(personas.pengelola).get(url("pack_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AccessEvent.objects.filter(subject_type="ratification_pack", user=personas.pengelola)


def test_issue_button_issues_then_reports_unchanged(ratified, personas):
    client = client_of(personas.pengelola)
    response = client.post(url("pack_issue"))
    assert response.status_code == 302
    pack = RatificationPack.objects.get()
    client.post(url("pack_issue"))
    assert RatificationPack.objects.get() == pack
    assert client_of(personas.pengesah).post(url("pack_issue")).status_code == 403


def test_send_button_marks_the_exported_pack_sent(issued, personas):
    client = client_of(personas.pengelola)
    assert client.get(url("pack_xlsx")).status_code == 200
    assert 'id="pack-send"' in client.get(url("pack")).content.decode()
    assert client.post(url("pack_send")).status_code == 302
    assert {p.status for p in packs.pack_proposals(issued)} == {Status.SENT}


def test_verification_page_is_public_and_names_the_pack(issued):
    page = Client().get(reverse("proposals:pack_verify"), {"kode": issued.short_code})
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="verify-found"' in body and issued.number in body
    assert "1709016501100004" not in body
    unknown = Client().get(reverse("proposals:pack_verify"), {"kode": "f" * 64})
    assert 'id="verify-unknown"' in unknown.content.decode()


def test_cli_issues_and_writes_pdf_and_xlsx(ratified, personas, tmp_path, capsys):
    out = tmp_path / "keluar"
    call_command("ratification_pack", year=2023, month=8, output=out, user="pengelola")
    pack = RatificationPack.objects.get()
    assert pack.issued_by == personas.pengelola
    assert pack.number in capsys.readouterr().out
    assert (out / pack.file_name).read_bytes().startswith(b"%PDF-")
    assert (out / packs.export_name(pack)).exists()
    call_command("ratification_pack", year=2023, month=8, wilayah=KAB)  # same content
    assert RatificationPack.objects.count() == 1
    assert pack.code in capsys.readouterr().out


def test_cli_refuses_an_unknown_area_and_an_empty_month(ratified):
    with pytest.raises(CommandError):
        call_command("ratification_pack", year=2023, month=8, wilayah="99.99")
    with pytest.raises(CommandError):
        call_command("ratification_pack", year=2023, month=9, wilayah=KAB)
