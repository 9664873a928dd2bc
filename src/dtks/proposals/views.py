"""Proposal pages: the desa's batch of the month, creating and editing proposals, a
proposal's detail with its history and steps, the kabupaten's queues, the pengesah's list, and
the batch's documents. Parse → authorise → call an action → redirect or render.

Batches and proposals come only through `access` and `visible_to` (404 outside the area); a
missing permission inside the area answers 403. Every step goes through `actions`, which
enforces the transition table whatever buttons a page showed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes, area_q, can_view_identity, in_area, mask_identity
from dtks.audit.record import record_access
from dtks.core.errors import DomainError
from dtks.registry import choices as c
from dtks.registry.access import get_family_for_user, get_person_for_user
from dtks.registry.models import Family, Membership, Person
from dtks.schedule.windows import Month, local_day
from dtks.wilayah.models import Region

from . import actions, uploads
from .access import get_batch_for_user, get_proposal_for_user
from .data import changes
from .forms import (
    ENTRIES,
    NEEDS_FAMILY,
    NEEDS_PERSON,
    FamilyLookupForm,
    StepNoteForm,
    UploadForm,
    entry_slug,
)
from .models import Document, Kind, ProgramProposal, Proposal, ProposalBatch, Status
from .workflow import EDITABLE, LABELS, STEPS, actions_from, step_for

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django.utils.safestring import SafeString

STEP_PERMS = {s.action: s.perm for s in STEPS}
IDENTITY_FIELDS = frozenset({"nik", "no_kk"})
FIELDS = {
    f.attname: f for m in (Family, Person, Membership) for f in m._meta.concrete_fields
}  # fmt: skip
SUBTYPE_LABELS = {**dict(c.InactiveReason.choices), **dict(ProgramProposal.choices)}
EXTRA_LABELS = {
    "programs": _("Programs"),
    "note": _("Explanation and evidence"),
    "members": _("Current members"),
}


# --- presenting ---------------------------------------------------------------------------


def _shown(name: str, value: Any, full_identity: bool) -> str:
    """One value of a before → after row as the user may read it."""
    if value in (None, "", [], {}):
        return "–"
    if isinstance(value, list):
        return ", ".join(str(dict(c.Program.choices).get(v, v)) for v in value)
    if name in IDENTITY_FIELDS and not full_identity:
        return mask_identity(str(value))
    field = FIELDS.get(name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(_coerce(value), value))
    if field is not None and field.get_internal_type() == "DateField" and isinstance(value, str):
        return date_format(dt.date.fromisoformat(value), "j F Y")
    return str(value)


def _coerce(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _label(name: str) -> str:
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    field = FIELDS.get(name)
    return str(field.verbose_name).capitalize() if field is not None else name


def present(proposal: Proposal, user: Any) -> Proposal:
    """Attach `rows` (label, before, after) and, for a new family, `members` to show."""
    full = can_view_identity(user, proposal.batch.desa_id)
    proposal.rows = [
        (_label(k), _shown(k, old, full), _shown(k, new, full)) for k, old, new in changes(proposal)
    ]
    members = proposal.payload.get("members", []) if proposal.kind == Kind.NEW_FAMILY else []
    proposal.members = [{k: _shown(k, v, full) for k, v in m.items()} for m in members]
    if proposal.person_id:
        proposal.person_shown = _shown("nik", proposal.person.nik, full)
    proposal.subtype_label = SUBTYPE_LABELS.get(proposal.subtype, proposal.subtype)
    return proposal


def may_take(user: Any, proposal: Proposal, action: str) -> bool:
    """Whether the table lets this user take `action` now (the buttons a page offers; the
    action still decides, with the window and conflict checks)."""
    step = step_for(proposal.status, action)
    if step is None or not user.can(step.perm):
        return False
    if not in_area(user, proposal.batch.desa_id, step.perm):
        return False
    if step.independent and user.pk == proposal.proposed_by_id:
        return False
    verified_by = {t.by_id for t in proposal.transitions.all() if t.action == "verify"}
    return not (step.not_verifier and user.pk in verified_by)


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def _param(request: HttpRequest, name: str) -> str:
    return request.POST.get(name) or request.GET.get(name) or ""


def _month(text: str) -> Month:
    """`YYYY-MM` (the current month when empty); Month(0, 0) when it is no month."""
    if not text:
        return Month.of(local_day())
    try:
        year, month = (int(part) for part in text.split("-"))
    except ValueError:
        return Month(0, 0)
    return Month(year, month) if 2000 <= year <= 2100 and 1 <= month <= 12 else Month(0, 0)


def _previous(month: Month) -> Month:
    return Month(month.year - (month.month == 1), (month.month - 2) % 12 + 1)


# --- the desa's batch ----------------------------------------------------------------------


def _desa_for(request: HttpRequest) -> Region | None:
    """The desa the page is about: asked for (404 outside the area), or the user's one desa."""
    code = _param(request, "desa")
    if not code:
        editable = area_codes(request.user, Perm.EDIT_REGISTRY)
        code = editable[0] if len(editable) == 1 and len(editable[0]) == 13 else ""
    if not code:
        return None
    return get_object_or_404(
        Region.objects.villages().filter(area_q(request.user, "code")), code=code
    )


