"""Conflict of interest, told with personas: a village operator tied in every way to families
of their desa, who holds the changes they may not make, and the verifiers who may (or may not)
approve them (Kepmensos 73/HUK/2024, separation of duties)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from dtks.accounts.roles import Role
from dtks.audit.models import AuditEvent
from dtks.demo.synth import make_nik
from dtks.registry.choices import Relationship, Sex
from dtks.registry.models import Family, HeldChange, Membership
from tests.conftest import DESA_A, KAB
from tests.factories import (
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
    family_with_members,
)
from tests.registry.helpers import family_post, member_fields, new_no_kk

BORN = dt.date(1980, 3, 12)
OWN_ADDRESS = "Jl. Melati No. 5"


@dataclass
class Ties:
    """The operator's families: every way an officer can be tied to one."""

    parents: Family  # still on their parents' KK: their own NIK is a member
    own: Family  # their own No. KK (spouse and child)
    relatives: Family  # same address and family name, written otherwise
    alias: Family  # the operator registered again under another NIK and a variant name


def held_of(family: Family | None = None) -> HeldChange:
    return (
        HeldChange.objects.filter(family=family).latest("id")
        if family
        else HeldChange.objects.latest("id")
    )


@pytest.fixture
def ties(personas) -> Ties:
    officer = personas.operator_a
    officer.first_name, officer.last_name = "Muhammad Yusuf", "Suharto"
    officer.nik = make_nik("17.09.01", BORN, Sex.MALE, 71)
    officer.no_kk = new_no_kk()
    officer.save()
    own = FamilyFactory(desa_id=DESA_A, no_kk=officer.no_kk, address=OWN_ADDRESS)
    MembershipFactory(family=own, person=PersonFactory(name="Sri Wahyuni", sex=Sex.FEMALE))
    MembershipFactory(
        family=own,
        person=PersonFactory(name="Rina Suharto", birth_date=dt.date(2010, 1, 5), sex=Sex.FEMALE),
        relationship=Relationship.CHILD,
    )
    parents = FamilyFactory(desa_id=DESA_A, address="Jl. Mawar 2")
    MembershipFactory(family=parents, person=PersonFactory(name="Sukarno Suharto"))
    MembershipFactory(
        family=parents,
        person=PersonFactory(nik=officer.nik, name="Muhammad Yusuf Suharto", birth_date=BORN),
        relationship=Relationship.CHILD,
    )
    relatives = FamilyFactory(desa_id=DESA_A, address="JALAN MELATI NO 05")
    MembershipFactory(family=relatives, person=PersonFactory(name="Siti Soeharto", sex=Sex.FEMALE))
    alias = FamilyFactory(desa_id=DESA_A, address="Jl. Kenanga 9")
    MembershipFactory(
        family=alias, person=PersonFactory(name="Moh. Joesoef Soeharto", birth_date=BORN)
    )
    return Ties(parents, own, relatives, alias)


def edit_family(client, family: Family, **changes: object):
    data = {"no_kk": family.no_kk, "address": family.address, "rt": "007", **changes}
    return client.post(f"/keluarga/{family.pk}/ubah/", data)


@pytest.mark.parametrize(
    ("which", "codes"),
    [
        ("parents", {"own_nik"}),
        ("own", {"own_kk"}),
        ("relatives", {"linked_family"}),
        ("alias", {"linked_self"}),
    ],
)
def test_the_operator_is_refused_and_offered_to_hold_the_change(
    client, personas, ties, which, codes
):
    family = getattr(ties, which)
    client.force_login(personas.operator_a)
    refused = edit_family(client, family)
    assert refused.status_code == 200
    assert 'id="offer-hold"' in refused.content.decode()
    held = edit_family(client, family, hold="1")
    change = held_of(family)
    assert held.status_code == 302 and held.url == f"/keluarga/persetujuan/{change.pk}/"
    assert {c["code"] for c in change.conflicts} == codes
    assert change.status == HeldChange.Status.PENDING
    family.refresh_from_db()
    assert family.rt != "007"  # held, not applied


def test_a_family_the_operator_is_not_tied_to_is_edited_directly(client, personas, ties, family_a):
    client.force_login(personas.operator_a)
    assert edit_family(client, family_a).status_code == 302
    family_a.refresh_from_db()
    assert family_a.rt == "007" and not HeldChange.objects.exists()


