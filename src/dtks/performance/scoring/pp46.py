"""Prestasi kerja under PP 46/2011 and Perka BKN 1/2013 (the numeric SKP many local apps keep).

Per activity (kegiatan tugas jabatan), Perka BKN 1/2013, Lampiran (penilaian SKP):
- kuantitas and kualitas: realisasi / target × 100;
- waktu and biaya, scored by efficiency = 100 − realisasi / target × 100:
  efficiency ≤ 24%: (1.76 × target − realisasi) / target × 100;
  efficiency > 24%: 76 − ((1.76 × target − realisasi) / target × 100 − 100);
- the activity's value is the mean of the aspects it uses (3, or 4 with biaya).
The SKP value is the mean of the activities plus tugas tambahan and kreativitas points; the
prestasi kerja value is 60% SKP + 40% perilaku kerja (PP 46/2011 Pasal 4-5).

Choices where the Perka is silent (README.md lists them with the tests that pin them):
- An aspect whose target is 0 is not used: it is left out of the mean, never divided by.
- The efficiency branch is decided exactly (100 × realisasi ≥ 76 × target), with no division:
  at T = 12, R = 9.12 the efficiency is exactly 24% and the waktu value 100 (float arithmetic
  finds 24.000000000000014% and wrongly gives 76).
- A waktu/biaya formula result below 0 (realisasi over 1.76 × target) counts as 0.
- Every printed figure (aspect, activity, SKP, perilaku, final value) is rounded to two
  decimals half up, and the next step is computed from the printed figures, so the form adds up.
- The bands are written in whole numbers (91 ke atas, 76-90, 61-75, 51-60, 50 ke bawah) with
  gaps between them; a value is banded by its whole-number rounding, half up: 90.49 → Baik,
  90.50 → Sangat Baik, 50.49 → Buruk, 50.50 → Kurang.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import HUNDRED, Assessment, as_decimal, mean2, rated_mean, round2

FACTOR = Decimal("1.76")
EFFICIENCY_LIMIT = Decimal(24)  # percent
SKP_WEIGHT = Decimal("0.6")
BEHAVIOUR_WEIGHT = Decimal("0.4")


class Predikat(models.TextChoices):
    SANGAT_BAIK = "very_good", _("Sangat Baik")
    BAIK = "good", _("Baik")
    CUKUP = "fair", _("Cukup")
    KURANG = "poor", _("Kurang")
    BURUK = "bad", _("Buruk")


# Highest first: (lowest whole-number value of the band, predikat).
BANDS: tuple[tuple[int, Predikat], ...] = (
    (91, Predikat.SANGAT_BAIK),
    (76, Predikat.BAIK),
    (61, Predikat.CUKUP),
    (51, Predikat.KURANG),
)


class BehaviourAspect(models.TextChoices):
    """The aspects of perilaku kerja, PP 46/2011 Pasal 12."""

    SERVICE_ORIENTATION = "service_orientation", _("Service orientation")
    INTEGRITY = "integrity", _("Integrity")
    COMMITMENT = "commitment", _("Commitment")
    DISCIPLINE = "discipline", _("Discipline")
    COOPERATION = "cooperation", _("Cooperation")
    LEADERSHIP = "leadership", _("Leadership")


@dataclass(frozen=True)
class Measure:
    """One aspect of an activity: the target set at the start and the realisation at the end.
    A target of 0 means the aspect is not used."""

    target: Decimal
    realisation: Decimal

    def __post_init__(self) -> None:
        for name in ("target", "realisation"):
            value = as_decimal(getattr(self, name), name)
            if value < 0:
                raise ValueError(f"{name} cannot be negative, not {value}")
            object.__setattr__(self, name, value)

    @property
    def used(self) -> bool:
        return self.target > 0


@dataclass(frozen=True)
class Activity:
    """One kegiatan tugas jabatan with its four aspects (biaya optional)."""

    quantity: Measure
    quality: Measure
    time: Measure
    cost: Measure | None = None


@dataclass(frozen=True)
class ActivityScore:
    """The printed row of one activity: each used aspect's value, and their mean."""

    quantity: Decimal | None
    quality: Decimal | None
    time: Decimal | None
    cost: Decimal | None
    value: Decimal


def ratio_score(measure: Measure) -> Decimal:
    """Kuantitas or kualitas: realisasi / target × 100, two decimals (Perka BKN 1/2013).
    Not capped: a realisation above target scores above 100."""
    _require_used(measure)
    return round2(measure.realisation / measure.target * HUNDRED)


