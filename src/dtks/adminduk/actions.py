"""Matching the registry with a Dukcapil extract (pemadanan): one atomic, audited run.

- `match_extract`: read the file (rows read or rejected with row, field and why), compare
  every active person of the region with it (`matching.compare`), and in ONE transaction make
  the new results the persons' current ones and write one audit event with the counts.
  Persons outside the region keep their results. A failure writes no result.
- `submit_extract` / `start_extract`: the web upload queued as a background job
  (`tasks.run_match`), pending → running → done | failed, as import batches move.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes, in_area
from dtks.audit.record import Change, record_event
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.imports.actions import common_area, file_sha256
from dtks.imports.safety import UnsafeUpload, check_csv, check_xlsx
from dtks.wilayah.models import Region

from . import store
from .matching import compare, summarise
from .models import DukcapilExtract, ExtractStatus
from .reader import Progress, read_extract

if TYPE_CHECKING:
    from dtks.accounts.models import User

KEPT_REJECTIONS = 1000  # rejected rows kept on the extract for its page; the CLI prints all


@dataclass
class MatchSummary:
    """What a run did. Rows: read + rejected = total. Persons: padan + tidak padan = persons;
    `reasons` counts per code (a person may carry several); `not_in_registry`: rows of the
    extract whose NIK is no active person of the region."""

    extract_id: int
    wilayah: str
    total: int = 0
    read: int = 0
    rejected: int = 0
    persons: int = 0
    padan: int = 0
    tidak_padan: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    not_in_registry: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def share_padan(self) -> float | None:
        return self.padan / self.persons if self.persons else None

    def counts(self) -> dict[str, Any]:
        """The stored and audited counts (no rejection details)."""
        data = asdict(self)
        data.pop("rejections")
        data["seconds"] = round(self.seconds, 2)
        return data


def check_file(path: Path, name: str) -> None:
    """A .csv that is UTF-8 text or an .xlsx that is a safe workbook (the import's upload
    checks, without the web upload's size limit: the CLI takes a whole kabupaten's file)."""
    if not path.is_file():
        raise DomainError(_("File not found: %(path)s") % {"path": path}, field="file")
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UnsafeUpload(_("Only .csv and .xlsx files can be imported."), "extension")
    if path.stat().st_size == 0:
        raise UnsafeUpload(_("The file is empty."), "empty")
    if suffix == ".xlsx":
        check_xlsx(path)
    else:
        check_csv(path)


def match_scope(by: User | None, wilayah: str | None) -> str | None:
    """The region a run covers: `wilayah` if the user verifies over it, else the user's own
    VERIFY area; None (the system, no region given) is the whole registry."""
    if wilayah and not Region.objects.filter(code=wilayah).exists():
        raise DomainError(_("Region %(code)s does not exist.") % {"code": wilayah}, field="wilayah")
    if by is None:
        return wilayah or None
    if not by.can(Perm.VERIFY):
        raise PermissionDeniedError(
            _("Only a verifier (pengelola) may match the registry with Dukcapil data."),
            code="forbidden",
        )
    wilayah = wilayah or common_area(area_codes(by, Perm.VERIFY))
    if not wilayah or not in_area(by, wilayah, Perm.VERIFY):
        raise PermissionDeniedError(
            _("Region %(code)s lies outside your area.") % {"code": wilayah or "–"},
            code="outside_area",
        )
    return wilayah


def _start(
    extract: DukcapilExtract | None, path: Path, name: str, by: User | None, wilayah: str | None
) -> DukcapilExtract:
    extract = extract or DukcapilExtract(uploaded_by=by, original_name=Path(name).name[:255])
    extract.stored_path = extract.stored_path or str(path.resolve())
    extract.sha256 = file_sha256(path)
    extract.wilayah = wilayah or ""
    extract.status = ExtractStatus.RUNNING
    extract.started_at = extract.started_at or timezone.now()
    extract.save()
    return extract


def _compare(extract: DukcapilExtract, path: Path, progress: Progress | None) -> tuple:
    """(summary, results): the file read, the persons read, compared; nothing written."""
    started = time.monotonic()
    read = read_extract(path, today=timezone.localdate(), progress=progress)
    persons = store.read_persons(extract.wilayah or None)
    results = compare(persons, read.rows)
    rejections = read.rejections.to_dicts()
    summary = MatchSummary(
        extract_id=extract.pk,
        wilayah=extract.wilayah,
        total=read.total,
        read=read.rows.height,
        rejected=read.rejected,
        not_in_registry=int((~read.rows["nik"].is_in(persons["nik"].implode())).sum()),
        rejections=rejections,
        **summarise(results),
    )
    summary.seconds = time.monotonic() - started
    return summary, results


def _commit(extract: DukcapilExtract, summary: MatchSummary, results: Any, by: User | None) -> None:
    """The results, the extract's outcome and the audit event: all or nothing."""
    with transaction.atomic():
        store.write_results(results, extract_id=extract.pk, now=timezone.now())
        extract.rows_total, extract.rows_read = summary.total, summary.read
        extract.rows_rejected = summary.rejected
        extract.rejections = summary.rejections[:KEPT_REJECTIONS]
        extract.counts = summary.counts()
        extract.status = ExtractStatus.DONE
        extract.progress_done = extract.progress_total = summary.total
        extract.finished_at = timezone.now()
        extract.error = ""
        extract.save()
        after = {"file": extract.original_name, "sha256": extract.sha256, **summary.counts()}
        change = Change("dukcapil_extract", str(extract.pk), None, after, None, extract.wilayah)
        record_event(by, "adminduk_match", change)


