"""Fetching one record for a user: 404 outside the user's area, exactly like a missing record.

Views, the API and the CLI fetch single families and persons only through these helpers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from .models import Family, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User


def get_family_for_user(user: User | AnonymousUser, pk: int) -> Family:
    """The family `pk` if the user may see it; Http404 otherwise (never 403, to reveal nothing)."""
    return get_object_or_404(Family.objects.visible_to(user).select_related("desa"), pk=pk)


def get_person_for_user(user: User | AnonymousUser, pk: int) -> Person:
    """The person `pk` if the user may see one of their families; Http404 otherwise."""
    return get_object_or_404(Person.objects.visible_to(user), pk=pk)
