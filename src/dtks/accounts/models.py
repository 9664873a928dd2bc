"""Users and the roles they hold over areas."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dtks.core.fields import sixteen_digits

from .managers import UserManager
from .roles import ROLE_PERMS, Role


class User(AbstractUser):
    """A dtks user. NIK and No. KK are on file so conflicts of interest can be found (#4)."""

    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    no_kk = models.CharField(_("No. KK"), max_length=16, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = UserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(nik="") | sixteen_digits("nik"), name="user_nik_16_digits"
            ),
            models.CheckConstraint(
                condition=Q(no_kk="") | sixteen_digits("no_kk"), name="user_no_kk_16_digits"
            ),
        ]

    def active_assignments(self) -> list[RoleAssignment]:
        """The user's role assignments, cached on the instance for the request."""
        cached = getattr(self, "_dtks_assignments", None)
        if cached is None:
            cached = list(self.role_assignments.select_related("area"))
            self._dtks_assignments = cached
        return cached

    @property
    def roles(self) -> set[str]:
        return {a.role for a in self.active_assignments()}

    def dtks_perms(self) -> frozenset[str]:
        perms: set[str] = set()
        for assignment in self.active_assignments():
            perms |= ROLE_PERMS[assignment.role]
        return frozenset(perms)

    def can(self, perm: str) -> bool:
        return self.is_active and perm in self.dtks_perms()


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    area = models.ForeignKey(
        "wilayah.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="unique_role_area"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.area}"


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
