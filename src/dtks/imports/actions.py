"""Import batches as background jobs: submitted, started, ended, or cancelled by their user.

A batch moves pending → running → done | failed | cancelled and never back. Each move is one
conditional UPDATE on the status it leaves, so a web request (cancel) and a worker (start,
end) never overwrite each other. Cancelling sets the status to `cancelled` at once; the
worker reads it through `should_cancel` and the engine then stops without writing anything.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes
from dtks.audit.record import Change, record_event
from dtks.core.errors import DomainError, PermissionDeniedError

from .models import BatchStatus, ImportBatch
from .safety import check_upload

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dtks.accounts.models import User

OPEN = (BatchStatus.PENDING, BatchStatus.RUNNING)
COPY_CHUNK = 1024 * 1024


def imports_dir() -> Path:
    """Where uploads and reports live: under DATA_DIR, outside the web root, never served."""
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(chunks: Iterable[bytes], original_name: str) -> Path:
    """Write an uploaded file to imports_dir()/<uuid>.<ext> and check it; removed if refused."""
    suffix = Path(original_name).suffix.lower()
    path = imports_dir() / f"{uuid.uuid4().hex}{suffix if suffix in ('.csv', '.xlsx') else ''}"
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    try:
        check_upload(path, original_name)
    except DomainError:
        path.unlink(missing_ok=True)
        raise
    return path


def common_area(codes: list[str]) -> str:
    """The smallest region containing all `codes` ("" when they share no provinsi)."""
    parts = [code.split(".") for code in codes]
    shared = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        shared.append(level[0])
    return ".".join(shared)


def submit_import(path: Path, original_name: str, *, by: User, dry_run: bool) -> ImportBatch:
    """Create a pending batch for a stored, checked upload and queue it once committed.

    The batch's wilayah is the smallest region holding all the user's edit areas; the engine
    still refuses, row by row, anything outside the user's own villages.
    """
    codes = area_codes(by, Perm.EDIT_REGISTRY)
    if not codes:
        raise PermissionDeniedError(_("You may not import into the registry."))
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            uploaded_by=by,
            original_name=Path(original_name).name[:255],
            stored_path=str(path),
            sha256=file_sha256(path),
            wilayah=common_area(codes),
            dry_run=dry_run,
        )
        record_event(by, "import.submit", _change(batch, None, BatchStatus.PENDING))
        transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch


def _enqueue(batch_id: int) -> None:
    from .tasks import run_import_batch  # the task module imports the engine: load it late

    run_import_batch.enqueue(batch_id)


def cancel_import(batch: ImportBatch, *, by: User) -> None:
    """Stop a pending or running batch; nothing of it is written. Refused once it has ended."""
    with transaction.atomic():
        moved = ImportBatch.objects.filter(pk=batch.pk, status__in=OPEN).update(
            status=BatchStatus.CANCELLED, finished_at=timezone.now()
        )
        if not moved:
            raise DomainError(_("This import has already ended."), code="ended")
        record_event(by, "import.cancel", _change(batch, batch.status, BatchStatus.CANCELLED))
    batch.refresh_from_db()


def start_batch(batch_id: int) -> ImportBatch | None:
    """pending → running; None when the batch is gone or no longer pending (cancelled)."""
    moved = ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.PENDING).update(
        status=BatchStatus.RUNNING, started_at=timezone.now()
    )
    return ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id) if moved else None


def end_batch(batch_id: int, status: str, **fields: object) -> None:
    """running → `status` with the result fields; an ended batch only takes `done` again."""
    leaving = [BatchStatus.RUNNING]
    if status == BatchStatus.DONE:
        # The engine may have marked it done already (the report comes after), or finished
        # writing before it saw a late cancel: the registry holds the rows, so the batch
        # says so.
        leaving += [BatchStatus.DONE, BatchStatus.CANCELLED]
    ImportBatch.objects.filter(pk=batch_id, status__in=leaving).update(
        status=status, finished_at=timezone.now(), **fields
    )


def is_cancelled(batch_id: int) -> bool:
    return ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.CANCELLED).exists()


def save_progress(batch_id: int, done: int, total: int) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(progress_done=done, progress_total=total)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _change(batch: ImportBatch, before: str | None, after: str) -> Change:
    return Change(
        subject_type="import_batch",
        subject_id=str(batch.pk),
        before=None if before is None else {"status": before},
        after={"status": after, "file": batch.original_name, "dry_run": batch.dry_run},
        region_code=batch.wilayah,
    )
