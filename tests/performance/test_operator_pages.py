"""Scorecard pages: who sees which operators (allowed and forbidden, body checked), the
filters, the alerts with their evidence links."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dtks.accounts.roles import Role
from tests.conftest import DESA_A, DESA_A2, KEC_A, KEC_B
from tests.factories import UserFactory

from .test_operator_scorecard import held_by_tied_operator

pytestmark = pytest.mark.django_db

LIST = reverse("performance:operators")


def _get(user, url: str, **params):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


def _detail(operator) -> str:
    return reverse("performance:operator", kwargs={"user_pk": operator.pk})


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("pengelola", True, True),
        ("pimpinan", True, True),
        ("operator_kecamatan", True, False),
        ("operator_a", True, False),
        ("operator_b", False, True),
    ],
)
def test_list_shows_the_operators_of_the_area(personas, persona, sees_a, sees_b) -> None:
    response = _get(getattr(personas, persona), LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="operators"' in body
    assert (f'data-operator="{personas.operator_a.pk}"' in body) is sees_a
    assert (f'data-operator="{personas.operator_b.pk}"' in body) is sees_b


@pytest.mark.parametrize("persona", ["pengisi", "pengesah", "admin", "nobody"])
def test_list_is_forbidden_to_other_roles(personas, persona) -> None:
    response = _get(getattr(personas, persona), LIST)
    assert response.status_code == 403
    assert "op_a" not in response.content.decode()


def test_list_needs_a_login(personas) -> None:
    response = _get(None, LIST)
    assert response.status_code == 302
    assert "op_a" not in response.content.decode()


def test_a_desa_operator_sees_no_neighbour_of_their_kecamatan(personas) -> None:
    UserFactory(username="op_a2", roles=[(Role.OPERATOR_DESA, DESA_A2)])
    body = _get(personas.operator_a, LIST).content.decode()
    assert "op_a2" not in body
    assert "op_a2" in _get(personas.operator_kecamatan, LIST).content.decode()


def test_list_filters_by_kecamatan_and_period(personas) -> None:
    body = _get(personas.pengelola, LIST, tahun=2023, bulan="", kecamatan=KEC_A).content.decode()
    assert f'data-operator="{personas.operator_a.pk}"' in body
    assert f'data-operator="{personas.operator_b.pk}"' not in body
    assert '<span class="mono">2023</span>' in body
    body = _get(personas.pengelola, LIST, tahun=2023, bulan=8, kecamatan=KEC_B).content.decode()
    assert f'data-operator="{personas.operator_b.pk}"' in body
    assert f'data-operator="{personas.operator_a.pk}"' not in body


def test_a_kecamatan_outside_the_area_is_refused_as_a_filter(personas) -> None:
    body = _get(personas.operator_kecamatan, LIST, tahun=2023, kecamatan=KEC_B).content.decode()
    assert f'data-operator="{personas.operator_b.pk}"' not in body


def test_list_queries_do_not_grow_with_the_operators(personas, django_assert_max_num_queries):
    client = Client()
    client.force_login(personas.pengelola)
    client.get(LIST)
    with django_assert_max_num_queries(30) as few:
        client.get(LIST)
    for i in range(5):
        UserFactory(username=f"op_more{i}", roles=[(Role.OPERATOR_DESA, DESA_A2)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(LIST).content.decode()
    assert "op_more4" in body


@pytest.mark.parametrize("persona", ["operator_a", "pengelola", "pimpinan", "operator_kecamatan"])
def test_operator_a_scorecard_is_seen_by_its_area(personas, persona) -> None:
    response = _get(getattr(personas, persona), _detail(personas.operator_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="scorecard"' in body and f'data-desa="{DESA_A}"' in body
    assert "op_a" in body


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("operator_b", 404),  # another kecamatan
        ("admin", 404),  # no registry area at all
        ("nobody", 404),
        ("pengisi", 403),  # inside the area, no verify / manage_performance
        ("pengesah", 403),
    ],
)
def test_operator_a_scorecard_is_hidden_from_others(personas, persona, status) -> None:
    response = _get(getattr(personas, persona), _detail(personas.operator_a))
    assert response.status_code == status
    assert 'id="scorecard"' not in response.content.decode()


def test_another_operator_sees_only_their_own_scorecard(personas) -> None:
    """A second operator of desa A: inside the area, so 403; of desa A2: outside, so 404."""
    colleague = UserFactory(username="op_a_bis", roles=[(Role.OPERATOR_DESA, DESA_A)])
    neighbour = UserFactory(username="op_a2", roles=[(Role.OPERATOR_DESA, DESA_A2)])
    for user, status in ((colleague, 403), (neighbour, 404)):
        response = _get(user, _detail(personas.operator_a))
        assert response.status_code == status
        assert 'id="scorecard"' not in response.content.decode()
    assert _get(colleague, _detail(colleague)).status_code == 200


def test_the_kecamatan_operator_may_not_see_another_kecamatan(personas) -> None:
    response = _get(personas.operator_kecamatan, _detail(personas.operator_b))
    assert response.status_code == 404


def test_an_account_that_is_no_desa_operator_has_no_scorecard(personas) -> None:
    assert _get(personas.pengelola, _detail(personas.pengisi)).status_code == 404


def test_scorecard_lists_alerts_with_links_to_the_evidence(settings, personas, family_a) -> None:
    settings.DTKS_OPERATOR_ALERTS = {"odd_count": 1, "odd_start_hour": 0, "odd_end_hour": 24}
    tied, change = held_by_tied_operator(family_a)
    body = _get(personas.pengelola, _detail(tied)).content.decode()
    assert 'data-alert="odd_hours"' in body
    assert reverse("registry:family_detail", kwargs={"pk": family_a.pk}) in body
    assert reverse("registry:held_detail", kwargs={"pk": change.pk}) in body
    assert 'data-figure="conflict-flags">1<' in body
