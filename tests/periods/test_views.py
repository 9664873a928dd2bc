"""Period pages: the list, closing with confirmation, the diff (scoped, No. KK masked)."""

from __future__ import annotations

from django.test import Client

from dtks.periods.models import Period
from dtks.registry.models import Family
from tests.conftest import DESA_A2, DESA_B
from tests.factories import family_with_members


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_shows_the_open_year_with_the_users_totals(registry, personas) -> None:
    page = _client(personas.operator_a).get("/periode/")
    (period, totals, closable) = page.context["rows"][0]
    assert (period.key, period.is_closed, closable) == ("2023", False, False)
    assert (totals.individuals, totals.families) == (4, 1)
    assert 'data-period="2023"' in page.content.decode()


def test_pengelola_sees_the_close_button_and_closes_after_confirming(registry, personas) -> None:
    client = _client(personas.pengelola)
    assert "/periode/2023/tutup/" in client.get("/periode/").content.decode()
    confirm = client.get("/periode/2023/tutup/")
    assert confirm.status_code == 200
    assert confirm.context["totals"].families == 3
    assert not Period.objects.filter(status="closed").exists()  # GET only asks
    done = client.post("/periode/2023/tutup/")
    assert done.status_code == 302
    assert Period.objects.get(year=2023).closed_by == personas.pengelola
    again = client.post("/periode/2023/tutup/", follow=True)
    assert [m.level_tag for m in again.context["messages"]][-1] == "error"


def test_other_roles_get_no_close_button_and_are_refused(registry, personas) -> None:
    for user in (personas.operator_a, personas.pengesah, personas.pimpinan):
        client = _client(user)
        assert "/tutup/" not in client.get("/periode/").content.decode()
        assert client.post("/periode/2023/tutup/").status_code == 403
    assert not Period.objects.filter(status="closed").exists()


def test_closed_period_lists_who_closed_it(closed_2023: Period, personas) -> None:
    body = _client(personas.pimpinan).get("/periode/").content.decode()
    assert "pengelola" in body


def test_diff_page_is_scoped_and_masks_no_kk(closed_2023: Period, registry, personas) -> None:
    Family.objects.filter(pk=registry["b"].pk).update(status="inactive", inactive_reason="moved")
    new = family_with_members(DESA_B, size=2, data_year=2024)
    family_with_members(DESA_A2, size=2, data_year=2024)
    page = _client(personas.operator_b).get("/periode/2023/banding/2024/")
    body = page.content.decode()
    assert page.context["totals"] == {"in": 1, "out": 1}
    assert new.no_kk in body and registry["b"].no_kk in body
    kecamatan = _client(personas.operator_kecamatan).get("/periode/2023/banding/2024/")
    assert kecamatan.context["totals"] == {"in": 1}
    assert new.no_kk not in kecamatan.content.decode()


def test_compare_form_redirects_to_the_diff(closed_2023: Period, personas) -> None:
    response = _client(personas.pimpinan).get("/periode/", {"a": "2023", "b": "2024"})
    assert response.status_code == 302
    assert response["Location"] == "/periode/2023/banding/2024/"


def test_unknown_period_key_is_404(registry, personas) -> None:
    assert _client(personas.pimpinan).get("/periode/20x3/banding/2024/").status_code == 404
