"""Findings pages: dashboard per kecamatan/desa, the operator's work queue, re-check, waiver."""

from __future__ import annotations

import pytest

from dtks.audit.models import AuditEvent
from dtks.registry import actions as registry_actions
from dtks.registry.models import Person
from dtks.verification.actions import run_checks
from dtks.verification.models import Finding
from tests.conftest import DESA_B, KEC_A
from tests.factories import family_with_members


@pytest.fixture
def defects(personas, family_a):
    """One missing mother's name in desa A, one in desa B."""
    family_b = family_with_members(DESA_B, size=2)
    for family in (family_a, family_b):
        person = family.memberships.filter(end_date__isnull=True).first().person
        Person.objects.filter(pk=person.pk).update(mother_name="")
    run_checks()
    return family_a, family_b


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_counts_per_kecamatan_and_then_per_desa(client, personas, defects):
    html = page(client, personas.pengelola, "/temuan/")
    assert "Karang Tinggi" in html and f"?wilayah={KEC_A}" in html
    desa = page(client, personas.pengelola, f"/temuan/?wilayah={KEC_A}")
    assert "Taba Terunjam" in desa and DESA_B not in desa


def test_the_findings_pages_speak_indonesian(client, personas, defects):
    dashboard = page(client, personas.pengelola, "/temuan/")
    assert "Individu perlu perbaikan" in dashboard and "Persons needing repair" not in dashboard
    queue = page(client, personas.operator_a, "/temuan/antrian/")
    assert "1 temuan terbuka di desa Anda" in queue and "Periksa ulang" in queue


def test_the_queue_holds_the_open_findings_of_my_villages_only(client, personas, defects):
    family_a, family_b = defects
    html = page(client, personas.operator_a, "/temuan/antrian/")
    assert "missing_mother_name" in html
    assert f"/keluarga/{family_a.pk}/" in html and f"/keluarga/{family_b.pk}/" not in html


def test_fix_then_check_again_resolves_the_finding(client, personas, defects):
    family_a, _ = defects
    finding = Finding.objects.open().get(person__memberships__family=family_a)
    Person.objects.filter(pk=finding.person_id).update(mother_name="Rohani")  # fixed elsewhere
    client.force_login(personas.operator_a)
    response = client.post(f"/temuan/periksa/{family_a.pk}/", {"next": "/temuan/antrian/"})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == "resolved"
    client.force_login(personas.operator_b)
    assert client.post(f"/temuan/periksa/{family_a.pk}/").status_code == 404


def test_a_verifier_waives_a_finding_with_a_reason_and_it_stays_closed(client, personas, defects):
    family_a, _ = defects
    finding = Finding.objects.open().get(person__memberships__family=family_a)
    client.force_login(personas.operator_a)
    assert client.post(f"/temuan/{finding.pk}/kecualikan/", {"reason": "x"}).status_code == 403
    client.force_login(personas.pengelola)
    refused = client.post(f"/temuan/{finding.pk}/kecualikan/", {"reason": " "})
    assert refused.status_code == 200
    response = client.post(
        f"/temuan/{finding.pk}/kecualikan/", {"reason": "Ibu kandung tidak diketahui (yatim piatu)"}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.closed_by) == ("waived", personas.pengelola)
    assert AuditEvent.objects.filter(action="waive_finding", subject_id=str(finding.pk)).exists()
    run_checks()
    assert not Finding.objects.open().filter(person_id=finding.person_id).exists()


def test_an_edit_on_the_family_page_rechecks_in_place(personas, defects):
    family_a, _ = defects
    finding = Finding.objects.open().get(person__memberships__family=family_a)
    registry_actions.update_person(
        finding.person, by=personas.operator_a, data={"mother_name": "Rohani"}, family=family_a
    )
    finding.refresh_from_db()
    assert finding.status == "resolved"


def test_the_queue_pages_keep_the_chosen_wilayah(client, personas, defects, monkeypatch):
    family_a, _ = defects
    Person.objects.filter(memberships__family=family_a).update(mother_name="", birth_place="")
    run_checks()
    monkeypatch.setattr("dtks.verification.views.PAGE_SIZE", 1)
    html = page(client, personas.operator_a, f"/temuan/antrian/?wilayah={KEC_A}")
    assert f'<a href="?wilayah={KEC_A}&amp;page=2">' in html
    last = Finding.objects.open().visible_to(personas.operator_a).in_wilayah(KEC_A).count()
    assert last > 2
    html = page(client, personas.operator_a, f"/temuan/antrian/?wilayah={KEC_A}&page={last}")
    assert f'<a href="?wilayah={KEC_A}&amp;page={last - 1}">' in html
    assert f"page={last + 1}" not in html