def efficiency_within_limit(measure: Measure) -> bool:
    """Whether efficiency = 100 − R/T × 100 is at most 24%, decided exactly: R × 100 ≥ 76 × T."""
    _require_used(measure)
    return measure.realisation * HUNDRED >= (HUNDRED - EFFICIENCY_LIMIT) * measure.target


def efficiency_score(measure: Measure) -> Decimal:
    """Waktu or biaya, by efficiency (Perka BKN 1/2013): up to 24% efficiency,
    (1.76·T − R)/T × 100; above it, 76 − ((1.76·T − R)/T × 100 − 100). Floored at 0."""
    _require_used(measure)
    raw = (FACTOR * measure.target - measure.realisation) / measure.target * HUNDRED
    value = raw if efficiency_within_limit(measure) else Decimal(76) - (raw - HUNDRED)
    return round2(max(value, Decimal(0)))


def score_activity(activity: Activity) -> ActivityScore:
    """The activity's aspect values and their mean over the aspects used (target > 0)."""
    quantity = ratio_score(activity.quantity) if activity.quantity.used else None
    quality = ratio_score(activity.quality) if activity.quality.used else None
    time = efficiency_score(activity.time) if activity.time.used else None
    cost = activity.cost
    cost_value = efficiency_score(cost) if cost is not None and cost.used else None
    used = [v for v in (quantity, quality, time, cost_value) if v is not None]
    if not used:
        raise ValueError("an activity needs at least one aspect with a target above 0")
    return ActivityScore(quantity, quality, time, cost_value, mean2(used))


def additional_task_points(count: int) -> int:
    """Tugas tambahan (Perka BKN 1/2013): 1-3 tasks 1 point, 4-6 tasks 2, 7 or more 3."""
    if count < 0:
        raise ValueError(f"a number of tasks cannot be negative, not {count}")
    if count == 0:
        return 0
    return 1 if count <= 3 else 2 if count <= 6 else 3


def skp_value(
    activities: Sequence[Activity],
    *,
    additional_tasks: int = 0,
    creativity_points: Decimal = Decimal(0),
) -> Decimal:
    """Nilai capaian SKP: the mean of the activity values plus the tugas tambahan points and
    the kreativitas points (given as the Perka's points for the recognised creativity)."""
    if not activities:
        raise ValueError("an SKP needs at least one activity")
    creativity = as_decimal(creativity_points, "creativity_points")
    if creativity < 0:
        raise ValueError(f"kreativitas points cannot be negative, not {creativity}")
    mean = mean2(score_activity(a).value for a in activities)
    return round2(mean + additional_task_points(additional_tasks) + creativity)


def behaviour_value(ratings: Mapping[BehaviourAspect, Decimal], *, structural: bool) -> Decimal:
    """Nilai perilaku kerja: the mean of the aspects rated 0-100 (PP 46/2011 Pasal 12);
    kepemimpinan is rated for structural officials only, and then must be."""
    expected = set(BehaviourAspect)
    if not structural:
        expected.discard(BehaviourAspect.LEADERSHIP)
    return rated_mean(ratings, expected, Decimal(100))


def final_value(skp: Decimal, behaviour: Decimal) -> Decimal:
    """Nilai prestasi kerja = 60% SKP + 40% perilaku kerja (PP 46/2011 Pasal 5)."""
    return round2(skp * SKP_WEIGHT + behaviour * BEHAVIOUR_WEIGHT)


def band(value: Decimal) -> Predikat:
    """The predikat of a value: 91 ke atas Sangat Baik, 76-90 Baik, 61-75 Cukup, 51-60 Kurang,
    50 ke bawah Buruk, the value first rounded to a whole number half up (see module doc)."""
    whole = as_decimal(value, "value").quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return next((p for lowest, p in BANDS if whole >= lowest), Predikat.BURUK)


def assess(
    activities: Sequence[Activity],
    ratings: Mapping[BehaviourAspect, Decimal],
    *,
    structural: bool,
    additional_tasks: int = 0,
    creativity_points: Decimal = Decimal(0),
) -> Assessment[Predikat]:
    """The appraisal of one PNS for one year under PP 46/2011."""
    skp = skp_value(
        activities, additional_tasks=additional_tasks, creativity_points=creativity_points
    )
    behaviour = behaviour_value(ratings, structural=structural)
    value = final_value(skp, behaviour)
    return Assessment(skp, behaviour, value, band(value))


def _require_used(measure: Measure) -> None:
    if not measure.used:
        raise ValueError("an aspect with target 0 is not used and has no value")