def _fail(extract: DukcapilExtract, error: str) -> None:
    DukcapilExtract.objects.filter(pk=extract.pk).update(
        status=ExtractStatus.FAILED, error=error, finished_at=timezone.now()
    )


def match_extract(
    path: Path,
    *,
    by: User | None,
    wilayah: str | None = None,
    extract: DukcapilExtract | None = None,
    original_name: str | None = None,
    progress: Progress | None = None,
) -> MatchSummary:
    """Match every active person of `wilayah` (None: the user's VERIFY area; the system: the
    whole registry) with the extract at `path`: each gets a new current result, padan or
    tidak padan with its reasons, in one transaction with one `adminduk_match` audit event.
    Persons outside the region are untouched; a failure writes no result (the extract is
    marked failed with the reason)."""
    path = Path(path)
    name = original_name or (extract.original_name if extract else path.name)
    with translation.override(settings.LANGUAGE_CODE):
        check_file(path, name)
        wilayah = match_scope(by, wilayah)
        extract = _start(extract, path, name, by, wilayah)
        try:
            summary, results = _compare(extract, path, progress)
            _commit(extract, summary, results, by)
        except DomainError as exc:
            _fail(extract, exc.message)
            raise
        except Exception:
            _fail(extract, _("The matching stopped on an error."))
            raise
    return summary


# --- The web upload as a background job ---


def submit_extract(path: Path, original_name: str, *, by: User, wilayah: str | None) -> Any:
    """A pending extract for a stored, checked upload, queued once committed."""
    wilayah = match_scope(by, wilayah)
    with transaction.atomic():
        extract = DukcapilExtract.objects.create(
            uploaded_by=by,
            original_name=Path(original_name).name[:255],
            stored_path=str(path),
            wilayah=wilayah or "",
        )
        transaction.on_commit(lambda: _enqueue(extract.pk))
    return extract


def _enqueue(extract_id: int) -> None:
    from .tasks import run_match  # the task module imports the backend: load on use

    run_match.enqueue(extract_id)


def start_extract(extract_id: int) -> DukcapilExtract | None:
    """pending → running; None when the extract is gone or no longer pending."""
    moved = DukcapilExtract.objects.filter(pk=extract_id, status=ExtractStatus.PENDING).update(
        status=ExtractStatus.RUNNING, started_at=timezone.now()
    )
    if not moved:
        return None
    return DukcapilExtract.objects.select_related("uploaded_by").get(pk=extract_id)


def save_progress(extract_id: int, done: int, total: int) -> None:
    DukcapilExtract.objects.filter(pk=extract_id).update(progress_done=done, progress_total=total)
