"""Synthetic, internally consistent registry values: the demo generator and the tests' factories
both draw from here, so what the tests exercise is what the demo shows."""

from __future__ import annotations

import datetime as dt


def make_nik(kecamatan_code: str, birth_date: dt.date, sex: int, serial: int) -> str:
    """A NIK per DOMAIN.md §4: region (6) + day (+40 for women) + month + yy + serial."""
    region = kecamatan_code.replace(".", "")[:6]
    day = birth_date.day + (40 if sex == 2 else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def make_no_kk(kecamatan_code: str, issued: dt.date, serial: int) -> str:
    """A No. KK: issuing region (6) + issue date ddmmyy + family serial (4)."""
    region = kecamatan_code.replace(".", "")[:6]
    return f"{region}{issued:%d%m%y}{serial:04d}"
