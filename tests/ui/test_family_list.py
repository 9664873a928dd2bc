"""The family list: POST-only search, filters, pagination, query count, page weight, masking."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dtks.accounts.scope import mask_identity
from dtks.audit.models import AccessEvent
from dtks.registry import choices as c
from tests.conftest import DESA_A, DESA_A2, KEC_A
from tests.factories import FamilyFactory, MembershipFactory, family_with_members

LIST = "registry:family_list"


def _rows(html: str) -> list[str]:
    return re.findall(r'href="/keluarga/(\d+)/"', html)


def test_search_by_nik_travels_in_post_body_only(client, personas, family_a, family_b):
    client.force_login(personas.operator_a)
    nik = family_a.memberships.first().person.nik
    response = client.post(reverse(LIST), {"q": nik})
    assert response.request["PATH_INFO"] == reverse(LIST)
    assert response.request["QUERY_STRING"] == ""
    assert _rows(response.content.decode()) == [str(family_a.pk)]
    assert nik not in response.content.decode().split('name="q"')[0]  # not in any link/URL


def test_search_by_no_kk_and_by_name(client, personas, family_a):
    client.force_login(personas.pengelola)
    by_kk = client.post(reverse(LIST), {"q": family_a.no_kk}).content.decode()
    name = family_a.memberships.filter(relationship=c.Relationship.CHILD).first().person.name
    by_name = client.post(reverse(LIST), {"q": name.lower()}).content.decode()
    assert _rows(by_kk) == [str(family_a.pk)]
    assert str(family_a.pk) in _rows(by_name)


def test_search_is_scoped_to_the_users_area(client, personas, family_b):
    client.force_login(personas.operator_a)
    nik = family_b.memberships.first().person.nik
    page = client.post(reverse(LIST), {"q": nik}).content.decode()
    assert _rows(page) == []
    assert family_b.id_dtks not in page


def test_nik_search_hit_writes_an_access_event(client, personas, family_a):
    client.force_login(personas.operator_a)
    client.post(reverse(LIST), {"q": family_a.memberships.first().person.nik})
    event = AccessEvent.objects.get()
    assert (event.what, event.subject_id) == ("search_nik", str(family_a.pk))


def test_htmx_search_returns_only_the_results_partial(client, personas, family_a):
    client.force_login(personas.operator_a)
    response = client.post(reverse(LIST), {"q": ""}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html
    assert _rows(html) == [str(family_a.pk)]


def test_filters_by_desa_and_status(client, personas, family_a):
    other = family_with_members(DESA_A2, size=2)
    FamilyFactory(desa_id=DESA_A2, status="inactive", inactive_reason="duplicate")
    client.force_login(personas.operator_kecamatan)
    by_desa = client.post(reverse(LIST), {"desa": DESA_A2, "status": "active"}).content.decode()
    by_kec = client.post(reverse(LIST), {"kecamatan": KEC_A}).content.decode()
    assert _rows(by_desa) == [str(other.pk)]
    assert len(_rows(by_kec)) == 3


def test_filter_needing_repair(client, personas, family_a):
    broken = family_with_members(DESA_A, size=2)
    person = broken.memberships.first().person
    person.findings.create(rule="test_rule", severity="error", level="person", message="x")
    client.force_login(personas.operator_a)
    page = client.post(reverse(LIST), {"needs_repair": "on"}).content.decode()
    assert _rows(page) == [str(broken.pk)]


def _families(n: int) -> None:
    for _ in range(n):
        MembershipFactory(family=FamilyFactory(desa_id=DESA_A))


def test_pagination_of_fifty_rows(client, personas):
    _families(55)
    client.force_login(personas.operator_a)
    first = client.post(reverse(LIST), {}).content.decode()
    second = client.post(reverse(LIST), {"page": "2"}).content.decode()
    assert len(_rows(first)) == 50
    assert len(_rows(second)) == 5
    assert not set(_rows(first)) & set(_rows(second))


def test_list_query_count_does_not_grow_with_rows(client, personas, django_assert_num_queries):
    _families(10)
    client.force_login(personas.operator_a)
    client.get(reverse(LIST))  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse(LIST))
    _families(40)
    with django_assert_num_queries(len(ten.captured_queries)):
        response = client.get(reverse(LIST))
    assert len(_rows(response.content.decode())) == 50


def test_list_page_of_fifty_rows_weighs_under_100_kb_with_its_assets(client, personas):
    for _ in range(50):
        family_with_members(DESA_A, size=2)
    client.force_login(personas.operator_a)
    html = client.get(reverse(LIST)).content.decode()
    assert len(_rows(html)) == 50
    assets = re.findall(r'(?:href|src)="/static/([^"]+)"', html)
    assert assets, "the page should reference its stylesheet and script"
    size = len(html.encode()) + sum(Path(finders.find(a)).stat().st_size for a in assets)
    assert size < 100 * 1024, f"{size} bytes"


@pytest.mark.parametrize(
    ("persona", "masked"),
    [
        ("operator_a", False),
        ("pengelola", False),
        ("pengisi", False),
        ("operator_kecamatan", True),
        ("pimpinan", True),
        ("pengesah", True),
    ],
)
def test_identity_masked_per_role(client, personas, family_a, persona, masked):
    client.force_login(getattr(personas, persona))
    nik = family_a.memberships.first().person.nik
    pages = [
        client.get(reverse(LIST)).content.decode(),
        client.get(reverse("registry:family_detail", args=[family_a.pk])).content.decode(),
    ]
    for page in pages:
        assert (family_a.no_kk in page) is not masked
        assert (mask_identity(family_a.no_kk) in page) is masked
    assert (nik in pages[1]) is not masked
    assert (mask_identity(nik) in pages[1]) is masked
