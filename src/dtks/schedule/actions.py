"""Schedule actions: the active preset, the rules, extensions. Atomic and audited.

Who: the pengelola DTKS kabupaten (VERIFY over a kabupaten). Kepmensos 73/HUK/2024 keeps the
user administrator away from data functions, and opening a window lets data in, so the admin
pengguna may not; a village or kecamatan operator may not reopen their own window either.
`by=None` is the command line (a shell on the server), recorded as `cli`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes, in_area
from dtks.audit.record import Change, record_event
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.wilayah.models import Level

from .models import (
    DAY_BEFORE_MONTH_END,
    CalendarRule,
    Extension,
    Preset,
    ScheduleConfig,
    WindowKind,
)
from .windows import local_day

if TYPE_CHECKING:
    from dtks.accounts.models import User
    from dtks.wilayah.models import Region

CLI_ACTOR = "cli"


def may_manage_schedule(user: User | None) -> bool:
    """Whether `user` verifies over a kabupaten (or wider): the pengelola DTKS kabupaten."""
    if user is None:
        return True
    return any(code.count(".") <= 1 for code in area_codes(user, Perm.VERIFY))


def _authorise(by: User | None, code: str | None = None) -> None:
    if not may_manage_schedule(by):
        raise PermissionDeniedError(
            _("Only the kabupaten DTKS manager may change the monthly windows."), code="forbidden"
        )
    if by is not None and code is not None and not in_area(by, code, Perm.VERIFY):
        raise PermissionDeniedError(
            _("This area lies outside your area."), field="region", code="out_of_area"
        )


def _actor(by: User | None) -> User | str:
    return by if by is not None else CLI_ACTOR


@transaction.atomic
def select_preset(preset: str, *, by: User | None) -> ScheduleConfig:
    """Make `preset` the one whose rules are in force (from the next check on)."""
    _authorise(by)
    if preset not in Preset.values:
        raise DomainError(_("Unknown preset."), field="preset")
    config, _created = ScheduleConfig.objects.select_for_update().get_or_create(pk=1)
    before = {"preset": config.preset}
    config.preset = preset
    config.save(update_fields=["preset"])
    change = Change("schedule_config", "1", before, {"preset": preset})
    record_event(_actor(by), "select_preset", change)
    return config


def _rule_state(rule: CalendarRule) -> dict[str, Any]:
    return {"first_day": rule.first_day, "last_day": rule.last_day, "active": rule.active}


def _check_days(first_day: int, last_day: int) -> None:
    if not 1 <= first_day <= 31:
        raise DomainError(_("The first day must lie between 1 and 31."), field="first_day")
    if last_day < DAY_BEFORE_MONTH_END or last_day > 31 or 0 < last_day < first_day:
        raise DomainError(
            _("The last day must lie between the first day and 31, or be the end of the month."),
            field="last_day",
        )


@transaction.atomic
def update_rule(
    rule: CalendarRule, *, first_day: int, last_day: int, active: bool, by: User | None
) -> CalendarRule:
    """Change a rule's days (`last_day` 0: month end, -1: the day before) or switch it off.

    A rule switched off leaves its kind unrestricted: nothing is refused for it.
    """
    _authorise(by)
    _check_days(first_day, last_day)
    rule = CalendarRule.objects.select_for_update().get(pk=rule.pk)
    before = _rule_state(rule)
    rule.first_day, rule.last_day, rule.active = first_day, last_day, active
    rule.save(update_fields=["first_day", "last_day", "active"])
    change = Change("calendar_rule", f"{rule.preset}:{rule.kind}", before, _rule_state(rule))
    record_event(_actor(by), "update_rule", change)
    return rule


def _extension_state(extension: Extension) -> dict[str, Any]:
    return {
        "kind": extension.kind,
        "region": extension.region_id,
        "starts_on": extension.starts_on.isoformat(),
        "ends_on": extension.ends_on.isoformat(),
        "reason": extension.reason,
        "closed_at": extension.closed_at.isoformat() if extension.closed_at else None,
    }


def _extension_change(extension: Extension, before: dict | None) -> Change:
    return Change(
        subject_type="window_extension",
        subject_id=str(extension.pk),
        before=before,
        after=_extension_state(extension),
        region_code=extension.region_id,
    )


def _check_extension(region: Region, kind: str, span: tuple[date, date], reason: str) -> None:
    if region.level < Level.KABUPATEN:
        raise DomainError(_("Choose a desa, a kecamatan or the kabupaten."), field="region")
    if kind and kind not in WindowKind.values:
        raise DomainError(_("Unknown action kind."), field="kind")
    if span[0] < local_day():
        raise DomainError(_("An extension cannot start in the past."), field="starts_on")
    if span[1] < span[0]:
        raise DomainError(_("The extension must end on or after its first day."), field="until")
    if not reason.strip():
        raise DomainError(_("Give the reason for the extension."), field="reason")


@transaction.atomic
def open_extension(
    region: Region,
    kind: str,
    until: date,
    reason: str,
    *,
    by: User | None,
    starts_on: date | None = None,
) -> Extension:
    """Reopen `kind` ('' = every kind) for the region and everything in it, from `starts_on`
    (default today; never in the past) to `until` inclusive (Kepmensos 73/HUK/2024: Kemensos
    may extend a window)."""
    _authorise(by, region.code)
    span = (starts_on or local_day(), until)
    _check_extension(region, kind, span, reason)
    extension = Extension.objects.create(
        kind=kind,
        region=region,
        starts_on=span[0],
        ends_on=until,
        reason=reason.strip(),
        opened_by=by,
    )
    record_event(_actor(by), "open_extension", _extension_change(extension, None))
    return extension


@transaction.atomic
def close_extension(extension: Extension, *, by: User | None) -> Extension:
    """End an extension early: from now on it covers nothing."""
    _authorise(by, extension.region_id)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.closed_at is not None:
        raise DomainError(_("This extension is already closed."), code="closed")
    before = _extension_state(extension)
    extension.closed_at = timezone.now()
    extension.closed_by = by
    extension.save(update_fields=["closed_at", "closed_by"])
    record_event(_actor(by), "close_extension", _extension_change(extension, before))
    return extension
