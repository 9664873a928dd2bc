"""Import pages under /impor/: upload, follow a batch's progress, cancel it, get its report.

Uploading needs EDIT_REGISTRY (403 without it). A batch is fetched only through
`access.get_batch_for_user`: 404 to anyone but its uploader and the kabupaten staff who edit
its area. Everything works without JavaScript; with htmx the progress part polls itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes
from dtks.audit.record import record_access
from dtks.core.errors import DomainError
from dtks.wilayah.models import Region

from . import actions
from .access import batches_visible_to, get_batch_for_user
from .models import BatchStatus, ImportBatch
from .safety import max_bytes, size_refusal

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

RECENT = 20
FORM_OVERHEAD = 64 * 1024  # the multipart envelope and the other fields around the file


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only (dry run): nothing is written"), required=False
    )


def _require_edit(request: HttpRequest) -> None:
    if not request.user.can(Perm.EDIT_REGISTRY):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """The upload form, the user's villages, and their recent batches."""
    _require_edit(request)
    if _declared_too_large(request):
        form = UploadForm({}, {})
        form.errors["file"] = form.error_class([size_refusal().message])
    else:
        form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = _submit(request, form.cleaned_data)
        except DomainError as error:
            form.add_error("file" if error.field == "file" else None, error.message)
        else:
            return redirect("imports:batch", pk=batch.pk)
    codes = area_codes(request.user, Perm.EDIT_REGISTRY)
    context = {
        "form": form,
        "areas": Region.objects.filter(code__in=codes).order_by("code"),
        "batches": batches_visible_to(request.user).select_related("uploaded_by")[:RECENT],
    }
    return render(request, "imports/upload.html", context)


def _declared_too_large(request: HttpRequest) -> bool:
    """A body announced over the limit is refused before it is copied, hashed and checked.

    Django may still spool it to a temporary file (the CSRF check reads the form); the hard
    cap on request size belongs to the front server (nginx `client_max_body_size`).
    """
    declared = request.META.get("CONTENT_LENGTH") or "0"
    return declared.isdigit() and int(declared) > max_bytes() + FORM_OVERHEAD


def _submit(request: HttpRequest, data: dict) -> ImportBatch:
    uploaded = data["file"]
    path = actions.store_upload(uploaded.chunks(), uploaded.name)
    try:
        return actions.submit_import(path, uploaded.name, by=request.user, dry_run=data["dry_run"])
    except DomainError:
        path.unlink(missing_ok=True)
        raise


@login_required
@require_GET
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's progress and result; an htmx request gets only the polling part."""
    _require_edit(request)
    found = get_batch_for_user(request.user, pk)
    template = "imports/batch.html#progress" if request.htmx else "imports/batch.html"
    return render(request, template, _batch_context(found))


def _batch_context(found: ImportBatch) -> dict:
    open_ = found.status in actions.OPEN
    total = found.progress_total
    return {
        "batch": found,
        "open": open_,
        "percent": min(100, found.progress_done * 100 // total) if total else 0,
        "earlier": None if open_ else _earlier_import(found),
    }


def _earlier_import(found: ImportBatch) -> ImportBatch | None:
    """A finished, written import of the same file content before this one."""
    return (
        ImportBatch.objects.filter(
            sha256=found.sha256, status=BatchStatus.DONE, dry_run=False, pk__lt=found.pk
        )
        .order_by("-pk")
        .first()
    )


@login_required
@require_POST
def batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a pending or running batch; the engine stops and writes nothing."""
    _require_edit(request)
    found = get_batch_for_user(request.user, pk)
    try:
        actions.cancel_import(found, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    if request.htmx:
        return render(request, "imports/batch.html#progress", _batch_context(found))
    return redirect("imports:batch", pk=found.pk)


@login_required
@require_GET
def batch_report(request: HttpRequest, pk: int) -> FileResponse:
    """The error report of a finished batch, as an attachment (recorded as an access)."""
    _require_edit(request)
    found = get_batch_for_user(request.user, pk)
    path = Path(found.report_path) if found.report_path else None
    if (
        path is None
        or not path.is_file()
        or actions.imports_dir().resolve() not in path.resolve().parents
    ):
        raise Http404(_("This import has no error report."))
    record_access(request.user, "import_report", "import_batch", str(found.pk))
    name = f"laporan-{Path(found.original_name).stem}{path.suffix}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
