"""`import_file`: one file into the registry, every row accounted for, all or nothing.

Stages: check the upload → read chunks → normalise and validate each chunk (polars) → stage
it (COPY / executemany) → settle the batch (SQL: duplicates, heads, area, outcomes) → promote
it in ONE transaction with its audit event → run the data-quality checks on the persons
written. A crash before the promoting transaction commits leaves the registry untouched; the
staged rows of a batch are its row-level record (outcome, reason, values replaced).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes
from dtks.audit.record import Change, record_events
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.wilayah.models import Region

from . import promote, settle, staging
from .columns import REQUIRED_COLUMNS
from .models import BatchStatus, ImportBatch, Outcome, StagedRow
from .readers import open_table, unique_keys
from .regions import lookup_frames
from .safety import check_upload

if TYPE_CHECKING:
    from dtks.accounts.models import User

Progress = Callable[[int, int], None]
DEFAULT_CHECKS = "dtks.verification.actions.run_checks"


class ImportCancelled(DomainError):
    """The import was cancelled before promotion; nothing was written to the registry."""

    def __init__(self) -> None:
        super().__init__(_("The import was cancelled; nothing was saved."), code="cancelled")


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    rejected: int
    total: int
    batch_id: int
    already_imported_at: dt.datetime | None = None
    dry_run: bool = False
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "total": self.total,
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def importer_area(by: User | None) -> tuple[str, ...] | None:
    """The codes the importer may write into (None: the system, everywhere)."""
    if by is None:
        return None
    if not by.can(Perm.EDIT_REGISTRY):
        raise PermissionDeniedError(_("Your role may not change the registry."), code="forbidden")
    return tuple(area_codes(by, Perm.EDIT_REGISTRY))


def _start_batch(
    path: Path, batch: ImportBatch | None, *, by: User | None, wilayah: str | None, dry_run: bool
) -> ImportBatch:
    batch = batch or ImportBatch(uploaded_by=by, original_name=path.name)
    batch.stored_path = batch.stored_path or str(path.resolve())
    batch.sha256 = file_sha256(path)
    batch.wilayah = wilayah or ""
    batch.dry_run = dry_run
    batch.status = BatchStatus.RUNNING
    batch.started_at = timezone.now()
    batch.save()
    return batch


def missing_columns(header: list[str]) -> list[str]:
    keys = set(unique_keys(header))
    return [c for c in REQUIRED_COLUMNS if c not in keys]


class _Clock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._last
        self._last = now


def _stage_file(
    path: Path,
    batch: ImportBatch,
    scope: staging.Scope,
    clock: _Clock,
    progress: Progress | None,
    should_cancel: Callable[[], bool] | None,
) -> None:
    table = open_table(path)
    if missing := missing_columns(table.columns):
        raise DomainError(
            _(
                "The file lacks required columns: %(columns)s. The first row must hold the "
                "column names of the DTKS exchange format."
            )
            % {"columns": ", ".join(missing)},
            field="file",
            code="missing_columns",
        )
    batch.columns = table.columns
    batch.progress_total = table.total
    lookups = lookup_frames()
    today = timezone.localdate()
    clock.lap("open")
    done = 0
    for chunk in table.chunks:
        clock.lap("read")
        if should_cancel and should_cancel():
            raise ImportCancelled()
        staged = staging.prepare(
            chunk,
            batch_id=batch.pk,
            lookups=lookups,
            scope=scope,
            today=today,
            default_year=settings.DTKS_CURRENT_YEAR,
        )
        clock.lap("validate")
        staging.write(staged, reserve=not batch.dry_run)
        clock.lap("stage")
        done += chunk.height
        batch.progress_done = done
        batch.progress_total = max(batch.progress_total, done)
        ImportBatch.objects.filter(pk=batch.pk).update(
            progress_done=done, progress_total=batch.progress_total
        )
        if progress:
            progress(done, batch.progress_total)
        # Let go of this chunk before the next is read: two chunks alive at once would set
        # the peak memory, not one.
        del chunk, staged


def _commit_batch(
    batch: ImportBatch, *, by: User | None, area: tuple[str, ...] | None, clock: _Clock
) -> None:
    """Settle, promote, record: one transaction, so the registry gets all of it or none."""
    with transaction.atomic():
        importer = (by.nik, by.no_kk) if by is not None else ("", "")
        settle.settle(batch.pk, area, dry_run=batch.dry_run, importer=importer)
        clock.lap("settle")
        batch.counts = settle.counts(batch.pk)
        if not batch.dry_run:
            now = timezone.now()
            promote.promote(batch.pk, now=now, today=timezone.localdate())
            clock.lap("promote")
            record_events(by, "import_batch", [_audit_change(batch)])
        batch.status = BatchStatus.DONE
        batch.finished_at = timezone.now()
        batch.save()


def _audit_change(batch: ImportBatch) -> Change:
    after = {
        "file": batch.original_name,
        "sha256": batch.sha256,
        "wilayah": batch.wilayah,
        "counts": batch.counts,
    }
    return Change("import_batch", str(batch.pk), None, after, None, batch.wilayah)


def _run_checks(batch: ImportBatch, by: User | None) -> None:
    """The data-quality rules over the persons written; what they find becomes findings, not
    rejections. Named by a setting, as the registry names its checks: verification is a
    sibling layer that imports must not import."""
    run_checks = import_string(getattr(settings, "DTKS_IMPORT_CHECKS", DEFAULT_CHECKS))
    persons = (
        StagedRow.objects.filter(batch=batch, outcome__in=[Outcome.CREATED, Outcome.UPDATED])
        .annotate(written=Coalesce("person_id", "new_person_id"))
        .values("written")
    )
    if persons.exists():
        run_checks(by=by, persons=persons)


def _earlier_import(batch: ImportBatch) -> dt.datetime | None:
    earlier = (
        ImportBatch.objects.filter(sha256=batch.sha256, status=BatchStatus.DONE, dry_run=False)
        .exclude(pk=batch.pk)
        .order_by("finished_at")
        .first()
    )
    return earlier.finished_at if earlier else None


def _fail(batch: ImportBatch, status: str, error: str) -> None:
    StagedRow.objects.filter(batch=batch).delete()
    batch.status = status
    batch.error = error
    batch.finished_at = timezone.now()
    batch.save()


def import_file(
    path: Path,
    *,
    by: User | None,
    wilayah: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
    batch: ImportBatch | None = None,
    checks: bool = True,
) -> ImportResult:
    """Import a flat CSV/xlsx or the project template; `by=None` is the system (no area limit).

    Every data row ends created, updated, unchanged or rejected (with `baris`, field and an
    Indonesian reason); the registry receives the whole batch in one transaction or nothing.
    `dry_run` stops before promotion. `checks=False` skips the data-quality run afterwards.
    """
    path = Path(path)
    with translation.override(settings.LANGUAGE_CODE):
        check_upload(path, batch.original_name if batch else path.name)
        area = importer_area(by)
        if wilayah and not Region.objects.filter(code=wilayah).exists():
            raise DomainError(
                _("Region %(code)s does not exist.") % {"code": wilayah}, field="wilayah"
            )
        batch = _start_batch(path, batch, by=by, wilayah=wilayah, dry_run=dry_run)
        clock = _Clock()
        try:
            scope = staging.Scope(wilayah=wilayah, area=area)
            _stage_file(path, batch, scope, clock, progress, should_cancel)
            _commit_batch(batch, by=by, area=area, clock=clock)
        except ImportCancelled as exc:
            _fail(batch, BatchStatus.CANCELLED, exc.message)
            raise
        except Exception as exc:
            _fail(batch, BatchStatus.FAILED, getattr(exc, "message", str(exc)))
            raise
        if checks and not dry_run:
            _run_checks(batch, by)
            clock.lap("checks")
    return _result(batch, clock)


def _result(batch: ImportBatch, clock: _Clock) -> ImportResult:
    counts: dict[str, Any] = batch.counts
    return ImportResult(
        **{k: int(counts[k]) for k in ("created", "updated", "unchanged", "rejected", "total")},
        batch_id=batch.pk,
        already_imported_at=_earlier_import(batch),
        dry_run=batch.dry_run,
        seconds={k: round(v, 3) for k, v in clock.seconds.items()},
    )
