"""Performance pages under /kinerja/: the organisation's indicators and predikat, the unit's
report, the employees and their SKP.

Who sees what: the indicators, the unit report and the predikat list need MANAGE_PERFORMANCE
(the pengelola and the pimpinan); an SKP is seen by its employee, their pejabat penilai and
the head of the Dinas (`Employee.objects.visible_to`), and by nobody else (404).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dtks.accounts.roles import Perm
from dtks.core.errors import DomainError

from . import actions, formats, indicators, worklog
from .forms import (
    BehaviourForm,
    EmployeeForm,
    IndicatorForm,
    ManualForm,
    RatingForm,
    TargetForm,
)
from .models import (
    Appraisal,
    AppraisalStatus,
    Employee,
    OrganisationRating,
    Regime,
    is_head_of_dinas,
)
from .report import PERILAKU, employee_report, unit_report
from .scoring import pmpanrb6

if TYPE_CHECKING:
    from django.http import HttpRequest

YEARS = range(2020, 2031)


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.can(perm):
        raise PermissionDenied


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and int(raw) in YEARS else settings.DTKS_CURRENT_YEAR


def _download(report: object, fmt: str, name: str) -> HttpResponse | None:
    if fmt == "pdf":
        response = HttpResponse(formats.as_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    if fmt == "json":
        data = json.dumps(formats.as_json(report), ensure_ascii=False, indent=2)
        return HttpResponse(data, content_type="application/json; charset=utf-8")
    return None


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The Tabel 1.1 indicators, target vs actual for a year, and the predikat set so far."""
    _require(request, Perm.MANAGE_PERFORMANCE)
    year = _year(request)
    rows = indicators.rows(indicators.Span(year))
    annual = OrganisationRating.objects.filter(year=year, quarter=0).first()
    context = {
        "year": year,
        "years": YEARS,
        "rows": rows,
        "annual": annual,
        "spread": spread(year, annual),
        "chart": _chart(rows),
        "chart_height": 24 * len(rows) + 4,
        "ratings": OrganisationRating.objects.filter(year=year),
        "may_rate": is_head_of_dinas(request.user),
        "indicator_form": IndicatorForm(initial={"year": year}),
    }
    return render(request, "performance/dashboard.html", context)


def spread(year: int, annual: OrganisationRating | None) -> list:
    """PermenPANRB 6/2022: the rules the year's employee predikat break for the organisation's
    annual predikat (only appraisals rated against expectation on both sides count)."""
    rated = Appraisal.objects.filter(year=year, regime=Regime.PMPANRB6).exclude(results_rating="")
    predikats = [
        pmpanrb6.predikat(a.results_rating, a.behaviour_rating)
        for a in rated.exclude(behaviour_rating="")
    ]
    if annual is None or not predikats:
        return []
    return pmpanrb6.check_distribution(annual.predikat, predikats)


@login_required
@require_http_methods(["POST"])
def indicator_target(request: HttpRequest) -> HttpResponse:
    """A manager sets an indicator's target for a year, or enters the actual of one that is
    entered by hand."""
    _require(request, Perm.MANAGE_PERFORMANCE)
    form = IndicatorForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the figure: %(errors)s") % {"errors": _errors(form)})
        return redirect(reverse("performance:dashboard"))
    data = form.cleaned_data
    try:
        if data["what"] == "target":
            actions.set_indicator_target(
                data["indicator"], year=data["year"], value=data["value"], by=request.user
            )
        else:
            actions.enter_indicator_actual(
                data["indicator"],
                year=data["year"],
                value=data["value"],
                note=data["note"],
                by=request.user,
            )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(f"{reverse('performance:dashboard')}?year={data['year']}")


