"""Registry pages: parse → authorise → call a query or an action → render.

Single records come only through `registry.access` (404 outside the area); lists only through
`visible_to(user)`; a missing permission answers 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes, in_area
from dtks.audit.models import AuditEvent
from dtks.audit.record import record_access
from dtks.core.errors import DomainError
from dtks.core.paging import search_page

from . import actions, conflicts, held
from .access import get_family_for_user, get_person_for_user
from .forms import (
    DesaChoiceForm,
    EndMembershipForm,
    FamilyForm,
    FamilySearchForm,
    MemberForm,
    MemberFormSet,
)
from .models import Family, HeldChange, Membership, Person
from .presenters import history, present_family, present_memberships, shown_identity

if TYPE_CHECKING:
    from django.forms import BaseFormSet, Form
    from django.http import HttpRequest, HttpResponse

PAGE_SIZE = 50
# The form button that holds a change refused for a conflict of interest for a second approver.
HOLD = "hold"
Action = HeldChange.Action
FINDING_OPEN = "open"
# Sections that apps above the registry add to the family page: `callable(request, family)`
# returning rendered HTML. Named in a setting so the registry imports none of them.
DEFAULT_FAMILY_PANELS = ("dtks.eligibility.views.family_panel",)


def _require(request: HttpRequest, perm: str, desa_code: str | None = None) -> None:
    """403 unless the user holds `perm` (over `desa_code` when given)."""
    if not request.user.can(perm) or (desa_code and not in_area(request.user, desa_code, perm)):
        raise PermissionDenied


def _form_error(form: Form, error: DomainError) -> None:
    """Put an action's refusal on the form field it names (or on the form as a whole); a
    conflict of interest offers to hold the change for a second approver (`HOLD`)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    form.offer_hold = isinstance(error, conflicts.ConflictOfInterestError)


def _hold(request: HttpRequest, form: Form, action: str, **change: object) -> HttpResponse | None:
    """Hold the change for a second, independent approver and show it; None when holding is
    refused (the reason goes on `form`)."""
    try:
        held_change = held.hold_change(by=request.user, action=action, **change)
    except DomainError as error:
        _form_error(form, error)
        return None
    messages.success(request, _("The change is held until another verifier approves it."))
    return redirect("registry:held_detail", pk=held_change.pk)


def _family_panels() -> list:
    paths = getattr(settings, "DTKS_FAMILY_PANELS", DEFAULT_FAMILY_PANELS)
    return [import_string(p) for p in paths]


def _filtered(request: HttpRequest, form: FamilySearchForm) -> tuple:
    families = Family.objects.visible_to(request.user)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("kecamatan"):
        families = families.in_wilayah(data["kecamatan"])
    if data.get("desa"):
        families = families.in_wilayah(data["desa"])
    if data.get("status"):
        families = families.filter(status=data["status"])
    if data.get("needs_repair"):
        families = families.filter(pk__in=Family.objects.needing_repair().values("pk"))
    query = (data.get("q") or "").strip()
    if query:
        families = families.search(query)
    return families.with_summary().order_by("desa_id", "id"), query, data.get("page") or 1


@login_required
@require_http_methods(["GET", "POST"])
def family_list(request: HttpRequest) -> HttpResponse:
    """The family list. Search text arrives in the POST body only, so it never enters a URL,
    a proxy log or the browser history."""
    _require(request, Perm.VIEW_REGISTRY)
    form = FamilySearchForm(request.POST or None, user=request.user)
    families, query, page_number = _filtered(request, form)
    if query:
        page = search_page(families, page_number, PAGE_SIZE)
    else:
        page = Paginator(families, PAGE_SIZE).get_page(page_number)
    rows = [present_family(f, request.user) for f in page.object_list]
    if query.isdigit() and len(query) == 16:
        for family in rows:
            record_access(request.user, "search_nik", "family", str(family.pk))
    context = {"form": form, "page": page, "rows": rows, "query": query}
    context["can_edit"] = request.user.can(Perm.EDIT_REGISTRY)
    template = "registry/family_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@login_required
