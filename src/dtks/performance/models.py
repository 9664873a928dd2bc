"""Staff and organisation performance: employees, their yearly SKP (targets per aspect,
manual realisation where no log exists, behaviour ratings), the organisation's indicators with
yearly targets (Renstra Kemensos 2020–2024, Tabel 1.1) and the predikat the head of the Dinas
sets.

Realisation is not stored: `worklog` computes it from the records of the work itself
(proposal transitions, registry changes, findings), so it can never drift from the evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dtks.accounts.roles import Perm, Role

from .scoring.pmpanrb6 import OrganisationPredikat, Rating

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User


class EmployeeKind(models.TextChoices):
    PNS = "pns", _("PNS")
    PPPK = "pppk", _("PPPK")


class EmployeeQuerySet(models.QuerySet["Employee"]):
    def visible_to(self, user: User | AnonymousUser) -> EmployeeQuerySet:
        """An employee sees their own record, a pejabat penilai their staff, the head of the
        Dinas (pimpinan) everyone; nobody else sees any."""
        if not user.is_authenticated:
            return self.none()
        if is_head_of_dinas(user):
            return self
        return self.filter(Q(user=user) | Q(appraiser__user=user))


def is_head_of_dinas(user: User | AnonymousUser) -> bool:
    """The pimpinan of a kabupaten (or wider) with MANAGE_PERFORMANCE: the head of the Dinas,
    who sees every appraisal and sets the organisation's predikat."""
    if not user.is_authenticated or not user.can(Perm.MANAGE_PERFORMANCE):
        return False
    return any(a.role == Role.PIMPINAN and a.area.level <= 2 for a in user.active_assignments())


