"""The /bimtek/ pages: each allowed and forbidden, bodies checked; forms without JS; the
material upload refuses by content; downloads only through the permission check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dtks.training import actions
from dtks.training.models import BudgetLine, FacilityNeed, Material, TrainingPlan, TrainingSession

from .conftest import make_session, office_file

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
MANAGERS = ["pengelola", "pimpinan"]
OTHERS = ["operator_a", "operator_kecamatan", "pengisi", "admin", "pengesah", "nobody"]


@pytest.fixture
def session(personas):
    by = personas.pengelola
    s = make_session(by, date(2023, 11, 20), cost=1_500_000, title="Bimtek Aplikasi")
    actions.record_attendance(s, {personas.operator_a.pk: True}, by=personas.pengelola)
    return s


@pytest.fixture
def material(personas, session):
    upload = SimpleUploadedFile("panduan.pdf", PDF)
    return actions.add_material(session, upload, by=personas.pengelola)


def login(client, personas, name):
    client.force_login(getattr(personas, name))
    return client


def in_english(client):
    """The new msgids reach the Indonesian catalogue with the report; messages are checked
    in English (their wording) and the field is named either way."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# Pages only MANAGE_PERFORMANCE reads: (url, text every allowed body shows).
def _manager_pages(session, material):
    return [
        ("/bimtek/?tahun=2023", "Bimtek Aplikasi"),
        ("/bimtek/sesi/baru/", 'name="title"'),
        (f"/bimtek/sesi/{session.pk}/ubah/", 'value="Bimtek Aplikasi"'),
        ("/bimtek/rencana/2023/", 'name="planned_online"'),
        ("/bimtek/belum-dilatih/", 'id="coverage"'),
        ("/bimtek/anggaran/?tahun=2023", 'id="categories"'),
        ("/bimtek/anggaran/baru/?tahun=2023", 'name="realised"'),
        ("/bimtek/sarana/?tahun=2023", 'id="facilities"'),
    ]


@pytest.mark.parametrize("persona", MANAGERS)
def test_managers_read_every_page(client, personas, session, material, persona):
    login(client, personas, persona)
    for url, text in _manager_pages(session, material):
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


@pytest.mark.parametrize("persona", OTHERS)
def test_other_roles_are_forbidden_the_management_pages(client, personas, session, material,
                                                        persona):  # fmt: skip
    login(client, personas, persona)
    for url, _text in _manager_pages(session, material):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Bimtek Aplikasi" not in response.content.decode()


def test_anonymous_is_sent_to_login(client, session):
    response = client.get("/bimtek/")
    assert response.status_code == 302 and response["Location"] == "/masuk/?next=/bimtek/"


def test_sessions_page_shows_plan_against_held(client, personas):
    by = personas.pengelola
    year = timezone.localdate().year
    actions.set_plan(year, planned_sessions=3, planned_online=2, planned_budget=Decimal(0), by=by)
    make_session(by, date(year, 1, 1), mode="online")
    make_session(by, date(year, 1, 1), mode="offline")
    html = in_english(login(client, personas, "pengelola")).get("/bimtek/").content.decode()
    assert "2 of 3 planned, 1 online" in html
    assert 'data-held="2" data-planned="3" data-online="1"' in html


