"""The three SKP scoring regimes of the Indonesian civil service, as pure functions in `Decimal`.

- `pp46`: PP 46/2011 + Perka BKN 1/2013 (numeric SKP, 60% SKP + 40% perilaku);
- `pp30`: PP 30/2019 + PermenPANRB 8/2021 (capaian → nilai up to 120, 70/30 or 60/40);
- `pmpanrb6`: PermenPANRB 6/2022 (ratings against expectation → predikat; distribution check).

No database and no models: callers pass plain values and keep what comes back. Every figure a
regulation prints with two decimals is rounded to two decimals, half up (`round2`). See
README.md beside this file for the edge cases and the choices made where a regulation is silent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

K = TypeVar("K", bound=str)
P = TypeVar("P", bound=str)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def round2(value: Decimal) -> Decimal:
    """`value` to two decimals, half up (the rounding of every figure the regimes print)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent2(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """`part` as a percentage of `whole`, two decimals half up; None when `whole` is 0."""
    return round2(Decimal(part) * HUNDRED / Decimal(whole)) if whole else None


def mean2(values: Iterable[Decimal]) -> Decimal:
    """The mean of `values` to two decimals, half up; at least one value is required."""
    items = list(values)
    if not items:
        raise ValueError("a mean needs at least one value")
    return round2(sum(items, Decimal(0)) / len(items))


def as_decimal(value: Decimal | int | str, name: str) -> Decimal:
    """`value` as a finite Decimal; floats are refused, since they carry binary error."""
    if isinstance(value, (float, bool)):
        raise TypeError(f"{name} must be a Decimal, int or str, not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value}")
    return result


def rated_mean(ratings: Mapping[K, Decimal], expected: set[K], top: Decimal) -> Decimal:
    """The mean of behaviour ratings, two decimals: exactly the `expected` aspects, each
    rated from 0 to `top`."""
    if set(ratings) != expected:
        missing = sorted(expected - set(ratings))
        extra = sorted(set(ratings) - expected)
        raise ValueError(f"behaviour aspects missing {missing}, not expected {extra}")
    values = [as_decimal(v, str(k)) for k, v in ratings.items()]
    if not all(0 <= v <= top for v in values):
        raise ValueError(f"behaviour ratings lie between 0 and {top}")
    return mean2(values)


@dataclass(frozen=True)
class Assessment(Generic[P]):
    """A whole appraisal: the SKP value, the behaviour value, the final value, its predikat."""

    skp: Decimal
    behaviour: Decimal
    value: Decimal
    predikat: P