def _batch_context(request: HttpRequest, desa: Region, month: Month) -> dict[str, Any]:
    batch = ProposalBatch.objects.filter(desa=desa, year=month.year, month=month.month).first()
    proposals = []
    if batch is not None:
        queryset = batch.proposals.select_related("batch", "family", "person", "proposed_by")
        proposals = [present(p, request.user) for p in queryset]
    documents = list(batch.documents.select_related("uploaded_by")) if batch else []
    current = uploads.current_documents(batch) if batch else {}
    return {
        "desa": desa,
        "month": month,
        "previous": _previous(month),
        "next": month.next(),
        "batch": batch,
        "proposals": proposals,
        "current_documents": [current[k] for k in Document.Kind.values if k in current],
        "old_documents": [d for d in documents if d not in current.values()],
        "can_edit": request.user.can(Perm.EDIT_REGISTRY)
        and in_area(request.user, desa.code, Perm.EDIT_REGISTRY),
        "kinds": [(k, ENTRIES[k].title) for k in ENTRIES],
        "upload_form": UploadForm(),
        "submittable": [p for p in proposals if p.status in EDITABLE],
    }


def _desa_picker(request: HttpRequest, month: Month) -> HttpResponse:
    """A user over several desa: this month's batches in the area, and a desa to open."""
    batches = (
        ProposalBatch.objects.visible_to(request.user)
        .filter(year=month.year, month=month.month)
        .select_related("desa")
        .annotate(n=Count("proposals"))
        .order_by("desa_id")
    )
    villages = Region.objects.villages().filter(area_q(request.user, "code", Perm.EDIT_REGISTRY))
    context = {"month": month, "batches": batches, "villages": villages.order_by("code")}
    return render(request, "proposals/desa_picker.html", context)


@login_required
def batch_page(request: HttpRequest) -> HttpResponse:
    """The desa's proposals of a month (the current one unless `bulan=YYYY-MM`)."""
    month = _month(request.GET.get("bulan", ""))
    if not month.year:
        raise Http404
    desa = _desa_for(request)
    if not request.user.can(Perm.VIEW_REGISTRY):
        raise PermissionDenied
    if desa is None:
        return _desa_picker(request, month)
    context = _batch_context(request, desa, month)
    return render(request, "proposals/batch.html", context)


# --- creating and editing ------------------------------------------------------------------


def _target(request: HttpRequest, slug: str) -> tuple[Family | None, Person | None]:
    """The family (and person) the new proposal concerns, from the query or the form."""
    family = person = None
    if slug in NEEDS_FAMILY and (family_pk := _param(request, "family")).isdigit():
        family = get_family_for_user(request.user, int(family_pk))
    if slug in NEEDS_PERSON and (person_pk := _param(request, "person")).isdigit():
        person = get_person_for_user(request.user, int(person_pk))
    return family, person


