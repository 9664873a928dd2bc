"""The registry: families (one KK each), persons, and who belongs to which family when.

Invariants held by the database, not just by forms:
- NIK and No. KK are exactly 16 digits;
- a NIK is unique among active persons, a No. KK among active families;
- a family has at most one current head.
Everything that changes these rows goes through `registry.actions` (atomic, audited).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_q
from dtks.core.fields import sixteen_digits
from dtks.core.models import TimeStamped
from dtks.wilayah.models import code_prefix_q

from . import choices as c

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User


class FamilyQuerySet(models.QuerySet["Family"]):
    def active(self) -> FamilyQuerySet:
        return self.filter(status=c.RecordStatus.ACTIVE)

    def in_wilayah(self, code: str) -> FamilyQuerySet:
        """Families whose desa lies in region `code` (any level)."""
        return self.filter(code_prefix_q("desa__code", code))

    def visible_to(self, user: User | AnonymousUser) -> FamilyQuerySet:
        """Families inside the user's areas; empty for a user without registry access."""
        return self.filter(area_q(user, "desa__code"))

    def needing_repair(self) -> FamilyQuerySet:
        """Families with an open error finding on the family or on a current member."""
        return self.filter(
            Q(findings__status="open", findings__severity="error")
            | Q(
                memberships__end_date__isnull=True,
                memberships__person__findings__status="open",
                memberships__person__findings__severity="error",
            )
        ).distinct()

    def search(self, text: str) -> FamilyQuerySet:
        """Families matching a NIK or No. KK (16 digits, exact) or a member's name (contains)."""
        # Written as `pk IN (…)` rather than `no_kk = … OR EXISTS(…)`: PostgreSQL can then
        # start from the NIK, No. KK or trigram name index instead of testing every family.
        text = text.strip()
        current = Membership.objects.filter(end_date__isnull=True)
        if text.isdigit() and len(text) == 16:
            by_kk = Family.objects.filter(no_kk=text).order_by().values("pk")
            by_nik = current.filter(person__nik=text).order_by().values("family")
            return self.filter(pk__in=by_kk.union(by_nik))
        # A name is looked up in the family's own copy of its current members' names
        # (`registry.search_names`): one trigram-indexed scan instead of a join per person.
        return self.filter(member_names__icontains=text)

    def with_summary(self) -> FamilyQuerySet:
        """Annotate the head's name, the current member count and the perlu-perbaikan flag in
        the same query, so a list page costs the same for 10 rows as for 50."""
        current = Membership.objects.filter(family=OuterRef("pk"), end_date__isnull=True)
        return self.select_related("desa", "desa__parent").annotate(
            head_name=Subquery(
                current.filter(relationship=c.Relationship.HEAD).values("person__name")[:1]
            ),
            member_count=Subquery(
                current.order_by().values("family").annotate(n=Count("id")).values("n")[:1]
            ),
            needs_repair=Exists(Family.objects.needing_repair().filter(pk=OuterRef("pk"))),
        )


