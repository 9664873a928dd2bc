"""Snapshots of a model row for before → after records."""

from __future__ import annotations

from typing import Any

from django.db import models


def snapshot(
    obj: models.Model, exclude: tuple[str, ...] = ("created_at", "updated_at")
) -> dict[str, Any]:
    """The row's concrete field values keyed by attribute name (FKs as their id)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = getattr(obj, field.attname)
        data[field.attname] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def changed_fields(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, tuple[Any, Any]]:
    """Fields whose value differs: {name: (old, new)}."""
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}
