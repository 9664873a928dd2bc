"""The satisfaction index (IKM) of PermenPANRB 14/2017, computed in `Decimal`.

For each element, the NRR (nilai rata-rata) is the mean of its answers (1-4). The regulation
weighs every element the same: "bobot nilai rata-rata tertimbang = jumlah bobot / jumlah unsur
= 1/9". Units often write that weight as 0.111 (e.g. the metadata of
https://data.penajamkab.go.id/metadata/indikator/57: "dikalikan 0.111 … dikali 25"); with it
a survey where everybody answered 4 scores 4 × 9 × 0.111 × 25 = 99.90, never the 100.00 that
tops the regulation's own interval table. We weigh by exactly 1/9, so the index is the mean of
the nine NRR × 25 (all 4s: 100.00, all 1s: 25.00).

The index is rounded to two decimals, half up, before it is graded: the regulation's intervals
are written in two decimals (A 88.31-100, B 76.61-88.30, C 65.00-76.60, D 25.00-64.99) with
gaps between them that only the rounding closes (88.305 → 88.31 → A).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .elements import ELEMENT_CODES, SCORES

CONVERSION = Decimal(25)  # the index on the 25-100 scale: mean score × 25
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Grade:
    """The quality of service (mutu pelayanan) an index falls in."""

    letter: str
    label: Promise
    lowest: Decimal  # the interval's lowest index (two decimals)


# Highest first; each grade covers its `lowest` up to the next grade's lowest - 0.01.
GRADES: tuple[Grade, ...] = (
    Grade("A", _("Very good"), Decimal("88.31")),
    Grade("B", _("Good"), Decimal("76.61")),
    Grade("C", _("Poor"), Decimal("65.00")),
    Grade("D", _("Not good"), Decimal("25.00")),
)


def grade(value: Decimal) -> Grade:
    """The grade of an index already rounded to two decimals (25.00-100.00)."""
    if not CONVERSION <= value <= 100:
        raise ValueError(f"an index lies between 25 and 100, not {value}")
    return next(g for g in GRADES if value >= g.lowest)


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class IkmResult:
    """The index over a set of responses: its respondents, NRR per element, value, grade."""

    respondents: int
    nrr: dict[str, Decimal]  # element code → its mean answer, two decimals
    value: Decimal  # 25.00-100.00, two decimals
    grade: Grade = field(compare=False)

    @property
    def nrr_rows(self) -> list[tuple[str, Decimal]]:
        return list(self.nrr.items())


def from_totals(totals: Mapping[str, int], respondents: int) -> IkmResult | None:
    """The index from the sum of each element's answers over `respondents` responses (every
    response answers all nine). None when nobody answered."""
    if respondents <= 0:
        return None
    if set(totals) != set(ELEMENT_CODES):
        raise ValueError("one total per element")
    with localcontext() as ctx:
        ctx.prec = 34
        n = Decimal(respondents)
        means = [Decimal(totals[code]) / n for code in ELEMENT_CODES]
        if not all(SCORES[0] <= m <= SCORES[-1] for m in means):
            raise ValueError("answers lie between 1 and 4")
        # Σ (NRR × 1/9) × 25 = Σ answers × 25 / (9 n): one division, so that an index lying
        # exactly on a half cent (88.305) is not nudged below it by rounded NRRs.
        total = Decimal(sum(totals.values()))
        value = _round(total * CONVERSION / (len(ELEMENT_CODES) * n))
    nrr = {code: _round(m) for code, m in zip(ELEMENT_CODES, means, strict=True)}
    return IkmResult(respondents, nrr, value, grade(value))


def compute(answers: Iterable[Sequence[int]]) -> IkmResult | None:
    """The index of responses given as nine answers each, in element order."""
    totals = dict.fromkeys(ELEMENT_CODES, 0)
    count = 0
    for row in answers:
        if len(row) != len(ELEMENT_CODES) or any(a not in SCORES for a in row):
            raise ValueError(f"nine answers from 1 to 4, not {row!r}")
        for code, answer in zip(ELEMENT_CODES, row, strict=True):
            totals[code] += answer
        count += 1
    return from_totals(totals, count)