def test_operator_sees_the_session_they_attended_and_its_materials(client, personas, session,
                                                                   material):  # fmt: skip
    login(client, personas, "operator_a")
    html = client.get(f"/bimtek/sesi/{session.pk}/").content.decode()
    assert "Bimtek Aplikasi" in html and "panduan.pdf" in html
    assert 'id="my-attendance"' in html
    assert 'name="mark_' not in html  # no attendance form for an attendee
    download = client.get(f"/bimtek/materi/{material.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    mine = client.get("/bimtek/saya/").content.decode()
    assert f'data-session="{session.pk}"' in mine


@pytest.mark.parametrize("persona", ["operator_b", "pengisi", "admin", "nobody"])
def test_who_did_not_attend_gets_neither_session_nor_material(client, personas, session,
                                                              material, persona):  # fmt: skip
    login(client, personas, persona)
    detail = client.get(f"/bimtek/sesi/{session.pk}/")
    assert detail.status_code == 403 and "Bimtek Aplikasi" not in detail.content.decode()
    assert client.get(f"/bimtek/materi/{material.pk}/").status_code == 403
    mine = client.get("/bimtek/saya/")
    assert mine.status_code == 200 and f'data-session="{session.pk}"' not in mine.content.decode()


def test_manager_session_detail_has_attendance_form(client, personas, session, material):
    html = login(client, personas, "pengelola").get(f"/bimtek/sesi/{session.pk}/").content.decode()
    assert f'name="mark_{personas.operator_a.pk}"' in html
    assert f'data-user="{personas.operator_a.pk}" data-mark="present"' in html
    assert f'data-user="{personas.operator_b.pk}" data-mark=""' in html
    assert f'name="mark_{personas.admin.pk}"' not in html  # not data-entry staff
    assert "panduan.pdf" in html


def test_manager_records_attendance_from_the_form(client, personas, session):
    login(client, personas, "pengelola")
    response = client.post(
        f"/bimtek/sesi/{session.pk}/kehadiran/",
        {f"mark_{personas.operator_a.pk}": "", f"mark_{personas.operator_b.pk}": "absent"},
    )
    assert response.status_code == 302
    assert dict(session.attendances.values_list("user_id", "attended")) == {
        personas.operator_b.pk: False
    }


@pytest.mark.parametrize("persona", ["operator_a", "pengisi"])
def test_operators_cannot_change_attendance_or_upload(client, personas, session, persona):
    login(client, personas, persona)
    response = client.post(f"/bimtek/sesi/{session.pk}/kehadiran/",
                           {f"mark_{personas.operator_b.pk}": "present"})  # fmt: skip
    assert response.status_code == 403
    upload = client.post(f"/bimtek/sesi/{session.pk}/materi/",
                         {"file": SimpleUploadedFile("a.pdf", PDF)})  # fmt: skip
    assert upload.status_code == 403
    assert not session.attendances.filter(user=personas.operator_b).exists()
    assert not Material.objects.exists()


def test_renamed_exe_as_pdf_is_refused_with_a_clear_message(client, personas, session):
    in_english(login(client, personas, "pengelola"))
    exe = SimpleUploadedFile("materi.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100,
                             content_type="application/pdf")  # fmt: skip
    response = client.post(f"/bimtek/sesi/{session.pk}/materi/", {"file": exe}, follow=True)
    html = response.content.decode()
    assert "materi.pdf was refused: The content of this file is not one of the accepted" in html
    assert "(PDF, PPTX, DOCX, JPEG, PNG), whatever its name says." in html
    assert not Material.objects.exists()


def test_manager_uploads_a_docx(client, personas, session, media_dir):
    login(client, personas, "pengelola")
    docx = SimpleUploadedFile("modul.docx", office_file("word/document.xml"))
    client.post(f"/bimtek/sesi/{session.pk}/materi/", {"file": docx})
    material = Material.objects.get()
    assert material.kind == "docx" and (media_dir / material.stored_name).is_file()
    html = client.get(f"/bimtek/sesi/{session.pk}/").content.decode()
    assert f"/bimtek/materi/{material.pk}/" in html


def test_session_form_creates_and_names_the_wrong_field(client, personas):
    in_english(login(client, personas, "pengelola"))
    bad = client.post("/bimtek/sesi/baru/", {"title": "", "date": "2023-13-01", "mode": "online",
                                             "cost": "-1"})  # fmt: skip
    html = bad.content.decode()
    assert bad.status_code == 200 and not TrainingSession.objects.exists()
    assert "Title: This field is required." in html
    assert "Date: Enter a valid date." in html
    assert "Cost (Rp): Ensure this value is greater than or equal to 0." in html
    ok = client.post("/bimtek/sesi/baru/", {"title": "Bimtek DTSEN", "date": "2023-05-02",
                                            "mode": "offline", "cost": "750000",
                                            "place": "Aula Dinsos"})  # fmt: skip
    session = TrainingSession.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/bimtek/sesi/{session.pk}/"
    assert session.cost == Decimal(750_000)


def test_session_edit_saves(client, personas, session):
    login(client, personas, "pimpinan")
    response = client.post(f"/bimtek/sesi/{session.pk}/ubah/", {
        "title": "Bimtek Aplikasi SIKS-NG", "date": "2023-11-21", "mode": "online", "cost": "0"
    })  # fmt: skip
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Bimtek Aplikasi SIKS-NG" and session.cost == 0


def test_plan_form(client, personas):
    in_english(login(client, personas, "pengelola"))
    bad = client.post("/bimtek/rencana/2024/", {"planned_sessions": "1", "planned_online": "3",
                                                "planned_budget": "0"})  # fmt: skip
    assert "Of which online: between 0 and the number of planned sessions." in bad.content.decode()
    assert not TrainingPlan.objects.exists()
    ok = client.post("/bimtek/rencana/2024/", {"planned_sessions": "3", "planned_online": "2",
                                               "planned_budget": "6000000"})  # fmt: skip
    assert ok.status_code == 302 and ok["Location"] == "/bimtek/?tahun=2024"
    assert TrainingPlan.objects.get(year=2024).planned_online == 2


def test_untrained_page_lists_operators_per_kecamatan(client, personas, session):
    html = login(client, personas, "pengelola").get("/bimtek/belum-dilatih/").content.decode()
    # operator_a attended on 20 Nov 2023; whether that is recent depends on today.
    assert f'data-user="{personas.operator_b.pk}" data-desa="17.09.02.2001"' in html
    assert 'data-kecamatan="17.09.02"' in html
    never = client.get("/bimtek/belum-dilatih/?sejak=awal").content.decode()
    assert f'data-user="{personas.operator_a.pk}"' not in never
    assert f'data-user="{personas.operator_b.pk}"' in never


def test_budget_page_shows_overspending_and_share(client, personas):
    actions.create_budget_line(
        {"year": 2023, "category": "training", "description": "Bimtek operator desa",
         "planned": Decimal(4_000_000), "realised": Decimal(5_000_000)}, by=personas.pengelola,
    )  # fmt: skip
    html = login(client, personas, "pengelola").get("/bimtek/anggaran/?tahun=2023").content.decode()
    assert "Bimtek operator desa" in html and "4.000.000" in html and "5.000.000" in html
    assert "125,0%" in html
    assert 'id="no-budget"' not in html
    empty = client.get("/bimtek/anggaran/?tahun=2022").content.decode()
    assert 'id="no-budget"' in empty


def test_budget_line_form_creates_edits_and_refuses(client, personas):
    in_english(login(client, personas, "pengelola"))
    bad = client.post("/bimtek/anggaran/baru/", {"year": "2023", "category": "training",
                                                 "description": "", "planned": "-5",
                                                 "realised": "0"})  # fmt: skip
    assert "Description: This field is required." in bad.content.decode()
    assert "Planned (Rp): Ensure this value is greater than or equal to 0." in bad.content.decode()
    assert not BudgetLine.objects.exists()
    client.post("/bimtek/anggaran/baru/", {"year": "2023", "category": "facilities",
                                           "description": "Laptop", "planned": "8000000",
                                           "realised": "0"})  # fmt: skip
    line = BudgetLine.objects.get()
    response = client.post(f"/bimtek/anggaran/{line.pk}/ubah/", {
        "year": "2023", "category": "facilities", "description": "Laptop",
        "planned": "8000000", "realised": "7900000"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/bimtek/anggaran/?tahun=2023"
    line.refresh_from_db()
    assert line.realised == Decimal(7_900_000)


def test_facilities_page_sets_a_need_and_shows_the_gap(client, personas):
    login(client, personas, "pengelola")
    response = client.post("/bimtek/sarana/?tahun=2023", {"item": "computer", "needed": "3",
                                                          "available": "1"})  # fmt: skip
    assert response.status_code == 302
    html = client.get("/bimtek/sarana/?tahun=2023").content.decode()
    assert 'data-item="computer" data-gap="2"' in html
    assert FacilityNeed.objects.get().year == 2023
    bad = client.post("/bimtek/sarana/?tahun=2023", {"item": "printer", "needed": "-1",
                                                     "available": "0"})  # fmt: skip
    assert bad.status_code == 200 and FacilityNeed.objects.count() == 1


@pytest.mark.parametrize("persona", ["operator_a", "pengisi", "admin"])
def test_others_cannot_post_forms(client, personas, session, persona):
    login(client, personas, persona)
    posts = [
        ("/bimtek/sesi/baru/", {"title": "x", "date": "2023-05-02", "mode": "online", "cost": "0"}),
        ("/bimtek/rencana/2024/", {"planned_sessions": "3", "planned_online": "2",
                                   "planned_budget": "0"}),
        ("/bimtek/anggaran/baru/", {"year": "2023", "category": "training", "description": "x",
                                    "planned": "1", "realised": "0"}),
        ("/bimtek/sarana/?tahun=2023", {"item": "computer", "needed": "3", "available": "1"}),
    ]  # fmt: skip
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert TrainingSession.objects.count() == 1
    assert not (TrainingPlan.objects.exists() or BudgetLine.objects.exists()
                or FacilityNeed.objects.exists())  # fmt: skip


def test_missing_session_and_material_are_404(client, personas):
    login(client, personas, "pengelola")
    assert client.get("/bimtek/sesi/999999/").status_code == 404
    assert client.get("/bimtek/materi/999999/").status_code == 404


def test_sessions_list_queries_do_not_grow(client, personas, django_assert_max_num_queries):
    by = personas.pengelola
    for day in range(1, 8):
        s = make_session(by, date(2023, 1, day))
        actions.record_attendance(s, {personas.operator_a.pk: True}, by=by)
    login(client, personas, "pengelola")
    with django_assert_max_num_queries(20):
        html = client.get("/bimtek/?tahun=2023").content.decode()
    assert html.count("data-session=") == 7


def test_material_is_stored_under_media_root_and_not_served_directly(
    client, personas, material, media_dir
):
    assert (media_dir / material.stored_name).is_file()
    login(client, personas, "pengelola")
    assert client.get(f"/media/training/{material.stored_name}").status_code == 404
    assert client.get(f"/bimtek/materi/{material.pk}/").status_code == 200
