"""What a user is shown of a record: identity masking and readable history.

`shown_identity` is the one place pages decide between a full and a masked NIK/No. KK; the
decision itself is `accounts.scope.can_view_identity`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dtks.accounts.scope import can_view_identity, mask_identity
from dtks.audit.diff import changed_fields

from .models import Family, Membership, Person

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User
    from dtks.audit.models import AuditEvent

IDENTITY_FIELDS = {"nik", "no_kk"}
HIDDEN_FIELDS = {"id", "family_id", "person_id", "desa_id", "id_dtks", "member_names"}
SUBJECT_MODELS: dict[str, type[models.Model]] = {
    "family": Family,
    "person": Person,
    "membership": Membership,
}


def shown_identity(user: User | AnonymousUser, desa_code: str, value: str) -> str:
    """A NIK/No. KK as this user may see it in this desa: full, or region-only masked."""
    return value if can_view_identity(user, desa_code) else mask_identity(value)


def present_family(family: Family, user: User | AnonymousUser) -> Family:
    """Attach `no_kk_shown` (masked or not) to a family for templates."""
    family.no_kk_shown = shown_identity(user, family.desa_id, family.no_kk)
    return family


def present_memberships(
    memberships: Iterable[Membership], family: Family, user: User | AnonymousUser, today: dt.date
) -> list[Membership]:
    """Attach `nik_shown` and `age` to each membership's person."""
    full = can_view_identity(user, family.desa_id)
    rows = []
    for m in memberships:
        m.person.nik_shown = m.person.nik if full else mask_identity(m.person.nik)
        m.person.age = m.person.age_on(m.end_date or today)
        rows.append(m)
    return rows


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor: str
    action: str
    subject: str
    changes: list[FieldChange]
    approved_by: str = ""  # the second approver of a held change (`registry.held`)


ACTION_LABELS = {
    "create_family": gettext_noop("Family registered"),
    "update_family": gettext_noop("Family data changed"),
    "add_member": gettext_noop("Member added"),
    "update_person": gettext_noop("Member data changed"),
    "end_membership": gettext_noop("Member left the family"),
    "deactivate_person": gettext_noop("Person deactivated"),
    "run_checks": gettext_noop("Data-quality checks run"),
    "hold_change": gettext_noop("Change held for a second approver"),
    "approve_held_change": gettext_noop("Held change approved"),
    "refuse_held_change": gettext_noop("Held change refused"),
    "withdraw_held_change": gettext_noop("Held change withdrawn"),
}
APPROVED_BY = re.compile(r"\bapproved_by=(\S+)")


def _display(field: models.Field, value: Any, full_identity: bool) -> str:
    if value is None or value == "":
        return "–"
    if field.name in IDENTITY_FIELDS and not full_identity:
        return mask_identity(str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return date_format(dt.date.fromisoformat(value), "j F Y")
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    return str(value)


def _field_changes(event: AuditEvent, full_identity: bool) -> list[FieldChange]:
    """Changed fields in the model's own order; a creation lists only the values it set."""
    model = SUBJECT_MODELS.get(event.subject_type)
    if model is None:
        return []
    changed = changed_fields(event.before, event.after)
    rows = []
    for field in model._meta.concrete_fields:
        name = field.attname
        if name not in changed or name in HIDDEN_FIELDS or name in {"created_at", "updated_at"}:
            continue
        old, new = changed[name]
        if event.before is None and new in (None, "", {}, []):
            continue
        rows.append(
            FieldChange(
                capfirst(str(field.verbose_name)),
                _display(field, old, full_identity) if event.before is not None else "",
                _display(field, new, full_identity),
            )
        )
    return rows


def history(
    events: Iterable[AuditEvent], family: Family, user: User | AnonymousUser
) -> list[HistoryEntry]:
    """Audit events of a family as who / when / field: before → after, in the user's language."""
    full = can_view_identity(user, family.desa_id)
    subjects = {
        "family": _("Family"),
        "person": _("Member"),
        "membership": _("Membership"),
        "checks": _("Findings"),
        "held_change": _("Approval"),
    }
    return [
        HistoryEntry(
            at=e.at,
            actor=e.actor_label,
            action=_(ACTION_LABELS.get(e.action, e.action)),
            subject=subjects.get(e.subject_type, e.subject_type),
            changes=_field_changes(e, full),
            approved_by=match.group(1) if (match := APPROVED_BY.search(e.note)) else "",
        )
        for e in events
    ]
