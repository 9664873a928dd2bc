"""Monthly windows of both presets on their edge days, next openings, time zone edges."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from dtks.schedule.models import Preset, ScheduleConfig
from dtks.schedule.windows import (
    WindowClosedError,
    next_opening,
    refuse_outside_window,
    window_status,
)

DESA = "17.09.01.2001"
OLD = Preset.KEPMENSOS_150_2022
NEW = Preset.KEPMENSOS_73_2024

# (preset, kind, day, open?) in November 2026 (30 days) unless the date says otherwise.
EDGES = [
    (OLD, "pbi_dtks", date(2026, 11, 1), True),
    (OLD, "pbi_dtks", date(2026, 11, 11), True),
    (OLD, "pbi_dtks", date(2026, 11, 12), False),
    (OLD, "pbi_non_dtks", date(2026, 11, 14), False),
    (OLD, "pbi_non_dtks", date(2026, 11, 15), True),
    (OLD, "pbi_non_dtks", date(2026, 11, 20), True),
    (OLD, "pbi_non_dtks", date(2026, 11, 21), False),
    (OLD, "dtks", date(2026, 11, 14), False),
    (OLD, "dtks", date(2026, 11, 15), True),
    (OLD, "dtks", date(2026, 11, 25), True),
    (OLD, "dtks", date(2026, 11, 26), False),
    (OLD, "finalisation", date(2026, 11, 24), False),
    (OLD, "finalisation", date(2026, 11, 25), True),
    (OLD, "finalisation", date(2026, 11, 30), True),
    (OLD, "finalisation", date(2026, 12, 1), False),
    (OLD, "ratification_upload", date(2026, 11, 30), True),
    (OLD, "finalisation", date(2027, 2, 28), True),
    (OLD, "dtks", date(2028, 2, 29), False),
    (NEW, "pbi_dtks", date(2026, 11, 1), True),
    (NEW, "pbi_dtks", date(2026, 11, 11), True),
    (NEW, "pbi_dtks", date(2026, 11, 12), False),
    (NEW, "pbi_non_dtks", date(2026, 11, 11), True),
    (NEW, "pbi_non_dtks", date(2026, 11, 15), False),
    (NEW, "dtks", date(2026, 11, 15), True),
    (NEW, "dtks", date(2026, 11, 20), True),
    (NEW, "dtks", date(2026, 11, 21), False),
    (NEW, "dtks", date(2026, 11, 25), False),
    (NEW, "finalisation", date(2026, 11, 14), False),
    (NEW, "finalisation", date(2026, 11, 15), True),
    (NEW, "ratification_upload", date(2026, 11, 29), True),
    (NEW, "ratification_upload", date(2026, 11, 30), False),
    (NEW, "ratification_upload", date(2026, 12, 30), True),
    (NEW, "ratification_upload", date(2026, 12, 31), False),
    # February: the day before the end is the 27th, or the 28th in a leap year.
    (NEW, "ratification_upload", date(2027, 2, 27), True),
    (NEW, "ratification_upload", date(2027, 2, 28), False),
    (NEW, "ratification_upload", date(2028, 2, 28), True),
    (NEW, "ratification_upload", date(2028, 2, 29), False),
]


@pytest.fixture
def preset(db: None):
    def use(name: str) -> None:
        ScheduleConfig.objects.update_or_create(pk=1, defaults={"preset": name})

    return use


@pytest.mark.parametrize(("name", "kind", "day", "is_open"), EDGES)
def test_window_edges(preset, name, kind, day, is_open):
    preset(name)
    assert window_status(kind, DESA, day).open is is_open


@pytest.mark.parametrize(
    ("name", "kind", "day", "opens"),
    [
        (NEW, "dtks", date(2026, 11, 21), date(2026, 12, 15)),
        (NEW, "dtks", date(2026, 12, 28), date(2027, 1, 15)),  # December to January
        (NEW, "pbi_dtks", date(2026, 12, 12), date(2027, 1, 1)),
        (NEW, "ratification_upload", date(2027, 2, 28), date(2027, 3, 15)),
        (OLD, "finalisation", date(2026, 12, 1), date(2026, 12, 25)),
        (OLD, "dtks", date(2026, 11, 10), date(2026, 11, 15)),
    ],
)
def test_closed_status_names_next_window(preset, name, kind, day, opens):
    preset(name)
    status = window_status(kind, DESA, day)
    assert not status.open
    assert status.opens == opens
    assert status.days_left is None


def test_open_status_counts_days_left(preset):
    preset(OLD)
    status = window_status("dtks", DESA, date(2026, 11, 22))
    assert (status.opens, status.closes, status.days_left) == (
        date(2026, 11, 15),
        date(2026, 11, 25),
        3,
    )
    assert window_status("dtks", DESA, date(2026, 11, 25)).days_left == 0


def test_next_opening_skips_the_current_window(preset):
    preset(NEW)
    assert next_opening("dtks", date(2026, 11, 16)) == date(2026, 12, 15)
    assert next_opening("dtks", date(2026, 11, 14)) == date(2026, 11, 15)
    assert next_opening("dtks", date(2026, 12, 15)) == date(2027, 1, 15)


def test_refusal_names_the_window_and_the_next_opening(preset):
    preset(NEW)
    with translation.override("en"), pytest.raises(WindowClosedError) as caught:
        refuse_outside_window("dtks", DESA, datetime(2026, 11, 21, 3, tzinfo=UTC))
    assert caught.value.code == "window_closed"
    assert caught.value.opens == date(2026, 12, 15)
    assert "15 December 2026" in caught.value.message
    assert "DTKS" in caught.value.message


def test_refusal_is_silent_inside_the_window(preset):
    preset(NEW)
    refuse_outside_window("dtks", DESA, datetime(2026, 11, 18, 3, tzinfo=UTC))


def test_days_are_counted_in_jakarta_time(preset):
    preset(NEW)
    # 16:59 UTC is 23:59 WIB on the 20th, the last day; 17:00 UTC is already the 21st in WIB.
    refuse_outside_window("dtks", DESA, datetime(2026, 11, 20, 16, 59, tzinfo=UTC))
    with pytest.raises(WindowClosedError):
        refuse_outside_window("dtks", DESA, datetime(2026, 11, 20, 17, 0, tzinfo=UTC))
    # 14 Nov 17:00 UTC is 00:00 WIB on the 15th: the window has opened.
    refuse_outside_window("dtks", DESA, datetime(2026, 11, 14, 17, 0, tzinfo=UTC))


def test_unknown_kind_is_an_error_not_a_closed_window(preset):
    with pytest.raises(ValueError):
        window_status("bansos", DESA, date(2026, 11, 15))
