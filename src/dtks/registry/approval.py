"""The consent of a second, independent approver, as the registry actions receive it.

An action is given an `Approval` explicitly (never a global switch). Without one, a user tied
to the family is refused exactly as before (`ConflictOfInterestError`); with one, the action
checks that it belongs to a pending held change of this very user and that the approver is
independent (`conflicts.check_independent_approver`), and its audit events name the approver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from dtks.core.errors import PermissionDeniedError

from .conflicts import ConflictOfInterestError, Subject, check_independent_approver, conflicts
from .models import HeldChange

if TYPE_CHECKING:
    from dtks.accounts.models import User


@dataclass(frozen=True)
class Approval:
    """`approver` consents to the held change `held_change_id` (see `registry.held`)."""

    held_change_id: int
    approver: User

    @property
    def note(self) -> str:
        """What the audit events of the approved change carry (parsed by the history)."""
        return f"held_change={self.held_change_id} approved_by={self.approver.username}"


def audit_note(approval: Approval | None) -> str:
    return approval.note if approval else ""


def refuse_unless_approved(user: User, subject: Subject, approval: Approval | None) -> None:
    """Let `user` act on the family `subject` when they are not tied to it, or when an
    independent approver consented to their held change; raise otherwise."""
    found = conflicts(user, subject)
    if not found:
        return
    if approval is None:
        raise ConflictOfInterestError(found)
    held = HeldChange.objects.filter(
        pk=approval.held_change_id, requested_by=user, status=HeldChange.Status.PENDING
    ).exists()
    if not held:
        raise PermissionDeniedError(
            _("This change has no pending request for approval."), code="no_approval"
        )
    check_independent_approver(approval.approver, user, [subject])
