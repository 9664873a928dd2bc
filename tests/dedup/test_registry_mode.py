"""Registry mode: the registry's persons compared, the pairs put on the review queue, and the
decisions remembered across runs."""

from __future__ import annotations

import pytest

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.dedup.actions import decide, find_candidates
from dtks.dedup.models import CandidatePair, PairStatus
from tests.conftest import KEC_A


def _pairs() -> set[tuple[int, int]]:
    return set(CandidatePair.objects.values_list("person_l", "person_r"))


def _key(a, b) -> tuple[int, int]:
    return (min(a.pk, b.pk), max(a.pk, b.pk))


def test_writes_the_planted_pairs_as_pending(planted) -> None:
    summary = find_candidates()
    yusuf, nur = _key(planted.yusuf_old, planted.yusuf_new), _key(planted.nur_a, planted.nur_b)
    assert _pairs() == {yusuf, nur}
    assert set(CandidatePair.objects.values_list("status", flat=True)) == {PairStatus.PENDING}
    assert (summary.run.found, summary.run.created, summary.run.updated) == (2, 2, 0)
    assert all(
        0.8 <= p <= 1 for p in CandidatePair.objects.values_list("match_probability", flat=True)
    )


def test_a_run_is_one_audit_event_with_its_counts(planted) -> None:
    summary = find_candidates()
    event = AuditEvent.objects.get(action="record_candidates")
    assert event.subject_id == str(summary.run.pk)
    assert (event.after["created"], event.after["found"]) == (2, 2)


def test_decisions_are_remembered_across_runs(planted, personas) -> None:
    find_candidates()
    nur = CandidatePair.objects.get(person_l=min(planted.nur_a.pk, planted.nur_b.pk))
    yusuf = CandidatePair.objects.exclude(pk=nur.pk).get()
    decide(nur, by=personas.pengelola, decision=PairStatus.DIFFERENT, note="kakak beradik")
    decide(yusuf, by=personas.pengelola, decision=PairStatus.DEFERRED)
    CandidatePair.objects.filter(pk=yusuf.pk).update(match_probability=0.85)

    again = find_candidates().run

    assert (again.created, again.updated, again.skipped) == (0, 1, 1)
    nur.refresh_from_db()
    yusuf.refresh_from_db()
    assert (nur.status, nur.note, nur.decided_by) == (
        "different",
        "kakak beradik",
        personas.pengelola,
    )
    assert nur.last_run_id == nur.first_run_id  # a decided pair is not touched at all
    assert yusuf.status == PairStatus.DEFERRED
    assert yusuf.match_probability > 0.85 and yusuf.last_run_id == again.pk


def test_wilayah_limits_the_persons_compared(planted) -> None:
    summary = find_candidates(wilayah=KEC_A)
    # Nur Hayati lives in kecamatan B: only the pair of Yusuf lies inside kecamatan A.
    assert _pairs() == {_key(planted.yusuf_old, planted.yusuf_new)}
    assert summary.run.wilayah == KEC_A


def test_a_user_runs_only_inside_their_verify_area(planted, personas) -> None:
    with pytest.raises(PermissionDeniedError):
        find_candidates(by=personas.operator_a)
    with pytest.raises(PermissionDeniedError):
        find_candidates(by=personas.pengelola, wilayah="17.01")
    run = find_candidates(by=personas.pengelola).run
    assert (run.wilayah, run.by) == ("17.09", personas.pengelola)


def test_refuses_a_threshold_outside_0_1(planted) -> None:
    with pytest.raises(DomainError):
        find_candidates(threshold=1.5)
