"""Database-level rules shared by several apps."""

from __future__ import annotations

from django.db.models import Q

SIXTEEN_DIGITS = r"^[0-9]{16}$"


def sixteen_digits(field: str) -> Q:
    """A CHECK condition: `field` holds exactly 16 ASCII digits (NIK, No. KK)."""
    return Q(**{f"{field}__regex": SIXTEEN_DIGITS})
