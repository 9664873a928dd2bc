"""The user manager and its scoping QuerySet: which accounts a user administrator may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Exists, OuterRef

from .roles import Perm
from .scope import area_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


class UserQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> UserQuerySet:
        """Accounts holding at least one role over an area inside the user's MANAGE_USERS areas.

        Empty for anyone without MANAGE_USERS, so a data role never sees the list of accounts.
        """
        from .models import RoleAssignment

        inside = RoleAssignment.objects.filter(user=OuterRef("pk")).filter(
            area_q(user, "area__code", Perm.MANAGE_USERS)
        )
        return self.filter(Exists(inside))

    def search(self, text: str) -> UserQuerySet:
        """Accounts whose username or name contains `text` (case-insensitive)."""
        return self.filter(
            models.Q(username__icontains=text) | models.Q(first_name__icontains=text)
        )


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager (create_user, natural keys) with the scoping QuerySet.

    It compares equal to Django's own manager, which the migrations record: the QuerySet
    methods change nothing a migration needs, so no AlterModelManagers follows from adding them.
    """

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DjangoUserManager)
            and self._constructor_args == other._constructor_args
        )

    __hash__ = DjangoUserManager.__hash__