class Family(TimeStamped):
    """A keluarga: the people on one Kartu Keluarga, living in one desa/kelurahan."""

    id_dtks = models.CharField(_("ID DTKS"), max_length=24, unique=True)
    no_kk = models.CharField(_("No. KK"), max_length=16)
    desa = models.ForeignKey(
        "wilayah.Region",
        on_delete=models.PROTECT,
        related_name="families",
        verbose_name=_("desa/kelurahan"),
    )
    address = models.CharField(_("address"), max_length=200)
    dusun = models.CharField(_("dusun"), max_length=60, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    data_year = models.PositiveSmallIntegerField(_("data year"))
    status = models.CharField(
        _("status"), max_length=10, choices=c.RecordStatus.choices, default=c.RecordStatus.ACTIVE
    )
    inactive_reason = models.CharField(
        _("reason for being inactive"), max_length=16, choices=c.InactiveReason.choices, blank=True
    )

    # Housing (Regsosek 2022 block 3); optional in forms, modelled now.
    tenure = models.PositiveSmallIntegerField(
        _("building ownership status"), choices=c.Tenure.choices, null=True, blank=True
    )
    floor_area = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    floor = models.PositiveSmallIntegerField(
        _("floor material (largest area)"), choices=c.Floor.choices, null=True, blank=True
    )
    wall = models.PositiveSmallIntegerField(
        _("wall material (largest area)"), choices=c.Wall.choices, null=True, blank=True
    )
    roof = models.PositiveSmallIntegerField(
        _("roof material (largest area)"), choices=c.Roof.choices, null=True, blank=True
    )
    drinking_water = models.PositiveSmallIntegerField(
        _("source of drinking water"), choices=c.DrinkingWater.choices, null=True, blank=True
    )
    lighting = models.PositiveSmallIntegerField(
        _("source of lighting"), choices=c.Lighting.choices, null=True, blank=True
    )
    power = models.PositiveSmallIntegerField(
        _("installed electrical power"), choices=c.Power.choices, null=True, blank=True
    )
    cooking_fuel = models.PositiveSmallIntegerField(
        _("cooking fuel"), choices=c.CookingFuel.choices, null=True, blank=True
    )
    toilet = models.PositiveSmallIntegerField(
        _("toilet facility"), choices=c.Toilet.choices, null=True, blank=True
    )
    sewage = models.PositiveSmallIntegerField(
        _("final disposal of faeces"), choices=c.Sewage.choices, null=True, blank=True
    )
    # Assets (Regsosek 2022): True = owned, False = not owned, None = not asked.
    asset_gas_cylinder = models.BooleanField(_("gas cylinder ≥ 5.5 kg"), null=True, blank=True)
    asset_refrigerator = models.BooleanField(_("refrigerator"), null=True, blank=True)
    asset_ac = models.BooleanField(_("air conditioner"), null=True, blank=True)
    asset_water_heater = models.BooleanField(_("water heater"), null=True, blank=True)
    asset_landline = models.BooleanField(_("landline telephone"), null=True, blank=True)
    asset_flat_tv = models.BooleanField(_("flat-screen TV ≥ 30 inches"), null=True, blank=True)
    asset_gold = models.BooleanField(_("gold/jewellery ≥ 10 grams"), null=True, blank=True)
    asset_computer = models.BooleanField(_("computer/laptop"), null=True, blank=True)
    asset_motorcycle = models.BooleanField(_("motorcycle"), null=True, blank=True)
    asset_boat = models.BooleanField(_("boat"), null=True, blank=True)
    asset_motor_boat = models.BooleanField(_("motorboat"), null=True, blank=True)
    asset_car = models.BooleanField(_("car"), null=True, blank=True)
    asset_land = models.BooleanField(_("land"), null=True, blank=True)
    livestock = models.JSONField(_("livestock"), default=dict, blank=True)
    # Upper-cased names of the current members joined by "|", kept by
    # `registry.search_names.refresh_member_names` (derived: never edited, never shown).
    member_names = models.TextField(_("member names (search)"), blank=True, editable=False)
    # National decile from DTSEN, imported (never computed here).
    desil = models.PositiveSmallIntegerField(_("DTSEN desil"), null=True, blank=True)

    objects = FamilyQuerySet.as_manager()

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["desa_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=sixteen_digits("no_kk"), name="family_no_kk_16_digits"
            ),
            models.UniqueConstraint(
                fields=["no_kk"],
                condition=Q(status="active"),
                name="family_no_kk_unique_active",
            ),
            models.CheckConstraint(
                condition=Q(desil__isnull=True) | Q(desil__gte=1, desil__lte=10),
                name="family_desil_1_10",
            ),
            models.CheckConstraint(
                condition=Q(status="active", inactive_reason="") | Q(status="inactive"),
                name="family_reason_only_when_inactive",
            ),
        ]
        indexes = [
            models.Index(fields=["desa", "status"], name="family_desa_status"),
            # Search by No. KK must find inactive families too; the unique index is partial.
            models.Index(fields=["no_kk"], name="family_no_kk"),
        ]

    def __str__(self) -> str:
        return f"KK {self.no_kk}"

    @property
    def is_active(self) -> bool:
        return self.status == c.RecordStatus.ACTIVE

    def current_memberships(self) -> models.QuerySet[Membership]:
        return self.memberships.filter(end_date__isnull=True).select_related("person")


