"""Undoing a merge restores exactly what it changed, and is refused when that is unsafe."""

from __future__ import annotations

from typing import Any

import pytest

from dtks.audit.diff import snapshot
from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError
from dtks.dedup.actions import decide, find_candidates, unmerge
from dtks.dedup.models import CandidatePair, Merge, PairStatus
from dtks.registry.actions import add_member
from dtks.registry.models import Family, Membership, Person


def _state() -> dict[str, Any]:
    """Every registry row as it stands (timestamps aside)."""
    return {
        model.__name__: {obj.pk: snapshot(obj) for obj in model.objects.all()}
        for model in (Person, Family, Membership)
    }


def _merged(planted, by, left, right) -> tuple[CandidatePair, Merge]:
    find_candidates()
    pair = CandidatePair.objects.get(
        person_l=min(left.pk, right.pk), person_r=max(left.pk, right.pk)
    )
    decide(pair, by=by, decision=PairStatus.SAME)
    return pair, Merge.objects.get(pair=pair)


@pytest.mark.parametrize("who", ["nur", "yusuf"])
def test_unmerge_restores_the_registry_exactly(planted, personas, who: str) -> None:
    people = {
        "nur": (planted.nur_a, planted.nur_b),
        "yusuf": (planted.yusuf_old, planted.yusuf_new),
    }
    before = _state()
    pair, merge = _merged(planted, personas.pengelola, *people[who])
    assert _state() != before

    unmerge(merge, by=personas.pengelola, note="dua orang")

    assert _state() == before
    pair.refresh_from_db()
    merge.refresh_from_db()
    assert (pair.status, pair.note) == (PairStatus.DIFFERENT, "dua orang")
    assert (merge.reversed_by, merge.in_force) == (personas.pengelola, False)
    assert AuditEvent.objects.filter(action="unmerge_duplicates").exists()
    assert AuditEvent.objects.filter(action="reactivate_person").exists()


def test_a_re_run_after_unmerge_does_not_ask_again(planted, personas) -> None:
    pair, merge = _merged(planted, personas.pengelola, planted.nur_a, planted.nur_b)
    unmerge(merge, by=personas.pengelola)
    run = find_candidates().run
    assert (run.created, run.updated, run.skipped) == (0, 1, 1)
    pair.refresh_from_db()
    assert pair.status == PairStatus.DIFFERENT


def test_refused_when_the_dropped_nik_is_now_held_by_another_active_person(
    planted, personas
) -> None:
    _pair, merge = _merged(planted, personas.pengelola, planted.nur_a, planted.nur_b)
    family = Membership.objects.filter(person=planted.nur_a).get().family
    add_member(
        family,
        by=personas.pengelola,
        relationship=3,
        data={
            "nik": planted.nur_b.nik, "name": "Orang Lain", "birth_date": planted.nur_b.birth_date,
            "sex": 2, "birth_place": "Curup", "mother_name": "Rohani", "marital_status": 1,
        },
    )  # fmt: skip
    state = _state()
    with pytest.raises(DomainError) as refused:
        unmerge(merge, by=personas.pengelola)
    assert refused.value.code == "unsafe"
    assert _state() == state
    merge.refresh_from_db()
    assert merge.in_force


def test_refused_when_the_emptied_family_has_a_new_head(planted, personas) -> None:
    _pair, merge = _merged(planted, personas.pengelola, planted.yusuf_old, planted.yusuf_new)
    family = Family.objects.get(pk=merge.families[0])
    Family.objects.filter(pk=family.pk).update(status="active", inactive_reason="")
    family.refresh_from_db()
    add_member(
        family, by=personas.pengelola, relationship=1,
        data={"nik": "1709010101700001", "name": "Kepala Baru", "birth_date": "1970-01-01",
              "sex": 1, "birth_place": "Bengkulu", "mother_name": "Ibu", "marital_status": 2},
    )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        unmerge(merge, by=personas.pengelola)
    assert refused.value.code == "unsafe"


def test_a_filled_attribute_changed_since_is_left_as_it_is(planted, personas) -> None:
    _pair, merge = _merged(planted, personas.pengelola, planted.nur_a, planted.nur_b)
    Person.objects.filter(pk=planted.nur_a.pk).update(marital_status=2)
    unmerge(merge, by=personas.pengelola)
    assert Person.objects.get(pk=planted.nur_a.pk).marital_status == 2
    assert Person.objects.get(pk=planted.nur_b.pk).is_active


def test_a_merge_is_undone_once(planted, personas) -> None:
    _pair, merge = _merged(planted, personas.pengelola, planted.nur_a, planted.nur_b)
    unmerge(merge, by=personas.pengelola)
    with pytest.raises(DomainError) as refused:
        unmerge(merge, by=personas.pengelola)
    assert refused.value.code == "reversed"


def test_only_a_verifier_may_undo(planted, personas) -> None:
    _pair, merge = _merged(planted, personas.pengelola, planted.nur_a, planted.nur_b)
    with pytest.raises(DomainError):
        unmerge(merge, by=personas.pengisi)
    merge.refresh_from_db()
    assert merge.in_force
