"""The vectorised family rules find exactly what the per-record family rules find: same rule,
field, message and severity for the same families, on edge cases and on what Hypothesis draws."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from dtks.verification.rules import (
    CheckContext,
    FamilyChecker,
    FamilyData,
    MemberData,
    check_families,
    check_family,
)
from dtks.verification.rules.family_vector import (
    FAMILY_SCHEMA,
    MEMBER_SCHEMA,
    family_data,
    family_frames,
)

TODAY = dt.date(2026, 2, 28)
HEAD = MemberData(1, "Ahmad", 1, dt.date(1980, 3, 4), 1)
SPOUSE = MemberData(2, "Siti", 2, dt.date(1983, 5, 6), 1)
CHILD = MemberData(3, "Budi", 3, dt.date(2008, 1, 10), 1)
CLEAN = FamilyData(1, "active", ("pkh",), (HEAD, SPOUSE, CHILD))


def per_record(families: list[FamilyData], context: CheckContext) -> list[tuple]:
    return sorted(
        (f.id, found.rule, found.severity, found.field, found.message)
        for f in families
        for found in check_family(f, context)
    )


def vectorised(families: list[FamilyData], context: CheckContext) -> list[tuple]:
    return sorted(check_families(families, context).rows())


def assert_same(families: list[FamilyData], context: CheckContext, language: str = "id") -> None:
    with translation.override(language):
        assert vectorised(families, context) == per_record(families, context)


def member(person_id: int, relationship: int | None, born: dt.date | None, **kw) -> MemberData:
    return MemberData(person_id, kw.pop("name", f"Warga {person_id}"), relationship, born, **kw)


def edge_families() -> list[FamilyData]:
    born_29_feb = dt.date(2012, 2, 29)  # 14 on 28 Feb 2026, 14 on 1 Mar too (birthday passed)
    families = [
        CLEAN,
        dataclasses.replace(CLEAN, members=()),  # nobody: no head
        dataclasses.replace(CLEAN, members=(SPOUSE, CHILD)),
        dataclasses.replace(CLEAN, members=(HEAD, dataclasses.replace(SPOUSE, relationship=1))),
        dataclasses.replace(CLEAN, members=(HEAD, dataclasses.replace(HEAD, person_id=9))),
        # children older than the head, one of them on the same day (not older)
        dataclasses.replace(
            CLEAN,
            members=(
                member(4, 3, dt.date(1970, 1, 1), name=None),
                HEAD,
                member(5, 3, HEAD.birth_date),
                member(6, 3, dt.date(1979, 12, 31), name="Ani, S.Pd; 100%"),
                member(7, 3, None),
            ),
        ),
        dataclasses.replace(CLEAN, members=(member(8, 1, None), CHILD)),
        # ages around the limits on TODAY
        dataclasses.replace(CLEAN, members=(member(10, 1, dt.date(2011, 2, 28)),)),  # 15 today
        dataclasses.replace(CLEAN, members=(member(11, 1, dt.date(2011, 3, 1)),)),  # 14
        dataclasses.replace(CLEAN, members=(member(12, 1, born_29_feb),)),
        dataclasses.replace(CLEAN, members=(HEAD, member(13, 2, dt.date(2010, 2, 28)))),  # 16
        dataclasses.replace(CLEAN, members=(HEAD, member(14, 2, dt.date(2010, 3, 1)))),  # 15
        dataclasses.replace(CLEAN, members=(HEAD, member(15, 2, dt.date(2030, 1, 1)))),  # unborn
        dataclasses.replace(CLEAN, members=(HEAD, member(16, 2, dt.date(1000, 1, 1)))),
        # programs and died members
        dataclasses.replace(CLEAN, status="inactive"),
        dataclasses.replace(CLEAN, status="inactive", programs=()),
        dataclasses.replace(CLEAN, status="inactive", programs=("bpnt", "pkh", "unknown")),
        dataclasses.replace(CLEAN, status="inactive", members=(), programs=("pbi_jkn",)),
        dataclasses.replace(
            CLEAN,
            members=(HEAD, dataclasses.replace(SPOUSE, presence=2), member(17, 5, None, name="")),
        ),
        dataclasses.replace(
            CLEAN,
            programs=("bpnt", "pkh"),
            members=(
                dataclasses.replace(HEAD, presence=2),
                SPOUSE,
                member(18, 6, dt.date(1940, 1, 1), name=None, presence=2),
            ),
        ),
        dataclasses.replace(CLEAN, programs=(), members=(dataclasses.replace(HEAD, presence=2),)),
        dataclasses.replace(CLEAN, status="inactive", members=(member(19, 1, TODAY),)),
    ]
    return [dataclasses.replace(f, id=i) for i, f in enumerate(families, start=1)]


@pytest.mark.parametrize("language", ["id", "en"])
def test_edge_cases_agree(language: str) -> None:
    families = edge_families()
    context = CheckContext(today=TODAY)
    assert_same(families, context, language)
    found = {row[1] for row in per_record(families, context)}
    assert found == {
        "family_head_count",
        "child_older_than_head",
        "head_under_15",
        "spouse_under_16",
        "inactive_family_in_program",
        "deceased_member_in_program",
    }


def test_edge_cases_agree_on_the_real_today() -> None:
    assert_same(edge_families(), CheckContext())


def test_several_hits_on_one_family_make_one_finding_in_member_order() -> None:
    family = edge_families()[5]
    with translation.override("en"):
        (row,) = vectorised([family], CheckContext(today=TODAY))
    assert row[1:4] == ("child_older_than_head", "error", "relationship")
    assert row[4] == (
        ", a child (born 01-01-1970), is older than the head of family Ahmad (born 04-03-1980); "
        "Ani, S.Pd; 100%, a child (born 31-12-1979), is older than the head of family Ahmad "
        "(born 04-03-1980)"
    )


def test_the_checker_gives_the_same_rows_per_record_and_vectorised(monkeypatch) -> None:
    families, members = family_frames(edge_families())
    context = CheckContext(today=TODAY)
    per_record_rows = sorted(FamilyChecker(context)(families, members).rows())
    monkeypatch.setattr(FamilyChecker, "vectorised_from", 0)
    assert sorted(FamilyChecker(context)(families, members).rows()) == per_record_rows


def test_frames_and_plain_families_convert_both_ways() -> None:
    families = edge_families()
    frames = family_frames(families)
    assert frames[0].schema == FAMILY_SCHEMA and frames[1].schema == MEMBER_SCHEMA
    assert family_data(*frames) == [
        dataclasses.replace(f, programs=tuple(f.programs), members=tuple(f.members))
        for f in families
    ]


names = st.none() | st.text(alphabet="AB ,;%-'", max_size=5)
dates = st.none() | st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(2100, 12, 31))
members = st.builds(
    MemberData,
    person_id=st.none(),
    name=names,
    relationship=st.none() | st.integers(min_value=0, max_value=9),
    birth_date=st.one_of(
        dates, st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2016, 12, 31))
    ),
    presence=st.none() | st.integers(min_value=0, max_value=7),
)
families = st.lists(
    st.builds(
        FamilyData,
        id=st.none(),
        status=st.sampled_from(["active", "inactive"]),
        programs=st.lists(
            st.sampled_from(["pkh", "bpnt", "pbi_jkn", "x"]), max_size=3, unique=True
        ),
        members=st.lists(members, max_size=6).map(tuple),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(
    families, st.none() | st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
)
def test_any_families_agree(drawn: list[FamilyData], today: dt.date | None) -> None:
    numbered = []
    for i, family in enumerate(drawn, start=1):
        people = tuple(
            dataclasses.replace(m, person_id=i * 10 + j) for j, m in enumerate(family.members)
        )
        numbered.append(dataclasses.replace(family, id=i, members=people))
    assert_same(numbered, CheckContext(today=today))
