"""The dashboard: the recap in the layout of Tabel 5.3, scoped to the user's area."""

from __future__ import annotations

import re

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from dtks.reports.queries import RecapRow, recap_rows, recap_total


def _cells(html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r) for r in rows]


def test_dashboard_shows_recap_of_the_users_area(client, personas, family_a, family_b):
    client.force_login(personas.operator_a)
    html = client.get(reverse("dashboard")).content.decode()
    expected = recap_rows(year=2023, user=personas.operator_a)
    cells = _cells(html)
    assert cells[0] == ["Kec.", "Jumlah Individu", "Jumlah Keluarga", "Perlu Perbaikan"]
    for row in expected:
        assert [row.name, str(row.individuals), str(row.families), str(row.needing_repair)] in cells
    total = recap_total(expected)
    assert ["Total Seluruh", str(total.individuals), str(total.families), "0"] in cells
    assert "Talang Empat" not in html  # kecamatan B lies outside desa A's operator


def test_kabupaten_user_sees_every_kecamatan(client, personas, family_a, family_b):
    client.force_login(personas.pimpinan)
    cells = _cells(client.get(reverse("dashboard")).content.decode())
    total = recap_total(recap_rows(year=2023, user=personas.pimpinan))
    assert total.families == 2
    assert ["Total Seluruh", str(total.individuals), "2", "0"] in cells


def test_numbers_use_indonesian_thousand_separator():
    rows = [RecapRow("17.09.01", "Karang Tinggi", 65074, 23507, 2117)]
    with translation.override("id"):
        html = render_to_string(
            "reports/dashboard.html",
            {"rows": rows, "total": recap_total(rows), "year": 2023, "can_view": True},
        )
    assert "65.074" in html
    assert "23.507" in html
    assert "2.117" in html


def test_role_without_registry_access_sees_no_numbers(client, personas, family_a):
    client.force_login(personas.admin)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Total Seluruh" not in html
    assert "tidak mencakup akses" in html
