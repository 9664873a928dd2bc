"""Pemadanan pages under /padan/: the KPI and the tidak padan list, the upload of a Dukcapil
extract (a background job with progress), and the panel on the family page.

Parse → authorise → query or action → render. Lists start from
`MatchResult.objects.visible_to(user)`; an extract is fetched only through
`queries.get_extract_for_user` (404 outside the area, 403 without VERIFY).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes, can_view_identity, in_area, mask_identity
from dtks.core.errors import DomainError
from dtks.imports.actions import common_area, store_upload
from dtks.imports.safety import max_bytes, size_refusal
from dtks.wilayah.models import Level, Region, code_prefix_q

from . import actions, queries
from .models import MatchResult, Reason

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django.utils.safestring import SafeString

    from dtks.registry.models import Family

PAGE_SIZE = 50
RECENT = 20
FORM_OVERHEAD = 64 * 1024  # the multipart envelope around the file


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    wilayah = forms.ChoiceField(label=gettext_lazy("Region matched"))

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.none()
        for code in area_codes(user, Perm.VERIFY):
            regions |= Region.objects.filter(code_prefix_q("code", code))
        choices = regions.filter(level__lte=Level.KECAMATAN).order_by("code")
        self.fields["wilayah"].choices = [(r.code, f"{r.code} {r}") for r in choices]


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.can(perm):
        raise PermissionDenied


def _page_wilayah(request: HttpRequest) -> str | None:
    """`?wilayah=`, else the user's own area when it is one region."""
    chosen = request.GET.get("wilayah", "").strip()
    if chosen:
        return chosen
    own = common_area(area_codes(request.user))
    return own if own and in_area(request.user, own) else None


def _present(rows: list[MatchResult], user: object) -> list[MatchResult]:
    """NIK and No. KK as the user may see them in each person's desa."""
    for row in rows:
        full = bool(row.desa_code) and can_view_identity(user, row.desa_code)
        show = (lambda v: v) if full else mask_identity
        row.nik_shown = show(row.person.nik)
        row.no_kk_shown = show(row.no_kk or "")
        row.dukcapil_no_kk_shown = show(row.dukcapil_no_kk)
    return rows


@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """The share padan of the user's area and per kecamatan/desa, and the tidak padan list
    filtered by region and reason."""
    _require(request, Perm.VIEW_REGISTRY)
    wilayah = _page_wilayah(request)
    reason = request.GET.get("reason", "")
    reason = reason if reason in Reason.values else ""
    listed = queries.tidak_padan_list(request.user, wilayah, reason or None)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _present(list(page.object_list), request.user)
    region = Region.objects.filter(code=wilayah).first() if wilayah else None
    summary = queries.summary(request.user, wilayah)
    context = {
        "wilayah": wilayah or "",
        "region": region,
        "reason": reason,
        "reasons": Reason.choices,
        "summary": summary,
        "reason_rows": [(code, label, summary.reasons[code]) for code, label in Reason.choices],
        "areas": queries.per_area(request.user, wilayah),
        "not_matched": queries.not_yet_matched(request.user, wilayah),
        "page": page,
        "can_upload": request.user.can(Perm.VERIFY),
    }
    return render(request, "adminduk/results.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """The upload form (kabupaten verifier) and the recent extracts of the user's area."""
    _require(request, Perm.VERIFY)
    if _declared_too_large(request):
        form = UploadForm({}, {}, user=request.user)
        form.errors["file"] = form.error_class([size_refusal().message])
    else:
        form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            extract = _submit(request, form.cleaned_data)
        except DomainError as error:
            form.add_error("file" if error.field == "file" else None, error.message)
        else:
            return redirect("adminduk:extract", pk=extract.pk)
    recent = queries.extracts_visible_to(request.user).select_related("uploaded_by")[:RECENT]
    return render(request, "adminduk/upload.html", {"form": form, "extracts": recent})


def _declared_too_large(request: HttpRequest) -> bool:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    return declared.isdigit() and int(declared) > max_bytes() + FORM_OVERHEAD


def _submit(request: HttpRequest, data: dict) -> object:
    uploaded = data["file"]
    path = store_upload(uploaded.chunks(), uploaded.name)
    try:
        return actions.submit_extract(path, uploaded.name, by=request.user, wilayah=data["wilayah"])
    except DomainError:
        path.unlink(missing_ok=True)
        raise


@login_required
@require_GET
def extract(request: HttpRequest, pk: int) -> HttpResponse:
    """An extract's progress and outcome; an htmx request gets only the polling part."""
    found = queries.get_extract_for_user(request.user, pk)
    total = found.progress_total
    context = {
        "extract": found,
        "percent": min(100, found.progress_done * 100 // total) if total else 0,
        "reasons": [(code, label, found.counts.get("reasons", {}).get(code, 0))
                    for code, label in Reason.choices],
    }  # fmt: skip
    template = "adminduk/extract.html#progress" if request.htmx else "adminduk/extract.html"
    return render(request, template, context)


def family_panel(request: HttpRequest, family: Family) -> SafeString:
    """The current members' Dukcapil match on the family page (a `DTKS_FAMILY_PANELS` hook of
    the registry): padan, or tidak padan with the reasons and Dukcapil's differing values."""
    members = family.memberships.filter(end_date__isnull=True).select_related("person")
    results = {
        r.person_id: r
        for r in MatchResult.objects.current().filter(person__in=[m.person_id for m in members])
    }
    full = can_view_identity(request.user, family.desa_id)
    rows = []
    for membership in members:
        result = results.get(membership.person_id)
        if result is not None:
            no_kk = result.dukcapil_no_kk
            result.dukcapil_no_kk_shown = no_kk if full else mask_identity(no_kk)
        rows.append((membership.person, result))
    context = {"rows": rows, "any_result": bool(results)}
    return render_to_string("adminduk/family_panel.html", context, request=request)
