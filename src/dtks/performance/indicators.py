"""The organisation's indicators (Tabel 1.1) measured by their district analogues (DOMAIN.md
§10): target vs actual per year, computed from the registry, the work log and the survey, or
entered by hand where nothing in dtks measures them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef

from dtks.adminduk.queries import share_padan
from dtks.proposals.models import Transition
from dtks.registry.models import Family
from dtks.survey.queries import ikm
from dtks.verification.models import Finding, FindingStatus, Severity
from dtks.wilayah.models import Level, Region

from .models import Indicator, IndicatorActual, IndicatorSource, IndicatorTarget
from .scoring import percent2
from .worklog import Span

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Row:
    """One indicator's target and actual for a span, with the figures behind the actual."""

    indicator: Indicator
    target: Decimal | None
    actual: Decimal | None
    detail: str

    @property
    def met(self) -> bool | None:
        if self.target is None or self.actual is None:
            return None
        return self.actual >= self.target


def _kabupaten() -> str | None:
    """The kabupaten the registry holds (the region code prefix of its desa)."""
    desa = Family.objects.order_by().values_list("desa_id", flat=True).first()
    return ".".join(desa.split(".")[:2]) if desa else None


def desa_proposing(span: Span) -> tuple[Decimal | None, str]:
    """Desa/kelurahan of the kabupaten that submitted at least one proposal in the span."""
    kabupaten = _kabupaten()
    if kabupaten is None:
        return None, ""
    desa = Region.objects.filter(level=Level.DESA, code__startswith=kabupaten + ".")
    proposing = (
        Transition.objects.filter(action="submit", at__gte=span.start, at__lt=span.end)
        .values_list("proposal__batch__desa_id", flat=True)
        .distinct()
    )
    total, active = desa.count(), desa.filter(code__in=proposing).count()
    return percent2(active, total), f"{active}/{total} desa"


def padan(span: Span) -> tuple[Decimal | None, str]:
    """Individuals padan with Dukcapil (their current result: the registry's state now)."""
    matched_padan, matched, _share = share_padan()
    return percent2(matched_padan, matched), f"{matched_padan}/{matched}"


def targeting(span: Span) -> tuple[Decimal | None, str]:
    """Active families without an inclusion-error flag and without an open error finding on
    the family or any of its current members."""
    families = Family.objects.active()
    errors = Finding.objects.filter(status=FindingStatus.OPEN, severity=Severity.ERROR)
    wrong = families.filter(
        Exists(errors.filter(family=OuterRef("pk")))
        | Exists(
            errors.filter(
                person__memberships__family=OuterRef("pk"),
                person__memberships__end_date__isnull=True,
            )
        )
        | Exists(Family.objects.filter(pk=OuterRef("pk"), assessment__flagged=True))
    )
    total, bad = families.count(), wrong.count()
    return percent2(total - bad, total), f"{total - bad}/{total}"


def satisfaction(span: Span) -> tuple[Decimal | None, str]:
    result = ikm(span.first, span.last)
    if result is None:
        return None, ""
    return result.value, f"{result.respondents} responden, mutu {result.grade.letter}"


COMPUTED = {
    IndicatorSource.DESA_PROPOSING: desa_proposing,
    IndicatorSource.PADAN: padan,
    IndicatorSource.TARGETING: targeting,
    IndicatorSource.IKM: satisfaction,
}


def rows(span: Span) -> list[Row]:
    """Every indicator's target (of the span's year) and actual (over the span)."""
    targets = {t.indicator_id: t.value for t in IndicatorTarget.objects.filter(year=span.year)}
    actuals = {a.indicator_id: a for a in IndicatorActual.objects.filter(year=span.year)}
    out = []
    for indicator in Indicator.objects.all():
        if indicator.source in COMPUTED:
            actual, detail = COMPUTED[indicator.source](span)
        else:
            entered = actuals.get(indicator.pk)
            actual, detail = (entered.value, entered.note) if entered else (None, "")
        out.append(Row(indicator, targets.get(indicator.pk), actual, detail))
    return out


def figures(span: Span) -> dict[str, dict[str, str | None]]:
    """The rows as plain data, kept with a predikat when it is set."""
    return {
        r.indicator.code: {
            "target": None if r.target is None else str(r.target),
            "actual": None if r.actual is None else str(r.actual),
            "detail": r.detail,
        }
        for r in rows(span)
    }
