"""Sama: the records merged — the one with active aid history kept, the other deactivated as a
duplicate through the registry actions, audited; who may decide."""

from __future__ import annotations

import pytest

from dtks.accounts.roles import Role
from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.dedup.actions import decide, find_candidates
from dtks.dedup.models import CandidatePair, KeptBecause, Merge, PairStatus
from dtks.registry.conflicts import ConflictOfInterestError
from dtks.registry.models import Family, Membership, Person
from tests.factories import MembershipFactory, PersonFactory, UserFactory


def _pair(a, b) -> CandidatePair:
    return CandidatePair.objects.get(person_l=min(a.pk, b.pk), person_r=max(a.pk, b.pk))


@pytest.fixture
def queue(planted):
    find_candidates()
    return planted


def test_keeps_the_record_with_active_aid_even_when_newer(queue, personas) -> None:
    pair = _pair(queue.yusuf_old, queue.yusuf_new)
    decide(pair, by=personas.pengelola, decision=PairStatus.SAME)
    merge = Merge.objects.get(pair=pair)
    assert (merge.kept, merge.dropped) == (queue.yusuf_new, queue.yusuf_old)
    assert merge.kept_because == KeptBecause.AID
    assert Person.objects.get(pk=queue.yusuf_new.pk).is_active


def test_without_aid_on_either_side_keeps_the_older_record(queue, personas) -> None:
    pair = _pair(queue.nur_a, queue.nur_b)
    decide(pair, by=personas.pengelola, decision=PairStatus.SAME)
    merge = Merge.objects.get(pair=pair)
    assert (merge.kept, merge.kept_because) == (queue.nur_a, KeptBecause.OLDER)


def test_deactivates_the_duplicate_ends_its_membership_and_empties_its_family(
    queue, personas
) -> None:
    pair = _pair(queue.nur_a, queue.nur_b)
    family_b = Membership.objects.get(person=queue.nur_b).family

    decide(pair, by=personas.pengelola, decision=PairStatus.SAME, note="satu orang")

    dropped = Person.objects.get(pk=queue.nur_b.pk)
    assert (dropped.status, dropped.inactive_reason) == ("inactive", "duplicate")
    assert not Membership.objects.filter(person=dropped, end_date__isnull=True).exists()
    family_b.refresh_from_db()
    assert (family_b.status, family_b.inactive_reason) == ("inactive", "duplicate")
    pair.refresh_from_db()
    assert (pair.status, pair.note, pair.decided_by) == ("same", "satu orang", personas.pengelola)
    merge = Merge.objects.get(pair=pair)
    assert merge.families == [family_b.pk] and len(merge.memberships) == 1


def test_fills_blank_attributes_of_the_kept_record(queue, personas) -> None:
    decide(_pair(queue.nur_a, queue.nur_b), by=personas.pengelola, decision=PairStatus.SAME)
    kept = Person.objects.get(pk=queue.nur_a.pk)
    assert kept.marital_status == queue.nur_b.marital_status
    assert Merge.objects.get().filled == {
        "marital_status": {"before": None, "after": queue.nur_b.marital_status}
    }


def test_a_merge_is_audited(queue, personas) -> None:
    decide(_pair(queue.nur_a, queue.nur_b), by=personas.pengelola, decision=PairStatus.SAME)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"merge_duplicates", "deactivate_person", "set_family_status"} <= actions
    assert AuditEvent.objects.get(action="merge_duplicates", subject_type="merge").actor == (
        personas.pengelola
    )


def test_a_family_keeping_other_members_stays_active(queue, personas) -> None:
    pair = _pair(queue.yusuf_old, queue.yusuf_new)
    family = Membership.objects.get(person=queue.yusuf_old).family
    MembershipFactory(family=family, person=PersonFactory(name="Siti Rahma"), relationship=2)
    decide(pair, by=personas.pengelola, decision=PairStatus.SAME)
    assert Family.objects.get(pk=family.pk).is_active
    assert Merge.objects.get().families == []


def test_roles_without_verify_may_not_decide(queue, personas) -> None:
    pair = _pair(queue.yusuf_old, queue.yusuf_new)
    for user in (personas.operator_a, personas.pengisi, personas.pimpinan):
        with pytest.raises(PermissionDeniedError):
            decide(pair, by=user, decision=PairStatus.DIFFERENT)
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING


def test_a_verifier_of_another_area_may_not_decide(queue) -> None:
    elsewhere = UserFactory(username="pengelola_lain", roles=[(Role.PENGELOLA, "17.01")])
    with pytest.raises(PermissionDeniedError):
        decide(_pair(queue.nur_a, queue.nur_b), by=elsewhere, decision=PairStatus.SAME)


def test_an_officer_tied_to_either_family_may_not_decide(queue) -> None:
    tied = UserFactory(username="pengelola_kerabat", roles=[(Role.PENGELOLA, "17.09")])
    tied.nik = queue.nur_b.nik
    tied.save()
    pair = _pair(queue.nur_a, queue.nur_b)
    with pytest.raises(ConflictOfInterestError):
        decide(pair, by=tied, decision=PairStatus.SAME)
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING
    assert Person.objects.get(pk=queue.nur_b.pk).is_active


def test_a_merged_pair_changes_only_by_undoing_the_merge(queue, personas) -> None:
    pair = _pair(queue.nur_a, queue.nur_b)
    decide(pair, by=personas.pengelola, decision=PairStatus.SAME)
    with pytest.raises(DomainError) as refused:
        decide(pair, by=personas.pengelola, decision=PairStatus.DIFFERENT)
    assert refused.value.code == "merged"


def test_a_pair_with_a_record_no_longer_active_is_not_merged(queue, personas) -> None:
    Person.objects.filter(pk=queue.nur_b.pk).update(status="inactive", inactive_reason="died")
    with pytest.raises(DomainError):
        decide(_pair(queue.nur_a, queue.nur_b), by=personas.pengelola, decision=PairStatus.SAME)
    assert not Merge.objects.exists()