def _family_lookup(request: HttpRequest, slug: str) -> HttpResponse:
    """Find the family by No. KK (in the user's area), then come back with it."""
    form = FamilyLookupForm(request.GET if "no_kk" in request.GET else None)
    if form.is_valid():
        family = (
            Family.objects.visible_to(request.user)
            .filter(no_kk=form.cleaned_data["no_kk"].strip(), status="active")
            .first()
        )
        if family is not None:
            return redirect(f"{reverse('proposals:create', args=[slug])}?family={family.pk}")
        form.add_error("no_kk", _("No active family with this No. KK in your area."))
    context = {"form": form, "title": ENTRIES[slug].title, "slug": slug}
    return render(request, "proposals/family_lookup.html", context)


def _create(request: HttpRequest, entry: Any, desa: Region) -> Proposal | None:
    month = Month.of(local_day())
    try:
        batch = actions.open_batch(by=request.user, desa=desa, year=month.year, month=month.month)
        return actions.create_proposal(
            batch,
            by=request.user,
            kind=entry.kind,
            subtype=entry.subtype(),
            family=entry.family,
            person=entry.target_person(),
            payload=entry.read(),
        )
    except DomainError as error:
        entry.add_error(error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest, kind: str) -> HttpResponse:
    """A new proposal of `kind` in this month's batch of the desa (edit permission)."""
    if kind not in ENTRIES:
        raise Http404
    family, person = _target(request, kind)
    desa = family.desa if family else _desa_for(request)
    if desa is not None and not in_area(request.user, desa.code, Perm.EDIT_REGISTRY):
        raise PermissionDenied
    if not request.user.can(Perm.EDIT_REGISTRY):
        raise PermissionDenied
    if kind in NEEDS_FAMILY and family is None:
        return _family_lookup(request, kind)
    if kind in NEEDS_PERSON and person is None:
        return redirect("registry:family_detail", pk=family.pk)
    entry = ENTRIES[kind](request.POST or None, family=family, person=person, proposal=None)
    posted = desa is not None and request.method == "POST" and entry.is_valid()
    if posted and (proposal := _create(request, entry, desa)):
        messages.success(request, _("The proposal was saved as a draft."))
        return redirect("proposals:detail", pk=proposal.pk)
    context = {"entry": entry, "desa": desa, "family": family, "person": person, "slug": kind}
    return render(request, "proposals/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the proposed values of a draft or returned proposal."""
    proposal = get_proposal_for_user(request.user, pk)
    if not in_area(request.user, proposal.batch.desa_id, Perm.EDIT_REGISTRY):
        raise PermissionDenied
    if proposal.status not in EDITABLE:
        messages.error(request, _("Only a draft or a returned proposal can be changed."))
        return redirect("proposals:detail", pk=pk)
    slug = entry_slug(proposal)
    entry = ENTRIES[slug](
        request.POST or None, family=proposal.family, person=proposal.person, proposal=proposal
    )
    if request.method == "POST" and entry.is_valid():
        try:
            actions.edit_proposal(proposal, by=request.user, payload=entry.read())
        except DomainError as error:
            entry.add_error(error)
        else:
            messages.success(request, _("The proposal was saved."))
            return redirect("proposals:detail", pk=pk)
    context = {"entry": entry, "proposal": proposal, "desa": proposal.batch.desa}
    context.update(family=proposal.family, person=proposal.person, slug=slug)
    return render(request, "proposals/form.html", context)


# --- a proposal and its steps --------------------------------------------------------------


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Before → after, the rule findings, the history of steps and the steps the user may
    take now."""
    proposal = get_proposal_for_user(request.user, pk)
    record_access(request.user, "view_proposal", "proposal", str(pk))
    present(proposal, request.user)
    history = [
        (t, LABELS.get(t.action, t.action)) for t in proposal.transitions.select_related("by")
    ]
    allowed = [a for a in actions_from(proposal.status) if may_take(request.user, proposal, a)]
    context = {
        "proposal": proposal,
        "history": history,
        "steps": [(a, LABELS[a], step_for(proposal.status, a)) for a in allowed if a != "edit"],
        "can_edit": "edit" in allowed,
    }
    return render(request, "proposals/detail.html", context)


def _run_step(request: HttpRequest, proposal: Proposal, action: str) -> None:
    note = request.POST.get("note", "")
    if action == "submit":
        actions.submit_proposal(proposal, by=request.user)
    elif action == "ratify":
        actions.ratify_batch(proposal.batch, by=request.user, proposals=[proposal.pk])
    else:
        actions.take_step(proposal, action, by=request.user, note=note)


@login_required
@require_POST
def proposal_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one step of the table (`action`: submit, verify, return, finalise, ratify, send,
    determine, reject); a refusal is shown as a message, the rule findings on the proposal."""
    proposal = get_proposal_for_user(request.user, pk)
    action = request.POST.get("action", "")
    if action not in STEP_PERMS or action in ("create", "edit"):
        return HttpResponseBadRequest()
    if not in_area(request.user, proposal.batch.desa_id, STEP_PERMS[action]):
        raise PermissionDenied
    try:
        _run_step(request, proposal, action)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Proposal #%(id)s: %(step)s done.") % {"id": pk, "step": LABELS[action]}
        )
    return redirect(_next(request, reverse("proposals:detail", args=[pk])))


