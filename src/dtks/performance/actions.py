"""Performance actions: employees, SKP targets and their agreement, manual realisation,
behaviour ratings, the appraisal's close, indicator targets and the organisation's predikat.
Each is atomic and audited; who may do what is decided here, once.

- Employee records, indicator targets and actuals: holders of MANAGE_PERFORMANCE.
- An SKP's targets: proposed by the employee or their pejabat penilai while in draft, agreed
  by the pejabat penilai (never by the employee: maker ≠ checker).
- Behaviour: rated by the pejabat penilai, and by peers/subordinates (other employees of the
  unit) where the appraisal says they rate too (PP 30/2019 Pasal 41 60/40); each rating needs
  its evidence note.
- The organisation's predikat: the head of the Dinas only.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.audit.record import Change, record_event
from dtks.core.errors import DomainError, PermissionDeniedError

from .models import (
    ANNUAL,
    MEASURE_ASPECT,
    Appraisal,
    AppraisalStatus,
    BehaviourRating,
    Employee,
    Indicator,
    IndicatorActual,
    IndicatorTarget,
    ManualRealisation,
    Measure,
    OrganisationRating,
    RaterKind,
    Rating,
    Regime,
    Target,
    is_head_of_dinas,
)
from .nip import validate_nip

if TYPE_CHECKING:
    from dtks.accounts.models import User


def _require_manager(by: User) -> None:
    if not by.can(Perm.MANAGE_PERFORMANCE):
        raise PermissionDeniedError(_("You may not manage performance data."), code="forbidden")


def _is_appraiser(by: User, employee: Employee) -> bool:
    return employee.appraiser_id is not None and employee.appraiser.user_id == by.pk


def _change(kind: str, obj: Any, before: dict | None, after: dict | None) -> Change:
    return Change(kind, str(obj.pk), before, after)


@transaction.atomic
def save_employee(*, by: User, employee: Employee | None = None, **fields: Any) -> Employee:
    """Create or update an employee (NIP checked, pejabat penilai not the employee)."""
    _require_manager(by)
    validate_nip(fields.get("nip", employee.nip if employee else ""))
    before = _employee_state(employee) if employee else None
    employee = employee or Employee()
    for name, value in fields.items():
        setattr(employee, name, value)
    if employee.appraiser_id and employee.appraiser_id == employee.pk:
        raise DomainError(_("An employee cannot be their own pejabat penilai."), field="appraiser")
    if Employee.objects.filter(nip=employee.nip).exclude(pk=employee.pk).exists():
        raise DomainError(_("This NIP already belongs to another employee."), field="nip")
    employee.save()
    record_event(
        by, "save_employee", _change("employee", employee, before, _employee_state(employee))
    )
    return employee


def _employee_state(e: Employee) -> dict[str, Any]:
    return {
        "nip": e.nip,
        "name": e.name,
        "kind": e.kind,
        "jabatan": e.jabatan,
        "unit": e.unit,
        "appraiser": e.appraiser_id,
        "user": e.user_id,
        "active": e.active,
    }


@transaction.atomic
def open_appraisal(employee: Employee, *, year: int, regime: str, by: User) -> Appraisal:
    """The employee's SKP for `year` (one a year), opened in draft by the employee, their
    pejabat penilai or the head of the Dinas."""
    if not (employee.user_id == by.pk or _is_appraiser(by, employee) or is_head_of_dinas(by)):
        raise PermissionDeniedError(_("You may not open this employee's SKP."), code="forbidden")
    Regime(regime)
    if Appraisal.objects.filter(employee=employee, year=year).exists():
        raise DomainError(_("This employee already has an SKP for %(year)s.") % {"year": year})
    appraisal = Appraisal.objects.create(employee=employee, year=year, regime=regime)
    record_event(
        by,
        "open_appraisal",
        _change(
            "appraisal", appraisal, None, {"employee": employee.nip, "year": year, "regime": regime}
        ),
    )
    return appraisal


@transaction.atomic
def propose_target(
    appraisal: Appraisal,
    *,
    by: User,
    activity: str,
    indicator: str,
    measure: str,
    value: Decimal,
    unit: str,
    aspect: str | None = None,
) -> Target:
    """A target proposed while the SKP is in draft (the employee or the pejabat penilai). A log
    measure fixes the aspect; a manual one names it."""
    appraisal = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("employee__appraiser")
        .get(pk=appraisal.pk)
    )
    employee = appraisal.employee
    if not (employee.user_id == by.pk or _is_appraiser(by, employee)):
        raise PermissionDeniedError(
            _("Only the employee or their pejabat penilai may propose targets."), code="forbidden"
        )
    if appraisal.status != AppraisalStatus.DRAFT:
        raise DomainError(_("The targets are agreed: they can no longer change."), code="agreed")
    Measure(measure)
    aspect = MEASURE_ASPECT.get(measure, aspect)
    if not aspect:
        raise DomainError(_("Choose the aspect of a target entered by hand."), field="aspect")
    if value is None or Decimal(value) <= 0:
        raise DomainError(_("A target must be above 0."), field="value")
    target = Target.objects.create(
        appraisal=appraisal,
        activity=activity,
        aspect=aspect,
        indicator=indicator,
        measure=measure,
        value=value,
        unit=unit,
    )
    record_event(
        by,
        "propose_target",
        _change(
            "target",
            target,
            None,
            {"appraisal": appraisal.pk, "aspect": aspect, "measure": measure, "value": str(value)},
        ),
    )
    return target


@transaction.atomic
def agree_targets(appraisal: Appraisal, *, by: User) -> Appraisal:
    """The pejabat penilai agrees the proposed targets (the employee cannot)."""
    appraisal = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("employee__appraiser")
        .get(pk=appraisal.pk)
    )
    if not _is_appraiser(by, appraisal.employee):
        raise PermissionDeniedError(
            _("Only the pejabat penilai may agree the targets."), code="forbidden"
        )
    if appraisal.status != AppraisalStatus.DRAFT:
        raise DomainError(_("The targets are already agreed."), code="agreed")
    if not appraisal.targets.exists():
        raise DomainError(_("Propose at least one target first."), code="no_targets")
    appraisal.status, appraisal.agreed_by, appraisal.agreed_at = (
        AppraisalStatus.AGREED,
        by,
        timezone.now(),
    )
    appraisal.save(update_fields=["status", "agreed_by", "agreed_at"])
    record_event(
        by,
        "agree_targets",
        _change("appraisal", appraisal, {"status": "draft"}, {"status": "agreed"}),
    )
    return appraisal


@transaction.atomic
def enter_manual_realisation(
    target: Target, *, by: User, month: int, value: Decimal, note: str
) -> ManualRealisation:
    """A month's realisation of a target the log cannot measure, with its evidence note;
    entered by the employee or the pejabat penilai, shown as entered by hand."""
    employee = target.appraisal.employee
    if not (employee.user_id == by.pk or _is_appraiser(by, employee)):
        raise PermissionDeniedError(
            _("Only the employee or their pejabat penilai may enter it."), code="forbidden"
        )
    if target.measure != Measure.MANUAL:
        raise DomainError(
            _("This target is measured from the work log; it cannot be entered by hand."),
            code="log_measure",
        )
    if not 1 <= month <= 12:
        raise DomainError(_("Month must lie between 1 and 12."), field="month")
    if not note.strip():
        raise DomainError(_("Give the evidence of the realisation."), field="note")
    row, _created = ManualRealisation.objects.update_or_create(
        target=target, month=month, defaults={"value": value, "note": note, "entered_by": by}
    )
    record_event(
        by,
        "enter_manual_realisation",
        _change("target", target, None, {"month": month, "value": str(value), "note": note}),
    )
    return row


@transaction.atomic
def rate_behaviour(
    appraisal: Appraisal,
    *,
    by: User,
    aspect: str,
    evidence: str,
    score: Decimal | None = None,
    rating: str = "",
) -> BehaviourRating:
    """One behaviour aspect rated with its evidence: a score 0–120 (PP 46/2011, PP 30/2019) or
    a rating against expectation (PermenPANRB 6/2022). The pejabat penilai rates as appraiser;
    another employee of the unit as peer or subordinate, only where the appraisal says peers
    rate."""
    employee = appraisal.employee
    if _is_appraiser(by, employee):
        kind = RaterKind.APPRAISER
    elif appraisal.peers_rate and is_colleague(by, employee):
        kind = RaterKind.SUBORDINATE if _subordinate(by, employee) else RaterKind.PEER
    else:
        raise PermissionDeniedError(
            _("You may not rate this employee's behaviour."), code="forbidden"
        )
    if by.pk == employee.user_id:
        raise PermissionDeniedError(_("Nobody rates their own behaviour."), code="own")
    if not evidence.strip():
        raise DomainError(_("Every rating needs its evidence note."), field="evidence")
    if appraisal.regime == Regime.PMPANRB6:
        if not rating:
            raise DomainError(_("Rate against expectation."), field="rating")
        score = None
    elif score is None or not Decimal(0) <= Decimal(score) <= Decimal(120):
        raise DomainError(_("A score lies between 0 and 120."), field="score")
    row, _created = BehaviourRating.objects.update_or_create(
        appraisal=appraisal,
        rater=by,
        aspect=aspect,
        defaults={"rater_kind": kind, "score": score, "rating": rating, "evidence": evidence},
    )
    after = {
        "aspect": aspect,
        "score": str(score) if score is not None else None,
        "rating": rating,
        "rater": kind,
    }
    record_event(
        by, "rate_behaviour", _change("appraisal", appraisal, None, after), note=evidence[:300]
    )
    return row


def is_colleague(by: User, employee: Employee) -> bool:
    """Whether `by` is an active employee of `employee`'s unit (who may rate as a peer)."""
    other = Employee.objects.filter(user=by, active=True).first()
    return other is not None and other.unit == employee.unit


