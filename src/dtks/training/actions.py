"""Training actions: sessions, attendance, materials, the yearly plan, budget lines, facility
needs. Each is atomic, checks MANAGE_PERFORMANCE (the pengelola DTKS or the pimpinan) and
writes an audit event. `by=None` is the command line, recorded as `cli`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from dtks.accounts.models import User
from dtks.accounts.roles import Perm
from dtks.audit.record import Change, record_event
from dtks.core.errors import DomainError, PermissionDeniedError

from . import uploads
from .models import (
    Attendance,
    BudgetCategory,
    BudgetLine,
    FacilityItem,
    FacilityNeed,
    Material,
    Mode,
    TrainingPlan,
    TrainingSession,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

CLI_ACTOR = "cli"
SESSION_FIELDS = ("title", "topic", "date", "mode", "place", "cost", "organiser", "notes")
BUDGET_FIELDS = ("year", "category", "description", "planned", "realised")


def _authorise(by: User | None) -> None:
    if by is not None and not by.can(Perm.MANAGE_PERFORMANCE):
        raise PermissionDeniedError(
            _("Only the DTKS manager or the leadership may change bimtek, budget and facilities."),
            code="forbidden",
        )


def _actor(by: User | None) -> User | str:
    return by if by is not None else CLI_ACTOR


def _state(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {f: str(getattr(obj, f)) for f in fields}


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise DomainError(_("Year: give a year between 2000 and 2100."), field="year")


def _check_amount(value: Decimal | int, field: str, label: str) -> None:
    if value < 0:
        raise DomainError(
            _("%(field)s cannot be negative.") % {"field": label}, field=field, code="negative"
        )
    if value != int(value):
        raise DomainError(
            _("%(field)s is in whole rupiah.") % {"field": label}, field=field, code="cents"
        )


def _check_session(data: Mapping[str, Any]) -> None:
    if not str(data.get("title", "")).strip():
        raise DomainError(_("Title: give the session a title."), field="title")
    if not isinstance(data.get("date"), date):
        raise DomainError(_("Date: give the date of the session."), field="date")
    if data.get("mode") not in Mode.values:
        raise DomainError(_("Mode: choose online or offline."), field="mode")
    _check_amount(Decimal(data.get("cost") or 0), "cost", _("Cost"))


def _session_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {f: data.get(f, "") for f in SESSION_FIELDS}
    values["title"] = str(values["title"]).strip()
    values["cost"] = Decimal(data.get("cost") or 0)
    return values


@transaction.atomic
def create_session(data: Mapping[str, Any], *, by: User | None) -> TrainingSession:
    """Record a bimtek session (planned or held): title, topic, date, mode, place or link,
    cost in whole rupiah (not negative), organiser, notes."""
    _authorise(by)
    _check_session(data)
    session = TrainingSession.objects.create(**_session_values(data), created_by=by)
    change = Change("training_session", str(session.pk), None, _state(session, SESSION_FIELDS))
    record_event(_actor(by), "create_training_session", change)
    return session


@transaction.atomic
def update_session(
    session: TrainingSession, data: Mapping[str, Any], *, by: User | None
) -> TrainingSession:
    """Change a session's details (the same checks as `create_session`)."""
    _authorise(by)
    _check_session(data)
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    before = _state(session, SESSION_FIELDS)
    for field, value in _session_values(data).items():
        setattr(session, field, value)
    session.save()
    change = Change("training_session", str(session.pk), before, _state(session, SESSION_FIELDS))
    record_event(_actor(by), "update_training_session", change)
    return session


def _apply_mark(
    session: TrainingSession, rows: dict[int, Attendance], user_id: int, mark: bool | None
) -> None:
    row = rows.get(user_id)
    if mark is None:
        if row is not None:
            row.delete()
            del rows[user_id]
    elif row is None:
        rows[user_id] = Attendance.objects.create(session=session, user_id=user_id, attended=mark)
    elif row.attended != mark:
        row.attended = mark
        row.save(update_fields=["attended"])


@transaction.atomic
def record_attendance(
    session: TrainingSession, marks: Mapping[int, bool | None], *, by: User | None
) -> dict[int, bool]:
    """Set who is listed for the session and who attended: `marks` maps a user id to True
    (attended), False (listed, absent) or None (not listed: the row goes). Users not in
    `marks` keep their row. Returns the session's attendance afterwards."""
    _authorise(by)
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    known = set(User.objects.filter(pk__in=list(marks)).values_list("pk", flat=True))
    if unknown := sorted(set(marks) - known):
        raise DomainError(
            _("Attendees: unknown user %(id)s.") % {"id": unknown[0]}, field="attendees"
        )
    rows = {a.user_id: a for a in session.attendances.select_for_update()}
    before = {str(uid): a.attended for uid, a in sorted(rows.items())}
    for user_id, mark in marks.items():
        _apply_mark(session, rows, user_id, mark)
    after = {str(uid): a.attended for uid, a in sorted(rows.items())}
    if after != before:
        change = Change("training_session", str(session.pk), before, after)
        record_event(_actor(by), "record_training_attendance", change)
    return {uid: a.attended for uid, a in rows.items()}


