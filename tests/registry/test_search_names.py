"""A name search finds a family by the names of its *current* members, whatever changed them."""

from __future__ import annotations

import datetime as dt

from dtks.registry import actions
from dtks.registry import choices as c
from dtks.registry.models import Family


def _found(name: str) -> set[int]:
    return set(Family.objects.search(name).values_list("pk", flat=True))


def test_a_renamed_member_is_found_by_the_new_name_only(personas, family_a, family_b):
    head = family_a.memberships.get(relationship=c.Relationship.HEAD).person
    old_name = head.name
    actions.update_person(
        head, by=personas.operator_a, data={"name": "Bambang Sutrisno"}, family=family_a
    )
    assert _found("sutrisno") == {family_a.pk}
    assert _found(old_name) == set()


def test_a_member_who_left_no_longer_finds_the_family(personas, family_a):
    child = family_a.memberships.filter(relationship=c.Relationship.CHILD).first()
    assert family_a.pk in _found(child.person.name)
    actions.end_membership(
        child, by=personas.operator_a, reason="menikah", end_date=dt.date(2024, 1, 1)
    )
    assert family_a.pk not in _found(child.person.name)


def test_a_search_never_matches_across_two_members_names(personas, family_a):
    names = [m.person.name for m in family_a.current_memberships().order_by("id")[:2]]
    across = f"{names[0][-3:]} {names[1][:3]}"
    assert family_a.pk in _found(names[0]) and family_a.pk in _found(names[1])
    assert family_a.pk not in _found(across)
