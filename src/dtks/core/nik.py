"""NIK and No. KK: structure, region prefix, embedded birth date and sex (DOMAIN.md §4).

A NIK reads `PP KK CC DD MM YY SSSS`: province, kabupaten and kecamatan where the person was first
registered, day of birth (+40 for women), month, two-digit year, serial from 0001. A No. KK
starts with the issuing kecamatan (6 digits); the split of its last 10 digits is unconfirmed, so
only length, digits and region prefix are checked.

Validation never raises and never rejects on consistency alone: a NIK whose date or sex
contradicts the person's record is reported (NIKs are not reissued to fix a date), and an
unknown region is only a warning (old codes remain in circulation). Each problem carries a
stable code, so rules, imports and forms agree on what went wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext, gettext_noop

ERROR: Literal["error"] = "error"
WARNING: Literal["warning"] = "warning"

MALE = 1
FEMALE = 2
FEMALE_DAY_OFFSET = 40
LENGTH = 16

# Message templates (msgids) by problem code, translated when a problem is made; rules reuse
# them so a finding reads like the form error.
MESSAGES = {
    "nik_length": gettext_noop("NIK must have 16 digits, this one has %(length)d characters"),
    "nik_not_digits": gettext_noop("NIK may contain only the digits 0-9"),
    "nik_region_unknown": gettext_noop(
        "NIK region code %(region)s is not a known kecamatan (it may be an old code)"
    ),
    "nik_invalid_date": gettext_noop(
        "NIK digits 7-12 (%(digits)s) are not a valid birth date (day 01-31, or 41-71 for "
        "women; month 01-12)"
    ),
    "nik_serial_zero": gettext_noop("NIK serial number (last 4 digits) cannot be 0000"),
    "nik_birth_date_mismatch": gettext_noop(
        "NIK birth date (%(nik_date)s) does not match the birth date (%(birth_date)s)"
    ),
    "nik_sex_mismatch": gettext_noop(
        "NIK says the sex is %(nik_sex)s, but the sex recorded is %(sex)s"
    ),
    "no_kk_length": gettext_noop("No. KK must have 16 digits, this one has %(length)d characters"),
    "no_kk_not_digits": gettext_noop("No. KK may contain only the digits 0-9"),
    "no_kk_region_unknown": gettext_noop(
        "No. KK region code %(region)s is not a known kecamatan (it may be an old code)"
    ),
}
SEVERITIES = {"nik_region_unknown": WARNING, "no_kk_region_unknown": WARNING}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a NIK or No. KK; `message` is already translated."""

    code: str
    severity: Literal["error", "warning"]
    field: str
    message: str
    params: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class ParsedNik:
    """The parts of a 16-digit NIK. `birth_date` is None when digits 7-12 are not a real date."""

    nik: str
    province: str  # "17"
    kabupaten: str  # "17.09"
    kecamatan: str  # "17.09.01"
    day: int  # as written: 41-71 for women
    month: int
    yy: int
    serial: int
    sex: int  # 1 male, 2 female (day > 40)
    birth_date: dt.date | None


def problem(code: str, field: str, **params: object) -> Problem:
    """A Problem with its message rendered in the active language."""
    message = gettext(MESSAGES[code]) % params
    return Problem(code, SEVERITIES.get(code, ERROR), field, message, tuple(params.items()))


def _is_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _as_text(value: object) -> str:
    return "" if value is None else str(value)


def region_of(number: str) -> str:
    """The dotted kecamatan code in the first six digits: `170901…` → `17.09.01`."""
    return f"{number[0:2]}.{number[2:4]}.{number[4:6]}"


def resolve_birth_date(day: int, month: int, yy: int, today: dt.date) -> dt.date | None:
    """The real date for a NIK's day (women +40), month and two-digit year, or None.

    The year is put in the most recent century that does not make the date lie after `today`.
    """
    real_day = day - FEMALE_DAY_OFFSET if day > FEMALE_DAY_OFFSET else day
    if not (1 <= real_day <= 31 and 1 <= month <= 12):
        return None
    year = today.year - today.year % 100 + yy
    if (year, month, real_day) > (today.year, today.month, today.day):
        year -= 100
    try:
        return dt.date(year, month, real_day)
    except ValueError:
        return None


