"""Background import jobs: the task's wiring to the batch (progress, cancel, outcome).

The engine is replaced here by a scripted one, so these tests pin what the task does with
the batch row whatever the engine does; the real engine runs in test_upload.py.
"""

from __future__ import annotations

import signal
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command

from dtks.core.errors import DomainError
from dtks.imports import actions
from dtks.imports.models import BatchStatus, ImportBatch
from dtks.imports.tasks import BatchWatch, run_import_batch

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CSV = "nomor_kk,nomor_nik,nama\n1,2,BUDI\n"


class Cancelled(Exception):
    """What the stand-in engine raises when the batch is cancelled."""


@dataclass
class Result:
    created: int = 3
    updated: int = 1
    unchanged: int = 0
    rejected: int = 1
    total: int = 5

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class ScriptedEngine:
    """Stands in for the engine (pipeline, report): reports progress, honours cancel."""

    def __init__(self, rows: int = 5, fail: Exception | None = None) -> None:
        self.rows, self.fail, self.calls = rows, fail, []
        self.module = types.ModuleType("dtks.imports.pipeline")
        self.module.ImportCancelled = Cancelled
        self.module.import_file = self.import_file
        self.module.write_report = self.write_report

    def import_file(self, path, *, progress, should_cancel, **kwargs):
        self.calls.append({"path": path, **kwargs})
        for done in range(1, self.rows + 1):
            if should_cancel():
                raise Cancelled
            progress(done, self.rows)
        if self.fail:
            raise self.fail
        return Result()

    def write_report(self, result, out_path: Path) -> None:
        out_path.write_text("baris,alasan\n3,NIK kosong\n")


def use(monkeypatch, scripted: ScriptedEngine) -> ScriptedEngine:
    for name in ("dtks.imports.pipeline", "dtks.imports.report"):
        monkeypatch.setitem(sys.modules, name, scripted.module)
    return scripted


@pytest.fixture
def engine(monkeypatch) -> ScriptedEngine:
    return use(monkeypatch, ScriptedEngine())


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path
    settings.TASKS = IMMEDIATE


def submit(user, *, dry_run: bool = False) -> ImportBatch:
    path = actions.store_upload([CSV.encode()], "desa.csv")
    return actions.submit_import(path, "desa.csv", by=user, dry_run=dry_run)


def test_submitted_batch_runs_on_commit_and_records_counts_and_report(
    engine, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = submit(personas.operator_a)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert batch.counts == Result().as_dict()
    assert (batch.progress_done, batch.progress_total) == (5, 5)
    assert Path(batch.report_path).read_text().startswith("baris,alasan")
    call = engine.calls[0]
    assert call["by"] == personas.operator_a and call["batch"].pk == batch.pk
    assert call["wilayah"] == personas.operator_a.role_assignments.get().area_id


def test_stored_upload_lives_under_the_data_dir_not_the_web_root(settings, personas, engine):
    batch = submit(personas.operator_a)
    stored = Path(batch.stored_path)
    assert stored.parent == settings.DATA_DIR / "imports"
    assert stored.suffix == ".csv" and stored.read_text() == CSV
    assert len(batch.sha256) == 64


def test_nothing_runs_before_the_transaction_commits(engine, personas):
    batch = submit(personas.operator_a)  # the test's transaction never commits
    assert engine.calls == []
    assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.PENDING


def test_batch_cancelled_before_it_starts_never_reaches_the_engine(engine, personas):
    batch = submit(personas.operator_a)
    actions.cancel_import(batch, by=personas.operator_a)
    run_import_batch.call(batch.pk)
    batch.refresh_from_db()
    assert engine.calls == []
    assert batch.status == BatchStatus.CANCELLED


def test_cancel_while_running_stops_the_engine_and_ends_cancelled(engine, personas, monkeypatch):
    batch = submit(personas.operator_a)

    original = actions.save_progress

    def cancel_at_third_row(batch_id: int, done: int, total: int) -> None:
        original(batch_id, done, total)
        if done == 3:
            actions.cancel_import(ImportBatch.objects.get(pk=batch_id), by=personas.operator_a)

    monkeypatch.setattr(actions, "save_progress", cancel_at_third_row)
    monkeypatch.setattr("dtks.imports.tasks.CANCEL_CHECK_EVERY_S", 0)
    run_import_batch.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED
    assert batch.progress_done == 3
    assert batch.counts["total"] == 0 and not batch.report_path


def test_a_cancelled_batch_cannot_be_cancelled_again(engine, personas):
    batch = submit(personas.operator_a)
    actions.cancel_import(batch, by=personas.operator_a)
    with pytest.raises(DomainError):
        actions.cancel_import(batch, by=personas.operator_a)


def test_engine_refusal_ends_the_batch_failed_with_its_message(monkeypatch, personas):
    use(monkeypatch, ScriptedEngine(fail=DomainError("Kolom nomor_nik tidak ada.")))
    batch = submit(personas.operator_a)
    run_import_batch.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert batch.error == "Kolom nomor_nik tidak ada."


def test_unexpected_engine_error_ends_the_batch_failed(monkeypatch, personas):
    use(monkeypatch, ScriptedEngine(fail=RuntimeError("disk full")))
    batch = submit(personas.operator_a)
    with pytest.raises(RuntimeError):
        run_import_batch.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.error
    assert "disk full" not in batch.error  # internals stay in the worker's log


def test_progress_writes_are_throttled_to_about_one_per_percent(monkeypatch):
    writes = []
    monkeypatch.setattr(actions, "save_progress", lambda *args: writes.append(args))
    watch = BatchWatch(7, clock=lambda: 0.0)  # time stands still: only the 1% steps count
    for done in range(1, 10_001):
        watch.progress(done, 10_000)
    assert 100 <= len(writes) <= 101
    assert writes[-1] == (7, 10_000, 10_000)


def test_progress_is_written_again_once_half_a_second_has_passed(monkeypatch):
    writes, now = [], [0.0]
    monkeypatch.setattr(actions, "save_progress", lambda *args: writes.append(args))
    watch = BatchWatch(7, clock=lambda: now[0])
    watch.progress(1, 1_000_000)
    watch.progress(2, 1_000_000)
    now[0] = 0.6
    watch.progress(3, 1_000_000)
    assert [w[1] for w in writes] == [1, 3]


def test_cancel_flag_is_read_at_most_every_half_second(monkeypatch):
    reads, now = [], [0.0]
    monkeypatch.setattr(actions, "is_cancelled", lambda batch_id: reads.append(batch_id) or False)
    watch = BatchWatch(7, clock=lambda: now[0])
    for _ in range(1000):
        watch.should_cancel()
    now[0] = 0.5
    watch.should_cancel()
    assert len(reads) == 2


@pytest.mark.django_db(transaction=True)
def test_database_worker_runs_the_queued_import(engine, personas, settings):
    settings.TASKS = DATABASE
    batch = submit(personas.operator_a)  # autocommit: enqueued at once into the task table
    assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.PENDING
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert batch.counts == Result().as_dict()
