"""The survey's pages: staff record a service and get its link and QR code, the public
answers without login, the results page; allowed and forbidden for each persona."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dtks.survey import actions
from dtks.survey.models import ANSWER_DAYS, Response, Service
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, DESA_B

TODAY = timezone.localdate()


def serve(by, desa=DESA_A, kind="complaint", served_on=TODAY):
    return actions.record_service(kind, served_on, by=by, desa=Region.objects.get(code=desa))


def form_data(value="4", **extra):
    return {**{f"u{i}": value for i in range(1, 10)}, **extra}


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# Recording a service -------------------------------------------------------------------


def test_operator_records_a_service_and_gets_its_link_and_qr(client, personas):
    client.force_login(personas.operator_a)
    page = client.get("/ikm/layanan/")
    assert page.status_code == 200 and f'value="{DESA_A}"' in page.content.decode()
    assert f'value="{DESA_B}"' not in page.content.decode()
    response = client.post(
        "/ikm/layanan/", {"kind": "check_status", "served_on": TODAY.isoformat(), "desa": DESA_A}
    )
    service = Service.objects.get()
    assert response.status_code == 302 and response.url == f"/ikm/layanan/{service.pk}/"
    html = client.get(response.url).content.decode()
    assert f"/ikm/s/{service.token}/" in html
    assert "<svg" in html and "<script" not in html.split("<main>")[1]


def test_operator_cannot_record_for_another_desa(client, personas):
    client.force_login(personas.operator_a)
    response = client.post(
        "/ikm/layanan/", {"kind": "check_status", "served_on": TODAY.isoformat(), "desa": DESA_B}
    )
    assert response.status_code == 200 and 'class="error' in response.content.decode()
    assert not Service.objects.exists()


def test_kabupaten_staff_may_record_without_desa(client, personas):
    client.force_login(personas.pengisi)
    response = client.post("/ikm/layanan/", {"kind": "other", "served_on": TODAY.isoformat()})
    assert response.status_code == 302
    assert Service.objects.get().desa_id is None


@pytest.mark.parametrize("persona", ["operator_kecamatan", "pimpinan", "admin", "nobody"])
def test_roles_that_do_not_serve_cannot_record(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get("/ikm/layanan/").status_code == 403
    assert client.post("/ikm/layanan/", {"kind": "other"}).status_code == 403


def test_anonymous_is_sent_to_login_from_staff_pages(client, personas):
    service = serve(personas.operator_a)
    for url in ("/ikm/", "/ikm/layanan/", f"/ikm/layanan/{service.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(resolve_url(settings.LOGIN_URL))


def test_list_shows_only_services_of_my_area(client, personas):
    mine, theirs = serve(personas.operator_a), serve(personas.operator_b, desa=DESA_B)
    client.force_login(personas.operator_a)
    html = client.get("/ikm/layanan/").content.decode()
    assert f'data-service="{mine.pk}"' in html and f'data-service="{theirs.pk}"' not in html
    client.force_login(personas.pengelola)  # the kabupaten sees all
    html = client.get("/ikm/layanan/").content.decode()
    assert f'data-service="{mine.pk}"' in html and f'data-service="{theirs.pk}"' in html


def test_service_page_404_outside_the_area_403_without_serving_role(client, personas):
    service = serve(personas.operator_a)
    client.force_login(personas.operator_b)
    response = client.get(f"/ikm/layanan/{service.pk}/")
    assert response.status_code == 404 and service.token not in response.content.decode()
    client.force_login(personas.operator_kecamatan)  # reads desa A, does not serve there
    response = client.get(f"/ikm/layanan/{service.pk}/")
    assert response.status_code == 403 and service.token not in response.content.decode()
    client.force_login(personas.pengelola)
    assert service.token in client.get(f"/ikm/layanan/{service.pk}/").content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_list_page_queries_do_not_grow_with_services(client, personas):
    answers = {f"u{i}": 4 for i in range(1, 10)}
    actions.submit_response(serve(personas.operator_a).token, answers)
    client.force_login(personas.operator_a)
    before = _queries(client, "/ikm/layanan/")
    for _ in range(3):
        actions.submit_response(serve(personas.operator_a).token, answers)
        serve(personas.operator_a)
    assert _queries(client, "/ikm/layanan/") == before


# The public questionnaire --------------------------------------------------------------


def test_public_answers_without_login(client, personas):
    service = serve(personas.operator_a)
    page = client.get(f"/ikm/s/{service.token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'type="radio"' in html and "Sangat sesuai" in html and "Dikelola dengan baik" in html
    assert personas.operator_a.username not in html  # nothing about who served
    response = client.post(
        f"/ikm/s/{service.token}/", form_data("3", suggestion="Ruang tunggu panas", sex="L")
    )
    assert response.status_code == 302 and response.url == "/ikm/terima-kasih/"
    answer = Response.objects.get()
    assert answer.answers == [3] * 9 and answer.sex == "L"
    assert client.get("/ikm/terima-kasih/").status_code == 200


def test_missing_answers_show_the_form_again(english, personas):
    service = serve(personas.operator_a)
    response = english.post(f"/ikm/s/{service.token}/", form_data("4", u5=""))
    html = response.content.decode()
    assert response.status_code == 200 and "Choose one answer." in html
    assert 'id="q-u5"' in html and not Response.objects.exists()


def test_second_answer_is_refused_with_a_clear_page(english, personas):
    service = serve(personas.operator_a)
    english.post(f"/ikm/s/{service.token}/", form_data("4"))
    again = english.post(f"/ikm/s/{service.token}/", form_data("1"))
    assert again.status_code == 410 and "already been rated" in again.content.decode()
    page = english.get(f"/ikm/s/{service.token}/")
    assert page.status_code == 410 and 'type="radio"' not in page.content.decode()
    assert Response.objects.get().answers == [4] * 9


def test_unknown_token_is_404_with_a_clear_page(english, db):
    response = english.get("/ikm/s/bukan-token-yang-ada/")
    assert response.status_code == 404 and "not valid" in response.content.decode()
    assert english.post("/ikm/s/bukan-token-yang-ada/", form_data()).status_code == 404


def test_expired_link_is_410_with_a_clear_page(english, personas):
    service = serve(personas.operator_a)
    Service.objects.filter(pk=service.pk).update(
        created_at=timezone.now() - timedelta(days=ANSWER_DAYS + 1)
    )
    response = english.get(f"/ikm/s/{service.token}/")
    assert response.status_code == 410 and f"{ANSWER_DAYS} days" in response.content.decode()
    assert english.post(f"/ikm/s/{service.token}/", form_data()).status_code == 410
    assert not Response.objects.exists()


def test_logged_in_staff_may_answer_too(client, personas):
    service = serve(personas.operator_a)
    client.force_login(personas.pimpinan)
    assert client.get(f"/ikm/s/{service.token}/").status_code == 200


# Results ------------------------------------------------------------------------------


def _answered(personas, desa, value, served_on=TODAY, suggestion=""):
    service = serve(personas.pengelola, desa=desa, served_on=served_on)
    answers = {f"u{i}": value for i in range(1, 10)}
    actions.submit_response(service.token, answers, suggestion=suggestion)


@pytest.mark.parametrize("persona", ["pengelola", "pimpinan"])
def test_managers_see_the_index_grade_and_suggestions(client, personas, persona):
    _answered(personas, DESA_A, 4, suggestion="Petugas ramah sekali")
    _answered(personas, DESA_B, 3)
    client.force_login(getattr(personas, persona))
    response = client.get(f"/ikm/?tahun={TODAY.year}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "87,50" in html  # (4 + 3) / 2 × 25, Indonesian decimals
    assert 'data-element="u9"' in html and "3,50" in html
    quarter = (TODAY.month - 1) // 3 + 1
    assert f'data-quarter="{quarter}"' in html
    assert "Petugas ramah sekali" in html


@pytest.mark.parametrize(
    "persona", ["operator_a", "operator_kecamatan", "pengisi", "admin", "pengesah", "nobody"]
)
def test_others_cannot_see_results(client, personas, persona):
    _answered(personas, DESA_A, 4, suggestion="Petugas ramah sekali")
    client.force_login(getattr(personas, persona))
    response = client.get("/ikm/")
    assert response.status_code == 403 and "Petugas ramah" not in response.content.decode()


def test_results_of_a_year_without_answers(english, personas):
    _answered(personas, DESA_A, 4, served_on=date(TODAY.year, 1, 1))
    english.force_login(personas.pengelola)
    html = english.get(f"/ikm/?tahun={TODAY.year - 1}").content.decode()
    assert "Nobody answered" in html
    assert f'<option value="{TODAY.year}"' in html  # the year with answers is offered


def test_results_page_queries_do_not_grow_with_answers(client, personas):
    _answered(personas, DESA_A, 4, suggestion="a")
    client.force_login(personas.pengelola)
    before = _queries(client, "/ikm/")
    _answered(personas, DESA_B, 2, suggestion="b")
    _answered(personas, DESA_B, 3, served_on=date(TODAY.year, 1, 1))
    assert _queries(client, "/ikm/") == before
