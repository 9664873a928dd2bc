"""run_checks / recheck_family: findings opened, kept, resolved, and scoped to the area."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from dtks.audit.models import AuditEvent
from dtks.registry import choices as c
from dtks.registry.models import Person
from dtks.verification.actions import recheck_family, run_checks
from dtks.verification.models import Finding
from dtks.verification.rules import Checker
from tests.conftest import KEC_A
from tests.factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["per_record", "vectorised"])
def checked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test twice: a few persons checked record by record (as after a save), and the
    same persons through the vectorised rules (as over the registry)."""
    if request.param == "vectorised":
        monkeypatch.setattr(Checker, "vectorised_from", 0)
    return request.param


def add_member(family, **person_fields: object) -> Person:
    kec = family.desa_id[:8]
    person = PersonFactory(kecamatan=kec, **person_fields)
    MembershipFactory(family=family, person=person, relationship=c.Relationship.OTHER)
    return person


def open_rules(person: Person) -> set[str]:
    return set(person.findings.filter(status="open").values_list("rule", flat=True))


def test_clean_families_give_no_finding(family_a, family_b) -> None:
    summary = run_checks()
    assert summary.checked == 7
    assert not Finding.objects.exists()


def test_opens_a_finding_per_defect(family_a) -> None:
    person = add_member(family_a, mother_name="", birth_date=dt.date(1990, 1, 2))
    Person.objects.filter(pk=person.pk).update(birth_date=dt.date(1990, 1, 3))
    summary = run_checks()
    assert open_rules(person) == {"missing_mother_name", "nik_birth_date_mismatch"}
    assert (summary.opened, summary.checked) == (2, 5)
    assert summary.by_rule == {"missing_mother_name": 1, "nik_birth_date_mismatch": 1}


def test_second_run_changes_nothing(family_a) -> None:
    add_member(family_a, birth_place="")
    run_checks()
    before = list(Finding.objects.values_list("id", "status", "message"))
    again = run_checks()
    assert (again.opened, again.resolved, again.updated, again.unchanged) == (0, 0, 0, 1)
    assert list(Finding.objects.values_list("id", "status", "message")) == before


def test_fixed_record_resolves_its_finding(family_a, personas) -> None:
    person = add_member(family_a, marital_status=None)
    run_checks()
    Person.objects.filter(pk=person.pk).update(marital_status=c.MaritalStatus.SINGLE)
    summary = run_checks(by=personas.pengelola)
    finding = Finding.objects.get(person=person)
    assert summary.resolved == 1
    assert (finding.status, finding.closed_by) == ("resolved", personas.pengelola)
    assert finding.closed_at is not None


def test_person_outside_the_wilayah_is_untouched(family_a, family_b) -> None:
    outside = add_member(family_b, mother_name="")
    run_checks()
    Person.objects.filter(pk=outside.pk).update(mother_name="Ani")
    inside = add_member(family_a, mother_name="")
    summary = run_checks(wilayah=KEC_A)
    assert summary.checked == 5
    assert open_rules(outside) == {"missing_mother_name"}
    assert open_rules(inside) == {"missing_mother_name"}


def test_inactive_family_is_not_checked(family_a) -> None:
    add_member(family_a, mother_name="")
    family_a.status, family_a.inactive_reason = "inactive", "moved"
    family_a.save()
    assert run_checks().checked == 0
    assert not Finding.objects.exists()


def test_needing_repair_counts_only_open_errors(family_a) -> None:
    error = add_member(family_a, birth_place="")
    warned = add_member(family_a)
    Person.objects.filter(pk=warned.pk).update(nik="99" + warned.nik[2:])
    fixed = add_member(family_a, mother_name="")
    run_checks()
    Person.objects.filter(pk=fixed.pk).update(mother_name="Ani")
    run_checks()
    assert open_rules(warned) == {"nik_region_unknown"}
    assert list(Person.objects.needing_repair()) == [error]


def test_run_records_one_audit_event(family_a, personas) -> None:
    add_member(family_a, birth_place="")
    run_checks(by=personas.pengelola, wilayah=KEC_A)
    event = AuditEvent.objects.get(subject_type="checks")
    assert (event.subject_id, event.actor, event.action) == (
        KEC_A,
        personas.pengelola,
        "run_checks",
    )
    assert event.after["opened"] == 1


