"""Performance pages: the indicators and unit report for those who manage performance data,
the predikat for the head of the Dinas only, and an SKP for its employee, their pejabat
penilai and the head — nobody else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dtks.performance import actions
from dtks.performance.models import Appraisal, Measure, OrganisationRating, Regime

pytestmark = pytest.mark.django_db


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_indicators_of_tabel_1_1_with_targets_and_actuals(client, personas, family_a):
    html = get(client, personas.pengelola, "/kinerja/?year=2023").content.decode()
    for code in ("dtks_used", "dtks_updating", "adminduk", "targeting", "satisfaction"):
        assert f'data-indicator="{code}"' in html
    assert "Persentase ketepatan sasaran program" in html and "85" in html  # 2023 target
    assert 'id="chart"' in html
    assert get(client, personas.operator_a, "/kinerja/").status_code == 403
    assert get(client, personas.admin, "/kinerja/").status_code == 403


def test_the_head_sets_the_predikat_with_the_figures_beside(client, personas, family_a):
    assert get(client, personas.pengelola, "/kinerja/predikat/").status_code == 403
    client.force_login(personas.pimpinan)
    page = client.get("/kinerja/predikat/?year=2023").content.decode()
    assert 'data-indicator="targeting"' in page
    data = {"year": 2023, "quarter": 1, "predikat": "good", "note": "Triwulan I"}
    response = client.post("/kinerja/predikat/", data)
    assert response.status_code == 302 and response["Location"] == "/kinerja/?year=2023"
    rating = OrganisationRating.objects.get(year=2023, quarter=1)
    assert rating.predikat == "good" and set(rating.figures) >= {"targeting", "adminduk"}
    assert "Triwulan I" in client.get("/kinerja/?year=2023").content.decode()


def test_the_unit_report_page_and_its_downloads(client, personas, staff, family_a):
    client.force_login(personas.pengelola)
    html = client.get("/kinerja/laporan/?year=2023").content.decode()
    for aspect in ("kuantitas", "kualitas", "waktu", "biaya", "perilaku"):
        assert f'data-aspect="{aspect}"' in html
    pdf = client.get("/kinerja/laporan/?year=2023&format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert set(client.get("/kinerja/laporan/?year=2023&format=json").json()) == {
        "kuantitas", "kualitas", "waktu", "biaya", "perilaku",
    }  # fmt: skip
    assert get(client, personas.operator_a, "/kinerja/laporan/").status_code == 403


def test_an_skp_is_seen_by_its_employee_appraiser_and_head_only(client, personas, staff):
    url = f"/kinerja/pegawai/{staff.pengisi.pk}/2023/"
    for user in (personas.pengisi, personas.pimpinan):
        assert get(client, user, url).status_code == 200
    for user in (personas.pengelola, personas.operator_a, personas.admin, personas.nobody):
        assert get(client, user, url).status_code == 404
    listed = get(client, personas.pengisi, "/kinerja/pegawai/").content.decode()
    assert f'data-employee="{staff.pengisi.pk}"' in listed
    assert f'data-employee="{staff.pengelola.pk}"' not in listed
    everyone = get(client, personas.pimpinan, "/kinerja/pegawai/").content.decode()
    assert everyone.count("data-employee=") == 3


def test_open_propose_and_agree_through_the_page(client, personas, staff):
    url = f"/kinerja/pegawai/{staff.pengisi.pk}/2023/"
    client.force_login(personas.pengisi)
    client.post(url, {"step": "open", "regime": Regime.PP30})
    target = {
        "step": "target", "activity": "Entri", "indicator": "Data dientri",
        "measure": Measure.RECORDS_HANDLED, "value": "100", "unit": "data",
    }  # fmt: skip
    client.post(url, target)
    page = client.get(url).content.decode()
    assert 'id="target-form"' in page and 'id="agree-form"' not in page
    assert client.post(url, {"step": "agree"}).status_code == 403  # not the employee's to agree
    client.force_login(personas.pimpinan)
    assert 'id="agree-form"' in client.get(url).content.decode()
    client.post(url, {"step": "agree"})
    skp = Appraisal.objects.get(employee=staff.pengisi, year=2023)
    assert skp.status == "agreed" and skp.targets.get().value == Decimal(100)
    client.post(
        url, {"step": "behaviour", "aspect": "commitment", "score": "88", "evidence": "rapat"}
    )
    assert skp.behaviour.get().score == Decimal(88)


def test_a_manager_adds_an_employee_and_a_wrong_nip_is_named(client, personas):
    client.force_login(personas.pengelola)
    data = {
        "nip": "198501012010011000",
        "name": "Sari",
        "kind": "pns",
        "jabatan": "Staf",
        "unit": "Bidang",
    }
    page = client.post("/kinerja/pegawai/", data).content.decode()
    assert "serial" in page or "000" in page
    data["nip"] = "198501012010011001"
    assert client.post("/kinerja/pegawai/", data).status_code == 302
    assert get(client, personas.operator_a, "/kinerja/pegawai/").status_code == 200
    client.force_login(personas.operator_a)
    assert client.post("/kinerja/pegawai/", data).status_code == 403


def test_the_page_shows_realisation_from_the_log_month_by_month(client, personas, staff):
    skp = actions.open_appraisal(staff.pengisi, year=2023, regime=Regime.PP30, by=personas.pengisi)
    actions.propose_target(
        skp, by=personas.pengisi, activity="Entri", indicator="Data dientri",
        measure=Measure.RECORDS_HANDLED, value=Decimal(12), unit="data",
    )  # fmt: skip
    html = get(
        client, personas.pengisi, f"/kinerja/pegawai/{staff.pengisi.pk}/2023/"
    ).content.decode()
    assert 'id="monthly"' in html and 'data-measure="records_handled"' in html


def test_a_manager_changes_a_target_and_enters_a_manual_actual(client, personas):
    from dtks.performance.models import Indicator, IndicatorActual, IndicatorTarget

    client.force_login(personas.pengelola)
    used = Indicator.objects.get(code="dtks_used")
    client.post(
        "/kinerja/indikator/", {"what": "target", "indicator": used.pk, "year": 2025, "value": "85"}
    )
    assert IndicatorTarget.objects.get(indicator=used, year=2025).value == 85
    data = {"what": "actual", "indicator": used.pk, "year": 2023, "value": "75", "note": "Bappeda"}
    client.post("/kinerja/indikator/", data)
    assert IndicatorActual.objects.get(indicator=used, year=2023).note == "Bappeda"
    padan = Indicator.objects.get(code="adminduk")  # computed: no actual by hand
    client.post("/kinerja/indikator/", {**data, "indicator": padan.pk})
    assert not IndicatorActual.objects.filter(indicator=padan).exists()
    html = client.get("/kinerja/?year=2023").content.decode()
    assert 'data-indicator="dtks_used" data-met="yes"' in html  # 75 against the target of 70


def test_the_unit_spread_is_checked_against_the_organisation_predikat(client, personas, staff):
    for employee in (staff.pengelola, staff.pengisi):
        skp = actions.open_appraisal(
            employee, year=2023, regime=Regime.PMPANRB6, by=personas.pimpinan
        )
        Appraisal.objects.filter(pk=skp.pk).update(
            results_rating="as_expected", behaviour_rating="as_expected"
        )
    actions.set_organisation_rating(
        year=2023, quarter=0, predikat="good", note="", figures={}, by=personas.pimpinan
    )
    html = get(client, personas.pimpinan, "/kinerja/?year=2023").content.decode()
    assert 'id="spread"' in html  # all Baik: above the 70 % allowed, and nobody below


def test_the_form_suggests_a_target_and_the_rating_starts_from_the_log(client, personas, staff):
    actions.open_appraisal(staff.pengisi, year=2023, regime=Regime.PP30, by=personas.pengisi)
    html = get(
        client, personas.pimpinan, f"/kinerja/pegawai/{staff.pengisi.pk}/2023/"
    ).content.decode()
    assert '<option value="records_handled" selected>' in html
    assert "Dari log kerja 2023: data yang ditangani: 0." in html


def test_manual_realisation_and_closing_through_the_page(client, personas, staff):
    skp = actions.open_appraisal(
        staff.pengisi, year=2023, regime=Regime.PMPANRB6, by=personas.pengisi
    )
    target = actions.propose_target(
        skp, by=personas.pengisi, activity="Layanan", indicator="Pengaduan dijawab",
        measure=Measure.MANUAL, aspect="kuantitas", value=Decimal(12), unit="pengaduan",
    )  # fmt: skip
    url = f"/kinerja/pegawai/{staff.pengisi.pk}/2023/"
    client.force_login(personas.pengisi)
    client.post(
        url, {"step": "manual", "target": target.pk, "month": 3, "value": "4", "note": "buku"}
    )
    assert target.manual.get().value == 4
    assert "diisi manual" in client.get(url).content.decode()
    client.force_login(personas.pimpinan)
    client.post(url, {"step": "agree"})
    page = client.get(url).content.decode()
    assert 'id="suggested"' in page and 'id="conclude-form"' in page
    assert "Ramah, cekatan, solutif, dan dapat diandalkan" in page  # the BerAKHLAK guide
    client.post(
        url, {"step": "conclude", "results_rating": "as_expected", "behaviour_rating": "above"}
    )
    skp.refresh_from_db()
    assert (skp.status, skp.results_rating) == ("final", "as_expected")
    assert '<dd id="predikat"><strong>Baik</strong></dd>' in client.get(url).content.decode()