def _subordinate(by: User, employee: Employee) -> bool:
    return Employee.objects.filter(user=by, appraiser=employee).exists()


@transaction.atomic
def conclude_appraisal(
    appraisal: Appraisal, *, by: User, results_rating: str = "", behaviour_rating: str = ""
) -> Appraisal:
    """The pejabat penilai closes the SKP. Under PermenPANRB 6/2022 they rate results and
    behaviour against expectation themselves: the log's figures are evidence and a suggestion,
    never the verdict. The targets must have been agreed."""
    appraisal = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("employee__appraiser")
        .get(pk=appraisal.pk)
    )
    if not _is_appraiser(by, appraisal.employee):
        raise PermissionDeniedError(
            _("Only the pejabat penilai may close the SKP."), code="forbidden"
        )
    if appraisal.status != AppraisalStatus.AGREED:
        raise DomainError(_("Only an SKP with agreed targets can be closed."), code="not_agreed")
    if appraisal.regime == Regime.PMPANRB6 and not (
        results_rating in Rating.values and behaviour_rating in Rating.values
    ):
        raise DomainError(
            _("Rate both results and behaviour against expectation."), field="results_rating"
        )
    appraisal.status = AppraisalStatus.FINAL
    appraisal.results_rating, appraisal.behaviour_rating = results_rating, behaviour_rating
    appraisal.save(update_fields=["status", "results_rating", "behaviour_rating"])
    after = {"status": "final", "results": results_rating, "behaviour": behaviour_rating}
    record_event(
        by, "conclude_appraisal", _change("appraisal", appraisal, {"status": "agreed"}, after)
    )
    return appraisal