def test_recheck_family_touches_only_its_members(family_a, family_b, personas) -> None:
    mine = add_member(family_a, mother_name="")
    other = add_member(family_b, mother_name="")
    summary = recheck_family(family_a, by=personas.operator_a)
    assert summary.checked == 5
    assert open_rules(mine) == {"missing_mother_name"}
    assert open_rules(other) == set()


def test_verify_command_prints_the_summary(family_a, capsys) -> None:
    add_member(family_a, birth_place="")
    call_command("verify", wilayah=KEC_A, verbosity=0)
    out = capsys.readouterr().out
    assert "5 persons and 1 families checked" in out
    assert "missing_birth_place: 1" in out
    assert "person: 1 found" in out and "family: 0 found" in out


def test_changed_message_updates_the_open_finding_in_place(family_a) -> None:
    person = add_member(family_a, birth_date=dt.date(1990, 1, 2))
    Person.objects.filter(pk=person.pk).update(birth_date=dt.date(1990, 1, 3))
    run_checks()
    before = Finding.objects.get(person=person)
    Person.objects.filter(pk=person.pk).update(birth_date=dt.date(1990, 1, 4))
    summary = run_checks()
    after = Finding.objects.get(person=person)
    assert (summary.opened, summary.updated, summary.resolved, summary.unchanged) == (0, 1, 0, 0)
    assert (after.pk, after.status, after.opened_at) == (before.pk, "open", before.opened_at)
    assert "(04-01-1990)" in after.message


def test_one_run_opens_updates_resolves_and_keeps(family_a) -> None:
    kept = add_member(family_a, birth_place="")
    fixed = add_member(family_a, mother_name="")
    changed = add_member(family_a, birth_date=dt.date(1990, 1, 2))
    Person.objects.filter(pk=changed.pk).update(birth_date=dt.date(1990, 1, 3))
    run_checks()
    Person.objects.filter(pk=fixed.pk).update(mother_name="Ani")
    Person.objects.filter(pk=changed.pk).update(birth_date=dt.date(1990, 1, 4))
    new = add_member(family_a, marital_status=None)
    summary = run_checks()
    assert (summary.opened, summary.updated, summary.resolved, summary.unchanged) == (1, 1, 1, 1)
    assert summary.by_rule == {
        "missing_birth_place": 1,
        "nik_birth_date_mismatch": 1,
        "missing_marital_status": 1,
    }
    assert [open_rules(p) for p in (kept, fixed, new)] == [
        {"missing_birth_place"},
        set(),
        {"missing_marital_status"},
    ]


def test_findings_of_other_rules_and_waived_findings_are_left_alone(family_a) -> None:
    person = add_member(family_a)
    other = Finding.objects.create(
        rule="dukcapil_mismatch", severity="error", level="person", person=person, message="x"
    )
    waived = Finding.objects.create(
        rule="missing_mother_name",
        severity="error",
        level="person",
        person=person,
        message="y",
        status="waived",
        waiver_reason="ibu tidak diketahui",
    )
    summary = run_checks()
    assert summary.resolved == 0
    assert Finding.objects.get(pk=other.pk).status == "open"
    assert Finding.objects.get(pk=waived.pk).status == "waived"


def test_persons_are_read_chunk_by_chunk(family_a, family_b, monkeypatch) -> None:
    defective = [add_member(family_a, mother_name=""), add_member(family_b, mother_name="-")]
    monkeypatch.setattr("dtks.verification.actions.CHUNK", 2)
    summary = run_checks()
    assert (summary.checked, summary.opened) == (9, 2)
    assert [open_rules(p) for p in defective] == [{"missing_mother_name"}] * 2


def test_names_with_quotes_commas_and_newlines_are_read_whole(family_a, monkeypatch) -> None:
    names = ['Siti "Ani"\nAminah, S.Pd', 'A,\n"B"\n', "\\N", "-"]
    persons = [add_member(family_a, name=name, mother_name="") for name in names]
    monkeypatch.setattr("dtks.verification.actions.CHUNK", 1)
    summary = run_checks()
    assert summary.checked == 8
    assert [open_rules(p) for p in persons] == [{"missing_mother_name"}] * 3 + [
        {"missing_mother_name", "missing_name"}
    ]
