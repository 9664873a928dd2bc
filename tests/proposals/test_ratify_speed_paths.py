"""The fast paths of ratifying many proposals give what the slow paths gave: one recheck run
over the whole month closes each resolved finding in the name of the family's changer, as one
run per changer did."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError
from dtks.proposals import actions
from dtks.proposals.apply import ratify_period
from dtks.registry import actions as registry
from dtks.registry import choices as c
from dtks.registry.models import Membership, Person
from dtks.verification.actions import recheck_families, run_checks
from dtks.verification.models import Finding
from tests.conftest import DESA_A, DESA_B
from tests.factories import family_with_members

from .conftest import new_member_payload, walk
from .test_ratify_deferred import _finalised_program, batch_b  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _closed() -> set[tuple]:
    rows = Finding.objects.exclude(status="open").values_list(
        "rule", "person__nik", "family__no_kk", "status", "closed_by__username"
    )
    return set(rows)


def _open() -> set[tuple]:
    rows = Finding.objects.filter(status="open").values_list("rule", "person__nik", "family_id")
    return set(rows)


def _rolled_back(run) -> tuple[set[tuple], set[tuple]]:
    with transaction.atomic():
        run()
        found = _open(), _closed()
        transaction.set_rollback(True)
    return found


@pytest.fixture
def repaired(regions):
    """Three families with findings the data no longer bears out: each head's mother's name
    was missing, one family had no head; a person is a member of two of them."""
    families = [
        family_with_members(DESA_A),
        family_with_members(DESA_A),
        family_with_members(DESA_B),
    ]
    heads = [f.memberships.get(relationship=c.Relationship.HEAD).person for f in families]
    Person.objects.filter(pk__in=[h.pk for h in heads]).update(mother_name="")
    shared = heads[0]
    Membership.objects.create(
        family=families[1],
        person=shared,
        relationship=c.Relationship.OTHER,
        start_date="2020-01-01",
    )
    headless = families[2].memberships.get(relationship=c.Relationship.HEAD)
    Membership.objects.filter(pk=headless.pk).update(relationship=c.Relationship.OTHER)
    run_checks()
    Person.objects.filter(pk__in=[h.pk for h in heads]).update(mother_name="Siti")
    Membership.objects.filter(pk=headless.pk).update(relationship=c.Relationship.HEAD)
    return families


def test_one_run_with_a_mapping_closes_as_one_run_per_changer(repaired, personas):
    first, second, third = repaired
    # The second family was changed last by operator B, who comes first in the mapping.
    by = {
        second.pk: personas.operator_b,
        first.pk: personas.operator_a,
        third.pk: personas.operator_a,
    }
    one = _rolled_back(lambda: recheck_families(repaired, by=by))

    def per_changer() -> None:  # as the deferred rechecks ran before: a run per user, in order
        recheck_families([second], by=personas.operator_b)
        recheck_families([first, third], by=personas.operator_a)

    assert one == _rolled_back(per_changer)
    closed = {(rule, closer) for rule, _nik, _kk, _status, closer in one[1]}
    assert ("family_head_count", "op_a") in closed
    # The head of the first family is a member of the second too: operator B's run came first.
    shared = repaired[0].memberships.get(relationship=c.Relationship.HEAD).person
    assert ("missing_mother_name", shared.nik, None, "resolved", "op_b") in one[1]


def test_one_changer_in_the_mapping_is_that_changers_run(repaired, personas):
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    by = dict.fromkeys((f.pk for f in repaired), personas.operator_a)
    with transaction.atomic():
        recheck_families(repaired, by=by)
    run = AuditEvent.objects.get(id__gt=start, action="run_checks")
    assert (run.actor_label, run.subject_id) == ("op_a", "families:3")
    assert {closer for *_rest, closer in _closed()} == {"op_a"}


def test_a_month_of_two_proposers_is_rechecked_once_in_each_ones_name(
    batch,
    batch_b,  # noqa: F811 (fixture)
    personas,
    family_a,
    family_b,
):
    heads = [
        f.memberships.get(relationship=c.Relationship.HEAD).person for f in (family_a, family_b)
    ]
    Person.objects.filter(pk__in=[h.pk for h in heads]).update(mother_name="")
    run_checks()
    Person.objects.filter(pk__in=[h.pk for h in heads]).update(mother_name="Siti")
    _finalised_program(batch, family_a, personas.operator_a, personas)
    _finalised_program(batch_b, family_b, personas.operator_b, personas)
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    ratify_period(by=personas.pengesah, year=2023, month=8)
    runs = AuditEvent.objects.filter(id__gt=start, action="run_checks")
    assert list(runs.values_list("actor_label", "subject_id")) == [("sistem", "families:2")]
    closers = Finding.objects.filter(rule="missing_mother_name", status="resolved")
    assert set(closers.values_list("person__nik", "closed_by__username")) == {
        (heads[0].nik, "op_a"),
        (heads[1].nik, "op_b"),
    }


def _savepoints(run) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return sum(1 for q in queries if q["sql"].upper().startswith("SAVEPOINT"))


def test_a_batch_takes_no_savepoint_per_registry_change(batch, personas, family_a):
    """Inside the all-or-nothing batch the registry actions and their saves take no savepoints
    (a refusal rolls the whole batch back: test_ratify_deferred), outside they still do."""
    made = [
        actions.create_proposal(batch, by=personas.operator_a, kind="new_member", family=family_a,
                                payload=new_member_payload(nik=f"17090165011000{i:02d}"))
        for i in range(1, 4)
    ]  # fmt: skip
    for proposal in made:
        walk(proposal, "finalised", personas)
    with transaction.atomic():
        in_batch = _savepoints(lambda: actions.ratify_batch(batch, by=personas.pengesah))
        transaction.set_rollback(True)
    alone = _savepoints(
        lambda: registry.update_family(family_a, by=personas.operator_a, data={"rt": "002"})
    )
    assert alone >= 2  # the action's own and its save's
    assert in_batch <= alone + 2  # the batch's and the checks' own, none per change


def test_outside_a_batch_a_refused_action_leaves_the_callers_transaction_usable(
    personas, family_a, family_b
):
    with transaction.atomic():
        with pytest.raises(DomainError):
            registry.update_family(family_a, by=personas.operator_a, data={"no_kk": family_b.no_kk})
        registry.update_family(family_a, by=personas.operator_a, data={"rt": "009"})
    family_a.refresh_from_db()
    assert family_a.rt == "009"


def test_a_proposer_tied_by_an_earlier_change_of_the_batch_is_refused(batch, personas, family_a):
    """The proposers' conflict checks take the members read for the whole batch, except for
    a family an earlier change of the batch touched: read again, it shows the new tie."""
    added = actions.create_proposal(
        batch, by=personas.pengisi, kind="new_member", family=family_a,
        payload=new_member_payload(),
    )  # fmt: skip
    program = actions.create_proposal(
        batch, by=personas.operator_a, kind="program", subtype="pkh", family=family_a
    )
    for proposal in (added, program):
        walk(proposal, "finalised", personas)
    # The desa operator turns out to be the member the data officer's proposal adds.
    operator = personas.operator_a
    operator.nik = new_member_payload()["person"]["nik"]
    operator.save(update_fields=["nik"])
    with pytest.raises(DomainError) as refused:
        actions.ratify_batch(batch, by=personas.pengesah)
    assert f"#{program.pk}" in refused.value.message
    assert refused.value.code == "conflict_of_interest"
    program.refresh_from_db()
    assert program.status == "finalised"
