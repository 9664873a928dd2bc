"""Penilaian kinerja under PP 30/2019 and PermenPANRB 8/2021 (capaian → nilai, up to 120).

Per indicator (Indikator Kinerja Individu), PermenPANRB 8/2021 Lampiran BAB VI A:
- capaian, "kondisi normal" (higher is better): realisasi / target × 100%;
- capaian, "kondisi khusus" (lower is better, e.g. time): (1 + (1 − realisasi / target)) × 100%;
  with a target range, the upper bound is used when the realisation lies above the range and
  the lower bound when it lies below it;
- nilai: 101-110% → 110 + (capaian − 101) × 10/9; 100% → 109; 80-99% → 70 + (capaian − 80);
  60-79% → 50 + (capaian − 60); 0-59% → capaian / 59 × 49; above 110% → 120; and a capaian of
  100% on a target that is the most the indicator can reach → 120 (huruf i).
The SKP value is the mean of the indicators' nilai; the final value is 70% SKP + 30% perilaku,
or 60/40 where peers and subordinates also rate (PP 30/2019 Pasal 41).

Choices where the regulation is silent (README.md lists them with the tests that pin them):
- Capaian is rounded to two decimals half up, and nilai is computed from that printed capaian.
- Between the integer bands the regulation's lines are joined so that nilai is monotone, and
  continuous everywhere the regulation is: 59 ≤ c < 100 gives c − 10 (one line through the
  Kurang and Cukup bands: 59.5% → 49.50, 99.5% → 89.50); 100 ≤ c < 101 gives 109 + (c − 100)
  (100.4% → 109.40); c ≥ 101 follows the Sangat Baik line, capped at 120 (110.5% → 120). The one
  step is the regulation's own: 99.99% → 89.99, 100% → 109 (meeting the target is Baik).
- A realisation inside a target range scores 100%.
- A capaian below 0 (lower is better, realisation above twice the target) counts as 0.
- A target of 0 has no capaian: the indicator is refused (an unused indicator is not passed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import HUNDRED, Assessment, as_decimal, mean2, rated_mean, round2

CAP = Decimal(120)
NILAI_AT_TARGET = Decimal(109)
SANGAT_BAIK_FLOOR = Decimal(110)


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("Higher is better")
    LOWER_IS_BETTER = "lower", _("Lower is better")


class Predikat(models.TextChoices):
    SANGAT_BAIK = "very_good", _("Sangat Baik")
    BAIK = "good", _("Baik")
    CUKUP = "fair", _("Cukup")
    KURANG = "poor", _("Kurang")
    SANGAT_KURANG = "very_poor", _("Sangat Kurang")


# Highest first, below Sangat Baik (which also needs an innovation): (lowest value, predikat).
BANDS: tuple[tuple[Decimal, Predikat], ...] = (
    (Decimal(90), Predikat.BAIK),
    (Decimal(70), Predikat.CUKUP),
    (Decimal(50), Predikat.KURANG),
)


class BehaviourAspect(models.TextChoices):
    """The aspects of perilaku kerja under PP 30/2019."""

    SERVICE_ORIENTATION = "service_orientation", _("Service orientation")
    COMMITMENT = "commitment", _("Commitment")
    INITIATIVE = "initiative", _("Work initiative")
    COOPERATION = "cooperation", _("Cooperation")
    LEADERSHIP = "leadership", _("Leadership")


@dataclass(frozen=True)
class Indicator:
    """One indicator: its target (or the lower bound of a target range with `target_upper`),
    its realisation, which way is better, and whether the target is the most it can reach."""

    target: Decimal
    realisation: Decimal
    direction: Direction = Direction.HIGHER_IS_BETTER
    target_upper: Decimal | None = None
    target_is_maximum: bool = False

    def __post_init__(self) -> None:
        for name in ("target", "realisation", "target_upper"):
            raw = getattr(self, name)
            if raw is None:
                continue
            value = as_decimal(raw, name)
            if value < 0:
                raise ValueError(f"{name} cannot be negative, not {value}")
            object.__setattr__(self, name, value)
        if self.target <= 0:
            raise ValueError("a target of 0 has no capaian: leave the indicator out")
        if self.target_upper is not None and self.target_upper < self.target:
            raise ValueError("a target range runs from its lower to its upper bound")


def achievement(indicator: Indicator) -> Decimal:
    """Capaian IKI in percent, two decimals (PermenPANRB 8/2021 Lampiran BAB VI A 1(b)(1)(e)-(g));
    lower-is-better: (1 + (1 − realisasi/target)) × 100%, floored at 0."""
    lower, upper = indicator.target, indicator.target_upper or indicator.target
    real = indicator.realisation
    if lower <= real <= upper and lower != upper:
        return round2(HUNDRED)
    target = upper if real > upper else lower
    ratio = real / target
    if indicator.direction == Direction.LOWER_IS_BETTER:
        ratio = 2 - ratio
    return round2(max(ratio * HUNDRED, Decimal(0)))


def score_achievement(capaian: Decimal, *, target_is_maximum: bool = False) -> Decimal:
    """Nilai capaian IKI (0-120) of a capaian in percent, joined between the integer bands so
    it is monotone (see the module doc). PermenPANRB 8/2021 Lampiran BAB VI A 1(b)(2)."""
    c = round2(as_decimal(capaian, "capaian"))
    if c < 0:
        raise ValueError(f"a capaian cannot be negative, not {c}")
    if c == HUNDRED and target_is_maximum:
        return CAP
    if c < 59:
        value = c / 59 * 49
    elif c < HUNDRED:
        value = c - 10  # 50 + (c − 60) and 70 + (c − 80) are the same line
    elif c < 101:
        value = NILAI_AT_TARGET + (c - HUNDRED)
    else:
        value = SANGAT_BAIK_FLOOR + (c - 101) * 10 / 9
    return round2(min(value, CAP))


def indicator_value(indicator: Indicator) -> Decimal:
    """The nilai of one indicator: its capaian converted."""
    return score_achievement(achievement(indicator), target_is_maximum=indicator.target_is_maximum)


def skp_value(indicators: Sequence[Indicator]) -> Decimal:
    """The SKP value: the mean of the indicators' nilai, two decimals."""
    if not indicators:
        raise ValueError("an SKP needs at least one indicator")
    return mean2(indicator_value(i) for i in indicators)


