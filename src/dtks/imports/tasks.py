"""Background import: takes a batch id, runs the engine, records progress and the outcome.

No import logic here: `pipeline.import_file` does the work; this module only wires its
`progress` and `should_cancel` callbacks to the batch row, throttled so that a million-row
file costs a few hundred progress writes, not a million.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.utils.translation import gettext as _
from django_tasks import task

from dtks.core.errors import DomainError

from . import actions
from .models import BatchStatus

# Progress is written at most this often, or on each further 1% of the rows.
WRITE_EVERY_S = 0.5
CANCEL_CHECK_EVERY_S = 0.5


class BatchWatch:
    """The engine's callbacks for one batch: throttled progress writes and cancel checks."""

    def __init__(self, batch_id: int, clock=time.monotonic) -> None:
        self.batch_id = batch_id
        self.clock = clock
        self.written_at = float("-inf")
        self.written_done = -1
        self.checked_at = float("-inf")
        self.cancelled = False

    def progress(self, done: int, total: int) -> None:
        step = max(total // 100, 1)
        now = self.clock()
        due = now - self.written_at >= WRITE_EVERY_S or done - self.written_done >= step
        if due or done >= total:
            actions.save_progress(self.batch_id, done, total)
            self.written_at, self.written_done = now, done

    def should_cancel(self) -> bool:
        now = self.clock()
        if not self.cancelled and now - self.checked_at >= CANCEL_CHECK_EVERY_S:
            self.cancelled = actions.is_cancelled(self.batch_id)
            self.checked_at = now
        return self.cancelled


@task()
def run_import_batch(batch_id: int) -> dict[str, int]:
    """Import the stored file of a pending batch; the batch ends done, failed or cancelled."""
    from .pipeline import ImportCancelled, import_file  # the engine is heavy: load on use

    batch = actions.start_batch(batch_id)
    if batch is None:
        return {}
    watch = BatchWatch(batch_id)
    try:
        result = import_file(
            Path(batch.stored_path),
            by=batch.uploaded_by,
            wilayah=batch.wilayah or None,
            dry_run=batch.dry_run,
            progress=watch.progress,
            should_cancel=watch.should_cancel,
            batch=batch,
        )
    except ImportCancelled:
        actions.end_batch(batch_id, BatchStatus.CANCELLED)
        return {}
    except DomainError as error:
        actions.end_batch(batch_id, BatchStatus.FAILED, error=error.message)
        return {}
    except Exception:
        actions.end_batch(batch_id, BatchStatus.FAILED, error=_("The import stopped on an error."))
        raise
    counts = result.as_dict()
    report = write_batch_report(batch, result) if counts["rejected"] else ""
    actions.end_batch(batch_id, BatchStatus.DONE, counts=counts, report_path=report)
    return counts


def write_batch_report(batch, result) -> str:
    """The error report beside the upload, in the upload's own format."""
    from .report import write_report

    suffix = ".xlsx" if batch.original_name.lower().endswith(".xlsx") else ".csv"
    path = actions.imports_dir() / f"laporan-{batch.pk}{suffix}"
    write_report(result, path)
    return str(path)
