"""Who may see which village operator's scorecard.

- the kabupaten roles holding `verify` or `manage_performance` over the operator's desa;
- a kecamatan operator, for the desa of their kecamatan;
- a desa operator, their own scorecard only.

A scorecard row is an `operator_desa` role assignment (one operator, one desa). Fetching one
operator answers 404 when none of their desa lies in the viewer's area (as a missing account)
and 403 when one does but the viewer's role may not see scorecards there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from dtks.accounts.models import RoleAssignment
from dtks.accounts.roles import Perm, Role
from dtks.accounts.scope import area_q, in_area
from dtks.wilayah.models import code_prefix_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from dtks.accounts.models import User

SUPERVISOR_PERMS = (Perm.VERIFY, Perm.MANAGE_PERFORMANCE)


def sees_scorecards(user: User | AnonymousUser) -> bool:
    """Whether the user's roles let them see any scorecard (else 403 on every page)."""
    if not user.is_authenticated or not user.is_active:
        return False
    roles = {Role.OPERATOR_KECAMATAN, Role.OPERATOR_DESA}
    return any(user.can(p) for p in SUPERVISOR_PERMS) or bool(user.roles & roles)


def _kecamatan_codes(user: User) -> list[str]:
    return [a.area_id for a in user.active_assignments() if a.role == Role.OPERATOR_KECAMATAN]


def scorecard_q(user: User | AnonymousUser, field: str = "area__code") -> Q:
    """Role assignments (their desa in `field`) whose scorecard the user may see."""
    if not sees_scorecards(user):
        return Q(pk__in=[])
    q = Q(user_id=user.pk)
    for perm in SUPERVISOR_PERMS:
        q |= area_q(user, field, perm)
    for code in _kecamatan_codes(user):
        q |= code_prefix_q(field, code)
    return q


def may_see(user: User, operator_id: int, desa_code: str) -> bool:
    """`scorecard_q` for one operator and desa, without a query."""
    if not sees_scorecards(user):
        return False
    inside = lambda code: desa_code == code or desa_code.startswith(code + ".")  # noqa: E731
    return (
        operator_id == user.pk
        or any(in_area(user, desa_code, perm) for perm in SUPERVISOR_PERMS)
        or any(inside(code) for code in _kecamatan_codes(user))
    )


def operator_rows(user: User | AnonymousUser) -> QuerySet[RoleAssignment]:
    """The `operator_desa` assignments whose scorecard the user may see."""
    return RoleAssignment.objects.filter(role=Role.OPERATOR_DESA).filter(scorecard_q(user))


def rows_of_operator_for_user(user: User, operator_id: int) -> list[RoleAssignment]:
    """One operator's desa the user may see: 404 when none lies in the user's area (or the
    account is no desa operator), 403 when the user's role may not see them there."""
    rows = list(
        RoleAssignment.objects.filter(role=Role.OPERATOR_DESA, user_id=operator_id)
        .select_related("user", "area__parent")
        .order_by("area_id")
    )
    if not any(operator_id == user.pk or in_area(user, r.area_id) for r in rows):
        raise Http404
    visible = [r for r in rows if may_see(user, operator_id, r.area_id)]
    if not visible:
        raise PermissionDenied
    return visible
