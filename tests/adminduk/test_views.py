"""Pemadanan pages: the KPI and tidak padan list in the one scope, NIK masked for roles that
may not see it, the upload as a background job (verifier only), and the family-page panel."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dtks.accounts.scope import mask_identity
from dtks.adminduk.actions import match_extract
from dtks.adminduk.models import DukcapilExtract, MatchResult
from tests.adminduk.extracts import HEADER, row_of, write_csv
from tests.conftest import DESA_A, DESA_B, KEC_A
from tests.factories import family_with_members

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def matched(regions, tmp_path):
    """Desa A: the head padan, the spouse with another name. Desa B: the head died."""
    a, b = family_with_members(DESA_A, size=2), family_with_members(DESA_B, size=1)
    head_a, spouse_a = (m.person for m in a.current_memberships().order_by("relationship"))
    head_b = b.current_memberships().get().person
    rows = [
        row_of(head_a),
        row_of(spouse_a, nama="Lain Sekali"),
        row_of(head_b, status_hidup="MATI"),
    ]
    match_extract(write_csv(tmp_path / "d.csv", rows), by=None)
    return {"a": a, "b": b, "padan": head_a, "name": spouse_a, "died": head_b}


def page(client, user, url: str, status: int = 200) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def listed(html: str) -> set[str]:
    return set(re.findall(r'data-person="(\d+)" data-reasons', html))


def number(html: str, element: str) -> str:
    return re.search(rf'id="{element}">([^<]*)<', html).group(1).strip()


def test_kabupaten_verifier_sees_kpi_per_kecamatan_and_every_tidak_padan(client, personas, matched):
    html = page(client, personas.pengelola, "/padan/")
    assert (number(html, "count-padan"), number(html, "count-tidak-padan")) == ("1", "2")
    assert number(html, "share-padan").startswith("33")
    assert set(re.findall(r'data-area="([\d.]+)"', html)) == {"17.09.01", "17.09.02"}
    assert listed(html) == {str(matched["name"].pk), str(matched["died"].pk)}
    assert matched["name"].nik in html and "Lain Sekali" in html


def test_a_kecamatan_is_shown_per_desa(client, personas, matched):
    html = page(client, personas.pengelola, f"/padan/?wilayah={KEC_A}")
    assert re.findall(r'data-area="([\d.]+)"', html) == [DESA_A]
    assert listed(html) == {str(matched["name"].pk)}


def test_operator_sees_only_their_desa(client, personas, matched):
    html = page(client, personas.operator_b, "/padan/")
    assert listed(html) == {str(matched["died"].pk)}
    assert matched["name"].nik not in html
    html = page(client, personas.operator_b, f"/padan/?wilayah={DESA_A}")
    assert listed(html) == set() and number(html, "count-padan") == "0"


def test_roles_without_identity_see_nik_masked(client, personas, matched):
    html = page(client, personas.pimpinan, "/padan/")
    assert listed(html) == {str(matched["name"].pk), str(matched["died"].pk)}
    assert matched["name"].nik not in html
    assert mask_identity(matched["name"].nik) in html


def test_the_list_filters_by_reason(client, personas, matched):
    html = page(client, personas.pengelola, "/padan/?reason=died")
    assert listed(html) == {str(matched["died"].pk)}


def test_the_list_costs_the_same_queries_for_more_rows(client, personas, matched, tmp_path):
    client.force_login(personas.pengelola)
    with CaptureQueriesContext(connection) as few:
        client.get("/padan/")
    more = family_with_members(DESA_A, size=4)
    rows = [row_of(m.person, nama="Beda") for m in more.current_memberships()]
    match_extract(write_csv(tmp_path / "e.csv", rows), by=None, wilayah=more.desa_id)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/padan/").content.decode()
    assert len(listed(html)) == 7  # desa A matched again: its first two are not in this file
    assert len(many) == len(few)


def test_the_family_page_shows_each_members_match(client, personas, matched):
    html = page(client, personas.operator_a, f"/keluarga/{matched['a'].pk}/")
    states = dict(re.findall(r'data-person="(\d+)" data-padan="(\w+)"', html))
    assert states == {str(matched["padan"].pk): "padan", str(matched["name"].pk): "tidak_padan"}
    assert "Lain Sekali" in html


def test_verifier_uploads_an_extract_and_follows_it(
    client, personas, regions, tmp_path, django_capture_on_commit_callbacks
):
    family = family_with_members(DESA_A, size=2)
    rows = [row_of(m.person) for m in family.current_memberships()]
    path = write_csv(tmp_path / "up.csv", [*rows, {**rows[0], "nik": "123"}])
    client.force_login(personas.pengelola)
    with path.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/padan/unggah/", {"file": handle, "wilayah": "17.09"})
    extract = DukcapilExtract.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/padan/ekstrak/{extract.pk}/"
    assert (extract.status, extract.uploaded_by, extract.wilayah) == (
        "done",
        personas.pengelola,
        "17.09",
    )
    html = page(client, personas.pengelola, response["Location"])
    assert (number(html, "count-padan"), number(html, "rows-rejected")) == ("2", "1")
    assert re.search(r"<li>[^<]*4[^<]*nik", html)
    assert MatchResult.objects.current().count() == 2


def test_an_unsafe_upload_is_refused_before_matching(client, personas, regions, tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"PK\x03\x04 not text")
    client.force_login(personas.pengelola)
    with path.open("rb") as handle:
        response = client.post("/padan/unggah/", {"file": handle, "wilayah": "17.09"})
    assert response.status_code == 200 and not DukcapilExtract.objects.exists()


def test_only_a_verifier_may_upload(client, personas, regions, tmp_path):
    page(client, personas.pengisi, "/padan/unggah/", status=403)
    path = write_csv(tmp_path / "d.csv", [], header=HEADER)
    with path.open("rb") as handle:
        assert (
            client.post("/padan/unggah/", {"file": handle, "wilayah": "17.09"}).status_code == 403
        )
    assert not DukcapilExtract.objects.exists()