def parse_nik(nik: str, *, today: dt.date | None = None) -> ParsedNik | None:
    """Split a NIK into its parts; None when it is not 16 ASCII digits. Never raises."""
    nik = _as_text(nik)
    if len(nik) != LENGTH or not _is_digits(nik):
        return None
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    return ParsedNik(
        nik=nik,
        province=nik[0:2],
        kabupaten=f"{nik[0:2]}.{nik[2:4]}",
        kecamatan=region_of(nik),
        day=day,
        month=month,
        yy=yy,
        serial=int(nik[12:16]),
        sex=FEMALE if day > FEMALE_DAY_OFFSET else MALE,
        birth_date=resolve_birth_date(day, month, yy, today or dt.date.today()),
    )


def _structure_problems(value: str, prefix: str) -> list[Problem]:
    problems = []
    if value and not _is_digits(value):
        problems.append(problem(f"{prefix}_not_digits", prefix))
    if len(value) != LENGTH:
        problems.append(problem(f"{prefix}_length", prefix, length=len(value)))
    return problems


def _region_problems(
    number: str, prefix: str, known_regions: Container[str] | None
) -> list[Problem]:
    region = region_of(number)
    if known_regions is None or region in known_regions:
        return []
    return [problem(f"{prefix}_region_unknown", prefix, region=region)]


def sex_label(sex: int) -> str:
    return gettext("female") if sex == FEMALE else gettext("male")


def _consistency_problems(
    parsed: ParsedNik, birth_date: dt.date | None, sex: int | None
) -> list[Problem]:
    """Birth date and sex on record against the NIK; years compare by their last two digits."""
    problems = []
    real_day = parsed.day - FEMALE_DAY_OFFSET if parsed.sex == FEMALE else parsed.day
    nik_dmy = (real_day, parsed.month, parsed.yy)
    if birth_date is not None and nik_dmy != (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    ):
        problems.append(
            problem(
                "nik_birth_date_mismatch",
                "nik",
                nik_date="-".join(f"{part:02d}" for part in nik_dmy),
                birth_date=f"{birth_date:%d-%m-%Y}",
            )
        )
    if sex in (MALE, FEMALE) and sex != parsed.sex:
        problems.append(
            problem("nik_sex_mismatch", "nik", nik_sex=sex_label(parsed.sex), sex=sex_label(sex))
        )
    return problems


def validate_nik(
    nik: str,
    *,
    birth_date: dt.date | None = None,
    sex: int | None = None,
    known_regions: Container[str] | None = None,
    today: dt.date | None = None,
) -> list[Problem]:
    """Everything wrong with `nik`, as problems; empty when it is a valid, consistent NIK.

    `known_regions` holds dotted kecamatan codes (None = do not check the region). A wrong
    length or a non-digit stops the checks there; an invalid date is reported once, without
    a birth-date or sex mismatch on top of it.
    """
    text = _as_text(nik)
    structure = _structure_problems(text, "nik")
    if structure:
        return structure
    parsed = parse_nik(text, today=today)
    assert parsed is not None  # structure checked above
    problems = _region_problems(text, "nik", known_regions)
    if parsed.birth_date is None:
        digits = f"{text[6:8]}-{text[8:10]}-{text[10:12]}"
        problems.append(problem("nik_invalid_date", "nik", digits=digits))
    if parsed.serial == 0:
        problems.append(problem("nik_serial_zero", "nik"))
    if parsed.birth_date is not None:
        problems.extend(_consistency_problems(parsed, birth_date, sex))
    return problems


def validate_no_kk(no_kk: str, *, known_regions: Container[str] | None = None) -> list[Problem]:
    """Everything wrong with a No. KK: length, digits, then (warning) its issuing kecamatan."""
    text = _as_text(no_kk)
    return _structure_problems(text, "no_kk") or _region_problems(text, "no_kk", known_regions)
