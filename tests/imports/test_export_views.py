"""The export buttons of the family list and the template pages, per persona."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dtks.accounts.scope import mask_identity
from dtks.audit.models import AuditEvent
from tests.conftest import DESA_A, DESA_A2, DESA_B
from tests.factories import family_with_members


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _export(user, **data):
    return _client(user).post(reverse("imports:export"), {"format": "csv", **data})


def _rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_operator_downloads_their_desa_as_csv(personas, family_a, family_b) -> None:
    response = _export(personas.operator_a)
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="dtks-{DESA_A}-{today}.csv"'
    assert {r["nomor_kk"] for r in _rows(response)} == {family_a.no_kk}


def test_export_follows_the_list_filters(personas, family_a, family_b) -> None:
    other = family_with_members(DESA_A2, size=2)
    rows = _rows(_export(personas.pengelola, desa=DESA_A2))
    assert {r["nomor_kk"] for r in rows} == {other.no_kk}
    event = AuditEvent.objects.get(subject_type="export")
    assert (event.after["scope"], event.after["rows"]) == (DESA_A2, 2)
    assert event.after["filters"] == {"desa": DESA_A2}


def test_a_filter_outside_the_area_does_not_widen_the_export(personas, family_a, family_b):
    rows = _rows(_export(personas.operator_a, desa=DESA_B))
    assert {r["nomor_kk"] for r in rows} == {family_a.no_kk}


def test_monitoring_role_gets_masked_numbers(personas, family_a) -> None:
    body = b"".join(_export(personas.operator_kecamatan).streaming_content).decode()
    assert family_a.no_kk not in body
    assert mask_identity(family_a.no_kk) in body


def test_xlsx_download_is_a_workbook_and_leaves_no_file(personas, family_a, tmp_path) -> None:
    response = _export(personas.operator_a, format="xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["dtks"]
    assert sheet.max_row == 1 + 4
    assert not list((tmp_path / "exports").iterdir())


def test_export_needs_registry_access(personas, family_a) -> None:
    assert _export(personas.nobody).status_code == 403
    assert _export(personas.admin).status_code == 403
    assert Client().post(reverse("imports:export")).status_code == 302


def test_family_list_offers_export_with_the_current_filters(personas, family_a) -> None:
    response = _client(personas.pengelola).post(reverse("registry:family_list"), {"desa": DESA_A})
    body = response.content.decode()
    assert reverse("imports:export") in body
    assert f'<input type="hidden" name="desa" value="{DESA_A}">' in body


def test_template_list_shows_only_villages_the_user_edits(personas) -> None:
    body = _client(personas.operator_a).get(reverse("imports:template_list")).content.decode()
    assert reverse("imports:template_download", args=[DESA_A]) in body
    assert reverse("imports:template_download", args=[DESA_B]) not in body
    body = _client(personas.pengelola).get(reverse("imports:template_list")).content.decode()
    assert reverse("imports:template_download", args=[DESA_B]) in body


def test_template_list_needs_edit_rights(personas) -> None:
    assert (
        _client(personas.operator_kecamatan).get(reverse("imports:template_list")).status_code
        == 403
    )


def test_operator_downloads_the_template_of_their_desa(personas) -> None:
    response = _client(personas.operator_a).get(reverse("imports:template_download", args=[DESA_A]))
    assert response.status_code == 200
    assert "templat-dtks-17.09.01.2001.xlsx" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).sheetnames[:3] == [
        "petunjuk", "keluarga", "individu"
    ]  # fmt: skip


def test_template_of_another_desa_is_not_found_and_read_only_roles_are_refused(personas):
    url_b = reverse("imports:template_download", args=[DESA_B])
    assert _client(personas.operator_a).get(url_b).status_code == 404
    url_a = reverse("imports:template_download", args=[DESA_A])
    assert _client(personas.operator_kecamatan).get(url_a).status_code == 403