def _chart(rows: list[indicators.Row]) -> list[dict]:
    """Bars of 5 px per point (100 = 500 px), drawn by the template as inline SVG."""

    def px(value: object) -> int | None:
        return None if value is None else max(0, min(int(value * 5), 500))

    return [
        {
            "y": 24 * i,
            "code": r.indicator.code,
            "target": px(r.target),
            "actual": px(r.actual),
            "met": r.met,
        }
        for i, r in enumerate(rows)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def rate_organisation(request: HttpRequest) -> HttpResponse:
    """The head of the Dinas sets the quarter's or the year's predikat, the figures beside."""
    if not is_head_of_dinas(request.user):
        raise PermissionDenied
    form = RatingForm(request.POST or None, initial={"year": _year(request)})
    span = indicators.Span(_year(request))
    if form.is_valid():
        span = indicators.Span(form.cleaned_data["year"], form.cleaned_data["quarter"])
        actions.set_organisation_rating(
            **form.cleaned_data, figures=indicators.figures(span), by=request.user
        )
        messages.success(request, _("The organisation's predikat was recorded."))
        return redirect(f"{reverse('performance:dashboard')}?year={span.year}")
    context = {"form": form, "rows": indicators.rows(span), "year": span.year}
    return render(request, "performance/rate.html", context)


@login_required
@require_GET
def unit(request: HttpRequest) -> HttpResponse:
    """The unit's report for a year; `?format=pdf|json` downloads it."""
    _require(request, Perm.MANAGE_PERFORMANCE)
    year = _year(request)
    report = unit_report(year)
    download = _download(report, request.GET.get("format", ""), f"laporan-kinerja-{year}")
    if download:
        return download
    return render(request, "performance/report.html", {"report": report, "years": YEARS})


@login_required
@require_http_methods(["GET", "POST"])
def employees(request: HttpRequest) -> HttpResponse:
    """The employees the user may see; a manager of performance data adds employees."""
    may_add = request.user.can(Perm.MANAGE_PERFORMANCE)
    form = EmployeeForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.save_employee(by=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The employee was saved."))
                return redirect(request.path)
    visible = Employee.objects.visible_to(request.user).select_related("appraiser")
    context = {"employees": visible, "form": form, "year": _year(request)}
    return render(request, "performance/employees.html", context)


def _employee_for_user(request: HttpRequest, pk: int) -> Employee:
    """The employee if the user may see their SKP, else 404 (as for a missing one)."""
    return get_object_or_404(Employee.objects.visible_to(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def appraisal(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """One employee's SKP for a year: targets, realisation from the log month by month,
    behaviour, scores and verdicts; the forms the viewer's part allows."""
    employee = _employee_for_user(request, pk)
    skp = Appraisal.objects.filter(employee=employee, year=year).first()
    if request.method == "POST":
        return _appraisal_post(request, employee, skp, year)
    report = employee_report(employee, year)
    download = _download(
        report, request.GET.get("format", ""), f"laporan-kinerja-{year}-{employee.nip}"
    )
    if download:
        return download
    is_self = employee.user_id == request.user.pk
    is_appraiser = bool(employee.appraiser_id and employee.appraiser.user_id == request.user.pk)
    draft = skp is not None and skp.status == AppraisalStatus.DRAFT
    context = {
        "employee": employee,
        "year": year,
        "skp": skp,
        "report": report,
        "aspects": [report.aspects[a] for a in (*report.aspects.keys(),) if a != PERILAKU],
        "perilaku": report.aspects[PERILAKU],
        "months": range(1, 13),
        "may_open": skp is None and (is_self or is_appraiser or is_head_of_dinas(request.user)),
        "target_form": TargetForm(initial=_suggested(employee, year))
        if draft and (is_self or is_appraiser)
        else None,
        "may_agree": draft and is_appraiser,
        "behaviour_form": BehaviourForm(
            regime=skp.regime, initial={"evidence": _log_evidence(employee, year)}
        )
        if skp
        and (
            is_appraiser
            or (skp.peers_rate and not is_self and actions.is_colleague(request.user, employee))
        )
        else None,
        "regimes": Regime.choices,
        "may_conclude": skp is not None and is_appraiser and skp.status == AppraisalStatus.AGREED,
        "suggested": _suggested_rating(report) if skp and skp.regime == Regime.PMPANRB6 else None,
        "ratings": pmpanrb6.Rating.choices,
        "guide": [(value.label, pmpanrb6.BEHAVIOUR_GUIDE[value]) for value in pmpanrb6.CoreValue]
        if skp and skp.regime == Regime.PMPANRB6
        else [],
        "manual_form": ManualForm(appraisal=skp)
        if skp and (is_self or is_appraiser) and skp.targets.filter(measure="manual").exists()
        else None,
    }
    return render(request, "performance/appraisal.html", context)


def _suggested_rating(report: object) -> str:
    """PermenPANRB 6/2022: the results rating the log's capaian suggest (evidence only)."""
    capaian = [
        line.score
        for name, result in report.aspects.items()
        if name != PERILAKU
        for line in result.lines
        if line.score is not None
    ]
    return pmpanrb6.suggest_results_rating(capaian).label if capaian else ""


def _errors(form: object) -> str:
    """The form's errors, each after its field's (translated) label."""
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
        for name, errors in form.errors.items()
    )


def _suggested(employee: Employee, year: int) -> dict:
    """A kuantitas target proposed from the workload: the records the employee handled the
    year before (or, without a log, nothing to suggest)."""
    if not employee.user_id:
        return {}
    last = worklog.records_handled([employee.user_id], year - 1).total
    if not last:
        return {"measure": "records_handled"}
    return {
        "measure": "records_handled",
        "value": last,
        "indicator": _("Records handled"),
        "unit": _("records"),
    }


def _log_evidence(employee: Employee, year: int) -> str:
    """What the log says about the employee's year, as a start for the rating's evidence."""
    if not employee.user_id:
        return ""
    users = [employee.user_id]
    handled = worklog.records_handled(users, year).total
    returned = worklog.work_clean(users, year)
    median, measured = worklog.days_to_verify(users, year)
    parts = [_("records handled: %(n)s") % {"n": handled}]
    if returned.total:
        parts.append(
            _("returned or found wrong: %(n)s of %(total)s")
            % {"n": len(returned.failing), "total": returned.total}
        )
    if median is not None:
        parts.append(
            _("median days to verify: %(d)s (%(n)s proposals)") % {"d": median, "n": len(measured)}
        )
    return _("From the work log %(year)s: ") % {"year": year} + "; ".join(parts) + "."


def _appraisal_post(
    request: HttpRequest, employee: Employee, skp: Appraisal | None, year: int
) -> HttpResponse:
    step = request.POST.get("step", "")
    try:
        if step == "open":
            regime = request.POST.get("regime", Regime.PP30)
            if regime not in Regime.values:
                raise DomainError(_("Choose an appraisal regime."), field="regime")
            actions.open_appraisal(employee, year=year, regime=regime, by=request.user)
        elif skp is None:
            raise DomainError(_("Open the SKP first."))
        elif step == "target":
            form = TargetForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Check the target: %(errors)s") % {"errors": _errors(form)})
            actions.propose_target(skp, by=request.user, **form.cleaned_data)
        elif step == "agree":
            actions.agree_targets(skp, by=request.user)
        elif step == "conclude":
            actions.conclude_appraisal(
                skp,
                by=request.user,
                results_rating=request.POST.get("results_rating", ""),
                behaviour_rating=request.POST.get("behaviour_rating", ""),
            )
        elif step == "manual":
            form = ManualForm(request.POST, appraisal=skp)
            if not form.is_valid():
                raise DomainError(
                    _("Check the realisation: %(errors)s") % {"errors": _errors(form)}
                )
            actions.enter_manual_realisation(by=request.user, **form.cleaned_data)
        elif step == "behaviour":
            form = BehaviourForm(request.POST, regime=skp.regime)
            if not form.is_valid():
                raise DomainError(_("Check the rating: %(errors)s") % {"errors": _errors(form)})
            actions.rate_behaviour(skp, by=request.user, **form.cleaned_data)
        else:
            raise DomainError(_("Unknown step."))
    except DomainError as error:
        if error.code == "forbidden":
            raise PermissionDenied from error
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(request.path)
