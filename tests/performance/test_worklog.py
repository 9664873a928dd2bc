"""Realisation from the work log: who created, verified, returned and corrected what, when,
inside the window or not, and what was found wrong afterwards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from dtks.audit.record import replayed_at
from dtks.performance import worklog
from dtks.proposals import actions
from dtks.registry import actions as registry
from dtks.registry.models import Person
from dtks.verification.actions import run_checks
from tests.proposals.conftest import batch, documents_dir, open_windows  # noqa: F401

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2023, month, day, hour, tzinfo=WIB)


@pytest.fixture
def proposals(batch, personas, family_a):  # noqa: F811
    """Three corrections created on 14 August by operator A: one verified on time, one
    returned, one submitted late (22 August, outside the 15–20 window) and verified."""
    members = [m.person for m in family_a.memberships.order_by("relationship", "pk")]
    made = [
        actions.create_proposal(
            batch,
            by=personas.operator_a,
            kind="correct_person",
            person=person,
            payload={"person": {"name": f"Nama Baru {i}"}},
            when=at(8, 14),
        )
        for i, person in enumerate(members[:3])
    ]
    ok, returned, late = made
    actions.submit_proposal(ok, by=personas.operator_a, when=at(8, 16))
    actions.submit_proposal(returned, by=personas.operator_a, when=at(8, 16))
    actions.submit_proposal(late, by=personas.operator_a, when=at(8, 22))
    actions.verify_proposal(ok, by=personas.pengelola, when=at(8, 25))
    actions.return_proposal(returned, by=personas.pengelola, note="NIK salah", when=at(8, 26))
    actions.verify_proposal(late, by=personas.pengelola, when=at(9, 25))
    return ok, returned, late


def test_records_handled_counts_each_record_once_per_person_in_its_month(personas, proposals):
    operator = worklog.records_handled([personas.operator_a.pk], 2023)
    assert operator.total == 3 and dict(operator.months) == {8: 3}
    verifier = worklog.records_handled([personas.pengelola.pk], 2023)
    assert dict(verifier.months) == {8: 2, 9: 1}
    assert {pk for _, pk in verifier.evidence} == {p.pk for p in proposals}
    assert worklog.records_handled([personas.pengelola.pk], 2022).total == 0
    assert worklog.records_handled([personas.operator_b.pk], 2023).total == 0


def test_registry_changes_count_as_work_of_their_author(personas, family_a):
    person = family_a.memberships.first().person
    with replayed_at(at(3, 8)):
        registry.update_person(
            person, by=personas.pengisi, data={"mother_name": "Siti"}, family=family_a
        )
    tally = worklog.records_handled([personas.pengisi.pk], 2023)
    assert dict(tally.months) == {3: 1} and ("person", person.pk) in tally.evidence


def test_work_returned_or_found_wrong_later_is_not_clean(personas, proposals, family_a):
    share = worklog.work_clean([personas.operator_a.pk], 2023)
    assert (share.total, share.percent()) == (3, Decimal(200) / 3)
    assert ("proposal", proposals[1].pk) in share.failing
    right, wrong = (m.person for m in family_a.memberships.order_by("pk")[:2])
    with replayed_at(at(3, 8)):
        registry.update_person(right, by=personas.pengisi, data={"name": "Benar"}, family=family_a)
        # The save's own re-check finds the missing mother's name: a defect found after it.
        registry.update_person(
            wrong, by=personas.pengisi, data={"mother_name": ""}, family=family_a
        )
    found = worklog.work_clean([personas.pengisi.pk], 2023)
    assert (found.total, found.percent()) == (2, 50) and found.failing == {("person", wrong.pk)}
    run_checks()  # re-running the checks opens nothing new on the right one
    assert worklog.work_clean([personas.pengisi.pk], 2023).failing == {("person", wrong.pk)}


def test_steps_outside_the_regular_window_count_against_waktu(personas, proposals):
    operator = worklog.in_window([personas.operator_a.pk], 2023)
    assert (operator.total, operator.failing) == (3, {("proposal", proposals[2].pk)})
    assert worklog.in_window([personas.pengelola.pk], 2023).percent() == 100


def test_median_days_from_submission_to_verification(personas, proposals):
    median, measured = worklog.days_to_verify([personas.pengelola.pk], 2023)
    # 16 → 25 Aug (9 days), 16 → 26 Aug (10), 22 Aug → 25 Sep (34): the median is 10.
    assert median == Decimal("10.0") and sorted(measured) == sorted(p.pk for p in proposals)


def test_persons_in_the_registry_are_untouched_by_measuring(personas, proposals):
    before = list(Person.objects.values_list("pk", "name").order_by("pk"))
    worklog.work_clean([personas.operator_a.pk], 2023)
    assert list(Person.objects.values_list("pk", "name").order_by("pk")) == before