@transaction.atomic
def add_material(session: TrainingSession, file: Any, *, by: User) -> Material:
    """Keep a material of the session (PDF, PPTX, DOCX, JPEG, PNG, decided from the content,
    within the size limit; `uploads.RefusedMaterial` otherwise, and nothing is kept)."""
    _authorise(by)
    stored_name, kind, size, sha256 = uploads.store(file)
    try:
        material = Material.objects.create(
            session=session,
            original_name=Path(str(file.name or "")).name[:200] or stored_name,
            stored_name=stored_name,
            kind=kind,
            size=size,
            sha256=sha256,
            uploaded_by=by,
        )
        after = {"name": material.original_name, "type": kind, "size": size, "sha256": sha256}
        change = Change("training_material", str(material.pk), None, after)
        record_event(_actor(by), "add_training_material", change, f"session={session.pk}")
    except Exception:
        uploads.stored_path(stored_name).unlink(missing_ok=True)
        raise
    return material


@transaction.atomic
def set_plan(
    year: int,
    *,
    planned_sessions: int,
    planned_online: int,
    planned_budget: Decimal,
    note: str = "",
    by: User | None,
) -> TrainingPlan:
    """Set the year's plan (one per year): sessions, of which online (the seed recommends
    two or three online sessions a year), and the budget planned for bimtek."""
    _authorise(by)
    _check_year(year)
    if planned_sessions < 0:
        raise DomainError(_("Planned sessions cannot be negative."), field="planned_sessions")
    if not 0 <= planned_online <= planned_sessions:
        raise DomainError(
            _("Of which online: between 0 and the number of planned sessions."),
            field="planned_online",
        )
    _check_amount(planned_budget, "planned_budget", _("Planned budget"))
    plan = TrainingPlan.objects.select_for_update().filter(year=year).first()
    fields = ("planned_sessions", "planned_online", "planned_budget", "note")
    before = _state(plan, fields) if plan else None
    plan = plan or TrainingPlan(year=year)
    plan.planned_sessions, plan.planned_online = planned_sessions, planned_online
    plan.planned_budget, plan.note = Decimal(planned_budget), note.strip()
    plan.save()
    record_event(_actor(by), "set_training_plan", Change("training_plan", str(year), before,
                                                         _state(plan, fields)))  # fmt: skip
    return plan


def _check_budget(data: Mapping[str, Any]) -> None:
    _check_year(int(data.get("year") or 0))
    if data.get("category") not in BudgetCategory.values:
        raise DomainError(_("Category: choose a category."), field="category")
    if not str(data.get("description", "")).strip():
        raise DomainError(_("Description: describe the budget line."), field="description")
    _check_amount(Decimal(data.get("planned") or 0), "planned", _("Planned amount"))
    _check_amount(Decimal(data.get("realised") or 0), "realised", _("Realised amount"))


def _save_budget(line: BudgetLine, data: Mapping[str, Any]) -> None:
    line.year = int(data["year"])
    line.category = data["category"]
    line.description = str(data["description"]).strip()
    line.planned = Decimal(data.get("planned") or 0)
    line.realised = Decimal(data.get("realised") or 0)
    line.save()


@transaction.atomic
def create_budget_line(data: Mapping[str, Any], *, by: User | None) -> BudgetLine:
    """Record a budget line (year, category, description, planned, realised). Realised may
    exceed planned: an overspend is recorded as it happened."""
    _authorise(by)
    _check_budget(data)
    line = BudgetLine()
    _save_budget(line, data)
    change = Change("budget_line", str(line.pk), None, _state(line, BUDGET_FIELDS))
    record_event(_actor(by), "create_budget_line", change)
    return line


@transaction.atomic
def update_budget_line(line: BudgetLine, data: Mapping[str, Any], *, by: User | None) -> BudgetLine:
    """Change a budget line (the same checks as `create_budget_line`)."""
    _authorise(by)
    _check_budget(data)
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    before = _state(line, BUDGET_FIELDS)
    _save_budget(line, data)
    change = Change("budget_line", str(line.pk), before, _state(line, BUDGET_FIELDS))
    record_event(_actor(by), "update_budget_line", change)
    return line


@transaction.atomic
def set_facility_need(
    year: int, item: str, *, needed: int, available: int, note: str = "", by: User | None
) -> FacilityNeed:
    """Set, for a year and an item, how many data-entry staff need it and how many are
    available (one row per year and item; the gap follows)."""
    _authorise(by)
    _check_year(year)
    if item not in FacilityItem.values:
        raise DomainError(_("Item: choose an item."), field="item")
    if needed < 0:
        raise DomainError(_("Staff who need it cannot be negative."), field="needed")
    if available < 0:
        raise DomainError(_("Available cannot be negative."), field="available")
    need = FacilityNeed.objects.select_for_update().filter(year=year, item=item).first()
    fields = ("needed", "available", "note")
    before = _state(need, fields) if need else None
    need = need or FacilityNeed(year=year, item=item)
    need.needed, need.available, need.note = needed, available, note.strip()
    need.save()
    change = Change("facility_need", f"{year}:{item}", before, _state(need, fields))
    record_event(_actor(by), "set_facility_need", change)
    return need
