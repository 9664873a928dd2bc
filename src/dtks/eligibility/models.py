"""The rule set in force (criteria, threshold, high-value assets) and each family's assessment.

`CriteriaSet` holds one row (pk 1), seeded by a data migration and changed only through
`actions.update_criteria` (audited). `Assessment` holds one row per active family, replaced
set-based by `actions.assess`; it is derived data, never edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .criteria import BY_CODE, CriterionConfig, RuleSet, default_rules

RULE_SET_PK = 1


class CriteriaSet(models.Model):
    """How many criteria must hold and which assets count as high-value (one row)."""

    threshold = models.PositiveSmallIntegerField(_("criteria threshold"))
    min_assets = models.PositiveSmallIntegerField(_("high-value assets that raise the flag"))
    # Family asset field names (`registry.choices.ASSET_FIELDS`) that count as high-value.
    assets = models.JSONField(_("high-value assets"), default=list)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("criteria set")
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gte=1), name="criteria_threshold_min_1"),
            models.CheckConstraint(condition=Q(min_assets__gte=1), name="criteria_min_assets_1"),
        ]

    def __str__(self) -> str:
        return str(_("criteria set"))

    def rules(self) -> RuleSet:
        """The plain rule set the evaluation functions take."""
        configs = {
            row.code: CriterionConfig(row.enabled, frozenset(row.values), row.limit)
            for row in self.criteria.all()
            if row.code in BY_CODE
        }
        return RuleSet(self.threshold, self.min_assets, tuple(self.assets), configs)


class CriterionSetting(models.Model):
    """One criterion of the set: counted or not, and the Regsosek codes (or the m² per member
    limit) that meet it."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("criterion"), max_length=24)
    enabled = models.BooleanField(_("counted"), default=True)
    values = models.JSONField(_("codes that meet it"), default=list, blank=True)
    limit = models.PositiveSmallIntegerField(_("limit (m² per member)"), null=True, blank=True)

    class Meta:
        ordering = ["criteria_set_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="one_setting_per_code"),
        ]

    def __str__(self) -> str:
        return self.code


def current_rules() -> RuleSet:
    """The rule set in force; the defaults when the seeded row is missing (a fresh test db
    with migrations skipped)."""
    row = CriteriaSet.objects.filter(pk=RULE_SET_PK).prefetch_related("criteria").first()
    return row.rules() if row else default_rules()


class Assessment(models.Model):
    """A family judged by `dtks assess`: counts, codes met and unknown, high-value assets held,
    and the inclusion-error flag. Codes are comma-separated in catalogue order."""

    family = models.OneToOneField(
        "registry.Family",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="assessment",
        verbose_name=_("family"),
    )
    members = models.PositiveSmallIntegerField(_("current members"))
    met_count = models.PositiveSmallIntegerField(_("criteria met"))
    unknown_count = models.PositiveSmallIntegerField(_("criteria unknown"))
    met = models.CharField(_("criteria met (codes)"), max_length=200, blank=True)
    unknown = models.CharField(_("criteria unknown (codes)"), max_length=200, blank=True)
    held_count = models.PositiveSmallIntegerField(_("high-value assets held"))
    assets = models.CharField(_("high-value assets held (fields)"), max_length=300, blank=True)
    flagged = models.BooleanField(_("inclusion-error candidate"))
    assessed_at = models.DateTimeField(_("assessed at"))

    class Meta:
        verbose_name = _("assessment")
        indexes = [
            # The flagged families are few: the re-verification list reads this small index.
            models.Index(fields=["family"], condition=Q(flagged=True), name="assessment_flagged"),
        ]

    def __str__(self) -> str:
        return f"{self.family_id}: {self.met_count}"

    def met_codes(self) -> list[str]:
        return [code for code in self.met.split(",") if code]

    def asset_fields(self) -> list[str]:
        return [name for name in self.assets.split(",") if name]
