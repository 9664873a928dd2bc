"""The readiness board at /jadwal/kesiapan/: columns from the registered sources, open
findings, days left, totals per kecamatan, and only the desa of the user's area."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import override_settings

from dtks.registry.models import Person
from dtks.schedule.readiness import readiness_board
from dtks.schedule.windows import Month
from dtks.verification.actions import run_checks
from tests.conftest import DESA_A, DESA_A2, DESA_B, KEC_A, OTHER_KAB_DESA

CALLS: list[tuple[list[str], Month]] = []


def fake_source(desa_codes, period):
    """Three drafts and a berita acara in desa A, one returned proposal in desa A2."""
    CALLS.append((list(desa_codes), period))
    rows = {DESA_A: {"drafted": 3, "berita_acara": True}, DESA_A2: {"returned": 1}}
    return {code: row for code, row in rows.items() if code in desa_codes}


fake_source.labels = {"drafted": "Drafted", "returned": "Returned", "berita_acara": "BA"}

SOURCE = override_settings(DTKS_READINESS_SOURCES=("tests.schedule.test_readiness.fake_source",))


@pytest.fixture
def finding_in_desa_a(personas, family_a):
    person = family_a.memberships.filter(end_date__isnull=True).first().person
    Person.objects.filter(pk=person.pk).update(mother_name="")
    run_checks()


def cell(html: str, desa: str, attribute: str) -> str:
    row = re.search(rf'<tr data-desa="{re.escape(desa)}">(.*?)</tr>', html, re.S).group(1)
    return re.search(rf'{attribute}="([^"]*)"', row).group(1)


@SOURCE
def test_board_shows_source_columns_findings_and_kecamatan_totals(
    client, personas, finding_in_desa_a
):
    CALLS.clear()
    client.force_login(personas.pengelola)
    response = client.get("/jadwal/kesiapan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-column="drafted"' in html and ">Drafted<" in html
    assert cell(html, DESA_A, "data-findings") == "1"
    assert cell(html, DESA_B, "data-findings") == "0"
    total = re.search(rf'<tr data-total="{KEC_A}">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<th class="num">(\d+)</th>', total) == ["3", "1", "1", "1"]
    codes, period = CALLS[-1]
    assert sorted(codes) == [DESA_A, DESA_A2, DESA_B]
    assert isinstance(period, Month)


@SOURCE
def test_board_is_scoped_to_the_users_area(client, personas):
    client.force_login(personas.operator_kecamatan)
    html = client.get("/jadwal/kesiapan/").content.decode()
    assert f'data-desa="{DESA_A}"' in html and f'data-desa="{DESA_A2}"' in html
    assert DESA_B not in html and OTHER_KAB_DESA not in html
    client.force_login(personas.operator_b)
    html = client.get("/jadwal/kesiapan/").content.decode()
    assert f'data-desa="{DESA_B}"' in html and DESA_A not in html


def test_board_without_sources_still_counts_findings_and_days(personas, settings):
    settings.DTKS_READINESS_SOURCES = ()
    board = readiness_board(personas.pengelola, date(2026, 11, 17))
    assert board.columns == []
    rows = {row.code: row for group in board.groups for row in group.rows}
    assert set(rows) == {DESA_A, DESA_A2, DESA_B}
    assert rows[DESA_A].window.days_left == 3  # 17 Nov, DTKS window 15-20 (Kepmensos 73/2024)


def test_board_counts_days_left_from_an_extension(personas):
    from dtks.schedule.actions import open_extension
    from dtks.wilayah.models import Region

    year = date.today().year + 2
    open_extension(
        Region.objects.get(code=KEC_A), "dtks", date(year, 11, 24), "banjir",
        by=personas.pengelola, starts_on=date(year, 11, 21),
    )  # fmt: skip
    board = readiness_board(personas.pengelola, date(year, 11, 22))
    rows = {row.code: row for group in board.groups for row in group.rows}
    assert rows[DESA_A].window.days_left == 2 and rows[DESA_A].window.extension
    assert not rows[DESA_B].window.open


def test_board_reads_a_fixed_number_of_queries(personas, django_assert_max_num_queries):
    user = personas.pengelola
    user.active_assignments()
    with django_assert_max_num_queries(9):  # 8, and one for the proposals' columns
        readiness_board(user, date(2026, 11, 17))
