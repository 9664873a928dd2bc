"""Proposals (usulan): a batch per desa and month, its proposals, and every step they took.

Status changes only through `actions.py`, which consults the table in `workflow.py`; the
`Transition` rows are the work log (who, when, from, to, note) that staff performance reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_q
from dtks.core.models import TimeStamped

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted (diajukan)")
    RETURNED = "returned", _("Returned for repair (dikembalikan)")
    VERIFIED = "verified", _("Verified (diverifikasi)")
    FINALISED = "finalised", _("Finalised (difinalisasi)")
    RATIFIED = "ratified", _("Ratified (disahkan)")
    SENT = "sent", _("Sent to the ministry (dikirim)")
    DETERMINED = "determined", _("Determined (ditetapkan)")
    REJECTED = "rejected", _("Rejected (ditolak)")


class Kind(models.TextChoices):
    NEW_FAMILY = "new_family", _("New family (usulan baru)")
    NEW_MEMBER = "new_member", _("New person in a family (usulan baru)")
    CORRECT_FAMILY = "correct_family", _("Family correction (perbaikan: No. KK, address)")
    CORRECT_PERSON = "correct_person", _("Person correction (perbaikan: NIK, name, birth date)")
    DEACTIVATE = "deactivate", _("Deactivation (penonaktifan)")
    PROGRAM = "program", _("Program proposal")


class ProgramProposal(models.TextChoices):
    PBI_DTKS = "pbi_dtks", _("PBI-JKN from DTKS")
    PBI_NON_DTKS = "pbi_non_dtks", _("PBI-JKN non-DTKS")
    PKH = "pkh", _("PKH")
    BPNT = "bpnt", _("BPNT/Sembako")
    PIP = "pip", _("PIP")


class BatchQuerySet(models.QuerySet["ProposalBatch"]):
    def visible_to(self, user: User | AnonymousUser) -> BatchQuerySet:
        """Batches of the desa inside the user's area (view permission)."""
        return self.filter(area_q(user, "desa__code"))


class ProposalBatch(models.Model):
    """The proposals of one desa for one month, with the musdes berita acara and BNBA list.
    Its status is derived from its proposals (`status_counts`)."""

    desa = models.ForeignKey(
        "wilayah.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("desa")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-month", "desa_id"]
        constraints = [
            models.UniqueConstraint(fields=["desa", "year", "month"], name="one_batch_per_period"),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="batch_month_1_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.desa_id} {self.year}-{self.month:02d}"

    @property
    def period(self) -> str:
        return f"{self.month:02d}/{self.year}"

    def status_counts(self) -> dict[str, int]:
        rows = self.proposals.values_list("status").annotate(n=models.Count("id"))
        return dict(rows)


class Document(models.Model):
    """An uploaded berita acara (PDF/photo) or BNBA list, stored outside the web root."""

    class Kind(models.TextChoices):
        BERITA_ACARA = "berita_acara", _("Musdes berita acara")
        BNBA = "bnba", _("BNBA list")

    batch = models.ForeignKey(ProposalBatch, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=16, choices=Kind.choices)
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=100, unique=True)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def visible_to(self, user: User | AnonymousUser) -> ProposalQuerySet:
        """Proposals of the desa inside the user's area (view permission)."""
        return self.filter(area_q(user, "batch__desa__code"))

    def in_area_for(self, user: User, perm: str) -> ProposalQuerySet:
        """Proposals of the desa where the user holds `perm` (a verifier's queue)."""
        return self.filter(area_q(user, "batch__desa__code", perm))

    def awaiting_verification(self, user: User) -> ProposalQuerySet:
        return self.in_area_for(user, Perm.VERIFY).filter(status=Status.SUBMITTED)


class Proposal(TimeStamped):
    """One proposed change: its kind and subtype, the target (none for a new family), the
    proposed values (`payload`), the values they replace (`before`, captured at submission),
    the verification rules' errors (`findings`) and what ratification wrote (`result`)."""

    batch = models.ForeignKey(ProposalBatch, on_delete=models.PROTECT, related_name="proposals")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    subtype = models.CharField(_("reason / program"), max_length=20, blank=True)
    family = models.ForeignKey(
        "registry.Family",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("family"),
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("person"),
    )
    payload = models.JSONField(_("proposed values"), default=dict, encoder=DjangoJSONEncoder)
    before = models.JSONField(_("values before"), default=dict, encoder=DjangoJSONEncoder)
    findings = models.JSONField(_("rule findings"), default=list, encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    return_note = models.CharField(_("note on return"), max_length=300, blank=True)
    result = models.JSONField(_("registry changes"), default=dict, encoder=DjangoJSONEncoder)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "batch"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"

    @property
    def desa_code(self) -> str:
        return self.batch.desa_id

    @property
    def has_errors(self) -> bool:
        return any(f.get("severity") == "error" for f in self.findings)


class Transition(models.Model):
    """One step of a proposal: who did what when, from which status to which (append-only)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("step"), max_length=16)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["by", "at"])]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class PackQuerySet(models.QuerySet["RatificationPack"]):
    def visible_to(self, user: User | AnonymousUser) -> PackQuerySet:
        """Packs of an area inside the user's area (view permission)."""
        return self.filter(area_q(user, "area__code"))


class RatificationPack(models.Model):
    """An issued ratification pack (berita acara + lampiran) of one period and area: its
    number, the verification code printed on it (SHA-256 of the content with the number), the
    content it was made from, and the stored PDF. A newer pack of the same period and area
    with other content supersedes it (`dtks.proposals.pack`)."""

    class State(models.TextChoices):
        ISSUED = "issued", _("Issued")
        SUPERSEDED = "superseded", _("Superseded")

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    area = models.ForeignKey(
        "wilayah.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    number = models.CharField(_("number"), max_length=80, unique=True)
    number_year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    code = models.CharField(_("verification code"), max_length=64, unique=True)
    content_digest = models.CharField(max_length=64)
    content = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    file_name = models.CharField(max_length=120)
    state = models.CharField(
        _("status"), max_length=12, choices=State.choices, default=State.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    issued_by_label = models.CharField(_("issued by"), max_length=150)
    issued_at = models.DateTimeField(_("issued at"))
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)

    objects = PackQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number_year", "sequence"], name="one_pack_number_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="pack_month_1_12"
            ),
        ]
        indexes = [models.Index(fields=["year", "month", "area", "state"])]

    def __str__(self) -> str:
        return self.number

    @property
    def period(self) -> str:
        return f"{self.month:02d}/{self.year}"

    @property
    def short_code(self) -> str:
        """The first 16 hex digits, printed on every page's footer."""
        return self.code[:16]

    @property
    def proposal_ids(self) -> list[int]:
        return [p["id"] for p in self.content.get("proposals", [])]
