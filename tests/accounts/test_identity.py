"""Every holder of a data role has their own NIK and No. KK on file (Kepmensos 73/HUK/2024):
the conflict-of-interest checks compare them with each family the officer touches."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dtks.accounts.actions import assign_role, set_identity
from dtks.accounts.roles import Role
from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, KAB
from tests.factories import UserFactory

NIK = "1709010302610007"
NO_KK = "1709010909990007"


@pytest.mark.parametrize("missing", ["nik", "no_kk"])
def test_a_data_role_is_refused_without_the_holders_nik_and_no_kk(personas, missing):
    user = UserFactory(username="calon", **{"nik": NIK, "no_kk": NO_KK, missing: ""})
    with pytest.raises(DomainError) as info:
        assign_role(
            user, by=personas.admin, role=Role.OPERATOR_DESA, area=Region.objects.get(code=DESA_A)
        )
    assert info.value.code == "identity_missing"
    assert not user.role_assignments.exists()


def test_the_admin_role_needs_no_identity(personas):
    """The user administrator holds no data function, so no family can be theirs to judge."""
    user = UserFactory(username="calon")
    assign_role(user, by=personas.admin, role=Role.ADMIN, area=Region.objects.get(code=KAB))
    assert user.role_assignments.filter(role=Role.ADMIN).exists()


def test_identity_is_recorded_then_the_role_assigned_and_both_audited(personas):
    user = UserFactory(username="calon")
    set_identity(user, by=personas.admin, nik=f" {NIK} ", no_kk=NO_KK)
    user.refresh_from_db()
    assert (user.nik, user.no_kk) == (NIK, NO_KK)
    event = AuditEvent.objects.get(action="set_user_identity")
    assert event.actor == personas.admin
    assert event.before["nik"] == "" and event.after["nik"] == NIK
    assign_role(
        user, by=personas.admin, role=Role.OPERATOR_DESA, area=Region.objects.get(code=DESA_A)
    )


def test_a_data_role_holder_cannot_have_the_identity_emptied(personas):
    user = UserFactory(username="op", identified=True, roles=[(Role.OPERATOR_DESA, DESA_A)])
    before = (user.nik, user.no_kk)
    with pytest.raises(DomainError) as info:
        set_identity(user, by=personas.admin, nik=user.nik, no_kk="")
    assert info.value.code == "identity_missing"
    user.refresh_from_db()
    assert (user.nik, user.no_kk) == before


def test_identity_is_checked_and_one_nik_is_one_account(personas):
    UserFactory(username="lain", nik=NIK, no_kk=NO_KK)
    user = UserFactory(username="calon")
    with pytest.raises(DomainError) as info:
        set_identity(user, by=personas.admin, nik="12345", no_kk=NO_KK)
    assert info.value.field == "nik"
    with pytest.raises(DomainError) as info:
        set_identity(user, by=personas.admin, nik=NIK, no_kk=NO_KK)
    assert info.value.code == "duplicate_nik"
    assert not AuditEvent.objects.filter(action="set_user_identity").exists()


def test_the_identity_page_saves_and_shows_the_refusal_on_the_field(client, personas):
    user = UserFactory(username="op", identified=True, roles=[(Role.OPERATOR_DESA, DESA_A)])
    client.force_login(personas.admin)
    url = reverse("users:user_identity", args=[user.pk])
    response = client.post(url, {"nik": user.nik, "no_kk": ""})
    assert response.status_code == 200
    assert "identity_missing" not in response.content.decode()
    assert response.context["form"].errors["nik"]
    response = client.post(url, {"nik": NIK, "no_kk": NO_KK})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.nik, user.no_kk) == (NIK, NO_KK)
