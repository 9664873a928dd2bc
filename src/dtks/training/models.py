"""Bimtek sessions and their attendance and materials; the yearly plan; budget lines;
facility needs. The Dinas's own management data (DOMAIN.md §9, the SKP's biaya aspect).

Amounts are whole rupiah (`Decimal`, no cents); counts and amounts are never negative
(database constraints, checked again by the actions with a message naming the field).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User

RUPIAH = {"max_digits": 15, "decimal_places": 0}
YEARS = Q(year__gte=2000, year__lte=2100)


def rupiah_field(verbose_name: str | object) -> models.DecimalField:
    return models.DecimalField(verbose_name, default=Decimal(0), **RUPIAH)


class Mode(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline (in person)")


class TrainingSessionQuerySet(models.QuerySet["TrainingSession"]):
    def in_year(self, year: int) -> TrainingSessionQuerySet:
        return self.filter(date__year=year)

    def visible_to(self, user: User | AnonymousUser) -> TrainingSessionQuerySet:
        """Every session for a holder of MANAGE_PERFORMANCE; for anyone else only the
        sessions they are listed in (invited or attended)."""
        from dtks.accounts.roles import Perm

        if not user.is_authenticated:
            return self.none()
        if user.can(Perm.MANAGE_PERFORMANCE):
            return self
        return self.filter(attendances__user=user).distinct()


class TrainingSession(models.Model):
    """One bimtek: when, what, online or in person, where (a place or a link), its cost."""

    title = models.CharField(_("title"), max_length=200)
    topic = models.TextField(_("topic"), blank=True)
    date = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)
    place = models.CharField(_("place or link"), max_length=300, blank=True)
    cost = rupiah_field(_("cost (Rp)"))
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="training_session_cost"),
        ]
        indexes = [models.Index(fields=["date"], name="training_session_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"

    @property
    def is_online(self) -> bool:
        return self.mode == Mode.ONLINE


class Attendance(models.Model):
    """A user listed for a session; `attended` says whether they were there."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_attendances"
    )
    attended = models.BooleanField(_("attended"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="training_attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.user_id} {self.attended}"


class Material(models.Model):
    """A file handed out at a session, stored under MEDIA_ROOT/training/ with a generated
    name and served only through a view that checks who asks."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="materials")
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("type"), max_length=8)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("training material")
        verbose_name_plural = _("training materials")

    def __str__(self) -> str:
        return self.original_name


class TrainingPlan(models.Model):
    """The year's plan: how many sessions (of which online) and the budget planned for them."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    planned_sessions = models.PositiveSmallIntegerField(_("planned sessions"))
    planned_online = models.PositiveSmallIntegerField(_("of which online"), default=0)
    planned_budget = rupiah_field(_("planned budget (Rp)"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        constraints = [
            models.CheckConstraint(condition=YEARS, name="training_plan_year"),
            models.CheckConstraint(
                condition=Q(planned_online__lte=models.F("planned_sessions")),
                name="training_plan_online_within",
            ),
            models.CheckConstraint(condition=Q(planned_budget__gte=0), name="training_plan_budget"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.planned_sessions}"


class BudgetCategory(models.TextChoices):
    TRAINING = "training", _("Bimtek/training")
    FACILITIES = "facilities", _("Facilities (sarana)")
    FIELD_VERIFICATION = "field_verification", _("Field verification (verval lapangan)")
    MUSDES = "musdes", _("Musdes support")
    OPERATIONAL = "operational", _("Operational/honorarium")
    OTHER = "other", _("Other")


class BudgetLine(models.Model):
    """One line of the year's DTKS budget: planned and realised. Realised may exceed planned
    (an overspend is recorded as it happened and shown as such)."""

    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(_("description"), max_length=300)
    planned = rupiah_field(_("planned (Rp)"))
    realised = rupiah_field(_("realised (Rp)"))

    class Meta:
        ordering = ["-year", "category", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(condition=YEARS, name="training_budget_year"),
            models.CheckConstraint(
                condition=Q(planned__gte=0, realised__gte=0), name="training_budget_amounts"
            ),
        ]
        indexes = [models.Index(fields=["year", "category"], name="training_budget_year_cat")]

    def __str__(self) -> str:
        return f"{self.year} {self.category}: {self.description}"

    @property
    def overspent(self) -> bool:
        return self.realised > self.planned


class FacilityItem(models.TextChoices):
    COMPUTER = "computer", _("Computer/laptop")
    PRINTER = "printer", _("Printer")
    INTERNET = "internet", _("Internet connection")
    SCANNER = "scanner", _("Scanner")
    OTHER = "other", _("Other")


class FacilityNeed(models.Model):
    """For one year and item: how many data-entry staff need it and how many are available.
    One row per (year, item); the gap is what is missing (never negative)."""

    year = models.PositiveSmallIntegerField(_("year"))
    item = models.CharField(_("item"), max_length=10, choices=FacilityItem.choices)
    needed = models.PositiveIntegerField(_("staff who need it"))
    available = models.PositiveIntegerField(_("available"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-year", "item"]
        verbose_name = _("facility need")
        verbose_name_plural = _("facility needs")
        constraints = [
            models.CheckConstraint(condition=YEARS, name="training_facility_year"),
            models.UniqueConstraint(fields=["year", "item"], name="training_facility_once"),
            models.CheckConstraint(
                condition=Q(needed__gte=0, available__gte=0), name="training_facility_counts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.item}: {self.available}/{self.needed}"

    @property
    def gap(self) -> int:
        return max(self.needed - self.available, 0)
