"""Creating and editing families and members through the pages."""

from __future__ import annotations

from django.urls import reverse

from dtks.audit.models import AccessEvent
from dtks.registry import choices as c
from dtks.registry.models import Family, Person
from tests.conftest import DESA_A
from tests.registry.helpers import family_post, member_fields, new_nik


def _member_post(person: Person, membership, **changes: object) -> dict:
    data = {
        "nik": person.nik,
        "name": person.name,
        "birth_place": person.birth_place,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "marital_status": person.marital_status or "",
        "mother_name": person.mother_name,
        "presence": person.presence,
        "relationship": membership.relationship,
    }
    data.update(changes)
    return data


def test_operator_registers_family_with_members(client, personas):
    client.force_login(personas.operator_a)
    child = member_fields(name="Rina", relationship=c.Relationship.CHILD, marital_status=1)
    body = family_post(DESA_A, [member_fields(name="Joko Susilo"), child])
    response = client.post(reverse("registry:family_create"), body)
    family = Family.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:family_detail", args=[family.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Joko Susilo" in page
    assert "Rina" in page


def test_bad_member_row_shows_field_message_in_indonesian_and_saves_nothing(client, personas):
    client.force_login(personas.operator_a)
    bad = member_fields(relationship=c.Relationship.CHILD, nik="3.20123E+15")
    response = client.post(
        reverse("registry:family_create"), family_post(DESA_A, [member_fields(), bad])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_members-1-nik_error"' in page
    assert "Excel" in page
    assert not Family.objects.exists()
    assert not Person.objects.exists()


def test_nik_with_15_digits_is_rejected_with_field_message(client, personas, family_a):
    client.force_login(personas.operator_a)
    response = client.post(
        reverse("registry:member_add", args=[family_a.pk]),
        member_fields(nik="170901030290500", relationship=c.Relationship.CHILD),
    )
    page = response.content.decode()
    assert 'id="id_nik_error"' in page
    assert "16 digit" in page
    assert family_a.memberships.count() == 4


def test_duplicate_nik_in_area_links_to_the_existing_family(client, personas, family_a):
    client.force_login(personas.operator_a)
    taken = family_a.memberships.first().person.nik
    response = client.post(
        reverse("registry:member_add", args=[family_a.pk]),
        member_fields(nik=taken, relationship=c.Relationship.CHILD),
    )
    page = response.content.decode()
    assert reverse("registry:family_detail", args=[family_a.pk]) in page
    assert family_a.id_dtks in page


def test_duplicate_nik_outside_area_reveals_nothing(client, personas, family_a, family_b):
    client.force_login(personas.operator_a)
    other = family_b.memberships.first().person
    response = client.post(
        reverse("registry:member_add", args=[family_a.pk]),
        member_fields(nik=other.nik, relationship=c.Relationship.CHILD),
    )
    page = response.content.decode()
    assert "hubungi Dinas Sosial" in page
    assert family_b.id_dtks not in page
    assert other.name not in page


def test_member_edit_shows_before_and_after_in_history(client, personas, family_a):
    client.force_login(personas.operator_a)
    membership = family_a.memberships.select_related("person").first()
    person = membership.person
    old_name = person.name
    url = reverse("registry:member_edit", args=[family_a.pk, person.pk])
    response = client.post(url, _member_post(person, membership, name="Ahmad Fauzi"))
    assert response.status_code == 302
    page = client.get(reverse("registry:family_detail", args=[family_a.pk])).content.decode()
    history = page[page.index('class="history"') :]
    assert "Nama lengkap" in history
    assert f"<del>{old_name}</del> → <ins>Ahmad Fauzi</ins>" in history
    assert "op_a" in history


def test_family_edit_saves_and_refuses_bad_no_kk(client, personas, family_a):
    client.force_login(personas.operator_a)
    url = reverse("registry:family_edit", args=[family_a.pk])
    body = {"no_kk": "12345", "address": "Jl. Baru No. 2", "rt": "004", "rw": "001"}
    page = client.post(url, body).content.decode()
    assert 'id="id_no_kk_error"' in page
    body["no_kk"] = family_a.no_kk
    assert client.post(url, body).status_code == 302
    family_a.refresh_from_db()
    assert family_a.address == "Jl. Baru No. 2"


def test_member_end_removes_member_from_current_list(client, personas, family_a):
    client.force_login(personas.operator_a)
    child = family_a.memberships.filter(relationship=c.Relationship.CHILD).first()
    url = reverse("registry:member_end", args=[family_a.pk, child.person_id])
    response = client.post(url, {"end_date": "2024-02-01", "reason": "Menikah, pindah KK"})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.end_reason == "Menikah, pindah KK"
    assert family_a.memberships.filter(end_date__isnull=True).count() == 3


def test_read_only_role_gets_403_on_edit_pages(client, personas, family_a):
    client.force_login(personas.pimpinan)
    response = client.get(reverse("registry:family_edit", args=[family_a.pk]))
    assert response.status_code == 403
    assert family_a.no_kk not in response.content.decode()


def test_operator_of_other_desa_gets_404_for_the_family(client, personas, family_a):
    client.force_login(personas.operator_b)
    for name in ("registry:family_detail", "registry:family_edit", "registry:member_add"):
        response = client.get(reverse(name, args=[family_a.pk]))
        assert response.status_code == 404


def test_viewing_a_family_writes_an_access_event(client, personas, family_a):
    client.force_login(personas.pengelola)
    client.get(reverse("registry:family_detail", args=[family_a.pk]))
    event = AccessEvent.objects.get()
    assert (event.user, event.what, event.subject_id) == (
        personas.pengelola,
        "view_family",
        str(family_a.pk),
    )


def test_add_member_with_new_nik(client, personas, family_a):
    client.force_login(personas.operator_a)
    nik = new_nik()
    response = client.post(
        reverse("registry:member_add", args=[family_a.pk]),
        member_fields(nik=nik, name="Bayi Baru", relationship=c.Relationship.CHILD),
    )
    assert response.status_code == 302
    assert family_a.memberships.filter(person__nik=nik, end_date__isnull=True).exists()
