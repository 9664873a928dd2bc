"""Family-level rules on plain data: each rule on an example, a sound family finds nothing, an
inactive family is judged only on the programs it still receives."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import translation

from dtks.verification.rules import RULES, CheckContext, FamilyData, MemberData, check_family

TODAY = dt.date(2026, 6, 30)
HEAD = MemberData(1, "Ahmad", 1, dt.date(1980, 3, 4), 1)
SPOUSE = MemberData(2, "Siti", 2, dt.date(1983, 5, 6), 1)
CHILD = MemberData(3, "Budi", 3, dt.date(2008, 1, 10), 1)
GRANDMA = MemberData(4, "Painem", 6, dt.date(1950, 1, 1), 1)
SOUND = FamilyData(1, "active", ("bpnt", "pkh"), (HEAD, SPOUSE, CHILD, GRANDMA))
CONTRACT = {
    "family_head_count": "error",
    "child_older_than_head": "error",
    "head_under_15": "error",
    "spouse_under_16": "error",
    "inactive_family_in_program": "error",
    "deceased_member_in_program": "warning",
}


def found(family: FamilyData) -> dict[str, str]:
    return {f.rule: f.severity for f in check_family(family, CheckContext(today=TODAY))}


def messages(family: FamilyData) -> dict[str, str]:
    with translation.override("en"):
        return {f.rule: f.message for f in check_family(family, CheckContext(today=TODAY))}


def with_members(*members: MemberData, **changes: object) -> FamilyData:
    return dataclasses.replace(SOUND, members=members, **changes)


def test_registry_holds_the_family_codes_with_their_severity() -> None:
    assert {code: RULES[code].severity for code in CONTRACT} == CONTRACT
    assert all(RULES[code].level == "family" and RULES[code].regulation for code in CONTRACT)


def test_sound_family_has_no_finding() -> None:
    assert found(SOUND) == {}


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        (with_members(SPOUSE, CHILD), {"family_head_count": "error"}),
        (with_members(), {"family_head_count": "error"}),
        (
            with_members(HEAD, dataclasses.replace(CHILD, birth_date=dt.date(1975, 1, 1))),
            {"child_older_than_head": "error"},
        ),
        (
            with_members(dataclasses.replace(HEAD, birth_date=dt.date(2012, 7, 1))),
            {"head_under_15": "error"},
        ),
        (
            with_members(HEAD, dataclasses.replace(SPOUSE, birth_date=dt.date(2010, 7, 1))),
            {"spouse_under_16": "error"},
        ),
        (dataclasses.replace(SOUND, status="inactive"), {"inactive_family_in_program": "error"}),
        (
            with_members(HEAD, dataclasses.replace(GRANDMA, presence=2)),
            {"deceased_member_in_program": "warning"},
        ),
    ],
)
def test_each_rule_finds_its_defect(family: FamilyData, expected: dict[str, str]) -> None:
    assert found(family) == expected


def test_ages_on_the_limits_are_not_findings() -> None:
    head_15 = dataclasses.replace(HEAD, birth_date=dt.date(2011, 6, 30))
    spouse_16 = dataclasses.replace(SPOUSE, birth_date=dt.date(2010, 6, 30))
    same_day = dataclasses.replace(CHILD, birth_date=head_15.birth_date)
    assert found(with_members(head_15, spouse_16, same_day)) == {}


def test_no_age_finding_without_a_single_head_or_a_birth_date() -> None:
    older = dataclasses.replace(CHILD, birth_date=dt.date(1975, 1, 1))
    assert found(with_members(SPOUSE, older)) == {"family_head_count": "error"}
    assert found(with_members(dataclasses.replace(HEAD, birth_date=None), older)) == {}


def test_two_heads_are_found_in_data_not_yet_saved() -> None:
    family = with_members(HEAD, dataclasses.replace(SPOUSE, relationship=1))
    assert messages(family) == {
        "family_head_count": "The family has 2 heads of family; a KK has exactly one"
    }


def test_an_inactive_family_is_judged_only_on_its_programs() -> None:
    inactive = with_members(dataclasses.replace(GRANDMA, presence=2), status="inactive")
    assert found(inactive) == {"inactive_family_in_program": "error"}
    assert found(dataclasses.replace(inactive, programs=())) == {}


def test_a_died_member_without_programs_is_left_to_the_person_rule() -> None:
    family = with_members(HEAD, dataclasses.replace(GRANDMA, presence=2), programs=())
    assert found(family) == {}


def test_messages_name_the_members_and_the_programs() -> None:
    older = dataclasses.replace(CHILD, birth_date=dt.date(1975, 1, 1))
    died = dataclasses.replace(GRANDMA, presence=2)
    assert messages(with_members(HEAD, older, died)) == {
        "child_older_than_head": (
            "Budi, a child (born 01-01-1975), is older than the head of family Ahmad "
            "(born 04-03-1980)"
        ),
        "deceased_member_in_program": (
            "Painem recorded as died, yet the family still receives Sembako/BPNT, PKH"
        ),
    }
    assert messages(dataclasses.replace(SOUND, status="inactive")) == {
        "inactive_family_in_program": "The family is inactive but still receives Sembako/BPNT, PKH"
    }
