"""Import batches and their staged rows.

A batch is one uploaded or command-line file. Its rows are parsed and validated into
`StagedRow` (keyed by batch) and only then promoted into the registry in one transaction, so
a crash leaves either nothing or the whole batch. The staged rows stay as the row-level record
of what the import did: each row's outcome and, for an update, the values it replaced.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Outcome(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    UNCHANGED = "unchanged", _("Unchanged")
    REJECTED = "rejected", _("Rejected")


def empty_counts() -> dict[str, int]:
    return {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0, "total": 0}


class ImportBatch(models.Model):
    """One file taken into the registry (or only checked, when `dry_run`)."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
        verbose_name=_("uploaded by"),
    )
    original_name = models.CharField(_("file name"), max_length=255)
    # Under settings.DATA_DIR / "imports": outside the web root, never served directly.
    stored_path = models.CharField(_("stored file"), max_length=500, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    wilayah = models.CharField(_("region"), max_length=13, blank=True)
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    progress_done = models.PositiveIntegerField(_("rows processed"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in total"), default=0)
    counts = models.JSONField(_("counts"), default=empty_counts)
    # The file's own header, in order: the error report gives back the columns it was given.
    columns = models.JSONField(_("columns"), default=list, blank=True)
    report_path = models.CharField(_("error report"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class StagedRow(models.Model):
    """One data row of a batch, normalised, with its outcome once the batch is promoted.

    Rejected rows keep their reason (the error report reads their original text back from the
    stored file); updated rows keep the registry values they replaced (`before`).
    """

    # No database constraint: a foreign-key check per row would double the cost of the COPY
    # that stages a million rows; rows are only ever written for a batch that exists, and are
    # deleted with it (Django's cascade). The composite indexes below lead with the batch.
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.CASCADE,
        related_name="rows",
        db_constraint=False,
        db_index=False,
    )
    row = models.PositiveIntegerField(_("row"))  # `baris`: the sheet row, header = 1
    id_dtks = models.CharField(max_length=24, blank=True)
    desa_code = models.CharField(max_length=13, blank=True)
    address = models.CharField(max_length=200, blank=True)
    dusun = models.CharField(max_length=60, blank=True)
    rt = models.CharField(max_length=3, blank=True)
    rw = models.CharField(max_length=3, blank=True)
    no_kk = models.CharField(max_length=16, blank=True)
    nik = models.CharField(max_length=16, blank=True)
    name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    birth_place = models.CharField(max_length=60, blank=True)
    sex = models.PositiveSmallIntegerField(null=True, blank=True)
    mother_name = models.CharField(max_length=100, blank=True)
    relationship = models.PositiveSmallIntegerField(null=True, blank=True)
    marital_status = models.PositiveSmallIntegerField(null=True, blank=True)
    data_year = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    field = models.CharField(_("field"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)  # every problem of the row
    before = models.JSONField(null=True, blank=True)
    # The registry records the row matched (updates), found by `settle.match_registry`.
    person_id = models.BigIntegerField(null=True, blank=True)
    family_id = models.BigIntegerField(null=True, blank=True)
    # Ids reserved from the registry's sequences while staging: a created person takes
    # `new_person_id`, and the family of a new No. KK takes its head row's `new_family_id`, so
    # promotion writes explicit ids and never goes back over the staged rows to learn them.
    new_person_id = models.BigIntegerField(null=True, blank=True)
    new_family_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["batch_id", "row"]
        indexes = [
            models.Index(fields=["batch", "outcome"], name="stagedrow_batch_outcome"),
            # The rows of one No. KK: heads, split families and the family of a new KK.
            models.Index(fields=["batch", "no_kk"], name="stagedrow_batch_kk"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row}"
