"""NIK / No. KK library: examples for every problem code, and properties over generated NIKs."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from dtks.core.nik import parse_nik, validate_nik, validate_no_kk
from dtks.demo.synth import make_nik, make_no_kk

TODAY = dt.date(2026, 6, 1)
KEC = "17.09.01"
KNOWN = {KEC, "17.09.02", "32.76.01"}
NIK_CODES = {
    "nik_length",
    "nik_not_digits",
    "nik_region_unknown",
    "nik_invalid_date",
    "nik_serial_zero",
    "nik_birth_date_mismatch",
    "nik_sex_mismatch",
}


def codes(problems: list) -> list[str]:
    return [p.code for p in problems]


def check(nik: str, **kwargs: object) -> list[str]:
    return codes(validate_nik(nik, known_regions=KNOWN, today=TODAY, **kwargs))


# Examples, one per code.


def test_accepts_a_consistent_male_nik() -> None:
    nik = make_nik(KEC, dt.date(1985, 8, 17), 1, 1)
    assert nik == "1709011708850001"
    assert check(nik, birth_date=dt.date(1985, 8, 17), sex=1) == []


def test_reads_a_womans_day_plus_40() -> None:
    parsed = parse_nik("1709015708850002", today=TODAY)
    assert parsed is not None
    assert (parsed.sex, parsed.birth_date, parsed.day) == (2, dt.date(1985, 8, 17), 57)
    assert check("1709015708850002", birth_date=dt.date(1985, 8, 17), sex=2) == []


def test_parses_region_codes_and_serial() -> None:
    parsed = parse_nik("1709011708850123", today=TODAY)
    assert parsed is not None
    assert (parsed.province, parsed.kabupaten, parsed.kecamatan) == ("17", "17.09", "17.09.01")
    assert (parsed.serial, parsed.yy) == (123, 85)


def test_two_digit_year_never_resolves_to_the_future() -> None:
    assert parse_nik("1709011705260001", today=TODAY).birth_date == dt.date(2026, 5, 17)
    assert parse_nik("1709011707260001", today=TODAY).birth_date == dt.date(1926, 7, 17)


def test_accepts_29_february_of_a_leap_year_only() -> None:
    assert check("1709012902000001") == []
    assert check("1709016902240001") == []  # a woman born 29-02-2024
    assert check("1709012902230001") == ["nik_invalid_date"]


def test_rejects_nik_with_15_digits() -> None:
    assert check("170901170885001") == ["nik_length"]


def test_rejects_letters_in_nik() -> None:
    assert check("17090117088500A1") == ["nik_not_digits"]


def test_rejects_the_excel_float_form_of_a_nik() -> None:
    assert set(check("1.70901170885e+15")) == {"nik_not_digits", "nik_length"}


def test_rejects_non_ascii_digits() -> None:
    assert check("١٧٠٩٠١١٧٠٨٨٥٠٠٠١") == ["nik_not_digits"]


def test_warns_on_unknown_region_only() -> None:
    problems = validate_nik("9999011708850001", known_regions=KNOWN, today=TODAY)
    assert [(p.code, p.severity) for p in problems] == [("nik_region_unknown", "warning")]


def test_skips_region_check_without_known_regions() -> None:
    assert validate_nik("9999011708850001", today=TODAY) == []


def test_rejects_day_32_day_40_and_month_13() -> None:
    for nik in ("1709013208850001", "1709014008850001", "1709011713850001", "1709017208850001"):
        assert check(nik) == ["nik_invalid_date"], nik


def test_invalid_date_is_not_also_a_mismatch() -> None:
    assert check("1709013208850001", birth_date=dt.date(1985, 8, 17), sex=2) == ["nik_invalid_date"]


def test_rejects_serial_0000() -> None:
    assert check("1709011708850000") == ["nik_serial_zero"]


def test_finds_birth_date_mismatch() -> None:
    problems = validate_nik("1709011708850001", birth_date=dt.date(1985, 8, 18), today=TODAY)
    assert codes(problems) == ["nik_birth_date_mismatch"]
    assert "17-08-85" in problems[0].message and "18-08-1985" in problems[0].message


def test_birth_year_compares_by_its_last_two_digits() -> None:
    assert check("1709011708200001", birth_date=dt.date(1920, 8, 17)) == []
    assert check("1709011708200001", birth_date=dt.date(1921, 8, 17)) == ["nik_birth_date_mismatch"]


def test_finds_sex_mismatch_both_ways() -> None:
    assert check("1709011708850001", sex=2) == ["nik_sex_mismatch"]
    assert check("1709015708850001", sex=1) == ["nik_sex_mismatch"]


def test_messages_are_indonesian_by_default_and_name_the_field() -> None:
    with translation.override("id"):
        problems = validate_nik("1709011708850001", birth_date=dt.date(1985, 8, 18), sex=2)
    messages = " ".join(p.message for p in problems)
    assert "Tanggal lahir pada NIK (17-08-85)" in messages
    assert "perempuan" in messages


def test_validates_no_kk() -> None:
    good = make_no_kk(KEC, dt.date(2015, 3, 2), 17)
    assert validate_no_kk(good, known_regions=KNOWN) == []
    assert codes(validate_no_kk(good[:-1])) == ["no_kk_length"]
    assert codes(validate_no_kk(good[:-1] + "x")) == ["no_kk_not_digits"]
    unknown = validate_no_kk("99" + good[2:], known_regions=KNOWN)
    assert [(p.code, p.severity) for p in unknown] == [("no_kk_region_unknown", "warning")]


def test_parse_returns_none_for_a_malformed_nik() -> None:
    assert parse_nik("12345") is None
    assert parse_nik(None) is None  # type: ignore[arg-type]


# Properties.

regions = st.sampled_from(sorted(KNOWN))
birth_dates = st.dates(min_value=dt.date(1927, 1, 1), max_value=TODAY)
sexes = st.sampled_from([1, 2])
serials = st.integers(min_value=1, max_value=9999)


@given(regions, birth_dates, sexes, serials)
def test_generated_niks_are_valid_and_parse_back(
    region: str, birth_date: dt.date, sex: int, serial: int
) -> None:
    nik = make_nik(region, birth_date, sex, serial)
    assert validate_nik(nik, birth_date=birth_date, sex=sex, known_regions=KNOWN, today=TODAY) == []
    parsed = parse_nik(nik, today=TODAY)
    assert parsed is not None
    assert (parsed.kecamatan, parsed.birth_date, parsed.sex, parsed.serial) == (
        region,
        birth_date,
        sex,
        serial,
    )


@given(
    regions,
    birth_dates,
    sexes,
    serials,
    st.integers(min_value=0, max_value=15),
    st.integers(min_value=1, max_value=9),
)
def test_every_single_digit_corruption_is_classified(
    region: str, birth_date: dt.date, sex: int, serial: int, position: int, shift: int
) -> None:
    nik = make_nik(region, birth_date, sex, serial)
    digit = str((int(nik[position]) + shift) % 10)
    corrupted = nik[:position] + digit + nik[position + 1 :]
    problems = validate_nik(
        corrupted, birth_date=birth_date, sex=sex, known_regions=KNOWN, today=TODAY
    )
    assert {p.code for p in problems} <= NIK_CODES
    parsed = parse_nik(corrupted, today=TODAY)
    assert parsed is not None and parsed.nik == corrupted
    # A changed region or serial digit may give another valid NIK; a date digit never does,
    # since the person's birth date and sex are known.
    if 6 <= position < 12:
        assert problems, "a changed date digit is always noticed"


@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    problems = validate_nik(text, known_regions=KNOWN) + validate_no_kk(text, known_regions=KNOWN)
    assert all(p.severity in ("error", "warning") for p in problems)
    assert (parse_nik(text) is None) == bool(
        {p.code for p in problems} & {"nik_length", "nik_not_digits"}
    )


@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_any_16_digits_give_only_known_codes(nik: str) -> None:
    problems = validate_nik(nik, birth_date=dt.date(1990, 1, 1), sex=1, known_regions=KNOWN)
    assert {p.code for p in problems} <= NIK_CODES - {"nik_length", "nik_not_digits"}
