"""Choosing the preset and changing rules: who may, what is checked, what the audit keeps."""

from __future__ import annotations

from datetime import date

import pytest

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.schedule import actions
from dtks.schedule.models import CalendarRule, Preset, ScheduleConfig
from dtks.schedule.windows import window_status
from tests.conftest import DESA_A


def test_manager_selects_the_seed_preset(personas):
    actions.select_preset(Preset.KEPMENSOS_150_2022, by=personas.pengelola)
    assert ScheduleConfig.current_preset() == Preset.KEPMENSOS_150_2022
    assert window_status("dtks", DESA_A, date(2026, 11, 25)).open
    event = AuditEvent.objects.get(action="select_preset")
    assert (event.before, event.after) == (
        {"preset": Preset.KEPMENSOS_73_2024},
        {"preset": Preset.KEPMENSOS_150_2022},
    )


def test_user_administrator_may_not_select_a_preset(personas):
    with pytest.raises(PermissionDeniedError):
        actions.select_preset(Preset.KEPMENSOS_150_2022, by=personas.admin)
    assert ScheduleConfig.current_preset() == Preset.KEPMENSOS_73_2024


def test_unknown_preset_is_refused(personas):
    with pytest.raises(DomainError):
        actions.select_preset("kepmensos_1_1999", by=personas.pengelola)


def test_rule_change_moves_the_window_and_is_audited(personas):
    rule = CalendarRule.objects.in_force().get(kind="dtks")
    actions.update_rule(rule, first_day=10, last_day=0, active=True, by=personas.pengelola)
    assert window_status("dtks", DESA_A, date(2026, 11, 30)).open
    assert not window_status("dtks", DESA_A, date(2026, 11, 9)).open
    event = AuditEvent.objects.get(action="update_rule")
    assert event.before["first_day"] == 15 and event.after["last_day"] == 0


def test_switched_off_rule_leaves_its_kind_unrestricted(personas):
    rule = CalendarRule.objects.in_force().get(kind="dtks")
    actions.update_rule(rule, first_day=15, last_day=20, active=False, by=personas.pengelola)
    status = window_status("dtks", DESA_A, date(2026, 11, 1))
    assert status.open and status.unrestricted


@pytest.mark.parametrize(("first", "last"), [(0, 5), (32, 0), (20, 10), (1, 32), (1, -2)])
def test_impossible_days_are_refused(personas, first, last):
    rule = CalendarRule.objects.in_force().get(kind="dtks")
    with pytest.raises(DomainError):
        actions.update_rule(
            rule, first_day=first, last_day=last, active=True, by=personas.pengelola
        )
    rule.refresh_from_db()
    assert (rule.first_day, rule.last_day) == (15, 20)
