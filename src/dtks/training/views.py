"""Bimtek pages under /bimtek/: sessions per year with the plan, a session's attendance and
materials, untrained operators, the budget and facility needs. Parse → authorise → query or
action → render. Changing anything needs MANAGE_PERFORMANCE; reading too, except that a user
listed for a session sees that session and its materials."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.forms import Form
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dtks.accounts.models import User
from dtks.accounts.roles import Perm, Role
from dtks.accounts.scope import area_codes
from dtks.core.errors import DomainError

from . import actions, queries, uploads
from .forms import (
    BudgetLineForm,
    FacilityNeedForm,
    MaterialForm,
    PlanForm,
    SessionForm,
    add_domain_error,
)
from .models import Attendance, BudgetLine, Material, TrainingPlan, TrainingSession

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

TRAINEE_ROLES = (Role.OPERATOR_DESA, Role.OPERATOR_KECAMATAN, Role.PENGISI_DATA)
MARKS = {"": None, "absent": False, "present": True}


def _require_manage(request: HttpRequest) -> None:
    if not request.user.can(Perm.MANAGE_PERFORMANCE):
        raise PermissionDenied


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("tahun", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _readable_session(request: HttpRequest, pk: int) -> TrainingSession:
    """The session, for a MANAGE_PERFORMANCE holder or a user listed for it (403 otherwise)."""
    session = get_object_or_404(TrainingSession, pk=pk)
    if not TrainingSession.objects.visible_to(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return session


def _with_counts(sessions):
    return sessions.annotate(
        listed=Count("attendances", distinct=True),
        present=Count("attendances", filter=Q(attendances__attended=True), distinct=True),
        material_count=Count("materials", distinct=True),
    )


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """The year's sessions with the plan against what was held."""
    _require_manage(request)
    year = _year(request)
    context = {
        "year": year,
        "summary": queries.year_summary(year),
        "sessions": _with_counts(TrainingSession.objects.in_year(year)),
    }
    return render(request, "training/sessions.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The sessions the user is listed for, attended or not."""
    rows = (
        Attendance.objects.filter(user=request.user)
        .select_related("session")
        .order_by("-session__date", "-session_id")
    )
    return render(request, "training/mine.html", {"rows": rows})


def _submit(
    request: HttpRequest,
    form: Form,
    act: Callable[[dict], Any],
    done: str,
    to: Callable[[Any], str],
) -> HttpResponse | None:
    """Run `act` on a valid form's data: then the message `done` and a redirect to `to(result)`.
    None when the form must be shown again (invalid, or refused: the refusal goes on the field
    the action names)."""
    if not form.is_valid():
        return None
    try:
        result = act(form.cleaned_data)
    except DomainError as exc:
        add_domain_error(form, exc)
        return None
    messages.success(request, done)
    return redirect(to(result))


def _in_year(name: str, year: int) -> str:
    return f"{reverse(name)}?tahun={year}"


def _session_form_page(request: HttpRequest, session: TrainingSession | None) -> HttpResponse:
    initial = {f: getattr(session, f) for f in actions.SESSION_FIELDS} if session else None
    form = SessionForm(request.POST if request.method == "POST" else None, initial=initial)
    if session is None:
        act = partial(actions.create_session, by=request.user)
    else:
        act = partial(actions.update_session, session, by=request.user)
    to = lambda s: reverse("training:session_detail", kwargs={"pk": s.pk})  # noqa: E731
    done = _submit(request, form, act, _("The session was saved."), to)
    return done or render(request, "training/session_form.html", {"form": form, "session": session})


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    return _session_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    return _session_form_page(request, get_object_or_404(TrainingSession, pk=pk))


def _candidates(session: TrainingSession) -> list[dict]:
    """The data-entry staff (operators and pengisi data) and whoever is listed already, with
    their mark and areas, ordered by area."""
    marks = dict(session.attendances.values_list("user_id", "attended"))
    users = (
        User.objects.filter(Q(role_assignments__role__in=TRAINEE_ROLES) | Q(pk__in=list(marks)))
        .distinct()
        .prefetch_related("role_assignments__area")
    )
    rows = []
    for user in users:
        areas = sorted(
            (a.area_id, a.area.name) for a in user.role_assignments.all() if a.role in TRAINEE_ROLES
        )
        mark = marks.get(user.pk)
        value = "" if mark is None else ("present" if mark else "absent")
        rows.append({"user": user, "areas": areas, "mark": value})
    return sorted(rows, key=lambda r: (r["areas"][:1] or [("~", "")], r["user"].username))


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session: details and materials; for managers the attendance form and the upload."""
    session = _readable_session(request, pk)
    manage = request.user.can(Perm.MANAGE_PERFORMANCE)
    context = {
        "session": session,
        "materials": session.materials.all(),
        "manage": manage,
        "candidates": _candidates(session) if manage else None,
        "mine": session.attendances.filter(user=request.user).first(),
        "material_form": MaterialForm() if manage else None,
    }
    return render(request, "training/session_detail.html", context)


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Record who was listed and who attended (fields `mark_<user id>`)."""
    _require_manage(request)
    session = get_object_or_404(TrainingSession, pk=pk)
    marks: dict[int, bool | None] = {}
    for key, value in request.POST.items():
        if key.startswith("mark_") and key[5:].isdigit() and value in MARKS:
            marks[int(key[5:])] = MARKS[value]
    try:
        actions.record_attendance(session, marks, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The attendance was saved."))
    return redirect("training:session_detail", pk=session.pk)


@login_required
@require_POST
def material_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep a material of the session; a refused file is named with the reason."""
    _require_manage(request)
    session = get_object_or_404(TrainingSession, pk=pk)
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, f"{form.fields['file'].label}: {error}")
        return redirect("training:session_detail", pk=session.pk)
    file = form.cleaned_data["file"]
    try:
        actions.add_material(session, file, by=request.user)
    except DomainError as exc:
        messages.error(request, _("%(name)s was refused: %(reason)s")
                       % {"name": file.name, "reason": exc.message})  # fmt: skip
    else:
        messages.success(request, _("The material was added."))
    return redirect("training:session_detail", pk=session.pk)


@login_required
def material(request: HttpRequest, pk: int) -> FileResponse:
    """Download a material: for whoever may read its session."""
    item = get_object_or_404(Material, pk=pk)
    _readable_session(request, item.session_id)
    path = uploads.stored_path(item.stored_name)
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=uploads.CONTENT_TYPES.get(item.kind, "application/octet-stream"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, year: int) -> HttpResponse:
    """Set the year's plan: sessions, of which online, the bimtek budget."""
    _require_manage(request)
    if not 2000 <= year <= 2100:
        raise Http404
    current = TrainingPlan.objects.filter(year=year).first()
    initial = (
        {f: getattr(current, f) for f in ("planned_sessions", "planned_online",
                                          "planned_budget", "note")}
        if current
        else {"planned_sessions": 3, "planned_online": 2, "planned_budget": 0}
    )  # fmt: skip
    form = PlanForm(request.POST if request.method == "POST" else None, initial=initial)
    act = lambda data: actions.set_plan(year, **data, by=request.user)  # noqa: E731
    to = lambda p: _in_year("training:sessions", p.year)  # noqa: E731
    done = _submit(request, form, act, _("The plan was saved."), to)
    return done or render(request, "training/plan.html", {"form": form, "year": year})


def _top_codes(codes: list[str]) -> list[str]:
    """The codes not inside another of them (a province and its kabupaten: the province)."""
    return [c for c in codes if not any(c.startswith(o + ".") for o in codes)]


@login_required
def untrained(request: HttpRequest) -> HttpResponse:
    """Operators desa of the user's area not trained recently (or never, `?sejak=awal`),
    per kecamatan and desa, and the share of desa with a trained operator."""
    _require_manage(request)
    ever = request.GET.get("sejak") == "awal"
    codes = _top_codes(area_codes(request.user, Perm.MANAGE_PERFORMANCE))
    rows = [r for c in codes for r in queries.untrained_operators(c, ever=ever)]
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for row in rows:
        groups[(row.kecamatan_code, row.kecamatan_name)].append(row)
    coverage = [queries.desa_coverage(c, ever=ever) for c in codes]
    context = {
        "groups": sorted(groups.items()),
        "coverage": queries.Coverage([r for c in coverage for r in c.rows]),
        "ever": ever,
        "months": queries.recent_months(),
    }
    return render(request, "training/untrained.html", context)


@login_required
def budget(request: HttpRequest) -> HttpResponse:
    """The year's budget: planned against realised per category, and its lines."""
    _require_manage(request)
    year = _year(request)
    context = {
        "year": year,
        "summary": queries.year_summary(year),
        "lines": BudgetLine.objects.filter(year=year),
    }
    return render(request, "training/budget.html", context)


def _budget_form_page(request: HttpRequest, line: BudgetLine | None) -> HttpResponse:
    if line is not None:
        initial = {f: getattr(line, f) for f in actions.BUDGET_FIELDS}
    else:
        initial = {"year": _year(request), "planned": 0, "realised": 0}
    form = BudgetLineForm(request.POST if request.method == "POST" else None, initial=initial)
    if line is None:
        act = partial(actions.create_budget_line, by=request.user)
    else:
        act = partial(actions.update_budget_line, line, by=request.user)
    to = lambda saved: _in_year("training:budget", saved.year)  # noqa: E731
    done = _submit(request, form, act, _("The budget line was saved."), to)
    return done or render(request, "training/budget_form.html", {"form": form, "line": line})


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    return _budget_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    return _budget_form_page(request, get_object_or_404(BudgetLine, pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def facilities(request: HttpRequest) -> HttpResponse:
    """The year's facility needs (needed against available, the gap) and the form to set
    one item's need."""
    _require_manage(request)
    year = _year(request)
    form = FacilityNeedForm(request.POST if request.method == "POST" else None)
    act = lambda data: actions.set_facility_need(year, **data, by=request.user)  # noqa: E731
    to = lambda need: _in_year("training:facilities", need.year)  # noqa: E731
    if done := _submit(request, form, act, _("The facility need was saved."), to):
        return done
    context = {"year": year, "form": form, "rows": queries.facility_rows(year)}
    return render(request, "training/facilities.html", context)
