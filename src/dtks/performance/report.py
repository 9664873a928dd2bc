"""The performance report of the unit (the DTKS team of the Bidang) or of one employee for a
year: per aspect (kuantitas, kualitas, waktu, biaya, perilaku) what was measured, the target,
the realisation from the work log, the score under the year's appraisal regime, the verdict
(`baik` / `belum baik`), the evidence counts and a recommendation drawn from the gap.

This module only computes (a generator); `formats` turns a `Report` into a table, JSON or PDF.
Verdicts come from the computation, never from stored text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dtks.reports.queries import recap_rows, recap_total
from dtks.training.queries import year_summary

from . import worklog
from .models import Appraisal, Aspect, Employee, Measure, Regime, Target
from .scoring import mean2, percent2, pmpanrb6, pp30, pp46, round2
from .scoring.pmpanrb6 import Rating

BAIK, BELUM_BAIK = "baik", "belum baik"
ASPECTS = (Aspect.KUANTITAS, Aspect.KUALITAS, Aspect.WAKTU, Aspect.BIAYA)
PERILAKU = "perilaku"
HUNDRED = Decimal(100)
# The plan when a year has none: the seed recommends two or three online bimtek a year.
DEFAULT_TRAININGS = 2
# Unit targets for the measures no employee's SKP sets (settings.DTKS_UNIT_TARGETS may change).
UNIT_TARGETS: dict[str, Decimal] = {
    Measure.REGISTRY_CLEAN: HUNDRED,
    Measure.WORK_CLEAN: HUNDRED,
    Measure.IN_WINDOW: HUNDRED,
    Measure.BUDGET_REALISED: HUNDRED,
    Measure.TRAININGS_HELD: HUNDRED,
    Measure.FACILITIES: HUNDRED,
}
UNIT_MEASURES = (
    (Aspect.KUANTITAS, Measure.RECORDS_HANDLED),
    (Aspect.KUALITAS, Measure.REGISTRY_CLEAN),
    (Aspect.KUALITAS, Measure.WORK_CLEAN),
    (Aspect.WAKTU, Measure.IN_WINDOW),
    (Aspect.WAKTU, Measure.DAYS_TO_VERIFY),
    (Aspect.BIAYA, Measure.BUDGET_REALISED),
    (Aspect.BIAYA, Measure.TRAININGS_HELD),
    (Aspect.BIAYA, Measure.FACILITIES),
)


@dataclass
class Realised:
    """A measure's realisation for the year: the figure (None: nothing to measure), its
    months, and the evidence as counts and as records."""

    value: Decimal | None
    months: dict[int, Decimal | None] = field(default_factory=dict)
    evidence: dict[str, int] = field(default_factory=dict)
    records: list[tuple[str, int]] = field(default_factory=list)
    manual: bool = False
    note: str = ""


@dataclass
class Line:
    """One indicator of an aspect."""

    measure: str
    indicator: str
    target: Decimal
    unit: str
    realised: Realised
    score: Decimal | None
    baik: bool


@dataclass
class AspectResult:
    aspect: str
    lines: list[Line]
    score: Decimal | None
    verdict: str
    recommendation: str


@dataclass(frozen=True)
class Outcome:
    """An employee's appraisal under its regime: the SKP value, the behaviour value, the final
    value and the predikat (PermenPANRB 6/2022: the predikat of the appraiser's two ratings)."""

    skp: Decimal | None
    behaviour: Decimal | None
    value: Decimal | None
    predikat: str


@dataclass
class Report:
    year: int
    regime: str
    subject: str  # the unit's name or the employee's
    nip: str  # "" for the unit
    aspects: dict[str, AspectResult]
    outcome: Outcome | None = None


def _share(share: worklog.Share, kind: str) -> Realised:
    months = {m: (round2(p) if (p := share.percent(m)) is not None else None) for m in range(1, 13)}
    value = share.percent()
    return Realised(
        round2(value) if value is not None else None,
        months,
        {kind: share.total, "failing": len(share.failing)},
        sorted(share.failing),
    )


def realise(
    measure: str, users: Sequence[int], year: int, target: Target | None = None
) -> Realised:
    """The realisation of `measure` for `users` in `year`, from the work log (or, for a
    `manual` target, the values entered by hand, marked as such)."""
    if measure == Measure.RECORDS_HANDLED:
        return _handled(users, year)
    if measure == Measure.WORK_CLEAN:
        return _share(worklog.work_clean(users, year), "records")
    if measure == Measure.IN_WINDOW:
        return _share(worklog.in_window(users, year), "steps")
    if measure == Measure.DAYS_TO_VERIFY:
        median, measured = worklog.days_to_verify(users, year)
        return Realised(
            median, {}, {"proposals": len(measured)}, [("proposal", p) for p in measured]
        )
    if measure == Measure.REGISTRY_CLEAN:
        return _registry_clean(year)
    if measure in (Measure.BUDGET_REALISED, Measure.TRAININGS_HELD, Measure.FACILITIES):
        return _resources(measure, year)
    return _manual(target)


def _handled(users: Sequence[int], year: int) -> Realised:
    """Records handled, summed over the people: a proposal one created and another verified
    is two pieces of work, as their two targets count it."""
    months = {m: Decimal(0) for m in range(1, 13)}
    kinds: dict[str, int] = {}
    records: set[tuple[str, int]] = set()
    for user in users:
        tally = worklog.records_handled([user], year)
        for month, n in tally.months.items():
            months[month] += n
        for kind, _pk in tally.evidence:
            kinds[kind] = kinds.get(kind, 0) + 1
        records |= tally.evidence
    return Realised(sum(months.values(), Decimal(0)), months, kinds, sorted(records))


def _registry_clean(year: int) -> Realised:
    """Individuals of the year's registry not needing repair (from the closed period's
    snapshot, or live for the open one)."""
    total = recap_total(recap_rows(year=year))
    clean = total.individuals - total.needing_repair
    return Realised(
        percent2(clean, total.individuals),
        evidence={"individuals": total.individuals, "needing_repair": total.needing_repair},
    )


def _resources(measure: str, year: int) -> Realised:
    summary = year_summary(year)
    if measure == Measure.BUDGET_REALISED:
        planned, realised = summary.budget_planned, summary.budget_realised
        value = round2(min(realised / planned * HUNDRED, HUNDRED)) if planned else Decimal(0)
        note = "" if summary.has_budget else _("No DTKS budget in %(year)s.") % {"year": year}
        evidence = {"planned_rupiah": int(planned), "realised_rupiah": int(realised)}
        return Realised(value, evidence=evidence, note=note)
    if measure == Measure.TRAININGS_HELD:
        plan = summary.planned_sessions or DEFAULT_TRAININGS
        value = round2(min(Decimal(summary.held) * HUNDRED / plan, HUNDRED))
        evidence = {"held": summary.held, "planned": plan, "attendees": summary.attendees}
        return Realised(value, evidence=evidence)
    needed = sum(r.needed for r in summary.facilities)
    available = sum(min(r.available, r.needed) for r in summary.facilities)
    value = percent2(available, needed) if needed else HUNDRED
    return Realised(value, evidence={"needed": needed, "available": available})


def _manual(target: Target | None) -> Realised:
    rows = list(target.manual.order_by("month")) if target else []
    months: dict[int, Decimal | None] = {r.month: r.value for r in rows}
    value = sum((r.value for r in rows), Decimal(0)) if rows else None
    return Realised(value, months, {"months": len(rows)}, manual=True)


def score(
    regime: str, aspect: str, target: Decimal, realised: Decimal | None, lower: bool
) -> tuple[Decimal | None, bool]:
    """The indicator's score under `regime` and whether it counts as baik: PP 30/2019 nilai
    ≥ 90 (Baik); PP 46/2011 ≥ 76 (Baik); PermenPANRB 6/2022 capaian ≥ 100% (as expected)."""
    if realised is None:
        return None, False
    if regime == Regime.PP46:
        measure = pp46.Measure(target, realised)
        value = pp46.efficiency_score(measure) if lower else pp46.ratio_score(measure)
        return value, value >= 76
    indicator = pp30.Indicator(
        target,
        realised,
        pp30.Direction.LOWER_IS_BETTER if lower else pp30.Direction.HIGHER_IS_BETTER,
    )
    if regime == Regime.PMPANRB6:
        capaian = pp30.achievement(indicator)
        return capaian, capaian >= HUNDRED
    value = pp30.indicator_value(indicator)
    return value, value >= 90


# The floor of "baik" on each regime's scale, for behaviour scores.
BEHAVIOUR_BAIK = {Regime.PP46: Decimal(76), Regime.PP30: Decimal(90)}


def _regime(appraisals: Sequence[Appraisal]) -> str:
    """The regime most of the year's appraisals use, else the configured default."""
    used = [a.regime for a in appraisals]
    if used:
        return max(sorted(set(used)), key=used.count)
    return getattr(settings, "DTKS_APPRAISAL_REGIME", Regime.PP30)


def _line(
    regime: str,
    aspect: str,
    measure: str,
    target: Decimal,
    unit: str,
    realised: Realised,
    indicator: str = "",
) -> Line:
    lower = measure == Measure.DAYS_TO_VERIFY
    value, baik = score(regime, aspect, target, realised.value, lower)
    label = indicator or str(Measure(measure).label)
    return Line(measure, label, target, unit, realised, value, baik)


def _aspect(aspect: str, lines: list[Line], regime: str) -> AspectResult:
    scored = [ln.score for ln in lines if ln.score is not None]
    value = mean2(scored) if scored else None
    baik = bool(lines) and all(ln.baik for ln in lines)
    return AspectResult(
        aspect, lines, value, BAIK if baik else BELUM_BAIK, recommend(aspect, lines, baik)
    )


def unit_report(year: int, regime: str | None = None) -> Report:
    """The unit's report: every active employee's work together, against the sum of their
    kuantitas targets and the unit targets of the other measures."""
    employees = list(Employee.objects.filter(active=True))
    users = [e.user_id for e in employees if e.user_id]
    appraisals = list(
        Appraisal.objects.filter(year=year, employee__in=employees).prefetch_related(
            "targets", "behaviour"
        )
    )
    regime = regime or _regime(appraisals)
    targets = [t for a in appraisals for t in a.targets.all()]
    unit_targets = {**UNIT_TARGETS, **getattr(settings, "DTKS_UNIT_TARGETS", {})}
    lines: dict[str, list[Line]] = {a: [] for a in ASPECTS}
    for aspect, measure in UNIT_MEASURES:
        own = [t for t in targets if t.measure == measure]
        if measure == Measure.RECORDS_HANDLED:
            goal = sum((t.value for t in own), Decimal(0)) or None
        elif own:
            goal = (
                min(t.value for t in own)
                if measure == Measure.DAYS_TO_VERIFY
                else max(t.value for t in own)
            )
        else:
            goal = unit_targets.get(measure)
        if goal is None:
            continue
        unit = own[0].unit if own else ("%" if measure != Measure.DAYS_TO_VERIFY else _("days"))
        lines[aspect].append(
            _line(regime, aspect, measure, Decimal(goal), unit, realise(measure, users, year))
        )
    aspects = {a: _aspect(a, lines[a], regime) for a in ASPECTS}
    aspects[PERILAKU] = _perilaku(appraisals, regime)
    name = max((e.unit for e in employees), key=[e.unit for e in employees].count, default="")
    return Report(year, regime, name or _("DTKS unit"), "", aspects)


def employee_report(employee: Employee, year: int) -> Report:
    """One employee's report: their SKP targets against their own work in the log."""
    appraisal = (
        Appraisal.objects.filter(employee=employee, year=year)
        .prefetch_related("targets", "behaviour")
        .first()
    )
    regime = appraisal.regime if appraisal else _regime([])
    users = [employee.user_id] if employee.user_id else []
    lines: dict[str, list[Line]] = {a: [] for a in ASPECTS}
    for t in appraisal.targets.all() if appraisal else []:
        realised = realise(t.measure, users, year, t)
        lines[t.aspect].append(
            _line(regime, t.aspect, t.measure, t.value, t.unit, realised, t.indicator)
        )
    aspects = {a: _aspect(a, lines[a], regime) for a in ASPECTS}
    aspects[PERILAKU] = _perilaku([appraisal] if appraisal else [], regime)
    outcome = appraise(appraisal, aspects) if appraisal else None
    return Report(year, regime, employee.name, employee.nip, aspects, outcome)


def appraise(appraisal: Appraisal, aspects: dict[str, AspectResult]) -> Outcome | None:
    """The appraisal's result under its regime, from the indicators' scores and the
    appraiser's behaviour ratings: PP 30/2019 70/30 (60/40 where peers rate), predikat with
    Sangat Baik only with a recorded innovation; PP 46/2011 60/40 with tugas tambahan and
    kreativitas; PermenPANRB 6/2022 the matrix of the two ratings. None until there is
    something to score."""
    if appraisal.regime == Regime.PMPANRB6:
        if not (appraisal.results_rating and appraisal.behaviour_rating):
            return None
        label = pmpanrb6.predikat(appraisal.results_rating, appraisal.behaviour_rating).label
        return Outcome(None, None, None, str(label))
    scores = [ln.score for a in ASPECTS for ln in aspects[a].lines if ln.score is not None]
    ratings = [ln.realised.value for ln in aspects[PERILAKU].lines if ln.realised.value is not None]
    if not scores or not ratings:
        return None
    behaviour = mean2(ratings)
    if appraisal.regime == Regime.PP46:
        extra = pp46.additional_task_points(appraisal.extra_tasks) + appraisal.creativity
        skp = round2(mean2(scores) + extra)
        value = pp46.final_value(skp, behaviour)
        return Outcome(skp, behaviour, value, str(pp46.band(value).label))
    skp = mean2(scores)
    value = pp30.final_value(skp, behaviour, peers_rate=appraisal.peers_rate)
    capped = min(value, pp30.CAP)
    label = pp30.predikat(capped, has_innovation=bool(appraisal.innovation.strip())).label
    return Outcome(skp, behaviour, value, str(label))


def _perilaku(appraisals: Sequence[Appraisal], regime: str) -> AspectResult:
    """Work behaviour: the pejabat penilai's ratings per aspect, averaged over the
    appraisals (PermenPANRB 6/2022: the ratings against expectation)."""
    ratings = [r for a in appraisals for r in a.behaviour.all() if r.rater_kind == "appraiser"]
    lines: list[Line] = []
    if regime == Regime.PMPANRB6:
        for aspect in sorted({r.aspect for r in ratings}):
            given = [r.rating for r in ratings if r.aspect == aspect and r.rating]
            below = given.count(Rating.BELOW)
            share = percent2(len(given) - below, len(given))
            realised = Realised(share, evidence={"ratings": len(given), "below": below})
            label = behaviour_label(regime, aspect)
            lines.append(Line(aspect, label, HUNDRED, "%", realised, share, below == 0))
    else:
        floor = BEHAVIOUR_BAIK.get(regime, Decimal(90))
        for aspect in sorted({r.aspect for r in ratings}):
            scores = [r.score for r in ratings if r.aspect == aspect and r.score is not None]
            value = mean2(scores) if scores else None
            realised = Realised(value, evidence={"ratings": len(scores)})
            baik = value is not None and value >= floor
            label = behaviour_label(regime, aspect)
            lines.append(Line(aspect, label, floor, "", realised, value, baik))
    return _aspect(PERILAKU, lines, regime)


def behaviour_label(regime: str, code: str) -> str:
    """The name of a behaviour aspect under `regime`."""
    choices = {
        Regime.PP46: pp46.BehaviourAspect,
        Regime.PP30: pp30.BehaviourAspect,
        Regime.PMPANRB6: pmpanrb6.CoreValue,
    }.get(regime, pp30.BehaviourAspect)
    return str(dict(choices.choices).get(code, code))


def _short(line: Line) -> Decimal:
    return (line.target - (line.realised.value or Decimal(0))).quantize(Decimal("0.01"))


def recommend(aspect: str, lines: list[Line], baik: bool) -> str:
    """A recommendation drawn from the gap of the failing indicators (the seed's findings
    per aspect: what to do next year)."""
    if not lines:
        return _("No indicator was set for this aspect: agree one in the SKP.")
    if baik:
        return _("Targets met: keep the way of working and raise the target with the workload.")
    advice = [text for ln in lines if not ln.baik and (text := _advice(ln))]
    if aspect == PERILAKU:
        weakest = min(lines, key=lambda ln: ln.realised.value or Decimal(0))
        advice.append(
            _("Weakest behaviour: %(aspect)s. Agree concrete steps for it in the coaching talk.")
            % {"aspect": weakest.indicator}
        )
    return " ".join(advice) or _("Targets not met: discuss the causes with the pejabat penilai.")


def _advice(line: Line) -> str:
    """What to do about one indicator that was not met."""
    evidence, measure = line.realised.evidence, line.measure
    if measure == Measure.RECORDS_HANDLED:
        return _(
            "%(n)s records short of the target: plan the monthly work from the workload and "
            "spread it over the months."
        ) % {"n": number_format(_short(line), force_grouping=True)}
    if measure == Measure.REGISTRY_CLEAN:
        return _(
            "%(n)s individuals still need repair: work the findings queue with the village "
            "operators before each monthly window closes."
        ) % {"n": number_format(evidence.get("needing_repair", 0), force_grouping=True)}
    if measure == Measure.WORK_CLEAN:
        return _(
            "%(n)s of the records handled were returned, rejected or found wrong later: check "
            "the data against the checks before submitting."
        ) % {"n": number_format(evidence.get("failing", 0), force_grouping=True)}
    if measure == Measure.IN_WINDOW:
        return _(
            "Work was done outside the regular windows: schedule verification inside the "
            "monthly window instead of relying on extensions."
        )
    if measure == Measure.DAYS_TO_VERIFY:
        return _("Proposals waited too long for verification: verify within the target days.")
    if measure == Measure.BUDGET_REALISED:
        return _(
            "No or too little DTKS budget: propose budget lines for bimtek, field verification "
            "and facilities for next year."
        )
    if measure == Measure.TRAININGS_HELD:
        return _(
            "Bimtek held: %(held)s of %(planned)s planned. Plan two or three online sessions "
            "for the village operators."
        ) % {"held": evidence.get("held", 0), "planned": evidence.get("planned", 0)}
    if measure == Measure.FACILITIES:
        missing = evidence.get("needed", 0) - evidence.get("available", 0)
        return _(
            "%(n)s computers missing for the data-entry staff: propose them in the budget."
        ) % {"n": missing}
    return ""
