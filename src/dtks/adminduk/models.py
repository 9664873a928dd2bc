"""Dukcapil extracts and each person's match result (padan / tidak padan, DOMAIN.md §7, §10).

A `DukcapilExtract` is one civil-registry file taken in (who, when, which file, which region
it was matched over, rows read and rejected). A run of `actions.match_extract` gives every
active person of that region one `MatchResult`: padan, or tidak padan with the reasons.
Results are append-only history; `CurrentMatch` points at each person's newest one
(`MatchResult.objects.current()`), so a run that supersedes a million results rewrites a
million two-column pointers instead of a million results. Results are derived data, written
only by `match_extract`, never edited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from dtks.accounts.scope import area_q
from dtks.registry.choices import Sex
from dtks.registry.models import Family, Membership
from dtks.wilayah.models import code_prefix_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User


class ExtractStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MatchStatus(models.TextChoices):
    PADAN = "padan", _("Padan")
    TIDAK_PADAN = "tidak_padan", _("Tidak padan")


class Reason(models.TextChoices):
    """Why a person is tidak padan. The codes are a contract (stored, filtered, reported);
    none is contained in another, so `reasons__contains=code` finds exactly that code."""

    NIK_NOT_FOUND = "nik_not_found", _("NIK not found in the Dukcapil data")
    NAME_DIFFERS = "name_differs", _("Name differs from Dukcapil")
    BIRTH_DATE_DIFFERS = "birth_date_differs", _("Date of birth differs from Dukcapil")
    SEX_DIFFERS = "sex_differs", _("Sex differs from Dukcapil")
    KK_DIFFERS = "kk_differs", _("No. KK differs from Dukcapil")
    DIED = "died", _("Died according to Dukcapil")


REASON_ORDER: tuple[str, ...] = tuple(Reason.values)


def empty_counts() -> dict:
    return {"persons": 0, "padan": 0, "tidak_padan": 0, "reasons": {}, "not_in_registry": 0}


class DukcapilExtract(models.Model):
    """One civil-registry file matched against the registry over `wilayah` ("" = all)."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dukcapil_extracts",
        verbose_name=_("uploaded by"),
    )
    original_name = models.CharField(_("file name"), max_length=255)
    # Web uploads live under DATA_DIR/imports (outside the web root, never served).
    stored_path = models.CharField(_("stored file"), max_length=500, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    wilayah = models.CharField(_("region"), max_length=13, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExtractStatus.choices, default=ExtractStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(_("data rows"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    # The first `actions.KEPT_REJECTIONS` rejected rows: {"row", "field", "message"}.
    rejections = models.JSONField(_("rejected rows"), default=list, blank=True)
    counts = models.JSONField(_("counts"), default=empty_counts)
    progress_done = models.PositiveIntegerField(_("rows processed"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in total"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Dukcapil extract")
        verbose_name_plural = _("Dukcapil extracts")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in (ExtractStatus.PENDING, ExtractStatus.RUNNING)


def _current_membership(q: Q) -> Exists:
    return Exists(
        Membership.objects.filter(person=OuterRef("person_id"), end_date__isnull=True).filter(q)
    )


class MatchResultQuerySet(models.QuerySet["MatchResult"]):
    def current(self) -> MatchResultQuerySet:
        """Each person's latest result (one at most per person: `CurrentMatch` is keyed by
        the person)."""
        return self.filter(current_of__isnull=False)

    def padan(self) -> MatchResultQuerySet:
        return self.filter(status=MatchStatus.PADAN)

    def tidak_padan(self) -> MatchResultQuerySet:
        return self.filter(status=MatchStatus.TIDAK_PADAN)

    def with_reason(self, code: str) -> MatchResultQuerySet:
        """Results carrying reason `code` (codes never contain one another)."""
        return self.filter(reasons__contains=code)

    def in_wilayah(self, code: str) -> MatchResultQuerySet:
        """Results of persons currently in a family of region `code` (any level)."""
        return self.filter(_current_membership(code_prefix_q("family__desa__code", code)))

    def visible_to(self, user: User | AnonymousUser) -> MatchResultQuerySet:
        """Results of persons currently in a family the user may see; empty without registry
        access (the person's current family's desa decides, as for every registry list)."""
        return self.filter(_current_membership(area_q(user, "family__desa__code")))

    def with_place(self) -> MatchResultQuerySet:
        """`desa_code`, `family_ref` and `no_kk` of the person's current family (the first,
        for a person in two KKs)."""
        current = Membership.objects.filter(
            person=OuterRef("person_id"), end_date__isnull=True
        ).order_by("id")
        return self.annotate(
            desa_code=Subquery(current.values("family__desa_id")[:1]),
            family_ref=Subquery(current.values("family_id")[:1]),
            no_kk=Subquery(current.values("family__no_kk")[:1]),
        )

    def of_active_persons(self) -> MatchResultQuerySet:
        """Results of active persons currently in an active family: the registry's
        individuals, as Tabel 5.3 counts them."""
        active = Family.objects.active().values("pk")
        return self.filter(person__status="active").filter(
            _current_membership(Q(family__in=active))
        )


# No database foreign keys on the result tables: a run writes a million rows of each, and a
# per-row check (locking the referenced person row) tripled the time of a run. Rows are written
# only by `store.write_results` for persons and an extract that exist; persons are deactivated,
# never deleted, and Django's cascade still removes results with their person or extract.
NO_CHECK = {"on_delete": models.CASCADE, "db_constraint": False}


class MatchResult(models.Model):
    """A person matched against one extract: padan, or tidak padan with the reasons (codes of
    `Reason`, comma-separated in catalogue order) and the Dukcapil values that differ."""

    extract = models.ForeignKey(DukcapilExtract, related_name="results", db_index=False, **NO_CHECK)
    person = models.ForeignKey("registry.Person", related_name="adminduk_results", **NO_CHECK)
    status = models.CharField(_("status"), max_length=12, choices=MatchStatus.choices)
    reasons = models.CharField(_("reasons"), max_length=100, blank=True)
    # What Dukcapil holds, kept only where it differs from the registry (for display).
    dukcapil_name = models.CharField(_("name at Dukcapil"), max_length=100, blank=True)
    dukcapil_birth_date = models.DateField(_("date of birth at Dukcapil"), null=True, blank=True)
    dukcapil_sex = models.PositiveSmallIntegerField(
        _("sex at Dukcapil"), choices=Sex.choices, null=True, blank=True
    )
    dukcapil_no_kk = models.CharField(_("No. KK at Dukcapil"), max_length=16, blank=True)
    matched_at = models.DateTimeField(_("matched at"))

    objects = MatchResultQuerySet.as_manager()

    class Meta:
        ordering = ["-matched_at", "-id"]
        verbose_name = _("Dukcapil match result")
        verbose_name_plural = _("Dukcapil match results")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="padan", reasons="")
                | (Q(status="tidak_padan") & ~Q(reasons="")),
                name="adminduk_reasons_iff_tidak_padan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.status}"

    @property
    def is_padan(self) -> bool:
        return self.status == MatchStatus.PADAN

    def reason_codes(self) -> list[str]:
        return [code for code in self.reasons.split(",") if code]

    def reason_labels(self) -> list[str]:
        return [str(Reason(code).label) for code in self.reason_codes()]


class CurrentMatch(models.Model):
    """A person's newest result (the glossary's `adminduk_match`): one row per person."""

    person = models.OneToOneField(
        "registry.Person", primary_key=True, related_name="adminduk_match", **NO_CHECK
    )
    result = models.OneToOneField(MatchResult, related_name="current_of", **NO_CHECK)

    class Meta:
        verbose_name = _("current Dukcapil match")

    def __str__(self) -> str:
        return f"{self.person_id} → {self.result_id}"
