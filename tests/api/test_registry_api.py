"""API v1 registry endpoints: scope, masking, search in the body, access log."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dtks.audit.models import AccessEvent
from dtks.verification.models import Finding
from tests.conftest import DESA_A, KEC_A


def members(family):
    return [m.person for m in family.current_memberships()]


def test_operator_lists_only_own_desa_families(personas, family_a, family_b, api_client):
    body = api_client(personas.operator_a).get("/api/v1/families").json()
    assert [f["id"] for f in body["items"]] == [family_a.id]
    assert body["count"] == 1
    assert body["items"][0]["no_kk"] == family_a.no_kk
    assert body["items"][0]["member_count"] == 4


def test_kabupaten_verifier_lists_all_families_of_the_kabupaten(
    personas, family_a, family_b, api_client
):
    body = api_client(personas.pengelola).get("/api/v1/families").json()
    assert {f["id"] for f in body["items"]} == {family_a.id, family_b.id}


def test_families_filter_by_wilayah(personas, family_a, family_b, api_client):
    body = api_client(personas.pengelola).get(f"/api/v1/families?wilayah={KEC_A}").json()
    assert [f["id"] for f in body["items"]] == [family_a.id]


def test_rejects_malformed_wilayah_code_in_indonesian(personas, api_client):
    response = api_client(personas.pengelola).get("/api/v1/families?wilayah=17-09")
    assert response.status_code == 422
    assert response.json()["detail"] == _("Invalid input")
    assert response.json()["errors"] == [{"field": "wilayah", "message": _("Invalid value")}]


def test_families_filter_needs_repair(personas, family_a, family_b, api_client):
    Finding.objects.create(
        rule="nik_date", severity="error", level="person", person=members(family_b)[0], message="x"
    )
    client = api_client(personas.pengelola)
    repair = client.get("/api/v1/families?needs_repair=true").json()["items"]
    fine = client.get("/api/v1/families?needs_repair=false").json()["items"]
    assert [(f["id"], f["needs_repair"]) for f in repair] == [(family_b.id, True)]
    assert [f["id"] for f in fine] == [family_a.id]


def test_family_detail_shows_current_members(personas, family_a, api_client):
    body = api_client(personas.operator_a).get(f"/api/v1/families/{family_a.id}").json()
    assert sorted(m["nik"] for m in body["members"]) == sorted(p.nik for p in members(family_a))
    assert body["head_name"] == members(family_a)[0].name


def test_family_outside_area_is_not_found(personas, family_b, api_client):
    response = api_client(personas.operator_a).get(f"/api/v1/families/{family_b.id}")
    assert response.status_code == 404
    assert response.json() == {"detail": _("Data not found")}
    assert family_b.no_kk not in response.content.decode()


def test_kecamatan_monitor_sees_masked_identity(personas, family_a, api_client):
    body = api_client(personas.operator_kecamatan).get(f"/api/v1/families/{family_a.id}").json()
    assert body["no_kk"] == family_a.no_kk[:6] + "*" * 10
    assert all(m["nik"].endswith("*" * 10) for m in body["members"])


def test_user_without_registry_permission_is_forbidden(personas, family_a, api_client):
    response = api_client(personas.admin).get("/api/v1/families")
    assert response.status_code == 403
    assert family_a.no_kk not in response.content.decode()


def test_anonymous_request_is_unauthorized(family_a, api_client):
    response = api_client(None).get("/api/v1/persons")
    assert response.status_code == 401
    assert response.json()["detail"] == _("Authentication required: log in or send an API token")


def test_search_family_by_member_nik(personas, family_a, family_b, api_client):
    nik = members(family_a)[1].nik
    body = api_client(personas.pengelola).post(
        "/api/v1/families/search", {"q": nik}, content_type="application/json"
    )
    assert [f["id"] for f in body.json()["items"]] == [family_a.id]


def test_search_family_by_no_kk_outside_area_finds_nothing(
    personas, family_a, family_b, api_client
):
    response = api_client(personas.operator_a).post(
        "/api/v1/families/search", {"q": family_b.no_kk}, content_type="application/json"
    )
    assert response.json()["count"] == 0
    assert family_b.no_kk not in response.content.decode()


def test_search_persons_by_name(personas, family_a, family_b, api_client):
    person = members(family_b)[0]
    body = api_client(personas.pengelola).post(
        "/api/v1/persons/search", {"q": person.name.upper()}, content_type="application/json"
    )
    assert [p["id"] for p in body.json()["items"]] == [person.id]


def test_search_persons_by_no_kk_lists_the_family(personas, family_a, api_client):
    body = api_client(personas.operator_a).post(
        "/api/v1/persons/search", {"q": family_a.no_kk}, content_type="application/json"
    )
    assert {p["id"] for p in body.json()["items"]} == {p.id for p in members(family_a)}


def test_search_rejects_too_short_query(personas, api_client):
    response = api_client(personas.pengelola).post(
        "/api/v1/persons/search", {"q": "ab"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"


def test_persons_list_is_scoped_and_filtered(personas, family_a, family_b, api_client):
    client = api_client(personas.operator_b)
    body = client.get("/api/v1/persons?status=active").json()
    assert {p["id"] for p in body["items"]} == {p.id for p in members(family_b)}
    assert client.get(f"/api/v1/persons?wilayah={DESA_A}").json()["count"] == 0


def test_person_detail_lists_visible_memberships(personas, family_a, api_client):
    person = members(family_a)[0]
    body = api_client(personas.operator_a).get(f"/api/v1/persons/{person.id}").json()
    assert body["nik"] == person.nik
    assert [m["family_id"] for m in body["memberships"]] == [family_a.id]


def test_person_outside_area_is_not_found(personas, family_b, api_client):
    person = members(family_b)[0]
    response = api_client(personas.operator_a).get(f"/api/v1/persons/{person.id}")
    assert response.status_code == 404
    assert person.nik not in response.content.decode()


def test_returning_person_data_is_logged(personas, family_a, api_client):
    person = members(family_a)[0]
    api_client(personas.operator_a).get(f"/api/v1/persons/{person.id}")
    event = AccessEvent.objects.get()
    assert (event.user, event.subject_type, event.subject_id) == (
        personas.operator_a,
        "person",
        str(person.id),
    )


def test_empty_result_is_not_logged(personas, api_client):
    api_client(personas.operator_a).get("/api/v1/persons")
    assert not AccessEvent.objects.exists()


def test_search_pages_report_the_total_and_the_requested_slice(personas, family_a, api_client):
    client = api_client(personas.operator_a)
    search = {"q": family_a.no_kk, "page_size": 3}
    first = client.post("/api/v1/persons/search", search, content_type="application/json").json()
    second = client.post(
        "/api/v1/persons/search", {**search, "page": 2}, content_type="application/json"
    ).json()
    beyond = client.post(
        "/api/v1/persons/search", {**search, "page": 3}, content_type="application/json"
    ).json()
    assert (first["count"], len(first["items"]), len(second["items"])) == (4, 3, 1)
    assert {p["id"] for p in first["items"] + second["items"]} == {p.id for p in members(family_a)}
    assert (beyond["count"], beyond["items"]) == (4, [])
