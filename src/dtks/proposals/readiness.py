"""The proposals' columns on the readiness board (`/jadwal/kesiapan/`): per desa, this
month's proposals drafted, submitted and returned, and whether the berita acara is uploaded.
Registered in `settings.DTKS_READINESS_SOURCES`; one query whatever the number of desa."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import Document, ProposalBatch, Status

if TYPE_CHECKING:
    from dtks.schedule.windows import Month

COUNTED = {
    "drafted": Q(proposals__status=Status.DRAFT),
    # Submitted this month and not sent back: waiting for, or past, the kabupaten's check.
    "submitted": ~Q(proposals__status__in=[Status.DRAFT, Status.RETURNED])
    & Q(proposals__isnull=False),
    "returned": Q(proposals__status=Status.RETURNED),
}


def proposal_readiness(desa_codes: list[str], period: Month) -> dict[str, dict[str, Any]]:
    """{desa: {drafted, submitted, returned: int, berita_acara: bool}} for `period`, in one
    query over the month's batches."""
    berita_acara = Document.objects.filter(batch=OuterRef("pk"), kind=Document.Kind.BERITA_ACARA)
    batches = (
        ProposalBatch.objects.filter(desa_id__in=desa_codes, year=period.year, month=period.month)
        .annotate(
            berita_acara=Exists(berita_acara),
            **{key: Count("proposals", filter=q) for key, q in COUNTED.items()},
        )
        .values("desa_id", "berita_acara", *COUNTED)
    )
    board = {code: {**dict.fromkeys(COUNTED, 0), "berita_acara": False} for code in desa_codes}
    for row in batches:
        board[row.pop("desa_id")].update(row)
    return board


proposal_readiness.labels = {  # type: ignore[attr-defined]
    "drafted": _("Proposals drafted"),
    "submitted": _("Proposals submitted"),
    "returned": _("Proposals returned"),
    "berita_acara": _("Berita acara"),
}
