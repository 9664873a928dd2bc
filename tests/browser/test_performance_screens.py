"""The performance screens in a real browser: the head of the Dinas reads the indicators and
sets the quarter's predikat; an employee proposes a target and their pejabat penilai agrees it
and rates behaviour, on a phone."""

from __future__ import annotations

from importlib import import_module

import pytest

from dtks.performance.models import Appraisal, OrganisationRating
from tests.browser.test_main_screens import DESKTOP, PHONE, _log_in
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def renstra_indicators(transactional_db) -> None:
    """The Tabel 1.1 indicators as their data migration seeds them: a transactional test that
    ran earlier flushed the database, migration data included."""
    from django.apps import apps

    from dtks.performance.models import Indicator

    if not Indicator.objects.exists():
        import_module("dtks.performance.migrations.0002_renstra_indicators").seed(apps, None)


def test_the_head_reads_the_indicators_and_sets_the_predikat(
    renstra_indicators, live_server, browser, personas, family_a
):
    base = live_server.url
    page = browser.new_page(viewport=DESKTOP)
    _log_in(page, base, "pimpinan")
    page.goto(f"{base}/kinerja/?year=2023")
    assert page.locator("#indicators tbody tr").count() == 5
    assert page.locator("#chart g").count() == 5
    page.click("text=Tetapkan predikat")
    page.select_option("#id_quarter", "2")
    page.select_option("#id_predikat", "good")
    page.fill("#id_note", "Triwulan II")
    page.click("form.stack button")
    page.wait_for_url(f"{base}/kinerja/?year=2023")
    assert page.locator("#ratings").inner_text().count("Triwulan II") == 1
    assert OrganisationRating.objects.get(year=2023, quarter=2).predikat == "good"


def test_an_employee_proposes_and_the_appraiser_agrees_and_rates(
    transactional_db, live_server, browser, personas
):
    base = live_server.url
    head = EmployeeFactory(user=personas.pimpinan, jabatan="Kepala Dinas Sosial")
    clerk = EmployeeFactory(user=personas.pengisi, appraiser=head)
    url = f"{base}/kinerja/pegawai/{clerk.pk}/2023/"

    page = browser.new_page(viewport=PHONE)
    _log_in(page, base, "pengisi")
    page.goto(url)
    page.click("text=Buka SKP")
    page.fill("#id_activity", "Entri data DTKS")
    page.fill("#id_indicator", "Data dientri")
    page.fill("#id_value", "600")
    page.fill("#id_unit", "data")
    page.click("#target-form button")
    page.locator("#aspects tbody[data-aspect=kuantitas] td").first.wait_for()
    assert page.locator("#agree-form").count() == 0  # not the employee's to agree

    other = browser.new_page(viewport=PHONE)
    _log_in(other, base, "pimpinan")
    other.goto(url)
    other.click("#agree-form button")
    other.locator("#skp-status").wait_for()
    assert "disepakati" in other.locator("#skp-status").inner_text().lower()
    other.select_option("#id_aspect", "commitment")
    other.fill("#id_score", "85")
    other.click("#behaviour-form button")
    other.locator("tbody[data-aspect=perilaku] tr[data-measure=commitment]").wait_for()
    skp = Appraisal.objects.get(employee=clerk, year=2023)
    assert skp.status == "agreed" and skp.behaviour.get().score == 85
