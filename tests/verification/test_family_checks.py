"""run_checks / recheck_family over families and across records: family findings opened,
resolved and waived like person findings; a person in two KKs and a NIK on a second record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dtks.audit.models import AuditEvent
from dtks.registry import actions as registry_actions
from dtks.registry import choices as c
from dtks.registry.models import Family, FamilyProgram, Membership, Person
from dtks.verification.actions import recheck_family, run_checks
from dtks.verification.models import Finding
from dtks.verification.rules import Checker, FamilyChecker
from tests.conftest import DESA_B, KEC_A
from tests.factories import (
    FamilyProgramFactory,
    MembershipFactory,
    PersonFactory,
    family_with_members,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["per_record", "vectorised"])
def checked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test twice: record by record (as after a save) and vectorised (the registry)."""
    if request.param == "vectorised":
        monkeypatch.setattr(Checker, "vectorised_from", 0)
        monkeypatch.setattr(FamilyChecker, "vectorised_from", 0)
    return request.param


def family_rules(family: Family, status: str = "open") -> set[str]:
    return set(
        Finding.objects.filter(family=family, level="family", status=status).values_list(
            "rule", flat=True
        )
    )


def person_rules(person: Person) -> set[str]:
    return set(person.findings.filter(status="open").values_list("rule", flat=True))


def head_of(family: Family) -> Membership:
    return family.memberships.get(relationship=c.Relationship.HEAD, end_date__isnull=True)


def test_sound_families_with_programs_give_no_finding(family_a, family_b) -> None:
    FamilyProgramFactory(family=family_a)
    summary = run_checks()
    assert (summary.checked, summary.families) == (7, 2)
    assert not Finding.objects.exists()


def test_a_family_without_a_head_is_found_then_resolved(family_a, personas) -> None:
    head = head_of(family_a)
    head.relationship = c.Relationship.OTHER
    head.save()
    run_checks()
    finding = Finding.objects.get(family=family_a)
    assert (finding.rule, finding.severity, finding.level) == (
        "family_head_count",
        "error",
        "family",
    )
    assert "0" in finding.message and finding.person is None
    head.relationship = c.Relationship.HEAD
    head.save()
    summary = run_checks(by=personas.pengelola)
    finding.refresh_from_db()
    assert (finding.status, finding.closed_by) == ("resolved", personas.pengelola)
    assert summary.by_level["family"].resolved == 1


def test_ages_against_relationships_are_found_on_the_family(family_a) -> None:
    child = family_a.memberships.filter(relationship=c.Relationship.CHILD).first().person
    Person.objects.filter(pk=child.pk).update(birth_date=dt.date(1960, 1, 1))
    spouse = family_a.memberships.get(relationship=c.Relationship.SPOUSE).person
    Person.objects.filter(pk=spouse.pk).update(birth_date=timezone.localdate().replace(year=2020))
    run_checks()
    assert family_rules(family_a) == {"child_older_than_head", "spouse_under_16"}
    assert set(Finding.objects.filter(person=child).values_list("rule", flat=True)) == {
        "nik_birth_date_mismatch"  # the NIK still carries the birth date it was made with
    }


def test_the_head_under_15_is_found(family_b) -> None:
    head = head_of(family_b).person
    Person.objects.filter(pk=head.pk).update(birth_date=dt.date(2019, 5, 1))
    run_checks()
    assert "head_under_15" in family_rules(family_b)


def test_an_inactive_family_still_receiving_a_program_is_found(family_a) -> None:
    program = FamilyProgramFactory(family=family_a, program=c.Program.BPNT)
    Family.objects.filter(pk=family_a.pk).update(status="inactive", inactive_reason="moved")
    summary = run_checks()
    assert summary.checked == 0  # its members are not checked as persons
    assert family_rules(family_a) == {"inactive_family_in_program"}
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    FamilyProgram.objects.filter(pk=program.pk).update(end_month=last_month)
    run_checks()
    assert family_rules(family_a) == set()
    assert family_rules(family_a, "resolved") == {"inactive_family_in_program"}


def test_a_program_starting_later_is_not_received_yet(family_a) -> None:
    next_year = timezone.localdate().replace(day=1, month=1, year=timezone.localdate().year + 1)
    FamilyProgramFactory(family=family_a, start_month=next_year)
    Family.objects.filter(pk=family_a.pk).update(status="inactive", inactive_reason="moved")
    run_checks()
    assert family_rules(family_a) == set()


def test_a_died_member_still_active_needs_repair_and_warns_the_program(family_a) -> None:
    FamilyProgramFactory(family=family_a)
    died = family_a.memberships.filter(relationship=c.Relationship.CHILD).first().person
    Person.objects.filter(pk=died.pk).update(presence=c.Presence.DIED)
    run_checks()
    assert person_rules(died) == {"deceased_still_active"}
    assert list(Person.objects.needing_repair()) == [died]
    finding = Finding.objects.get(family=family_a)
    assert (finding.rule, finding.severity) == ("deceased_member_in_program", "warning")
    assert died.name in finding.message