def test_an_independent_verifier_approves_and_both_are_in_the_audit(client, personas, ties):
    client.force_login(personas.operator_a)
    edit_family(client, ties.own, hold="1")
    change = held_of(ties.own)
    client.force_login(personas.pengelola)
    page = client.get(f"/keluarga/persetujuan/{change.pk}/").content.decode()
    assert "own_kk" in page and 'id="why-not"' not in page
    assert (
        f"/keluarga/persetujuan/{change.pk}/"
        in client.get("/keluarga/persetujuan/").content.decode()
    )
    assert (
        client.post(f"/keluarga/persetujuan/{change.pk}/setujui/", {"note": "ok"}).status_code
        == 302
    )

    change.refresh_from_db()
    ties.own.refresh_from_db()
    assert change.status == HeldChange.Status.APPROVED and change.decided_by == personas.pengelola
    assert ties.own.rt == "007"
    applied = AuditEvent.objects.get(action="update_family", family_id=ties.own.pk)
    assert applied.actor == personas.operator_a
    assert f"held_change={change.pk} approved_by=pengelola" in applied.note
    approved = AuditEvent.objects.get(action="approve_held_change", subject_id=str(change.pk))
    assert approved.actor == personas.pengelola
    assert approved.before["status"] == "pending" and approved.after["status"] == "approved"
    held = AuditEvent.objects.get(action="hold_change", subject_id=str(change.pk))
    assert held.actor == personas.operator_a and held.before is None
    history = client.get(f"/keluarga/{ties.own.pk}/").content.decode()
    assert 'class="approved-by"' in history


def test_a_member_added_by_the_operator_to_their_own_kk_waits_for_approval(client, personas, ties):
    client.force_login(personas.operator_a)
    baby = member_fields(
        name="Bayi Suharto", relationship=Relationship.CHILD, birth=dt.date(2024, 1, 2)
    )
    url = f"/keluarga/{ties.own.pk}/anggota/baru/"
    assert 'id="offer-hold"' in client.post(url, baby).content.decode()
    client.post(url, {**baby, "hold": "1"})
    change = held_of(ties.own)
    family_page = client.get(f"/keluarga/{ties.own.pk}/").content.decode()
    assert (
        'id="held-changes"' in family_page and f"/keluarga/persetujuan/{change.pk}/" in family_page
    )
    client.force_login(personas.pengelola)
    client.post(f"/keluarga/persetujuan/{change.pk}/setujui/")
    added = Membership.objects.get(family=ties.own, person__nik=baby["nik"], end_date__isnull=True)
    assert (
        AuditEvent.objects.get(action="add_member", subject_type="person").actor
        == personas.operator_a
    )
    assert added.relationship == Relationship.CHILD


def test_registering_a_family_at_the_operators_address_is_held_then_created(client, personas, ties):
    client.force_login(personas.operator_a)
    head = member_fields(name="Budi Soeharto")
    data = family_post(DESA_A, [head], address="Jalan Melati No. 05")
    assert 'id="offer-hold"' in client.post("/keluarga/baru/", data).content.decode()
    client.post("/keluarga/baru/", {**data, "hold": "1"})
    change = held_of()
    assert change.family is None and change.desa_id == DESA_A
    assert not Family.objects.filter(no_kk=data["no_kk"]).exists()
    client.force_login(personas.pengelola)
    page = client.get(f"/keluarga/persetujuan/{change.pk}/").content.decode()
    assert data["no_kk"] in page and head["nik"] in page and "linked_family" in page
    client.post(f"/keluarga/persetujuan/{change.pk}/setujui/")
    change.refresh_from_db()
    assert change.family == Family.objects.get(no_kk=data["no_kk"])


def test_correcting_the_alias_and_ending_a_membership_are_held_then_applied(client, personas, ties):
    client.force_login(personas.operator_a)
    alias = ties.alias.current_memberships().get().person
    fields = {
        "nik": alias.nik, "name": "Moh. Yusuf Soeharto", "birth_place": "Bengkulu",
        "birth_date": alias.birth_date.isoformat(), "sex": alias.sex, "mother_name": "Ani",
        "presence": alias.presence, "relationship": Relationship.HEAD, "hold": "1",
    }  # fmt: skip
    client.post(f"/keluarga/{ties.alias.pk}/anggota/{alias.pk}/ubah/", fields)
    rename = held_of(ties.alias)
    child = ties.own.current_memberships().get(relationship=Relationship.CHILD).person
    leave = {
        "end_date": dt.date.today().isoformat(),
        "reason": "Menikah",
        "deactivate": "",
        "hold": "1",
    }
    client.post(f"/keluarga/{ties.own.pk}/anggota/{child.pk}/keluar/", leave)
    leaving = held_of(ties.own)
    assert (rename.action, leaving.action) == ("update_person", "remove_member")
    client.force_login(personas.pengelola)
    for change in (rename, leaving):
        client.post(f"/keluarga/persetujuan/{change.pk}/setujui/")
    alias.refresh_from_db()
    assert alias.name == "Moh. Yusuf Soeharto"
    assert not ties.own.current_memberships().filter(person=child).exists()


@pytest.fixture
def held_edit(client, personas, ties) -> HeldChange:
    """The operator's pending change to their own family (own No. KK)."""
    client.force_login(personas.operator_a)
    edit_family(client, ties.own, hold="1")
    client.logout()
    return held_of(ties.own)