def behaviour_value(ratings: Mapping[BehaviourAspect, Decimal], *, leads: bool) -> Decimal:
    """The perilaku value: the mean of the aspects rated 0-120; kepemimpinan is rated only for
    an official who leads others, and then must be."""
    expected = set(BehaviourAspect)
    if not leads:
        expected.discard(BehaviourAspect.LEADERSHIP)
    return rated_mean(ratings, expected, CAP)


def final_value(skp: Decimal, behaviour: Decimal, *, peers_rate: bool = False) -> Decimal:
    """70% SKP + 30% perilaku, or 60% + 40% where peers and subordinates also rate the
    behaviour (PP 30/2019 Pasal 41)."""
    skp_weight = Decimal("0.6") if peers_rate else Decimal("0.7")
    return round2(skp * skp_weight + behaviour * (1 - skp_weight))


def predikat(value: Decimal, *, has_innovation: bool) -> Predikat:
    """Sangat Baik 110-120 with a recorded innovation (without one it is Baik), Baik 90-120,
    Cukup 70-<90, Kurang 50-<70, Sangat Kurang <50 (PP 30/2019)."""
    value = as_decimal(value, "value")
    if not 0 <= value <= CAP:
        raise ValueError(f"a final value lies between 0 and 120, not {value}")
    if value >= SANGAT_BAIK_FLOOR and has_innovation:
        return Predikat.SANGAT_BAIK
    return next((p for lowest, p in BANDS if value >= lowest), Predikat.SANGAT_KURANG)


def assess(
    indicators: Sequence[Indicator],
    ratings: Mapping[BehaviourAspect, Decimal],
    *,
    leads: bool,
    peers_rate: bool = False,
    has_innovation: bool = False,
) -> Assessment[Predikat]:
    """The appraisal of one PNS for one period under PP 30/2019."""
    skp = skp_value(indicators)
    behaviour = behaviour_value(ratings, leads=leads)
    value = final_value(skp, behaviour, peers_rate=peers_rate)
    return Assessment(skp, behaviour, value, predikat(value, has_innovation=has_innovation))
