"""Demo-only state changes: the demo users, one per role, over real areas of Bengkulu Tengah."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from dtks.accounts.models import RoleAssignment, User
from dtks.accounts.roles import ROLE_PERMS, Perm, Role
from dtks.audit.record import Change, record_events
from dtks.demo.synth import make_nik, make_no_kk
from dtks.registry.models import Membership, Person
from dtks.wilayah.models import Region

DEMO_PASSWORD = "demo-dtks-2023"
DEMO_DESA = "17.09.01.2001"  # Desa Taba Terunjam, Kec. Karang Tinggi
DEMO_KECAMATAN = "17.09.01"
DEMO_KABUPATEN = "17.09"

DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("operator_desa", Role.OPERATOR_DESA, DEMO_DESA),
    ("operator_kecamatan", Role.OPERATOR_KECAMATAN, DEMO_KECAMATAN),
    ("pengisi_data", Role.PENGISI_DATA, DEMO_KABUPATEN),
    ("pengisi_data_2", Role.PENGISI_DATA, DEMO_KABUPATEN),
    ("pengelola", Role.PENGELOLA, DEMO_KABUPATEN),
    ("admin_pengguna", Role.ADMIN, DEMO_KABUPATEN),
    ("pengesah", Role.PENGESAH, DEMO_KABUPATEN),
    ("pimpinan", Role.PIMPINAN, DEMO_KABUPATEN),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    area: Region

    @property
    def may(self) -> str:
        """What the role may do, from the role table (never restated here)."""
        return ", ".join(str(Perm(p).label) for p in sorted(ROLE_PERMS[self.role]))


def demo_identity(index: int) -> tuple[str, str]:
    """The own NIK and No. KK of the index-th demo user (a data role needs them): born on a
    day of 1970 with a serial above any the generator gives, so no demo family is theirs."""
    born = dt.date(1970, 6, 10 + index)
    return make_nik(DEMO_KECAMATAN, born, 1, 7001 + index), make_no_kk(
        DEMO_KECAMATAN, dt.date(2001, 7, 1), 7001 + index
    )


@transaction.atomic
def ensure_demo_users(*, by: User | None = None) -> list[DemoUser]:
    """One user per role with the demo password; existing ones are kept (idempotent)."""
    areas = Region.objects.in_bulk([area for _, _, area in DEMO_USERS])
    changes = []
    for index, (username, role, area) in enumerate(DEMO_USERS):
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.nik, user.no_kk = demo_identity(index) if role != Role.ADMIN else ("", "")
            user.save(update_fields=["password", "nik", "no_kk"])
            changes.append(
                Change(
                    "user",
                    str(user.pk),
                    None,
                    {"username": username, "nik": user.nik, "no_kk": user.no_kk},
                )
            )
        _, assigned = RoleAssignment.objects.get_or_create(user=user, role=role, area_id=area)
        if assigned:
            changes.append(
                Change("role_assignment", username, None, {"role": role, "area": area}, None, area)
            )
    if changes:
        record_events(by, "create_demo_users", changes, note="demo users")
    return [DemoUser(username, role, areas[area]) for username, role, area in DEMO_USERS]


@transaction.atomic
def enter_demo_data(values: list[tuple[int, dict]], *, by: User | None) -> int:
    """The 2023 data entry of the demo: persons' values written as entered (the defects the
    2023 checks find among them), one audit event per person (`enter_demo_data`) with before →
    after, so the work log counts each record its clerk entered."""
    changes = []
    for pk, after in values:
        person = Person.objects.select_for_update().get(pk=pk)
        before = {k: getattr(person, k) for k in after}
        Person.objects.filter(pk=pk).update(**after)
        place = Membership.objects.filter(person_id=pk).values_list("family_id", "family__desa_id")
        family, desa = place.first() or (None, DEMO_KABUPATEN)
        changes.append(Change("person", str(pk), before, after, family, desa))
    record_events(by, "enter_demo_data", changes, note="data entry 2023")
    return len(changes)
