"""The proposals' columns on the readiness board: per desa this month, proposals drafted,
submitted and returned, and whether the berita acara is uploaded."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dtks.proposals import actions
from dtks.proposals.readiness import proposal_readiness
from dtks.schedule.windows import Month, local_day
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, DESA_A2, DESA_B

from .conftest import walk

pytestmark = pytest.mark.django_db


def test_counts_per_desa_for_the_month(make_proposal, personas):
    walk(make_proposal(), "submitted", personas)
    walk(make_proposal(), "returned", personas)
    walk(make_proposal(), "verified", personas)
    make_proposal()
    board = proposal_readiness([DESA_A, DESA_B], Month(2023, 8))
    assert board[DESA_A] == {"drafted": 1, "submitted": 2, "returned": 1, "berita_acara": True}
    assert board[DESA_B] == {"drafted": 0, "submitted": 0, "returned": 0, "berita_acara": False}
    assert proposal_readiness([DESA_A], Month(2023, 9))[DESA_A]["drafted"] == 0


def test_the_board_shows_this_months_columns(personas, family_a, open_windows):
    today = Month.of(local_day())
    batch = actions.open_batch(
        by=personas.operator_a, desa=Region.objects.get(code=DESA_A), year=today.year,
        month=today.month,
    )  # fmt: skip
    actions.create_proposal(
        batch, by=personas.operator_a, kind="program", subtype="pkh", family=family_a
    )
    client = Client()
    client.force_login(personas.pengelola)
    body = client.get(reverse("schedule:readiness")).content.decode()
    for column in ("drafted", "submitted", "returned", "berita_acara"):
        assert f'data-column="{column}"' in body
    row = body.split(f'data-desa="{DESA_A}"')[1].split("</tr>")[0]
    assert '<td class="num">1</td>' in row  # one drafted
    other = body.split(f'data-desa="{DESA_A2}"')[1].split("</tr>")[0]
    assert "✓" not in other and "✓" not in row  # no berita acara anywhere yet


def test_one_query_whatever_the_number_of_desa(django_assert_num_queries, regions):
    with django_assert_num_queries(1):
        proposal_readiness([DESA_A, DESA_A2, DESA_B], Month(2023, 8))
