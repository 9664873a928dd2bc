"""Roles as named sets of permissions (Kepmensos 73/HUK/2024 functions).

A user holds a role over an area (a `RoleAssignment`). What a role may do is this table and
nothing else: views, the API and the CLI ask `has_perm(user, PERM)`; scope is separate and lives
in `accounts.scope`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR_DESA = "operator_desa", _("Village operator (desa/kelurahan)")
    OPERATOR_KECAMATAN = "operator_kecamatan", _("Kecamatan operator")
    PENGISI_DATA = "pengisi_data", _("Kabupaten data entry clerk (pengisi data)")
    PENGELOLA = "pengelola", _("Kabupaten DTKS manager (pengelola)")
    ADMIN = "admin_pengguna", _("User administrator")
    PENGESAH = "pengesah", _("Ratifier (Bupati/Sekda)")
    PIMPINAN = "pimpinan", _("Leadership/auditor (pimpinan)")


class Perm(models.TextChoices):
    VIEW_REGISTRY = "view_registry", _("View the registry")
    VIEW_IDENTITY = "view_identity", _("See full NIK and No. KK")
    EDIT_REGISTRY = "edit_registry", _("Create and edit families and persons")
    VERIFY = "verify", _("Verify data")
    RATIFY = "ratify", _("Ratify")
    VIEW_AUDIT = "view_audit", _("View the audit log")
    MANAGE_USERS = "manage_users", _("Manage users")
    # Bimtek, budget lines, facility needs, the satisfaction survey's results, indicator
    # targets and the organisation's predikat: the Dinas's own management data.
    MANAGE_PERFORMANCE = "manage_performance", _("Manage performance data")


ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.OPERATOR_DESA: frozenset({Perm.VIEW_REGISTRY, Perm.VIEW_IDENTITY, Perm.EDIT_REGISTRY}),
    # Kecamatan operators monitor: they read counts and records, NIK/KK masked.
    Role.OPERATOR_KECAMATAN: frozenset({Perm.VIEW_REGISTRY}),
    Role.PENGISI_DATA: frozenset({Perm.VIEW_REGISTRY, Perm.VIEW_IDENTITY, Perm.EDIT_REGISTRY}),
    Role.PENGELOLA: frozenset(
        {
            Perm.VIEW_REGISTRY,
            Perm.VIEW_IDENTITY,
            Perm.EDIT_REGISTRY,
            Perm.VERIFY,
            Perm.VIEW_AUDIT,
            Perm.MANAGE_PERFORMANCE,
        }
    ),
    # The user administrator holds no data function (Kepmensos 73/HUK/2024).
    Role.ADMIN: frozenset({Perm.MANAGE_USERS, Perm.VIEW_AUDIT}),
    Role.PENGESAH: frozenset({Perm.VIEW_REGISTRY, Perm.RATIFY}),
    # The head of the Dinas (or an auditor) reads everything and sets the organisation's
    # predikat.
    Role.PIMPINAN: frozenset({Perm.VIEW_REGISTRY, Perm.VIEW_AUDIT, Perm.MANAGE_PERFORMANCE}),
}

# Roles that touch registry data; none of them may be held together with ADMIN.
DATA_ROLES = frozenset(set(Role) - {Role.ADMIN})

# The level of area each role is assigned over (4 = desa, 3 = kecamatan, 2 = kabupaten).
ROLE_AREA_LEVEL: dict[str, tuple[int, ...]] = {
    Role.OPERATOR_DESA: (4,),
    Role.OPERATOR_KECAMATAN: (3,),
    Role.PENGISI_DATA: (2,),
    Role.PENGELOLA: (2,),
    Role.ADMIN: (2,),
    Role.PENGESAH: (2,),
    Role.PIMPINAN: (1, 2),
}
