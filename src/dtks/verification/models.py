"""Findings: what a data-quality rule found on a person or family, and what became of it.

"Perlu perbaikan" is derived, never stored: a person with an open finding of severity error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_q
from dtks.wilayah.models import code_prefix_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User


class Severity(models.TextChoices):
    ERROR = "error", _("Needs repair")
    WARNING = "warning", _("Warning")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    WAIVED = "waived", _("Waived")


class RuleLevel(models.TextChoices):
    PERSON = "person", _("Person")
    FAMILY = "family", _("Family")


class FindingQuerySet(models.QuerySet["Finding"]):
    def open(self) -> FindingQuerySet:
        return self.filter(status=FindingStatus.OPEN)

    def errors(self) -> FindingQuerySet:
        return self.filter(severity=Severity.ERROR)

    def with_place(self) -> FindingQuerySet:
        """`desa_code` and `family_ref`: the finding's family, or its person's current one
        (a person who is in no family any more keeps nulls and is seen by nobody's area)."""
        from dtks.registry.models import Membership

        current = Membership.objects.filter(
            person=OuterRef("person_id"), end_date__isnull=True
        ).order_by("id")
        return self.annotate(
            desa_code=Coalesce(
                F("family__desa_id"),
                Subquery(current.values("family__desa_id")[:1]),
                output_field=models.CharField(),
            ),
            family_ref=Coalesce(
                F("family_id"),
                Subquery(current.values("family_id")[:1]),
                output_field=models.BigIntegerField(),
            ),
        )

    def visible_to(
        self, user: User | AnonymousUser, perm: str = Perm.VIEW_REGISTRY
    ) -> FindingQuerySet:
        """Findings placed (`with_place`) inside the user's areas for `perm`: the one scope."""
        return self.with_place().filter(area_q(user, "desa_code", perm))

    def in_wilayah(self, code: str) -> FindingQuerySet:
        """Placed findings (`with_place` first) whose desa lies in region `code`."""
        return self.filter(code_prefix_q("desa_code", code))


class Finding(models.Model):
    rule = models.CharField(_("rule"), max_length=40)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    level = models.CharField(_("subject level"), max_length=8, choices=RuleLevel.choices)
    family = models.ForeignKey(
        "registry.Family", on_delete=models.CASCADE, related_name="findings", null=True
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="findings", null=True
    )
    message = models.CharField(_("message"), max_length=300)
    field = models.CharField(_("field"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    opened_at = models.DateTimeField(_("found on"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    waiver_reason = models.CharField(_("reason for the waiver"), max_length=300, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="person", person__isnull=False)
                | Q(level="family", family__isnull=False),
                name="finding_has_subject",
            ),
            # One open finding per rule and subject: re-running the checks never duplicates.
            models.UniqueConstraint(
                fields=["rule", "person"],
                condition=Q(status="open", level="person"),
                name="one_open_person_finding_per_rule",
            ),
            models.UniqueConstraint(
                fields=["rule", "family"],
                condition=Q(status="open", level="family"),
                name="one_open_family_finding_per_rule",
            ),
        ]
        indexes = [models.Index(fields=["status", "severity"], name="finding_status_severity")]

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"
