"""Fetching one account for a user administrator: 404 outside the administrator's area, exactly
like a missing account. The user-administration pages fetch accounts only through this helper."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from .models import User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def get_user_for_admin(admin: User | AnonymousUser, pk: int) -> User:
    """The account `pk` if it holds a role inside `admin`'s area; Http404 otherwise."""
    return get_object_or_404(User.objects.visible_to(admin), pk=pk)