def test_a_waived_family_finding_is_never_reopened(family_a, personas) -> None:
    head_of(family_a).delete()
    run_checks()
    finding = Finding.objects.get(family=family_a)
    finding.status, finding.waiver_reason = "waived", "kepala keluarga sedang diurus"
    finding.save()
    summary = run_checks()
    assert summary.opened == 0
    assert Finding.objects.filter(family=family_a).count() == 1


def test_families_outside_the_wilayah_are_untouched(family_a, family_b) -> None:
    head_of(family_b).delete()
    run_checks()
    Membership.objects.filter(family=family_b, relationship=c.Relationship.SPOUSE).update(
        relationship=c.Relationship.HEAD
    )
    summary = run_checks(wilayah=KEC_A)
    assert summary.families == 1
    assert family_rules(family_b) == {"family_head_count"}


def test_a_person_in_two_families_is_found_and_resolved_when_one_ends(
    family_a, family_b, personas
) -> None:
    child = family_a.memberships.filter(relationship=c.Relationship.CHILD).first().person
    joined = MembershipFactory(family=family_b, person=child, relationship=c.Relationship.SPOUSE)
    summary = run_checks()
    assert person_rules(child) == {"multiple_families"}
    finding = child.findings.get()
    assert family_a.id_dtks in finding.message and family_b.id_dtks in finding.message
    assert summary.by_rule["multiple_families"] == 1
    registry_actions.end_membership(
        joined, by=personas.pengelola, reason="kembali ke KK orang tua", end_date=joined.start_date
    )
    assert person_rules(child) == set()  # the recheck of family B looked at its past member


def test_a_membership_in_an_inactive_family_does_not_count_twice(family_a, family_b) -> None:
    child = family_a.memberships.filter(relationship=c.Relationship.CHILD).first().person
    MembershipFactory(family=family_b, person=child, relationship=c.Relationship.CHILD)
    Family.objects.filter(pk=family_b.pk).update(status="inactive", inactive_reason="moved")
    run_checks()
    assert person_rules(child) == set()


def test_a_nik_also_on_a_record_not_settled_as_duplicate_is_found(family_a) -> None:
    member = family_a.memberships.filter(relationship=c.Relationship.SPOUSE).get().person
    old = PersonFactory(
        nik=member.nik, status="inactive", inactive_reason="died", presence=c.Presence.DIED
    )
    run_checks()
    assert person_rules(member) == {"nik_duplicate"}
    assert old.id_dtks in member.findings.get().message
    Person.objects.filter(pk=old.pk).update(inactive_reason="duplicate")
    run_checks()
    assert person_rules(member) == set()


def test_an_import_checks_the_families_of_its_persons(family_a, family_b) -> None:
    head_of(family_a).delete()
    head_of(family_b).delete()
    person = family_a.memberships.first().person
    summary = run_checks(persons=[person.pk])
    assert (summary.checked, summary.families) == (1, 1)
    assert family_rules(family_a) == {"family_head_count"}
    assert family_rules(family_b) == set()


def test_recheck_family_runs_both_levels_after_a_registry_action(family_a, personas) -> None:
    registry_actions.end_membership(
        head_of(family_a), by=personas.operator_a, reason="pindah", end_date=dt.date(2024, 1, 1)
    )
    assert family_rules(family_a) == {"family_head_count"}
    summary = recheck_family(family_a, by=personas.operator_a)
    assert (summary.families, summary.unchanged) == (1, 1)


def test_the_audit_event_counts_both_levels(family_a, personas) -> None:
    head_of(family_a).delete()
    run_checks(by=personas.pengelola, wilayah=KEC_A)
    event = AuditEvent.objects.get(subject_type="checks")
    assert event.after["families"] == 1
    assert event.after["by_level"]["family"]["opened"] == 1
    assert event.after["by_level"]["person"]["checked"] == 3
    assert event.after["by_rule"] == {"family_head_count": 1}


def test_the_queue_lists_a_family_finding_of_my_village(client, family_a, personas) -> None:
    head_of(family_a).delete()
    family_with_members(DESA_B, size=2)
    run_checks()
    client.force_login(personas.operator_a)
    html = client.get("/temuan/antrian/").content.decode()
    assert "family_head_count" in html and f"/keluarga/{family_a.pk}/" in html


def test_a_died_person_deactivated_leaves_no_open_finding(family_a, personas) -> None:
    died = family_a.memberships.filter(relationship=c.Relationship.CHILD).first().person
    Person.objects.filter(pk=died.pk).update(presence=c.Presence.DIED)
    run_checks()
    registry_actions.deactivate_person(died, by=personas.operator_a, reason="died")
    finding = died.findings.get()
    assert (finding.rule, finding.status, finding.closed_by) == (
        "deceased_still_active",
        "resolved",
        personas.operator_a,
    )
    assert not Person.objects.needing_repair().exists()
