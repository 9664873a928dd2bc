"""A service given to a member of the public, and the one survey answer it may receive.

Nothing about the person served is stored: not their name, NIK or contact. The link (an
unguessable token) is handed to them on paper or as a QR code, and whoever holds it may answer
once, within `ANSWER_DAYS` of the recording.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_q

from .elements import ELEMENT_CODES

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User

# How long a survey link takes an answer, from the recording of the service. A month lets a
# person answer at home, after the result of a complaint or a correction has reached them,
# while the service is still fresh in mind; after that the link is closed.
ANSWER_DAYS = 30

# Roles whose holders record services: they serve the public over an area.
RECORDING_PERMS = (Perm.EDIT_REGISTRY, Perm.VERIFY)


class ServiceKind(models.TextChoices):
    CHECK_STATUS = "check_status", _("Checking DTKS status")
    COMPLAINT = "complaint", _("Complaint (pengaduan)")
    REGISTRATION = "registration", _("Registration or proposal help")
    CORRECTION = "correction", _("Data correction")
    CERTIFICATE = "certificate", _("Certificate letter (surat keterangan)")
    OTHER = "other", _("Other service")


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class AgeGroup(models.TextChoices):
    UNDER_20 = "lt20", _("Under 20")
    FROM_20 = "20-29", _("20–29")
    FROM_30 = "30-39", _("30–39")
    FROM_40 = "40-49", _("40–49")
    FROM_50 = "50-59", _("50–59")
    FROM_60 = "60+", _("60 or older")


class Education(models.TextChoices):
    """The levels of PermenPANRB 14/2017's sample questionnaire."""

    SD = "sd", _("SD or below")
    SMP = "smp", _("SMP")
    SMA = "sma", _("SMA")
    DIPLOMA = "d1-d3", _("D1–D3")
    S1 = "d4-s1", _("D4/S1")
    S2 = "s2+", _("S2 or above")


class Occupation(models.TextChoices):
    """The occupations of PermenPANRB 14/2017's sample questionnaire."""

    PNS = "pns", _("PNS")
    TNI = "tni", _("TNI")
    POLRI = "polri", _("POLRI")
    PRIVATE = "private", _("Private employee")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    OTHER = "other", _("Other")


class ServiceQuerySet(models.QuerySet["Service"]):
    def visible_to(self, user: User | AnonymousUser) -> ServiceQuerySet:
        """Services recorded in the user's areas (any role reading the registry there)."""
        return self.filter(area_q(user, "area__code"))

    def recordable_by(self, user: User | AnonymousUser) -> ServiceQuerySet:
        """Services in the areas where the user serves the public (EDIT_REGISTRY or VERIFY):
        desa operators their desa, the kabupaten staff all of it."""
        q = Q(pk__in=[])
        for perm in RECORDING_PERMS:
            q |= area_q(user, "area__code", perm)
        return self.filter(q)


class Service(models.Model):
    """One service given to a member of the public, whose survey link is `token`."""

    kind = models.CharField(_("service"), max_length=16, choices=ServiceKind.choices)
    served_on = models.DateField(_("date served"))
    desa = models.ForeignKey(
        "wilayah.Region",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("desa"),
    )
    # Where the service counts: the desa, else the recording officer's area (the kabupaten
    # office). Scope (who sees the service and its answer) follows it.
    area = models.ForeignKey(
        "wilayah.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("served by"),
    )
    token = models.CharField(max_length=43, unique=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=Q(desa__isnull=True) | Q(desa=models.F("area")),
                name="survey_service_area_is_desa",
            )
        ]
        indexes = [models.Index(fields=["area", "served_on"], name="survey_service_area_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.served_on} {self.area_id}"

    @property
    def closes_at(self) -> datetime:
        """The moment the link stops taking an answer."""
        return self.created_at + timedelta(days=ANSWER_DAYS)

    def is_open(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) < self.closes_at

    @property
    def answered(self) -> bool:
        return hasattr(self, "response")


def _answer_field(code: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(code.upper())


class Response(models.Model):
    """The one answer a service receives: nine scores 1-4 (PermenPANRB 14/2017), an optional
    suggestion and an optional, anonymous profile of the respondent."""

    service = models.OneToOneField(
        Service, on_delete=models.PROTECT, related_name="response", verbose_name=_("service")
    )
    u1 = _answer_field("u1")
    u2 = _answer_field("u2")
    u3 = _answer_field("u3")
    u4 = _answer_field("u4")
    u5 = _answer_field("u5")
    u6 = _answer_field("u6")
    u7 = _answer_field("u7")
    u8 = _answer_field("u8")
    u9 = _answer_field("u9")
    suggestion = models.TextField(_("suggestion"), max_length=1000, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    age_group = models.CharField(_("age"), max_length=8, choices=AgeGroup.choices, blank=True)
    education = models.CharField(
        _("education"), max_length=8, choices=Education.choices, blank=True
    )
    occupation = models.CharField(
        _("occupation"), max_length=16, choices=Occupation.choices, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{code}__gte": 1, f"{code}__lte": 4}),
                name=f"survey_response_{code}_1_to_4",
            )
            for code in ELEMENT_CODES
        ]

    def __str__(self) -> str:
        return f"response to service {self.service_id}"

    @property
    def answers(self) -> list[int]:
        return [getattr(self, code) for code in ELEMENT_CODES]
