"""The dashboard's counts and the work queue's order, read set-based, equal what the one
scope (`Finding.objects.visible_to`) and `with_place` define, on every kind of place: a
family finding, a person's finding placed by their current family, a person in two families
(the first membership), a person in no family (seen by nobody), warnings and errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Q
from django.db.models.functions import Substr

from dtks.accounts.roles import Perm
from dtks.registry import choices as c
from dtks.registry.models import Family, Membership, Person
from dtks.verification.actions import run_checks
from dtks.verification.models import Finding, Severity
from tests.conftest import DESA_A, DESA_A2, DESA_B, KEC_A, KEC_B, OTHER_KAB_DESA
from tests.factories import FamilyProgramFactory, MembershipFactory, family_with_members

USERS = ["pengelola", "pengisi", "operator_a", "operator_b", "operator_kecamatan", "nobody"]


def _members(family: Family) -> list[Person]:
    return [m.person for m in family.memberships.filter(end_date__isnull=True).order_by("id")]


@pytest.fixture
def places(personas):
    """Findings of every kind of place, in four desa of two kabupaten."""
    families = [family_with_members(desa, size=3) for desa in (DESA_A, DESA_A, DESA_A2, DESA_B)]
    families.append(family_with_members(OTHER_KAB_DESA, size=2))
    for family in families:
        Person.objects.filter(pk=_members(family)[0].pk).update(mother_name="")
    Person.objects.filter(pk=_members(families[1])[1].pk).update(birth_place="")
    Membership.objects.filter(family=families[2], relationship=c.Relationship.HEAD).update(
        relationship=c.Relationship.OTHER
    )  # a family without a head: a family finding
    FamilyProgramFactory(family=families[3])  # a died member still in a program: a warning
    Person.objects.filter(pk=_members(families[3])[2].pk).update(presence=c.Presence.DIED)
    MembershipFactory(
        family=families[3], person=_members(families[0])[0], relationship=c.Relationship.OTHER
    )  # in two families
    run_checks()
    gone = _members(families[1])[0]  # leaves every family: their finding is nobody's
    Membership.objects.filter(person=gone).update(end_date=dt.date(2024, 1, 1))
    return families


def _per_unit(user, width: int, within: str) -> list[dict]:
    """The dashboard's counts as the one scope defines them (the ORM, annotation-based)."""
    findings = Finding.objects.open().visible_to(user)
    if within:
        findings = findings.in_wilayah(within)
    counts = (
        findings.annotate(unit=Substr("desa_code", 1, width))
        .values("unit")
        .annotate(
            errors=Count("id", filter=Q(severity=Severity.ERROR)),
            warnings=Count("id", filter=Q(severity=Severity.WARNING)),
            persons=Count("person_id", filter=Q(severity=Severity.ERROR), distinct=True),
        )
        .order_by("unit")
    )
    return [c for c in counts if c["unit"]]


def test_the_fixture_holds_every_kind_of_place(places):
    open_findings = Finding.objects.open()
    assert open_findings.filter(level="family").exists()
    assert open_findings.filter(severity=Severity.WARNING).exists()
    placed = open_findings.with_place()
    assert placed.filter(desa_code__isnull=True).exists()  # a person in no family
    assert placed.filter(desa_code=OTHER_KAB_DESA).exists()


def test_per_unit_counts_equal_the_scoped_definition(places, personas):
    for name in USERS:
        user = getattr(personas, name)
        for width, within in [(8, ""), (13, KEC_A), (13, KEC_B), (13, DESA_A)]:
            found = Finding.objects.open_per_unit(user, width, within)
            assert found == _per_unit(user, width, within), (name, within)


def test_queue_order_equals_the_scoped_definition(places, personas):
    for name in USERS:
        user = getattr(personas, name)
        for within in ["", KEC_A, DESA_A, DESA_B, "17.09.0"]:
            expected = Finding.objects.open().visible_to(user, Perm.EDIT_REGISTRY)
            if within:
                expected = expected.in_wilayah(within)
            expected = expected.order_by("desa_code", "family_ref", "-severity", "rule", "id")
            found = Finding.objects.open_ids_in_queue_order(user, Perm.EDIT_REGISTRY, within)
            assert found == list(expected.values_list("id", flat=True)), (name, within)


def test_the_dashboard_and_queue_show_the_same_rows_as_the_scope(client, places, personas):
    client.force_login(personas.pengelola)
    html = client.get(f"/temuan/?wilayah={KEC_A}").content.decode()
    for row in _per_unit(personas.pengelola, 13, KEC_A):
        assert f'<td class="num">{row["persons"]}</td><td class="num">{row["errors"]}</td>' in html
    queue = client.get("/temuan/antrian/").content.decode()
    for finding in Finding.objects.open().visible_to(personas.pengelola, Perm.EDIT_REGISTRY):
        assert f"/temuan/{finding.pk}/kecualikan/" in queue
    assert OTHER_KAB_DESA not in queue