def test_a_verifier_tied_to_the_family_may_not_decide(client, ties, held_edit):
    tied = UserFactory(username="pengelola_kerabat", roles=[(Role.PENGELOLA, KAB)])
    tied.nik = ties.own.current_memberships().first().person.nik
    tied.save()
    client.force_login(tied)
    page = client.get(f"/keluarga/persetujuan/{held_edit.pk}/").content.decode()
    assert 'id="why-not"' in page and "setujui" not in page
    client.post(f"/keluarga/persetujuan/{held_edit.pk}/setujui/")
    client.post(f"/keluarga/persetujuan/{held_edit.pk}/tolak/", {"note": "tidak"})
    held_edit.refresh_from_db()
    assert held_edit.status == HeldChange.Status.PENDING


def test_the_requester_may_not_approve_their_own_request(client, personas, held_edit):
    client.force_login(personas.operator_a)
    page = client.get(f"/keluarga/persetujuan/{held_edit.pk}/").content.decode()
    assert "tarik" in page and "setujui" not in page
    assert client.post(f"/keluarga/persetujuan/{held_edit.pk}/setujui/").status_code == 403
    held_edit.refresh_from_db()
    assert held_edit.is_pending


def test_a_verifier_outside_the_area_gets_404(client, personas, held_edit):
    elsewhere = UserFactory(username="pengelola_lain", roles=[(Role.PENGELOLA, "17.01")])
    for user in (elsewhere, personas.operator_b):
        client.force_login(user)
        assert client.get(f"/keluarga/persetujuan/{held_edit.pk}/").status_code == 404
        assert client.post(f"/keluarga/persetujuan/{held_edit.pk}/setujui/").status_code == 404
        assert (
            f"/keluarga/persetujuan/{held_edit.pk}/"
            not in client.get("/keluarga/persetujuan/").content.decode()
        )
    client.force_login(personas.pengisi)  # in the area, but no verifier
    assert client.get(f"/keluarga/persetujuan/{held_edit.pk}/").status_code == 403


def test_a_verifier_refuses_with_a_note(client, personas, ties, held_edit):
    client.force_login(personas.pengelola)
    client.post(f"/keluarga/persetujuan/{held_edit.pk}/tolak/", {"note": ""})
    held_edit.refresh_from_db()
    assert held_edit.is_pending  # a refusal needs its reason
    client.post(f"/keluarga/persetujuan/{held_edit.pk}/tolak/", {"note": "Bukan wewenang desa"})
    held_edit.refresh_from_db()
    ties.own.refresh_from_db()
    assert held_edit.status == HeldChange.Status.REFUSED and held_edit.note == "Bukan wewenang desa"
    assert ties.own.rt != "007"
    assert AuditEvent.objects.get(action="refuse_held_change").actor == personas.pengelola


def test_the_requester_withdraws_and_nobody_else_may(client, personas, held_edit):
    client.force_login(personas.pengelola)
    assert client.post(f"/keluarga/persetujuan/{held_edit.pk}/tarik/").status_code == 403
    client.force_login(personas.operator_a)
    assert client.post(f"/keluarga/persetujuan/{held_edit.pk}/tarik/").status_code == 302
    held_edit.refresh_from_db()
    assert held_edit.status == HeldChange.Status.WITHDRAWN
    assert held_edit.decided_by == personas.operator_a
    client.force_login(personas.pengelola)
    client.post(f"/keluarga/persetujuan/{held_edit.pk}/setujui/")
    held_edit.refresh_from_db()
    assert held_edit.status == HeldChange.Status.WITHDRAWN  # a decided request stays decided


def test_an_approval_the_action_refuses_stays_pending_with_the_reason(
    client, personas, ties, family_a
):
    client.force_login(personas.operator_a)
    baby = member_fields(
        name="Bayi Suharto", relationship=Relationship.CHILD, birth=dt.date(2024, 1, 2)
    )
    client.post(f"/keluarga/{ties.own.pk}/anggota/baru/", {**baby, "hold": "1"})
    change = held_of(ties.own)
    # Meanwhile another officer registers the same NIK in another family.
    client.force_login(personas.pengisi)
    client.post(f"/keluarga/{family_a.pk}/anggota/baru/", {**baby, "name": "Bayi Lain"})
    client.force_login(personas.pengelola)
    response = client.post(f"/keluarga/persetujuan/{change.pk}/setujui/", follow=True)
    change.refresh_from_db()
    assert change.is_pending
    shown = [str(m) for m in response.context["messages"]]
    assert any("Bayi Lain" in m for m in shown)  # the action's own refusal: the NIK is taken
    assert not ties.own.current_memberships().filter(person__nik=baby["nik"]).exists()
    assert not AuditEvent.objects.filter(action="approve_held_change").exists()


def test_the_officers_page_lists_linkage_matches(client, personas, ties):
    family_with_members(DESA_A, size=3)  # some neighbours
    client.force_login(personas.pengelola)
    page = client.get("/keluarga/petugas-terdaftar/").content.decode()
    assert ties.parents.id_dtks in page and 'data-code="own_nik"' in page
    assert ties.alias.id_dtks in page and 'data-code="linked_person"' in page