@transaction.atomic
def set_indicator_target(
    indicator: Indicator, *, year: int, value: Decimal, by: User
) -> IndicatorTarget:
    """An indicator's target for a year (changed or added)."""
    _require_manager(by)
    old = IndicatorTarget.objects.filter(indicator=indicator, year=year).first()
    row, _created = IndicatorTarget.objects.update_or_create(
        indicator=indicator, year=year, defaults={"value": value}
    )
    before = {"value": str(old.value)} if old else None
    record_event(
        by,
        "set_indicator_target",
        _change("indicator", indicator, before, {"year": year, "value": str(value)}),
    )
    return row


@transaction.atomic
def enter_indicator_actual(
    indicator: Indicator, *, year: int, value: Decimal, note: str, by: User
) -> IndicatorActual:
    """The actual of an indicator the registry cannot compute, with its source."""
    _require_manager(by)
    if indicator.source != "manual":
        raise DomainError(_("This indicator is computed from the registry."), code="computed")
    if not note.strip():
        raise DomainError(_("Give the source of the figure."), field="note")
    row, _created = IndicatorActual.objects.update_or_create(
        indicator=indicator, year=year, defaults={"value": value, "note": note, "entered_by": by}
    )
    record_event(
        by,
        "enter_indicator_actual",
        _change("indicator", indicator, None, {"year": year, "value": str(value), "note": note}),
    )
    return row


@transaction.atomic
def set_organisation_rating(
    *,
    year: int,
    quarter: int,
    predikat: str,
    note: str,
    figures: dict[str, Any],
    by: User,
    when: date | None = None,
) -> OrganisationRating:
    """The organisation's predikat for a quarter (1–4) or the year (0), set by the head of the
    Dinas; the figures shown beside it are kept with it."""
    if not is_head_of_dinas(by):
        raise PermissionDeniedError(
            _("Only the head of the Dinas sets the organisation's predikat."), code="forbidden"
        )
    if not ANNUAL <= quarter <= 4:
        raise DomainError(_("Quarter must lie between 1 and 4 (0: the year)."), field="quarter")
    old = OrganisationRating.objects.filter(year=year, quarter=quarter).first()
    row, _created = OrganisationRating.objects.update_or_create(
        year=year,
        quarter=quarter,
        defaults={
            "predikat": predikat,
            "note": note,
            "figures": figures,
            "set_by": by,
            "set_at": timezone.now(),
        },
    )
    before = {"predikat": old.predikat} if old else None
    record_event(
        by,
        "set_organisation_rating",
        _change(
            "organisation_rating",
            row,
            before,
            {"year": year, "quarter": quarter, "predikat": predikat},
        ),
    )
    return row
