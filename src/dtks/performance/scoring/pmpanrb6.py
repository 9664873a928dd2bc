"""Predikat kinerja under PermenPANRB 6/2022 (the current regime).

The assessor rates hasil kerja (results) and perilaku kerja (behaviour, the BerAKHLAK core
values) each below / as / above expectation; the two ratings give the predikat through the
matrix of the regulation's Lampiran (`predikat`). The unit's predikat spread is then checked
against the distribution pattern set by the organisation's own predikat (`check_distribution`).
Figures of achievement are evidence for the results rating, never a verdict:
`suggest_results_rating` only proposes one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import HUNDRED, as_decimal, round2


class Rating(models.TextChoices):
    BELOW = "below", _("Below expectations")
    AS_EXPECTED = "as_expected", _("As expected")
    ABOVE = "above", _("Above expectations")


class Predikat(models.TextChoices):
    SANGAT_BAIK = "very_good", _("Sangat Baik")
    BAIK = "good", _("Baik")
    BUTUH_PERBAIKAN = "needs_improvement", _("Butuh Perbaikan")
    KURANG = "poor", _("Kurang")  # "Kurang/Misconduct" in the regulation
    SANGAT_KURANG = "very_poor", _("Sangat Kurang")


class OrganisationPredikat(models.TextChoices):
    ISTIMEWA = "exceptional", _("Istimewa")
    BAIK = "good", _("Baik")
    BUTUH_PERBAIKAN = "needs_improvement", _("Butuh Perbaikan")
    KURANG = "poor", _("Kurang")
    SANGAT_KURANG = "very_poor", _("Sangat Kurang")


# PermenPANRB 6/2022 Lampiran, predikat kinerja pegawai: (results, behaviour) → predikat.
MATRIX: dict[tuple[Rating, Rating], Predikat] = {
    (Rating.ABOVE, Rating.BELOW): Predikat.KURANG,
    (Rating.ABOVE, Rating.AS_EXPECTED): Predikat.BAIK,
    (Rating.ABOVE, Rating.ABOVE): Predikat.SANGAT_BAIK,
    (Rating.AS_EXPECTED, Rating.BELOW): Predikat.KURANG,
    (Rating.AS_EXPECTED, Rating.AS_EXPECTED): Predikat.BAIK,
    (Rating.AS_EXPECTED, Rating.ABOVE): Predikat.BAIK,
    (Rating.BELOW, Rating.BELOW): Predikat.SANGAT_KURANG,
    (Rating.BELOW, Rating.AS_EXPECTED): Predikat.BUTUH_PERBAIKAN,
    (Rating.BELOW, Rating.ABOVE): Predikat.BUTUH_PERBAIKAN,
}


def predikat(results: Rating, behaviour: Rating) -> Predikat:
    """The predikat kinerja of a results rating and a behaviour rating (PermenPANRB 6/2022,
    Lampiran: the matrix of rating hasil kerja × rating perilaku kerja)."""
    return MATRIX[Rating(results), Rating(behaviour)]


class CoreValue(models.TextChoices):
    """The BerAKHLAK core values of ASN, the behaviour rated in PermenPANRB 6/2022."""

    BERORIENTASI_PELAYANAN = "service", _("Berorientasi Pelayanan")
    AKUNTABEL = "accountable", _("Akuntabel")
    KOMPETEN = "competent", _("Kompeten")
    HARMONIS = "harmonious", _("Harmonis")
    LOYAL = "loyal", _("Loyal")
    ADAPTIF = "adaptive", _("Adaptif")
    KOLABORATIF = "collaborative", _("Kolaboratif")


# Panduan perilaku of each core value, as the regulation words them (PermenPANRB 6/2022
# Lampiran, perilaku kerja; the same guide as SE MenPANRB 20/2021 on the core values of ASN).
# Official text, kept in Indonesian in every language.
BEHAVIOUR_GUIDE: dict[CoreValue, tuple[str, ...]] = {
    CoreValue.BERORIENTASI_PELAYANAN: (
        "Memahami dan memenuhi kebutuhan masyarakat",
        "Ramah, cekatan, solutif, dan dapat diandalkan",
        "Melakukan perbaikan tiada henti",
    ),
    CoreValue.AKUNTABEL: (
        "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin, dan "
        "berintegritas tinggi",
        "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif, "
        "dan efisien",
        "Tidak menyalahgunakan kewenangan jabatan",
    ),
    CoreValue.KOMPETEN: (
        "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
        "Membantu orang lain belajar",
        "Melaksanakan tugas dengan kualitas terbaik",
    ),
    CoreValue.HARMONIS: (
        "Menghargai setiap orang apapun latar belakangnya",
        "Suka menolong orang lain",
        "Membangun lingkungan kerja yang kondusif",
    ),
    CoreValue.LOYAL: (
        "Memegang teguh ideologi Pancasila, Undang-Undang Dasar Negara Republik Indonesia "
        "Tahun 1945, setia kepada Negara Kesatuan Republik Indonesia serta pemerintahan "
        "yang sah",
        "Menjaga nama baik sesama ASN, pimpinan, instansi, dan negara",
        "Menjaga rahasia jabatan dan negara",
    ),
    CoreValue.ADAPTIF: (
        "Cepat menyesuaikan diri menghadapi perubahan",
        "Terus berinovasi dan mengembangkan kreativitas",
        "Bertindak proaktif",
    ),
    CoreValue.KOLABORATIF: (
        "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
        "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
        "Menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama",
    ),
}


@dataclass(frozen=True)
class DistributionRule:
    """A limit on the share of a unit's employees whose predikat is one of `predikats`:
    at least `min_share` percent, at most `max_share` percent, or (`required`) at least one."""

    predikats: frozenset[Predikat]
    min_share: Decimal | None = None
    max_share: Decimal | None = None
    required: bool = False


def _rule(
    *predikats: Predikat,
    min_share: Decimal | None = None,
    max_share: Decimal | None = None,
    required: bool = False,
) -> DistributionRule:
    return DistributionRule(frozenset(predikats), min_share, max_share, required)


# Pola distribusi predikat kinerja pegawai (the kurva distribusi) by the organisation's predikat,
# PermenPANRB 6/2022 Lampiran, evaluasi kinerja pegawai; as reproduced in
# https://naikpangkat.com/se-terbaru-menpan-rb-tetapkan-3-tahap-evaluasi-kinerja-asn-harus-lebih-waspada/3
# ("panduan pola distribusi predikat kinerja pegawai", points 1-5). "Sebagian besar (maksimal
# 70%)" is encoded as its number, at most 70%; "harus ada" as at least one employee.
DISTRIBUTION: dict[OrganisationPredikat, tuple[DistributionRule, ...]] = {
    # 1) most (at most 70%) Sangat Baik; the others may hold any predikat.
    OrganisationPredikat.ISTIMEWA: (_rule(Predikat.SANGAT_BAIK, max_share=Decimal(70)),),
    # 2) most (at most 70%) Baik; there must be Butuh Perbaikan and/or Kurang; the others may be
    # Sangat Baik and/or Sangat Kurang.
    OrganisationPredikat.BAIK: (
        _rule(Predikat.BAIK, max_share=Decimal(70)),
        _rule(Predikat.BUTUH_PERBAIKAN, Predikat.KURANG, required=True),
    ),
    # 3) at least 60% Butuh Perbaikan; Sangat Baik at most 10%.
    OrganisationPredikat.BUTUH_PERBAIKAN: (
        _rule(Predikat.BUTUH_PERBAIKAN, min_share=Decimal(60)),
        _rule(Predikat.SANGAT_BAIK, max_share=Decimal(10)),
    ),
    # 4) at least 60% Kurang, at least 10% Butuh Perbaikan; Sangat Baik at most 10%.
    OrganisationPredikat.KURANG: (
        _rule(Predikat.KURANG, min_share=Decimal(60)),
        _rule(Predikat.BUTUH_PERBAIKAN, min_share=Decimal(10)),
        _rule(Predikat.SANGAT_BAIK, max_share=Decimal(10)),
    ),
    # 5) at least 60% Sangat Kurang, at least 10% Kurang and/or Butuh Perbaikan; no Sangat Baik.
    OrganisationPredikat.SANGAT_KURANG: (
        _rule(Predikat.SANGAT_KURANG, min_share=Decimal(60)),
        _rule(Predikat.KURANG, Predikat.BUTUH_PERBAIKAN, min_share=Decimal(10)),
        _rule(Predikat.SANGAT_BAIK, max_share=Decimal(0)),
    ),
}


class _Percent:
    """A share shown as a percentage in the active language's number format (33,33%)."""

    def __init__(self, value: Decimal) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        value = (
            self.value.quantize(Decimal(1))
            if self.value == self.value.to_integral()
            else self.value
        )
        return f"{number_format(value)}%"


