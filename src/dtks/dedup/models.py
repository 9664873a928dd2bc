"""Duplicate records of the registry: candidate pairs to review, the runs that found them, and
the merges that settled them.

- A `CandidatePair` is two active persons the linkage engine found likely to be one human
  being (`person_l.pk < person_r.pk`, each pair once). Its decision — sama (same), beda
  (different), tunda (deferred) — is kept: a later run never opens a decided pair again, it
  only refreshes the probability of pending and deferred ones and adds new pairs.
- A `Merge` is what a "sama" changed in the registry, recorded so that `actions.unmerge`
  restores exactly that; at most one merge per pair is in force (not reversed).
- A `DedupRun` is one run of registry mode (who, scope, counts).
Everything that changes these rows goes through `dedup.actions` (atomic, audited).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_q
from dtks.registry.choices import RecordStatus
from dtks.registry.models import Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User


class PairStatus(models.TextChoices):
    PENDING = "pending", _("Not decided")
    SAME = "same", _("Same person")
    DIFFERENT = "different", _("Different persons")
    DEFERRED = "deferred", _("Deferred")


# Decisions a reviewer takes; re-runs never reopen them.
DECIDED = (PairStatus.SAME, PairStatus.DIFFERENT)
# Still on the review queue: a re-run refreshes their probability.
UNDECIDED = (PairStatus.PENDING, PairStatus.DEFERRED)


class KeptBecause(models.TextChoices):
    AID = "aid", _("Has active aid history")
    OLDER = "older", _("Older record")


class DedupRun(models.Model):
    """One run of `dtks dedup` in registry mode over a region (blank: the whole registry)."""

    started_at = models.DateTimeField(_("started at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    wilayah = models.CharField(_("region"), max_length=20, blank=True)
    threshold = models.FloatField(_("threshold"))
    persons = models.PositiveIntegerField(_("persons compared"), default=0)
    found = models.PositiveIntegerField(_("pairs found"), default=0)
    created = models.PositiveIntegerField(_("new pairs"), default=0)
    updated = models.PositiveIntegerField(_("pairs updated"), default=0)
    skipped = models.PositiveIntegerField(_("decided pairs skipped"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        verbose_name = _("duplicate detection run")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.wilayah or '*'}"


def _in_area(person_field: str, user: User | AnonymousUser, perm: str) -> Exists:
    """A membership, current or past, of the pair's person `person_field` inside the area."""
    memberships = Membership.objects.filter(person=OuterRef(person_field))
    return Exists(memberships.filter(area_q(user, "family__desa__code", perm)))


class CandidatePairQuerySet(models.QuerySet["CandidatePair"]):
    def visible_to(
        self, user: User | AnonymousUser, perm: str = Perm.VIEW_REGISTRY
    ) -> CandidatePairQuerySet:
        """Pairs whose two persons both belong (or belonged) to a family in the user's areas
        for `perm`: the one scope of pairs, as `Person.objects.visible_to` is of persons."""
        return self.filter(_in_area("person_l", user, perm), _in_area("person_r", user, perm))

    def with_status(self, *statuses: str) -> CandidatePairQuerySet:
        return self.filter(status__in=statuses)

    def both_active(self) -> CandidatePairQuerySet:
        """Pairs of two active persons: a pair where one has since left the registry (died,
        settled otherwise) is no longer a question."""
        active = RecordStatus.ACTIVE
        return self.filter(person_l__status=active, person_r__status=active)

    def queue_order(self) -> CandidatePairQuerySet:
        """Most probable first; ties in a stable order."""
        return self.order_by("-match_probability", "person_l_id", "person_r_id")


class CandidatePair(models.Model):
    """Two persons who may be one, with the engine's probability and the reviewer's decision."""

    person_l = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    person_r = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    match_probability = models.FloatField(_("match probability"))
    status = models.CharField(
        _("decision"), max_length=10, choices=PairStatus.choices, default=PairStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    first_run = models.ForeignKey(
        DedupRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_run = models.ForeignKey(
        DedupRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CandidatePairQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate duplicate pair")
        ordering = ["-match_probability", "person_l_id", "person_r_id"]
        constraints = [
            models.UniqueConstraint(fields=["person_l", "person_r"], name="dedup_pair_once"),
            models.CheckConstraint(
                condition=Q(person_l__lt=F("person_r")), name="dedup_pair_left_below_right"
            ),
            models.CheckConstraint(
                condition=Q(match_probability__gte=0, match_probability__lte=1),
                name="dedup_pair_probability_0_1",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-match_probability"], name="dedup_pair_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.person_l_id}–{self.person_r_id} ({self.match_probability:.3f})"

    @property
    def persons(self) -> tuple:
        return (self.person_l, self.person_r)

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED

    def merge_in_force(self) -> Merge | None:
        return (
            self.merges.filter(reversed_at__isnull=True)
            .select_related("kept", "dropped", "by")
            .first()
        )


class Merge(models.Model):
    """What a "sama" decision changed, enough to reverse it exactly (`actions.unmerge`).

    `memberships`: the dropped person's memberships the merge ended, each
    `{"id", "end_date", "end_reason"}` as the merge set them (before: current, no reason).
    `families`: ids of the families left without an active member and deactivated.
    `filled`: `{field: value}` blank attributes of the kept person filled from the dropped one.
    """

    pair = models.ForeignKey(CandidatePair, on_delete=models.PROTECT, related_name="merges")
    kept = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("kept")
    )
    dropped = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("dropped")
    )
    kept_because = models.CharField(_("kept because"), max_length=8, choices=KeptBecause.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("merged at"))
    dropped_status = models.CharField(_("previous status of the dropped record"), max_length=10)
    dropped_reason = models.CharField(
        _("previous reason of the dropped record"), max_length=16, blank=True
    )
    memberships = models.JSONField(_("memberships ended"), default=list)
    families = models.JSONField(_("families deactivated"), default=list)
    filled = models.JSONField(_("attributes filled"), default=dict)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("merge of duplicate records")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pair"],
                condition=Q(reversed_at__isnull=True),
                name="dedup_one_merge_in_force_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kept_id} ← {self.dropped_id}"

    @property
    def in_force(self) -> bool:
        return self.reversed_at is None
