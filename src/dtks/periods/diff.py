"""The difference between two periods: families in, out and changed, per desa.

A closed period is read from its fingerprints; an open one is fingerprinted live (the same
statement closing would run), so `diff_periods(2022, 2023)` works while 2023 is still open.
Families are matched by their registry id: a family that moved desa or whose members or
attributes changed is *changed*; one counted only in `b` is *in*, only in `a` *out*.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dtks.accounts.scope import area_codes

from .fingerprints import Fingerprint, live_fingerprints, stored_fingerprints
from .models import Period

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User

IN, OUT, CHANGED = "in", "out", "changed"
KINDS = (IN, OUT, CHANGED)


@dataclass(frozen=True)
class DiffEntry:
    kind: str
    desa_code: str
    before: Fingerprint | None
    after: Fingerprint | None

    @property
    def family(self) -> Fingerprint:
        return self.after or self.before  # type: ignore[return-value]


@dataclass
class PeriodDiff:
    a: Period
    b: Period
    entries: list[DiffEntry] = field(default_factory=list)

    def per_desa(self) -> dict[str, Counter[str]]:
        """desa → counts of in / out / changed, sorted by desa code."""
        out: dict[str, Counter[str]] = {}
        for e in sorted(self.entries, key=lambda e: e.desa_code):
            out.setdefault(e.desa_code, Counter())[e.kind] += 1
        return out

    def totals(self) -> Counter[str]:
        return Counter(e.kind for e in self.entries)

    def of_kind(self, kind: str) -> list[DiffEntry]:
        return [e for e in self.entries if e.kind == kind]


def fingerprints_of(period: Period) -> Iterator[Fingerprint]:
    return stored_fingerprints(period.pk) if period.is_closed else live_fingerprints(period.year)


def _visible(user: User | AnonymousUser | None, wilayah: str | None):
    roots = area_codes(user) if user is not None else None

    def inside(code: str, root: str) -> bool:
        return code == root or code.startswith(root + ".")

    def keep(desa: str) -> bool:
        if wilayah and not inside(desa, wilayah):
            return False
        return roots is None or any(inside(desa, r) for r in roots)

    return keep


def diff_periods(
    a: Period,
    b: Period,
    *,
    user: User | AnonymousUser | None = None,
    wilayah: str | None = None,
) -> PeriodDiff:
    """Families in (counted in `b`, not `a`), out (in `a`, not `b`) and changed (fingerprint
    differs), within the user's area (a family is seen when its desa in either period is)."""
    keep = _visible(user, wilayah)
    before = {f.family_id: f for f in fingerprints_of(a)}
    result = PeriodDiff(a, b)
    for new in fingerprints_of(b):
        old = before.pop(new.family_id, None)
        if old is None:
            kind = IN
        elif old.digest != new.digest:
            kind = CHANGED
        else:
            continue
        if keep(new.desa_code) or (old is not None and keep(old.desa_code)):
            result.entries.append(DiffEntry(kind, new.desa_code, old, new))
    for old in before.values():
        if keep(old.desa_code):
            result.entries.append(DiffEntry(OUT, old.desa_code, old, None))
    result.entries.sort(key=lambda e: (e.desa_code, e.kind, e.family.family_id))
    return result
