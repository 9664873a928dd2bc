"""Person-level rules on plain data: each rule on an example, and clean persons find nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from dtks.demo.synth import make_nik
from dtks.verification.rules import RULES, CheckContext, PersonData, check_person

KNOWN = {"17.09.01", "17.09.02"}
BORN = dt.date(1985, 8, 17)
CLEAN = PersonData(
    id=1,
    nik=make_nik("17.09.01", BORN, 2, 1),
    name="Siti Aminah",
    birth_place="Bengkulu",
    birth_date=BORN,
    sex=2,
    marital_status=2,
    mother_name="Rosmala",
)
CONTRACT = {
    "nik_invalid_date": "error",
    "nik_serial_zero": "error",
    "nik_birth_date_mismatch": "error",
    "nik_sex_mismatch": "error",
    "nik_region_unknown": "warning",
    "missing_mother_name": "error",
    "missing_birth_place": "error",
    "missing_marital_status": "error",
    "missing_name": "error",
    "deceased_still_active": "error",
    "multiple_families": "error",
    "nik_duplicate": "error",
}


def found(**changes: object) -> dict[str, str]:
    person = dataclasses.replace(CLEAN, **changes)
    return {f.rule: f.severity for f in check_person(person, CheckContext(known_regions=KNOWN))}


def test_registry_holds_the_contract_codes_with_their_severity() -> None:
    assert {code: RULES[code].severity for code in CONTRACT} == CONTRACT
    assert all(RULES[code].level == "person" and RULES[code].regulation for code in CONTRACT)


def test_clean_person_has_no_finding() -> None:
    assert found() == {}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "  "}, {"missing_name": "error"}),
        ({"mother_name": ""}, {"missing_mother_name": "error"}),
        ({"mother_name": "-"}, {"missing_mother_name": "error"}),
        ({"birth_place": ""}, {"missing_birth_place": "error"}),
        ({"marital_status": None}, {"missing_marital_status": "error"}),
        ({"nik": CLEAN.nik[:12] + "0000"}, {"nik_serial_zero": "error"}),
        ({"birth_date": dt.date(1985, 8, 18)}, {"nik_birth_date_mismatch": "error"}),
        ({"sex": 1}, {"nik_sex_mismatch": "error"}),
        ({"nik": "990901" + CLEAN.nik[6:]}, {"nik_region_unknown": "warning"}),
        ({"nik": CLEAN.nik[:15]}, {"nik_format": "error"}),
        ({"presence": 2}, {"deceased_still_active": "error"}),
        ({"families": ("1709012001K000001", "1709012001K000002")}, {"multiple_families": "error"}),
        ({"nik_others": ("1709012001P000009",)}, {"nik_duplicate": "error"}),
    ],
)
def test_each_rule_finds_its_defect(changes: dict[str, object], expected: dict[str, str]) -> None:
    assert found(**changes) == expected


@pytest.mark.parametrize(
    "changes",
    [{"presence": 1}, {"presence": 3}, {"families": ("1709012001K000001",)}, {"nik_others": ()}],
)
def test_present_person_in_one_family_with_a_unique_nik_is_clean(changes: dict) -> None:
    assert found(**changes) == {}


def test_cross_record_findings_name_the_other_records() -> None:
    person = dataclasses.replace(
        CLEAN, families=("1709012001K000001", "1709012002K000007"), nik_others=("P1", "P2")
    )
    with translation.override("en"):
        findings = {f.rule: f for f in check_person(person, CheckContext(known_regions=KNOWN))}
    assert findings["multiple_families"].message == (
        "Current member of 2 families (ID DTKS 1709012001K000001, 1709012002K000007): "
        "a person belongs to one KK only"
    )
    assert findings["nik_duplicate"].message.startswith("NIK is also recorded for ID DTKS P1, P2")
    assert (findings["multiple_families"].field, findings["nik_duplicate"].field) == (
        "families",
        "nik",
    )


def test_a_values_row_without_the_gathered_facts_is_checked() -> None:
    row = {name: getattr(CLEAN, name) for name in PersonData.field_names()[:8]}
    person = PersonData.from_values(row | {"presence": 2})
    assert (person.families, person.nik_others) == ((), ())
    assert [f.rule for f in check_person(person, CheckContext())] == ["deceased_still_active"]


def test_invalid_date_is_reported_once_not_as_a_mismatch() -> None:
    nik = CLEAN.nik[:8] + "13" + CLEAN.nik[10:]
    assert found(nik=nik) == {"nik_invalid_date": "error"}


def test_unknown_region_is_not_checked_without_loaded_regions() -> None:
    person = dataclasses.replace(CLEAN, nik="990901" + CLEAN.nik[6:])
    assert check_person(person, CheckContext(known_regions=None)) == []


def test_findings_carry_indonesian_messages_naming_the_field() -> None:
    person = dataclasses.replace(CLEAN, mother_name="", birth_date=dt.date(1985, 8, 18))
    with translation.override("id"):
        findings = {f.rule: f for f in check_person(person, CheckContext(known_regions=KNOWN))}
    assert findings["missing_mother_name"].field == "mother_name"
    assert "Nama ibu kandung" in findings["missing_mother_name"].message
    assert "Tanggal lahir pada NIK (17-08-85)" in findings["nik_birth_date_mismatch"].message
    assert "17-08-1985" not in findings["nik_birth_date_mismatch"].message


@given(
    st.sampled_from(sorted(KNOWN)),
    st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2023, 12, 31)),
    st.sampled_from([1, 2]),
    st.integers(min_value=1, max_value=9999),
)
def test_any_consistent_synthetic_person_is_clean(
    kecamatan: str, born: dt.date, sex: int, serial: int
) -> None:
    person = dataclasses.replace(
        CLEAN, nik=make_nik(kecamatan, born, sex, serial), birth_date=born, sex=sex
    )
    assert check_person(person, CheckContext(known_regions=KNOWN)) == []
