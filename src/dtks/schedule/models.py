"""Monthly windows: calendar rules grouped in presets, the active preset, extensions.

A rule says on which days of every month an action kind may be done (DOMAIN.md §7). Rules
belong to a preset (the regulation they come from); exactly one preset is active at a time
(`ScheduleConfig`, one row). An extension reopens a kind (or every kind) for a desa, a
kecamatan or the whole kabupaten until a date, with a recorded reason.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dtks.accounts.scope import area_codes, area_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User


def ancestor_codes(code: str) -> list[str]:
    """`17.09.01.2001` → `17`, `17.09`, `17.09.01`, `17.09.01.2001`."""
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


class WindowKind(models.TextChoices):
    DTKS = "dtks", _("DTKS proposals (new, correction, deactivation, PKH/BPNT/PIP)")
    PBI_DTKS = "pbi_dtks", _("PBI-JKN from DTKS")
    PBI_NON_DTKS = "pbi_non_dtks", _("PBI-JKN non-DTKS")
    FINALISATION = "finalisation", _("Verification, finalisation and ratification")
    RATIFICATION_UPLOAD = "ratification_upload", _("Upload of ratification documents")


class Preset(models.TextChoices):
    KEPMENSOS_150_2022 = "kepmensos_150_2022", _("Seed Tabel 5.5 (Kepmensos 150/HUK/2022)")
    KEPMENSOS_73_2024 = "kepmensos_73_2024", _("Kepmensos 73/HUK/2024")


# `CalendarRule.last_day` values below 1 count from the end of the month.
MONTH_END = 0
DAY_BEFORE_MONTH_END = -1


class CalendarRuleQuerySet(models.QuerySet["CalendarRule"]):
    def in_force(self) -> CalendarRuleQuerySet:
        """Active rules of the active preset (at most one per kind)."""
        return self.in_force_or_off().filter(active=True)

    def in_force_or_off(self) -> CalendarRuleQuerySet:
        """Every rule of the active preset, switched off or not."""
        return self.filter(preset=ScheduleConfig.current_preset())


class CalendarRule(models.Model):
    """Days `first_day`..`last_day` of every month (`last_day` 0: month end, -1: the day before)."""

    preset = models.CharField(_("preset"), max_length=32, choices=Preset.choices)
    kind = models.CharField(_("action kind"), max_length=24, choices=WindowKind.choices)
    first_day = models.PositiveSmallIntegerField(_("first day"))
    last_day = models.SmallIntegerField(_("last day"))
    active = models.BooleanField(_("active"), default=True)

    objects = CalendarRuleQuerySet.as_manager()

    class Meta:
        ordering = ["preset", "kind"]
        verbose_name = _("calendar rule")
        verbose_name_plural = _("calendar rules")
        constraints = [
            models.UniqueConstraint(fields=["preset", "kind"], name="schedule_rule_one_per_kind"),
            models.CheckConstraint(
                condition=Q(first_day__gte=1, first_day__lte=31), name="schedule_rule_first_day"
            ),
            models.CheckConstraint(
                condition=Q(last_day__in=[MONTH_END, DAY_BEFORE_MONTH_END])
                | Q(last_day__gte=models.F("first_day"), last_day__lte=31),
                name="schedule_rule_last_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.preset}:{self.kind} {self.first_day}-{self.last_day}"

    def window_in(self, year: int, month: int) -> tuple[date, date] | None:
        """This rule's window in one month, or None when the month is too short for it."""
        length = calendar.monthrange(year, month)[1]
        if self.last_day == MONTH_END:
            last = length
        elif self.last_day == DAY_BEFORE_MONTH_END:
            last = length - 1
        else:
            last = min(self.last_day, length)
        if self.first_day > last:
            return None
        return date(year, month, self.first_day), date(year, month, last)

    def window_containing(self, day: date) -> tuple[date, date] | None:
        """This rule's window in `day`'s month if `day` lies inside it (extensions aside)."""
        window = self.window_in(day.year, day.month)
        return window if window and window[0] <= day <= window[1] else None


class ScheduleConfig(models.Model):
    """The one row naming the active preset."""

    preset = models.CharField(
        _("active preset"),
        max_length=32,
        choices=Preset.choices,
        default=Preset.KEPMENSOS_73_2024,
    )

    class Meta:
        verbose_name = _("schedule configuration")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="schedule_config_one_row")]

    def __str__(self) -> str:
        return self.preset

    @classmethod
    def current_preset(cls) -> str:
        preset = cls.objects.filter(pk=1).values_list("preset", flat=True).first()
        return preset or Preset.KEPMENSOS_73_2024


class ExtensionQuerySet(models.QuerySet["Extension"]):
    def in_force_on(self, day: date) -> ExtensionQuerySet:
        """Extensions not closed whose span covers `day` (a local date)."""
        return self.filter(starts_on__lte=day, ends_on__gte=day, closed_at__isnull=True)

    def for_kind(self, kind: str) -> ExtensionQuerySet:
        """Extensions of `kind` or of every kind (blank kind)."""
        return self.filter(Q(kind=kind) | Q(kind=""))

    def covering(self, *desa_codes: str) -> ExtensionQuerySet:
        """Extensions over any of the desa, or their kecamatan, kabupaten or province."""
        return self.filter(region_id__in={a for c in desa_codes for a in ancestor_codes(c)})

    def visible_to(self, user: User | AnonymousUser) -> ExtensionQuerySet:
        """Extensions over the user's areas, inside them, or over a region that holds them
        (an operator desa sees the kabupaten's extension that reopens their desa)."""
        codes = area_codes(user)
        return self.filter(
            area_q(user, "region__code")
            | Q(region_id__in={a for c in codes for a in ancestor_codes(c)})
        )


class Extension(models.Model):
    """A recorded reopening of a window for a region until `ends_on` (inclusive)."""

    kind = models.CharField(_("action kind"), max_length=24, choices=WindowKind.choices, blank=True)
    region = models.ForeignKey(
        "wilayah.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.TextField(_("reason"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("window extension")
        verbose_name_plural = _("window extensions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="schedule_extension_span"
            )
        ]
        indexes = [models.Index(fields=["region", "ends_on"], name="schedule_ext_region_end")]

    def __str__(self) -> str:
        return f"{self.kind or '*'} {self.region_id} {self.starts_on}..{self.ends_on}"

    def covers(self, desa_code: str) -> bool:
        return desa_code == self.region_id or desa_code.startswith(self.region_id + ".")
