"""Periods and their frozen snapshots.

A `Period` is a year (the recap's unit, Tabel 5.3/5.4) or a month (the proposal workflow's
unit), open until `actions.close_period` freezes it. Closing writes, in one transaction:
- one `Snapshot` row per desa: families, individuals and records needing repair, exactly what
  the live recap counted at that moment (`counts.desa_counts`);
- one `FamilyFingerprint` per family counted: its identifiers, desa, active member count and a
  digest of the family's and its current active members' attributes (for `diff.diff_periods`).

Immutable once closed: `save()`/`delete()` and the QuerySets' `update()`/`delete()` refuse, and
database triggers (migration 0002, PostgreSQL and SQLite) refuse any UPDATE or DELETE of a closed
period, its snapshot rows and fingerprints, and any INSERT into a closed period, whatever the
client.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dtks.core.errors import DomainError

KEY = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


class Kind(models.TextChoices):
    YEAR = "year", _("Year")
    MONTH = "month", _("Month")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


def immutable_error() -> DomainError:
    return DomainError(_("A closed period and its snapshot cannot be changed."), code="closed")


def period_bounds(year: int, month: int | None) -> tuple[dt.date, dt.date]:
    """First and last day of the year, or of the month."""
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    start = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


class PeriodQuerySet(models.QuerySet["Period"]):
    def closed(self) -> PeriodQuerySet:
        return self.filter(status=Status.CLOSED)

    def yearly(self) -> PeriodQuerySet:
        return self.filter(kind=Kind.YEAR)

    def by_key(self, key: str) -> PeriodQuerySet:
        """`2022` (the year) or `2023-05` (a month); nothing for a malformed key."""
        match = KEY.match(key)
        if not match:
            return self.none()
        year, month = int(match[1]), match[2]
        if month is None:
            return self.filter(kind=Kind.YEAR, year=year)
        return self.filter(kind=Kind.MONTH, year=year, month=int(month))

    def update(self, **kwargs: Any) -> int:
        if self.filter(status=Status.CLOSED).exists():
            raise immutable_error()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=Status.CLOSED).exists():
            raise immutable_error()
        return super().delete()


class Period(models.Model):
    """A year or a month of the registry; closed once, never reopened."""

    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN
    )
    # PROTECT: SET_NULL would be an UPDATE of a closed period, which the triggers refuse.
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_by_label = models.CharField(_("closed by"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=Q(kind="year"), name="period_one_per_year"
            ),
            models.UniqueConstraint(
                fields=["year", "month"], condition=Q(kind="month"), name="period_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(kind="year", month__isnull=True)
                | Q(kind="month", month__gte=1, month__lte=12),
                name="period_month_only_for_months",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="period_closed_at_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._stored_closed():
            raise immutable_error()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._stored_closed():
            raise immutable_error()
        return super().delete(*args, **kwargs)

    def _stored_closed(self) -> bool:
        return bool(self.pk) and Period.objects.filter(pk=self.pk, status=Status.CLOSED).exists()

    @property
    def key(self) -> str:
        """`2022` or `2023-05`: the period in URLs and on the command line."""
        return f"{self.year}" if self.month is None else f"{self.year}-{self.month:02d}"

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED


class FrozenQuerySet(models.QuerySet):
    """Rows of a period: no update or delete once their period is closed."""

    def _touches_closed(self) -> bool:
        return self.filter(period__status=Status.CLOSED).exists()

    def update(self, **kwargs: Any) -> int:
        if self._touches_closed():
            raise immutable_error()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self._touches_closed():
            raise immutable_error()
        return super().delete()


class FrozenRow(models.Model):
    """A row written while closing a period; refuses save/delete once the period is closed."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, verbose_name=_("period"))

    objects = FrozenQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if Period.objects.filter(pk=self.period_id, status=Status.CLOSED).exists():
            raise immutable_error()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if Period.objects.filter(pk=self.period_id, status=Status.CLOSED).exists():
            raise immutable_error()
        return super().delete(*args, **kwargs)


class Snapshot(FrozenRow):
    """One desa's recap numbers when its period was closed (Tabel 5.3 columns, per desa)."""

    desa_code = models.CharField(_("desa/kelurahan"), max_length=13)
    individuals = models.PositiveIntegerField(_("number of individuals"))
    families = models.PositiveIntegerField(_("number of families"))
    needing_repair = models.PositiveIntegerField(_("needing repair"))

    class Meta:
        verbose_name = _("snapshot row")
        verbose_name_plural = _("snapshot rows")
        constraints = [
            models.UniqueConstraint(fields=["period", "desa_code"], name="snapshot_one_per_desa")
        ]

    def __str__(self) -> str:
        return f"{self.period_id}:{self.desa_code}"


class FamilyFingerprint(FrozenRow):
    """A family as it stood when its period closed: enough to tell in, out and changed.

    `family_id` is a plain integer, not a foreign key: the snapshot outlives what happens to the
    family row later."""

    family_id = models.BigIntegerField(_("family"))
    id_dtks = models.CharField(_("ID DTKS"), max_length=24)
    no_kk = models.CharField(_("No. KK"), max_length=16)
    desa_code = models.CharField(_("desa/kelurahan"), max_length=13)
    members = models.PositiveIntegerField(_("active members"))
    digest = models.CharField(_("digest"), max_length=32)

    class Meta:
        verbose_name = _("family fingerprint")
        verbose_name_plural = _("family fingerprints")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "family_id"], name="fingerprint_one_per_family"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id}:{self.id_dtks}"