def family_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A family: members (current and past), open findings, and its history."""
    family = present_family(get_family_for_user(request.user, pk), request.user)
    record_access(request.user, "view_family", "family", str(family.pk))
    today = timezone.localdate()
    memberships = family.memberships.select_related("person").order_by(
        "end_date", "relationship", "id"
    )
    members = present_memberships(memberships, family, request.user, today)
    persons = [m.person.pk for m in members if m.end_date is None]
    finding_model = Family.findings.rel.related_model
    findings = (
        finding_model.objects.filter(status=FINDING_OPEN)
        .filter(Q(family_id=family.pk) | Q(person_id__in=persons))
        .select_related("person")
    )
    events = AuditEvent.objects.filter(family_id=family.pk).order_by("-id")[:100]
    context = {
        "family": family,
        "current": [m for m in members if m.end_date is None],
        "former": [m for m in members if m.end_date is not None],
        "findings": findings,
        "history": history(events, family, request.user),
        "can_edit": request.user.can(Perm.EDIT_REGISTRY)
        and in_area(request.user, family.desa_id, Perm.EDIT_REGISTRY),
        "panels": [panel(request, family) for panel in _family_panels()],
        "held_changes": family.held_changes.pending().select_related("requested_by"),
    }
    if context["can_edit"]:
        # Said before the officer tries: their changes to this family would be refused.
        context["conflicts"] = conflicts.conflicts(request.user, conflicts.subject_of(family))
    return render(request, "registry/family_detail.html", context)


def _members_from(formset: BaseFormSet, error: DomainError) -> None:
    """Route a `members.<i>.<field>` refusal to the right row of the formset."""
    parts = (error.field or "").split(".")
    if len(parts) == 3 and parts[1].isdigit():
        rows = [f for f in formset.forms if f.has_changed()]
        form = rows[int(parts[1])]
        form.add_error(parts[2] if parts[2] in form.fields else None, error.message)
    else:
        formset._non_form_errors = formset.error_class([error.message])


@login_required
@require_http_methods(["GET", "POST"])
def family_create(request: HttpRequest) -> HttpResponse:
    """A new family with its members, saved together or not at all."""
    _require(request, Perm.EDIT_REGISTRY)
    data = request.POST or None
    desa_form = DesaChoiceForm(data, user=request.user)
    form, formset = FamilyForm(data), MemberFormSet(data, prefix="members")
    valid = request.method == "POST" and all(
        [desa_form.is_valid(), form.is_valid(), formset.is_valid()]
    )
    if valid and HOLD in request.POST:
        payload = {"family": form.cleaned_data, "members": formset.members()}
        desa = desa_form.cleaned_data["desa"]
        if page := _hold(request, form, Action.CREATE_FAMILY, desa=desa, payload=payload):
            return page
    elif valid:
        try:
            family = actions.create_family(
                by=request.user,
                desa=desa_form.cleaned_data["desa"],
                data=form.cleaned_data,
                members=formset.members(),
            )
        except DomainError as error:
            if (error.field or "").startswith("members"):
                _members_from(formset, error)
            else:
                _form_error(desa_form if error.field == "desa" else form, error)
        else:
            messages.success(request, _("Family %(id)s was registered.") % {"id": family.id_dtks})
            return redirect("registry:family_detail", pk=family.pk)
    context = {"desa_form": desa_form, "form": form, "formset": formset}
    return render(request, "registry/family_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def family_edit(request: HttpRequest, pk: int) -> HttpResponse:
    family = get_family_for_user(request.user, pk)
    _require(request, Perm.EDIT_REGISTRY, family.desa_id)
    form = FamilyForm(request.POST or None, instance=Family.objects.get(pk=family.pk))
    valid = request.method == "POST" and form.is_valid()
    if valid and HOLD in request.POST:
        payload = {"family": form.cleaned_data}
        if page := _hold(request, form, Action.UPDATE_FAMILY, family=family, payload=payload):
            return page
    elif valid:
        try:
            actions.update_family(family, by=request.user, data=form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Family data was saved."))
            return redirect("registry:family_detail", pk=family.pk)
    return render(request, "registry/family_edit.html", {"family": family, "form": form})


def _duplicate_link(form: Form, error: DomainError) -> None:
    """A refusal on the form; for a duplicate NIK, a link to the family that holds it."""
    _form_error(form, error)
    form.duplicate_family = getattr(error, "family", None)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    family = get_family_for_user(request.user, pk)
    _require(request, Perm.EDIT_REGISTRY, family.desa_id)
    form = MemberForm(request.POST or None)
    valid = request.method == "POST" and form.is_valid()
    if valid and HOLD in request.POST:
        payload = {"person": form.cleaned_data}
        if page := _hold(request, form, Action.ADD_MEMBER, family=family, payload=payload):
            return page
    elif valid:
        try:
            actions.add_member(
                family,
                by=request.user,
                data=form.cleaned_data,
                relationship=form.cleaned_data["relationship"],
            )
        except DomainError as error:
            _duplicate_link(form, error)
        else:
            messages.success(request, _("The member was added."))
            return redirect("registry:family_detail", pk=family.pk)
    context = {"family": family, "form": form, "title": _("Add a member")}
    return render(request, "registry/member_form.html", context)


def _current_member(request: HttpRequest, pk: int, person_pk: int) -> tuple:
    """The family, the person and their current membership, for a user who may edit them:
    404 outside the area or when the person is not a current member, 403 without the right."""
    family = get_family_for_user(request.user, pk)
    person = get_person_for_user(request.user, person_pk)
    membership = get_object_or_404(Membership, family=family, person=person, end_date__isnull=True)
    _require(request, Perm.EDIT_REGISTRY, family.desa_id)
    return family, person, membership


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    family, person, membership = _current_member(request, pk, person_pk)
    initial = {"relationship": membership.relationship}
    form = MemberForm(request.POST or None, instance=person, initial=initial)
    valid = request.method == "POST" and form.is_valid()
    if valid and HOLD in request.POST:
        change = {"family": family, "person": person, "payload": {"person": form.cleaned_data}}
        if page := _hold(request, form, Action.UPDATE_PERSON, **change):
            return page
    elif valid:
        try:
            actions.update_person(
                person,
                by=request.user,
                data=form.cleaned_data,
                family=family,
                relationship=form.cleaned_data["relationship"],
            )
        except DomainError as error:
            _duplicate_link(form, error)
        else:
            messages.success(request, _("Member data was saved."))
            return redirect("registry:family_detail", pk=family.pk)
    context = {"family": family, "form": form, "title": _("Edit member"), "person": person}
    return render(request, "registry/member_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_end(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """A member leaves the family; optionally the person is also deactivated (died, …)."""
    family, person, membership = _current_member(request, pk, person_pk)
    form = EndMembershipForm(request.POST or None)
    valid = request.method == "POST" and form.is_valid()
    if valid and HOLD in request.POST:
        change = {"family": family, "person": person, "payload": form.cleaned_data}
        if page := _hold(request, form, Action.REMOVE_MEMBER, **change):
            return page
    elif valid:
        data = form.cleaned_data
        try:
            actions.remove_member(
                membership,
                by=request.user,
                reason=data["reason"],
                end_date=data["end_date"],
                deactivate_reason=data["deactivate"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(name)s left the family.") % {"name": person.name})
            return redirect("registry:family_detail", pk=family.pk)
    person.nik_shown = shown_identity(request.user, family.desa_id, person.nik)
    context = {"family": family, "person": person, "form": form}
    return render(request, "registry/member_end.html", context)


@login_required
def officers_in_registry(request: HttpRequest) -> HttpResponse:
    """Officers of the verifier's area who themselves appear in the registry (their NIK or
    No. KK, or a probable match of the linkage model under another NIK): the kabupaten
    watches that nobody handles their own family."""
    _require(request, Perm.VERIFY)
    from dtks.accounts.models import User

    areas = area_codes(request.user, Perm.VERIFY)
    in_areas = Q(pk__in=[])
    for code in areas:
        in_areas |= Q(role_assignments__area_id=code) | Q(
            role_assignments__area__code__startswith=code + "."
        )
    officers = list(User.objects.filter(in_areas, is_active=True).distinct().order_by("username"))
    rows = list(conflicts.officers_in_registry(officers))
    listed = {(row.user.pk, row.family.pk) for row in rows}
    persons = Person.objects.visible_to(request.user)
    rows += [
        row
        for row in conflicts.probable_officers(officers, persons)
        if (row.user.pk, row.family.pk) not in listed
    ]
    return render(request, "registry/officers_in_registry.html", {"rows": rows})