class PersonQuerySet(models.QuerySet["Person"]):
    def active(self) -> PersonQuerySet:
        return self.filter(status=c.RecordStatus.ACTIVE)

    def in_wilayah(self, code: str) -> PersonQuerySet:
        """Persons currently in a family of region `code`."""
        families = Family.objects.in_wilayah(code)
        return self.filter(
            Exists(
                Membership.objects.filter(
                    person=OuterRef("pk"), end_date__isnull=True, family__in=families
                )
            )
        )

    def visible_to(self, user: User | AnonymousUser) -> PersonQuerySet:
        """Persons who are, or were, members of a family the user may see."""
        return self.filter(
            Exists(
                Membership.objects.filter(person=OuterRef("pk")).filter(
                    area_q(user, "family__desa__code")
                )
            )
        )

    def needing_repair(self) -> PersonQuerySet:
        """Persons with an open error finding: the seed's "perlu perbaikan"."""
        return self.filter(findings__status="open", findings__severity="error").distinct()


class Person(TimeStamped):
    """An individu (anggota keluarga) with the DTKS minimal attributes and the Regsosek block."""

    id_dtks = models.CharField(_("ID DTKS"), max_length=24, unique=True)
    nik = models.CharField(_("NIK"), max_length=16)
    name = models.CharField(_("full name"), max_length=100)
    birth_place = models.CharField(_("place of birth"), max_length=60, blank=True)
    birth_date = models.DateField(_("date of birth"))
    sex = models.PositiveSmallIntegerField(_("sex"), choices=c.Sex.choices)
    marital_status = models.PositiveSmallIntegerField(
        _("marital status"), choices=c.MaritalStatus.choices, null=True, blank=True
    )
    mother_name = models.CharField(_("mother's maiden name"), max_length=100, blank=True)
    presence = models.PositiveSmallIntegerField(
        _("presence in the family"), choices=c.Presence.choices, default=c.Presence.LIVING
    )
    status = models.CharField(
        _("status"), max_length=10, choices=c.RecordStatus.choices, default=c.RecordStatus.ACTIVE
    )
    inactive_reason = models.CharField(
        _("reason for being inactive"), max_length=16, choices=c.InactiveReason.choices, blank=True
    )
    # Socio-economic block (Regsosek 2022 block 4); optional in forms.
    pregnant = models.BooleanField(_("pregnant"), null=True, blank=True)
    has_birth_certificate = models.BooleanField(_("has a birth certificate"), null=True, blank=True)
    has_ktp = models.BooleanField(_("has a KTP-el"), null=True, blank=True)
    school_status = models.PositiveSmallIntegerField(
        _("school participation"), choices=c.SchoolStatus.choices, null=True, blank=True
    )
    education = models.PositiveSmallIntegerField(
        _("highest certificate"), choices=c.Education.choices, null=True, blank=True
    )
    worked_last_week = models.BooleanField(_("worked in the past week"), null=True, blank=True)
    work_sector = models.CharField(_("line of business"), max_length=60, blank=True)
    work_status = models.PositiveSmallIntegerField(
        _("employment status"), choices=c.WorkStatus.choices, null=True, blank=True
    )
    difficulty_seeing = models.PositiveSmallIntegerField(
        _("difficulty seeing"), choices=c.Difficulty.choices, null=True, blank=True
    )
    difficulty_hearing = models.PositiveSmallIntegerField(
        _("difficulty hearing"), choices=c.Difficulty.choices, null=True, blank=True
    )
    difficulty_walking = models.PositiveSmallIntegerField(
        _("difficulty walking"), choices=c.Difficulty.choices, null=True, blank=True
    )
    difficulty_self_care = models.PositiveSmallIntegerField(
        _("difficulty with self-care"), choices=c.Difficulty.choices, null=True, blank=True
    )
    chronic_illness = models.CharField(_("chronic illness"), max_length=60, blank=True)
    health_insurance = models.CharField(
        _("health insurance"), max_length=16, choices=c.HealthInsurance.choices, blank=True
    )
    receives_pip = models.BooleanField(_("PIP recipient"), null=True, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=sixteen_digits("nik"), name="person_nik_16_digits"),
            models.UniqueConstraint(
                fields=["nik"], condition=Q(status="active"), name="person_nik_unique_active"
            ),
            models.CheckConstraint(
                condition=Q(status="active", inactive_reason="") | Q(status="inactive"),
                name="person_reason_only_when_inactive",
            ),
        ]
        indexes = [
            models.Index(fields=["nik"], name="person_nik"),
            models.Index(fields=["name"], name="person_name"),
            # The few inactive persons, so "active members only" is an anti-join on a tiny
            # index instead of a scan of every person (the recap over a million members).
            models.Index(fields=["id"], condition=~Q(status="active"), name="person_inactive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == c.RecordStatus.ACTIVE

    def age_on(self, day: dt.date) -> int:
        """Completed years on `day`."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class Membership(models.Model):
    """A person's place in a family over time; `end_date` null = current member."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    relationship = models.PositiveSmallIntegerField(
        _("relationship to the head of the family"), choices=c.Relationship.choices
    )
    start_date = models.DateField(_("since"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("reason for leaving"), max_length=100, blank=True)

    class Meta:
        ordering = ["family_id", "relationship", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(relationship=1, end_date__isnull=True),
                name="one_current_head_per_family",
            ),
            models.UniqueConstraint(
                fields=["family", "person"],
                condition=Q(end_date__isnull=True),
                name="one_current_membership_per_family_person",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_start",
            ),
        ]
        indexes = [
            # A person's current family read from the index alone: name search resolves
            # thousands of matching persons to their families without visiting the table.
            models.Index(
                fields=["person", "family"],
                condition=Q(end_date__isnull=True),
                name="membership_current_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_relationship_display()}"

    @property
    def is_head(self) -> bool:
        return self.relationship == c.Relationship.HEAD


class FamilyProgram(models.Model):
    """A social program a family receives (Regsosek block on programs), with its period."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="programs")
    program = models.CharField(_("program"), max_length=16, choices=c.Program.choices)
    start_month = models.DateField(_("first month"))
    end_month = models.DateField(_("last month"), null=True, blank=True)

    class Meta:
        ordering = ["family_id", "program"]

    def __str__(self) -> str:
        return self.get_program_display()


class HeldChangeQuerySet(models.QuerySet["HeldChange"]):
    def pending(self) -> HeldChangeQuerySet:
        return self.filter(status=HeldChange.Status.PENDING)

    def visible_to(self, user: User | AnonymousUser) -> HeldChangeQuerySet:
        """Held changes of a desa inside the user's areas (what a single page may be asked
        for; who may open one is decided by the view: its requester or a verifier)."""
        return self.filter(area_q(user, "desa__code"))

    def awaiting(self, user: User | AnonymousUser) -> HeldChangeQuerySet:
        """Pending changes that `user` could approve: in their verifier area, not their own."""
        return (
            self.pending()
            .filter(area_q(user, "desa__code", Perm.VERIFY))
            .exclude(requested_by_id=getattr(user, "pk", None))
        )


class HeldChange(models.Model):
    """A registry change held for a second, independent approver: the requesting officer is
    tied to the family (conflict of interest, Kepmensos 73/HUK/2024). Nothing of it is applied
    until a verifier approves; the payload is re-validated then (`registry.held`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Action(models.TextChoices):
        CREATE_FAMILY = "create_family", _("Register a family")
        UPDATE_FAMILY = "update_family", _("Edit family")
        ADD_MEMBER = "add_member", _("Add a member")
        UPDATE_PERSON = "update_person", _("Edit member")
        END_MEMBERSHIP = "end_membership", _("End a membership")
        DEACTIVATE_PERSON = "deactivate_person", _("Deactivate a person")
        REMOVE_MEMBER = "remove_member", _("Member leaves the family")

    # Null for a family not yet registered (set when the approved change creates it).
    family = models.ForeignKey(
        Family,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="held_changes",
        verbose_name=_("family"),
    )
    desa = models.ForeignKey(
        "wilayah.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("desa/kelurahan"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("change"), max_length=24, choices=Action.choices)
    payload = models.JSONField(_("requested data"), encoder=DjangoJSONEncoder)
    conflicts = models.JSONField(_("ties found"), default=list, encoder=DjangoJSONEncoder)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="held_changes_requested",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="held_changes_decided",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = HeldChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("held change")
        verbose_name_plural = _("held changes")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="held_change_decided_iff_not_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "desa"], name="held_change_status_desa"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