def _names(predikats: frozenset[Predikat]) -> Promise:
    ordered = [p.label for p in Predikat if p in predikats]
    return format_lazy(" / ".join(["{}"] * len(ordered)), *ordered)


AT_MOST = _("At most {allowed} of employees may be {predikat}; this unit has {actual}.")
AT_LEAST = _("At least {allowed} of employees must be {predikat}; this unit has {actual}.")
AT_LEAST_ONE = _("At least one employee must be {predikat}; this unit has {actual}.")


@dataclass(frozen=True)
class BrokenRule:
    """A distribution rule the unit breaks, with the allowed and the actual share (percent)."""

    rule: DistributionRule
    allowed: Decimal
    actual: Decimal

    @property
    def message(self) -> Promise:
        """What is wrong, in the active language: the predikat, the allowed and actual share."""
        if self.rule.max_share is not None:
            template = AT_MOST
        elif self.rule.min_share is not None:
            template = AT_LEAST
        else:
            template = AT_LEAST_ONE
        return format_lazy(
            template,
            allowed=_Percent(self.allowed),
            predikat=_names(self.rule.predikats),
            actual=_Percent(self.actual),
        )


def _broken(rule: DistributionRule, count: int, total: int) -> BrokenRule | None:
    actual = round2(Decimal(count) * HUNDRED / total)
    # Decided on exact counts (count × 100 against share × total), shown rounded.
    if rule.max_share is not None and count * HUNDRED > rule.max_share * total:
        return BrokenRule(rule, rule.max_share, actual)
    if rule.min_share is not None and count * HUNDRED < rule.min_share * total:
        return BrokenRule(rule, rule.min_share, actual)
    if rule.required and count == 0:
        return BrokenRule(rule, Decimal(0), actual)
    return None