def _batch_for(request: HttpRequest, pk: int, perm: str) -> ProposalBatch:
    """The batch (404 outside the user's area), if the user holds `perm` over its desa (403)."""
    batch = get_batch_for_user(request.user, pk)
    if not in_area(request.user, batch.desa_id, perm):
        raise PermissionDenied
    return batch


def _month_page(desa_code: str, month: Month) -> str:
    return f"{reverse('proposals:batch')}?desa={desa_code}&bulan={month.year}-{month.month:02d}"


def _batch_back(batch: ProposalBatch) -> str:
    return _month_page(batch.desa_id, Month(batch.year, batch.month))


@login_required
@require_POST
def batch_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit every draft and returned proposal of the batch; say which were refused."""
    batch = _batch_for(request, pk, Perm.EDIT_REGISTRY)
    done, refused = 0, []
    for proposal in batch.proposals.filter(status__in=EDITABLE):
        try:
            actions.submit_proposal(proposal, by=request.user)
            done += 1
        except DomainError as error:
            refused.append(f"#{proposal.pk}: {error.message}")
    if done:
        messages.success(request, _("%(n)d proposal(s) submitted.") % {"n": done})
    for message in refused:
        messages.error(request, message)
    return redirect(_batch_back(batch))


# --- the kabupaten's lists -----------------------------------------------------------------


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.can(perm):
        raise PermissionDenied


def _rows(queryset: Any, request: HttpRequest) -> list[Proposal]:
    queryset = queryset.select_related("batch__desa", "family", "person", "proposed_by")
    queryset = queryset.prefetch_related(Prefetch("transitions"))
    return [present(p, request.user) for p in queryset.order_by("batch__desa_id", "id")[:200]]


@login_required
def verify_queue(request: HttpRequest) -> HttpResponse:
    """Submitted proposals of the verifier's area, by desa and kind; verify or return here."""
    _require(request, Perm.VERIFY)
    queryset = Proposal.objects.awaiting_verification(request.user)
    desa, kind = request.GET.get("desa", ""), request.GET.get("kind", "")
    if desa:
        queryset = queryset.filter(batch__desa_id=desa)
    if kind in Kind.values:
        queryset = queryset.filter(kind=kind)
    villages = Region.objects.villages().filter(
        code__in=queryset.values("batch__desa_id").distinct()
    )
    context = {
        "rows": _rows(queryset, request),
        "desa": desa,
        "kind": kind,
        "kinds": Kind.choices,
        "villages": villages.order_by("code"),
        "note_form": StepNoteForm(),
    }
    return render(request, "proposals/queue.html", context)


