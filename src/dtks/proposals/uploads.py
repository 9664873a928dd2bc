"""The batch's documents: the musdes berita acara (PDF or photo) and the BNBA list.

A file may come from anyone, so its type is decided from its content (magic bytes, and the
import's checks for a workbook or CSV text), never from its name or the browser's word; it
must be non-empty and within `DTKS_PROPOSAL_DOCUMENT_MAX_BYTES`. It is stored under
`DATA_DIR/proposals/` (outside any web root) with a generated name and served only by a view
that checks the user's area and role. A new upload of the same kind replaces the current one;
the older files stay, listed as history (`current_documents`).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import in_area
from dtks.audit.record import Change, record_events
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.core.uploads import write_limited
from dtks.imports.safety import MB, UnsafeUpload, check_csv, check_xlsx

from .models import Document, ProposalBatch

if TYPE_CHECKING:
    from dtks.accounts.models import User

DEFAULT_MAX_BYTES = 10 * MB
HEAD = 16
PDF, JPEG, PNG, XLSX, CSV = "pdf", "jpeg", "png", "xlsx", "csv"
CONTENT_TYPES = {
    PDF: "application/pdf",
    JPEG: "image/jpeg",
    PNG: "image/png",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv",
}
SUFFIXES = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", XLSX: ".xlsx", CSV: ".csv"}
ALLOWED = {
    Document.Kind.BERITA_ACARA: (PDF, JPEG, PNG),
    Document.Kind.BNBA: (XLSX, CSV, PDF),
}
ALLOWED_LABELS = {
    Document.Kind.BERITA_ACARA: "PDF, JPEG, PNG",
    Document.Kind.BNBA: "xlsx, CSV, PDF",
}


def content_type_of(document: Document) -> str:
    """The MIME type of a stored document, from the type its content was found to be (the
    generated name's suffix; `Document.content_type` holds at most 60 characters)."""
    by_suffix = {suffix: CONTENT_TYPES[key] for key, suffix in SUFFIXES.items()}
    return by_suffix.get(Path(document.stored_name).suffix, "application/octet-stream")


def max_bytes() -> int:
    return int(getattr(settings, "DTKS_PROPOSAL_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def storage_dir() -> Path:
    return Path(settings.DATA_DIR) / "proposals"


def stored_path(document: Document) -> Path:
    return storage_dir() / document.stored_name


def sniff(path: Path) -> str | None:
    """The type of the file from its content: PDF, JPEG, PNG, an xlsx workbook, CSV text, or
    None. A workbook or text is checked whole (the import's checks); images and PDF by their
    signature."""
    with path.open("rb") as f:
        head = f.read(HEAD)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        try:
            check_xlsx(path)
        except UnsafeUpload:
            return None
        return XLSX
    try:
        check_csv(path)
    except UnsafeUpload:
        return None
    # Markup is never a BNBA list (an HTML page renamed .csv).
    return None if head.lstrip().startswith(b"<") else CSV


def _refuse(kind: str, size: int, detected: str | None) -> None:
    if size == 0:
        raise UnsafeUpload(_("The file is empty."), "empty")
    if size > max_bytes():
        raise UnsafeUpload(
            _("The file is larger than %(limit)s MB.") % {"limit": f"{max_bytes() / MB:g}"},
            "too_large",
        )
    if detected not in ALLOWED[kind]:
        raise UnsafeUpload(
            _("This file is not one of the accepted types (%(types)s).")
            % {"types": ALLOWED_LABELS[kind]},
            "wrong_type",
        )


def current_documents(batch: ProposalBatch) -> dict[str, Document]:
    """The batch's current document of each kind (the latest upload)."""
    return {d.kind: d for d in batch.documents.order_by("uploaded_at", "id")}


def upload_document(batch: ProposalBatch, *, by: User, kind: str, file: Any) -> Document:
    """Store a berita acara or BNBA list for the batch (desa operator: edit permission over
    the desa). Refuses an empty file, one over the size limit and one whose content is not an
    accepted type (`UnsafeUpload`, codes `empty`, `too_large`, `wrong_type`). The previous
    document of the kind stays as history. Audited as `upload_proposal_document`."""
    if kind not in ALLOWED:
        raise DomainError(_("Choose the kind of document."), field="kind")
    if not by.can(Perm.EDIT_REGISTRY) or not in_area(by, batch.desa_id, Perm.EDIT_REGISTRY):
        raise PermissionDeniedError(
            _("You may not upload documents for this desa/kelurahan."), code="out_of_area"
        )
    storage_dir().mkdir(parents=True, exist_ok=True)
    partial = storage_dir() / f".{uuid.uuid4().hex}.part"
    try:
        size, sha256 = write_limited(file, partial, max_bytes())
        detected = sniff(partial) if 0 < size <= max_bytes() else None
        _refuse(kind, size, detected)
        stored_name = uuid.uuid4().hex + SUFFIXES[detected]
        partial.rename(storage_dir() / stored_name)
    finally:
        partial.unlink(missing_ok=True)
    try:
        return _record(batch, by, kind, file, stored_name, detected, size, sha256)
    except Exception:
        (storage_dir() / stored_name).unlink(missing_ok=True)
        raise


@transaction.atomic
def _record(
    batch: ProposalBatch, by: User, kind: str, file: Any, stored_name: str, detected: str,
    size: int, sha256: str,
) -> Document:  # fmt: skip
    previous = current_documents(batch).get(kind)
    document = Document.objects.create(
        batch=batch,
        kind=kind,
        original_name=Path(str(file.name or "")).name[:200] or stored_name,
        stored_name=stored_name,
        # The xlsx MIME type (65 characters) does not fit the column: its short name then.
        content_type=CONTENT_TYPES[detected] if len(CONTENT_TYPES[detected]) <= 60 else detected,
        size=size,
        uploaded_by=by,
    )
    after = {"kind": kind, "type": detected, "size": size, "sha256": sha256}
    before = {"document": previous.pk} if previous else None
    change = Change("proposal_document", str(document.pk), before, after, None, batch.desa_id)
    record_events(by, "upload_proposal_document", [change], f"batch={batch.pk}")
    return document


def require_berita_acara(batch: ProposalBatch) -> None:
    """Every proposal carries the musdes berita acara (DOMAIN §7): a batch without one
    uploaded cannot submit (code `berita_acara_missing`)."""
    if not batch.documents.filter(kind=Document.Kind.BERITA_ACARA).exists():
        raise DomainError(
            _("Upload the musdes berita acara of this month before submitting."),
            field="berita_acara",
            code="berita_acara_missing",
        )