def check_distribution(
    organisation: OrganisationPredikat, predikats: Iterable[Predikat]
) -> list[BrokenRule]:
    """The distribution rules that a unit's employees' predikat break, given the organisation's
    predikat (PermenPANRB 6/2022 Lampiran, pola distribusi). An empty unit breaks none."""
    counts = Counter(Predikat(p) for p in predikats)
    total = sum(counts.values())
    if total == 0:
        return []
    found = (
        _broken(rule, sum(counts[p] for p in rule.predikats), total)
        for rule in DISTRIBUTION[OrganisationPredikat(organisation)]
    )
    return [b for b in found if b is not None]


# Thresholds of `suggest_results_rating`, in percent of target (capaian).
WELL_BELOW = Decimal(80)  # any indicator under it: below expectations
CLEARLY_ABOVE = Decimal(110)  # every indicator at target and their mean at least this: above


def suggest_results_rating(achievements: Iterable[Decimal]) -> Rating:
    """A suggested results rating from the indicators' capaian (percent of target). Only a
    suggestion: under PermenPANRB 6/2022 the assessor rates results against expectations, and
    the figures are evidence for that judgement, never the verdict.

    Below if any indicator is under 80% or their mean is under 100%; above if every indicator
    reached 100% and their mean is at least 110%; otherwise as expected. Raising any capaian
    never lowers the suggestion."""
    values = [as_decimal(a, "achievement") for a in achievements]
    if not values:
        raise ValueError("a suggestion needs at least one indicator")
    mean = sum(values, Decimal(0)) / len(values)
    if min(values) < WELL_BELOW or mean < HUNDRED:
        return Rating.BELOW
    if min(values) >= HUNDRED and mean >= CLEARLY_ABOVE:
        return Rating.ABOVE
    return Rating.AS_EXPECTED