@login_required
def finalise_list(request: HttpRequest) -> HttpResponse:
    """Verified proposals of the area, to finalise (not by their proposer)."""
    _require(request, Perm.VERIFY)
    queryset = Proposal.objects.in_area_for(request.user, Perm.VERIFY).filter(
        status=Status.VERIFIED
    )
    rows = [(p, may_take(request.user, p, "finalise")) for p in _rows(queryset, request)]
    return render(request, "proposals/finalise.html", {"rows": rows})


@login_required
def ratify_list(request: HttpRequest) -> HttpResponse:
    """The pengesah's list: batches of the area with finalised proposals, one button each."""
    _require(request, Perm.RATIFY)
    finalised = Q(proposals__status=Status.FINALISED)
    batches = (
        ProposalBatch.objects.filter(area_q(request.user, "desa__code", Perm.RATIFY))
        .annotate(finalised=Count("proposals", filter=finalised))
        .filter(finalised__gt=0)
        .select_related("desa")
        .order_by("year", "month", "desa_id")
    )
    return render(request, "proposals/ratify.html", {"batches": batches})


@login_required
@require_POST
def batch_ratify(request: HttpRequest, pk: int) -> HttpResponse:
    """Sahkan: ratify the batch's finalised proposals, applied to the registry all or none."""
    batch = _batch_for(request, pk, Perm.RATIFY)
    try:
        done = actions.ratify_batch(batch, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(n)d proposal(s) ratified and applied to the registry.") % {"n": len(done)}
        )
    return redirect("proposals:ratify_list")


# --- documents -----------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request: HttpRequest) -> HttpResponse:
    """Upload the berita acara or BNBA list of the desa's batch of the month (`bulan`)."""
    desa = _desa_for(request)
    if desa is None:
        raise Http404
    if not in_area(request.user, desa.code, Perm.EDIT_REGISTRY):
        raise PermissionDenied
    month = _month(request.POST.get("bulan", ""))
    form = UploadForm(request.POST, request.FILES)
    back = _month_page(desa.code, month)
    if not month.year or not form.is_valid():
        messages.error(request, _("Choose the document and its file."))
        return redirect(back)
    try:
        batch = actions.open_batch(by=request.user, desa=desa, year=month.year, month=month.month)
        uploads.upload_document(
            batch, by=request.user, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The document was uploaded."))
    return redirect(back)


@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """A document of a batch in the user's area, as an attachment. A BNBA list names persons
    with their NIK: it needs the right to see full identity numbers in the desa."""
    document = get_object_or_404(
        Document.objects.filter(area_q(request.user, "batch__desa__code")), pk=pk
    )
    if document.kind == Document.Kind.BNBA and not can_view_identity(
        request.user, document.batch.desa_id
    ):
        raise PermissionDenied
    record_access(request.user, "download_proposal_document", "proposal_document", str(pk))
    path = uploads.stored_path(document)
    if not path.is_file():
        raise Http404
    name = (
        f"{document.kind}-{document.batch.desa_id}-{document.batch.year}-{document.batch.month:02d}"
    )
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=name + path.suffix,
        content_type=uploads.content_type_of(document),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the family page's panel ---------------------------------------------------------------


def family_panel(request: HttpRequest, family: Family) -> SafeString:
    """The family's proposals and the links to propose a change (a `DTKS_FAMILY_PANELS` hook
    of the registry's family page)."""
    proposals = Proposal.objects.visible_to(request.user).filter(family=family)
    can_propose = request.user.can(Perm.EDIT_REGISTRY) and in_area(
        request.user, family.desa_id, Perm.EDIT_REGISTRY
    )
    members = family.current_memberships().order_by("relationship", "id") if can_propose else []
    context = {
        "family": family,
        "proposals": proposals.select_related("batch").order_by("-id")[:20],
        "can_propose": can_propose,
        "members": members,
        "family_kinds": [(k, ENTRIES[k].title) for k in ENTRIES if k in NEEDS_FAMILY],
    }
    return render_to_string("proposals/family_panel.html", context, request=request)