class Employee(models.Model):
    """A civil servant (ASN: PNS or PPPK) of the Dinas whose work dtks measures. The user
    account links them to the work log; the pejabat penilai is another employee."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name=_("user account"),
    )
    nip = models.CharField(_("NIP"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=4, choices=EmployeeKind.choices)
    jabatan = models.CharField(_("position (jabatan)"), max_length=150)
    unit = models.CharField(_("unit"), max_length=150)
    appraiser = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("pejabat penilai"),
    )
    active = models.BooleanField(_("active"), default=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nip__regex=r"^[0-9]{18}$"), name="employee_nip_18_digits"
            ),
            models.CheckConstraint(
                condition=~Q(appraiser=models.F("pk")), name="employee_not_own_appraiser"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})"


class Regime(models.TextChoices):
    PP46 = "pp46", _("PP 46/2011 + Perka BKN 1/2013")
    PP30 = "pp30", _("PP 30/2019 + PermenPANRB 8/2021")
    PMPANRB6 = "pmpanrb6", _("PermenPANRB 6/2022")


class AppraisalStatus(models.TextChoices):
    DRAFT = "draft", _("Targets proposed")
    AGREED = "agreed", _("Targets agreed")
    FINAL = "final", _("Appraised")


class AppraisalQuerySet(models.QuerySet["Appraisal"]):
    def visible_to(self, user: User | AnonymousUser) -> AppraisalQuerySet:
        """Appraisals of the employees `user` may see (`Employee.objects.visible_to`)."""
        return self.filter(employee__in=Employee.objects.visible_to(user))


class Appraisal(models.Model):
    """One employee's SKP for one year under one appraisal regime."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="appraisals")
    year = models.PositiveSmallIntegerField(_("year"))
    regime = models.CharField(_("regime"), max_length=8, choices=Regime.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=AppraisalStatus.choices, default=AppraisalStatus.DRAFT
    )
    # PP 30/2019: Sangat Baik needs a recorded innovation; 60/40 when peers and subordinates
    # rate behaviour too.
    innovation = models.TextField(_("innovation"), blank=True)
    peers_rate = models.BooleanField(_("peers and subordinates rate behaviour"), default=False)
    # PP 46/2011: tugas tambahan (count) and kreativitas (points) add to the SKP value.
    extra_tasks = models.PositiveSmallIntegerField(_("additional tasks"), default=0)
    creativity = models.DecimalField(
        _("creativity points"), max_digits=4, decimal_places=2, default=0
    )
    # PermenPANRB 6/2022: the appraiser's ratings (the log only suggests one).
    results_rating = models.CharField(
        _("results rating"), max_length=12, choices=Rating.choices, blank=True
    )
    behaviour_rating = models.CharField(
        _("behaviour rating"), max_length=12, choices=Rating.choices, blank=True
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)

    objects = AppraisalQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "employee__name"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "year"], name="one_appraisal_a_year"),
            models.CheckConstraint(condition=Q(creativity__gte=0), name="creativity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"SKP {self.year} · {self.employee.name}"


class Aspect(models.TextChoices):
    KUANTITAS = "kuantitas", _("kuantitas")
    KUALITAS = "kualitas", _("kualitas")
    WAKTU = "waktu", _("waktu")
    BIAYA = "biaya", _("biaya")


class Measure(models.TextChoices):
    """What a target's realisation is computed from (`worklog`). `manual` only where the log
    holds nothing: its realisation is entered by hand and shown as such."""

    RECORDS_HANDLED = (
        "records_handled",
        _("Records handled (created, corrected, verified, finalised)"),
    )
    WORK_CLEAN = (
        "work_clean",
        _("Share of work not returned, not overturned, without a later defect"),
    )
    REGISTRY_CLEAN = "registry_clean", _("Share of individuals not needing repair")
    IN_WINDOW = "in_window", _("Share of work done inside its window")
    DAYS_TO_VERIFY = "days_to_verify", _("Median days from submitted to verified")
    BUDGET_REALISED = "budget_realised", _("DTKS budget realised (share of the need)")
    TRAININGS_HELD = "trainings_held", _("Bimtek held (share of the plan)")
    FACILITIES = "facilities", _("Computers per data-entry staff (share of the need)")
    MANUAL = "manual", _("Entered by hand")


# The aspect each measure belongs to, and whether less is better.
MEASURE_ASPECT: dict[str, str] = {
    Measure.RECORDS_HANDLED: Aspect.KUANTITAS,
    Measure.WORK_CLEAN: Aspect.KUALITAS,
    Measure.REGISTRY_CLEAN: Aspect.KUALITAS,
    Measure.IN_WINDOW: Aspect.WAKTU,
    Measure.DAYS_TO_VERIFY: Aspect.WAKTU,
    Measure.BUDGET_REALISED: Aspect.BIAYA,
    Measure.TRAININGS_HELD: Aspect.BIAYA,
    Measure.FACILITIES: Aspect.BIAYA,
}
LOWER_IS_BETTER = frozenset({Measure.DAYS_TO_VERIFY})


class Target(models.Model):
    """One indicator of an SKP: an activity's target for one aspect, measured from the log
    (or by hand). Proposed from the workload, agreed with the appraisal."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="targets")
    activity = models.CharField(_("activity"), max_length=200)
    aspect = models.CharField(_("aspect"), max_length=10, choices=Aspect.choices)
    indicator = models.CharField(_("indicator"), max_length=200)
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices)
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30)

    class Meta:
        ordering = ["appraisal", "aspect", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_aspect_display()}: {self.indicator}"

    @property
    def lower_is_better(self) -> bool:
        return self.measure in LOWER_IS_BETTER


class ManualRealisation(models.Model):
    """A month's realisation of a `manual` target, entered by hand with its note."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="manual")
    month = models.PositiveSmallIntegerField(_("month"))
    value = models.DecimalField(_("realisation"), max_digits=12, decimal_places=2)
    note = models.CharField(_("evidence"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "month"], name="one_manual_value_a_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="manual_month"),
            models.CheckConstraint(condition=Q(value__gte=0), name="manual_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target} · {self.month}: {self.value}"


class RaterKind(models.TextChoices):
    APPRAISER = "appraiser", _("pejabat penilai")
    PEER = "peer", _("peer")
    SUBORDINATE = "subordinate", _("subordinate")


class BehaviourRating(models.Model):
    """One rater's rating of one behaviour aspect, with its evidence note. A numeric score
    (PP 46/2011, PP 30/2019) or a rating against expectation (PermenPANRB 6/2022)."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="behaviour")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rater_kind = models.CharField(_("rater"), max_length=12, choices=RaterKind.choices)
    aspect = models.CharField(_("behaviour aspect"), max_length=40)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    evidence = models.CharField(_("evidence"), max_length=500)
    rated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "rater", "aspect"], name="one_rating_per_rater_aspect"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=120),
                name="behaviour_score_range",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=False) | ~Q(rating=""), name="behaviour_rated"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.aspect}: {self.score or self.rating}"


class IndicatorSource(models.TextChoices):
    """Where an organisation indicator's actual comes from (`indicators.actual`)."""

    DESA_PROPOSING = "desa_proposing", _("Share of desa/kelurahan that proposed updates")
    PADAN = "padan", _("Share of individuals padan with Dukcapil")
    TARGETING = "targeting", _("Share of families without an inclusion-error flag or error finding")
    IKM = "ikm", _("Satisfaction index (IKM) of the survey")
    MANUAL = "manual", _("Entered by hand")


class Indicator(models.Model):
    """An indicator of the Dinas's performance (Renstra Kemensos 2020–2024, Tabel 1.1) with
    its district analogue."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("indicator"), max_length=200)
    analogue = models.CharField(_("district analogue"), max_length=200)
    source = models.CharField(_("source"), max_length=16, choices=IndicatorSource.choices)
    unit = models.CharField(_("unit"), max_length=10, default="%")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=6, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="one_target_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class IndicatorActual(models.Model):
    """The actual of a `manual` indicator for a year, entered with its source."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="actuals")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("actual"), max_digits=6, decimal_places=2)
    note = models.CharField(_("source"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="one_actual_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


ANNUAL = 0  # `OrganisationRating.quarter` of the annual predikat


class OrganisationRating(models.Model):
    """The organisation's predikat for a quarter (1–4) or the year (0), set by the head of the
    Dinas with the figures that stood beside it when it was set."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    predikat = models.CharField(_("predikat"), max_length=20, choices=OrganisationPredikat.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    figures = models.JSONField(default=dict)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["-year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="one_predikat_a_period"),
            models.CheckConstraint(condition=Q(quarter__lte=4), name="predikat_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.year}/{self.quarter}: {self.predikat}"
