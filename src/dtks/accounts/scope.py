"""The one place where a user's area becomes a query filter.

Every QuerySet's `visible_to(user)` and every `get_<obj>_for_user()` helper call
`area_q(user, field)`; nothing else decides what a user may see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from dtks.wilayah.models import code_prefix_q

from .roles import Perm

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

NOTHING = Q(pk__in=[])


def area_codes(user: User | AnonymousUser, perm: str = Perm.VIEW_REGISTRY) -> list[str]:
    """Region codes over which `user` holds a role granting `perm` (empty: sees nothing)."""
    if not user.is_authenticated or not user.is_active:
        return []
    from .roles import ROLE_PERMS

    return sorted({a.area_id for a in user.active_assignments() if perm in ROLE_PERMS[a.role]})


def area_q(user: User | AnonymousUser, field: str, perm: str = Perm.VIEW_REGISTRY) -> Q:
    """A filter on the region-code column `field` that keeps rows inside the user's areas."""
    codes = area_codes(user, perm)
    if not codes:
        return NOTHING
    q = Q()
    for code in codes:
        q |= code_prefix_q(field, code)
    return q


def in_area(user: User | AnonymousUser, code: str, perm: str = Perm.VIEW_REGISTRY) -> bool:
    """Whether the region `code` lies inside one of the user's areas for `perm`."""
    return any(code == c or code.startswith(c + ".") for c in area_codes(user, perm))


def can_view_identity(user: User | AnonymousUser, code: str) -> bool:
    """Whether the user may see full NIK/No. KK of a record in region `code`."""
    return in_area(user, code, Perm.VIEW_IDENTITY)


def mask_identity(value: str) -> str:
    """`1709014508850003` → `170901**********`: region kept, birth date and serial hidden."""
    if not value:
        return value
    return value[:6] + "*" * (len(value) - 6)
