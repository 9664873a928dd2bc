"""Assigning and revoking roles: area level, the administrator's own area, and the separation of
duties of Kepmensos 73/HUK/2024 (admin apart from data roles; kabupaten functions apart)."""

from __future__ import annotations

import pytest

from dtks.accounts.actions import assign_role, revoke_role
from dtks.accounts.models import RoleAssignment
from dtks.accounts.roles import Role
from dtks.audit.models import AuditEvent
from dtks.audit.record import verify_chain
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, DESA_B, KAB, KEC_A, OTHER_KAB_DESA
from tests.factories import UserFactory


def area(code: str) -> Region:
    return Region.objects.get(code=code)


@pytest.fixture
def staff(regions):
    """An operator desa of desa A: inside the admin's kabupaten."""
    return UserFactory(username="staf", identified=True, roles=[(Role.OPERATOR_DESA, DESA_A)])


def roles_of(user) -> set[tuple[str, str]]:
    return set(user.role_assignments.values_list("role", "area_id"))


def test_admin_assigns_role_inside_own_kabupaten_and_it_is_audited(personas, staff):
    assignment = assign_role(staff, by=personas.admin, role=Role.OPERATOR_DESA, area=area(DESA_B))
    assert roles_of(staff) == {(Role.OPERATOR_DESA, DESA_A), (Role.OPERATOR_DESA, DESA_B)}
    event = AuditEvent.objects.get(action="assign_role")
    assert event.actor == personas.admin
    assert event.subject_type == "role_assignment"
    assert event.subject_id == str(assignment.pk)
    assert event.before is None
    assert event.after == {"user": "staf", "role": Role.OPERATOR_DESA, "area": DESA_B}
    assert verify_chain() is None


def test_assigned_role_takes_effect_for_the_user(personas, staff):
    assign_role(staff, by=personas.admin, role=Role.OPERATOR_DESA, area=area(DESA_B))
    assert staff.can("edit_registry")
    assert area(DESA_B).code in {a.area_id for a in staff.active_assignments()}


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.OPERATOR_DESA, KEC_A),
        (Role.OPERATOR_DESA, KAB),
        (Role.OPERATOR_KECAMATAN, DESA_A),
        (Role.OPERATOR_KECAMATAN, KAB),
        (Role.PENGISI_DATA, KEC_A),
        (Role.PENGELOLA, DESA_A),
        (Role.PENGESAH, KEC_A),
        (Role.ADMIN, DESA_A),
    ],
)
def test_role_must_fit_the_level_of_its_area(personas, staff, role, code):
    with pytest.raises(DomainError) as info:
        assign_role(staff, by=personas.admin, role=role, area=area(code))
    assert info.value.field == "area"
    assert info.value.code == "wrong_level"
    assert (role, code) not in roles_of(staff)


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.OPERATOR_KECAMATAN, KEC_A),
        (Role.PENGISI_DATA, KAB),
        (Role.PENGELOLA, KAB),
        (Role.PENGESAH, KAB),
        (Role.PIMPINAN, KAB),
    ],
)
def test_role_over_its_own_level_is_accepted(personas, role, code):
    user = UserFactory(username="baru", identified=True, roles=[(Role.OPERATOR_DESA, DESA_A)])
    assign_role(user, by=personas.admin, role=role, area=area(code))
    assert (role, code) in roles_of(user)


def test_admin_cannot_assign_role_over_another_kabupaten(personas, staff):
    with pytest.raises(PermissionDeniedError) as info:
        assign_role(staff, by=personas.admin, role=Role.OPERATOR_DESA, area=area(OTHER_KAB_DESA))
    assert info.value.field == "area"
    assert (Role.OPERATOR_DESA, OTHER_KAB_DESA) not in roles_of(staff)
    assert not AuditEvent.objects.filter(action="assign_role").exists()


def test_admin_cannot_change_user_of_another_kabupaten(personas):
    outsider = UserFactory(
        username="luar", identified=True, roles=[(Role.OPERATOR_DESA, OTHER_KAB_DESA)]
    )
    with pytest.raises(PermissionDeniedError) as info:
        assign_role(outsider, by=personas.admin, role=Role.OPERATOR_DESA, area=area(DESA_A))
    assert info.value.field == "user"
    assert roles_of(outsider) == {(Role.OPERATOR_DESA, OTHER_KAB_DESA)}


@pytest.mark.parametrize("persona", ["operator_a", "pengelola", "pengesah", "pimpinan", "nobody"])
def test_data_roles_cannot_assign_roles(personas, staff, persona):
    with pytest.raises(PermissionDeniedError):
        assign_role(
            staff, by=getattr(personas, persona), role=Role.OPERATOR_DESA, area=area(DESA_B)
        )
    assert roles_of(staff) == {(Role.OPERATOR_DESA, DESA_A)}


def test_inactive_admin_cannot_assign_roles(personas, staff):
    personas.admin.is_active = False
    with pytest.raises(PermissionDeniedError):
        assign_role(staff, by=personas.admin, role=Role.OPERATOR_DESA, area=area(DESA_B))


def test_admin_cannot_assign_roles_to_themselves(personas):
    with pytest.raises(PermissionDeniedError) as info:
        assign_role(personas.admin, by=personas.admin, role=Role.PIMPINAN, area=area(KAB))
    assert info.value.field == "user"
    assert roles_of(personas.admin) == {(Role.ADMIN, KAB)}


@pytest.mark.parametrize(
    "data_role", [Role.OPERATOR_DESA, Role.PENGISI_DATA, Role.PENGELOLA, Role.PIMPINAN]
)
def test_admin_role_refused_to_holder_of_a_data_role(personas, data_role):
    code = DESA_A if data_role == Role.OPERATOR_DESA else KAB
    user = UserFactory(username="data", identified=True, roles=[(data_role, code)])
    with pytest.raises(DomainError) as info:
        assign_role(user, by=personas.admin, role=Role.ADMIN, area=area(KAB))
    assert info.value.code == "separation"
    assert info.value.field == "role"
    assert Role.ADMIN not in user.roles


@pytest.mark.parametrize("data_role", [Role.PENGISI_DATA, Role.PENGELOLA, Role.PENGESAH])
def test_data_role_refused_to_a_user_administrator(personas, data_role):
    other_admin = UserFactory(username="admin2", roles=[(Role.ADMIN, KAB)])
    with pytest.raises(DomainError) as info:
        assign_role(other_admin, by=personas.admin, role=data_role, area=area(KAB))
    assert info.value.code == "separation"
    assert roles_of(other_admin) == {(Role.ADMIN, KAB)}


def test_admin_may_appoint_another_admin_in_own_kabupaten(personas):
    user = UserFactory(username="calon")  # a new account, no role yet
    assign_role(user, by=personas.admin, role=Role.ADMIN, area=area(KAB))
    assert roles_of(user) == {(Role.ADMIN, KAB)}


def test_command_line_may_assign_any_area(personas, staff):
    assign_role(staff, by=None, role=Role.OPERATOR_DESA, area=area(OTHER_KAB_DESA))
    assert (Role.OPERATOR_DESA, OTHER_KAB_DESA) in roles_of(staff)
    assert AuditEvent.objects.get(action="assign_role").actor_label == "cli"


@pytest.mark.parametrize(
    ("held", "wanted"),
    [
        (Role.PENGISI_DATA, Role.PENGELOLA),
        (Role.PENGISI_DATA, Role.PENGESAH),
        (Role.PENGELOLA, Role.PENGISI_DATA),
        (Role.PENGELOLA, Role.PENGESAH),
        (Role.PENGESAH, Role.PENGISI_DATA),
        (Role.PENGESAH, Role.PENGELOLA),
    ],
)
def test_kabupaten_functions_are_not_held_by_one_person(personas, held, wanted):
    user = UserFactory(username="fungsi", identified=True, roles=[(held, KAB)])
    with pytest.raises(DomainError) as info:
        assign_role(user, by=personas.admin, role=wanted, area=area(KAB))
    assert info.value.code == "separation"
    assert str(Role(held).label) in info.value.message
    assert roles_of(user) == {(held, KAB)}


def test_kabupaten_functions_over_different_kabupaten_are_allowed(personas):
    user = UserFactory(username="fungsi", identified=True, roles=[(Role.PENGISI_DATA, "17.01")])
    assign_role(user, by=None, role=Role.PENGELOLA, area=area(KAB))
    assert roles_of(user) == {(Role.PENGISI_DATA, "17.01"), (Role.PENGELOLA, KAB)}


def test_kabupaten_function_with_a_monitoring_role_is_allowed(personas):
    user = UserFactory(username="fungsi", identified=True, roles=[(Role.PENGELOLA, KAB)])
    assign_role(user, by=personas.admin, role=Role.OPERATOR_KECAMATAN, area=area(KEC_A))
    assert (Role.OPERATOR_KECAMATAN, KEC_A) in roles_of(user)


def test_same_role_over_same_area_twice_is_refused(personas, staff):
    with pytest.raises(DomainError) as info:
        assign_role(staff, by=personas.admin, role=Role.OPERATOR_DESA, area=area(DESA_A))
    assert info.value.code == "duplicate"
    assert staff.role_assignments.count() == 1


def test_unknown_role_is_refused(personas, staff):
    with pytest.raises(DomainError) as info:
        assign_role(staff, by=personas.admin, role="superuser", area=area(KAB))
    assert info.value.field == "role"


def test_level_refusal_names_the_role_and_the_area(personas, staff):
    with pytest.raises(DomainError) as info:
        assign_role(staff, by=personas.admin, role=Role.PENGELOLA, area=area(DESA_A))
    assert str(Role.PENGELOLA.label) in info.value.message
    assert "Taba Terunjam" in info.value.message


def test_admin_revokes_role_and_it_is_audited(personas, staff):
    extra = assign_role(staff, by=personas.admin, role=Role.OPERATOR_DESA, area=area(DESA_B))
    extra_pk = extra.pk
    revoke_role(extra, by=personas.admin)
    assert roles_of(staff) == {(Role.OPERATOR_DESA, DESA_A)}
    event = AuditEvent.objects.get(action="revoke_role")
    assert event.actor == personas.admin
    assert event.subject_id == str(extra_pk)
    assert event.before == {"user": "staf", "role": Role.OPERATOR_DESA, "area": DESA_B}
    assert event.after is None


def test_last_role_is_kept_so_the_account_stays_in_an_area(personas, staff):
    only = staff.role_assignments.get()
    with pytest.raises(DomainError) as info:
        revoke_role(only, by=personas.admin)
    assert info.value.code == "last_role"
    assert RoleAssignment.objects.filter(pk=only.pk).exists()


def test_admin_cannot_revoke_role_over_another_kabupaten(personas):
    user = UserFactory(
        username="dua", roles=[(Role.OPERATOR_DESA, DESA_A), (Role.OPERATOR_DESA, OTHER_KAB_DESA)]
    )
    outside = user.role_assignments.get(area_id=OTHER_KAB_DESA)
    with pytest.raises(PermissionDeniedError):
        revoke_role(outside, by=personas.admin)
    assert RoleAssignment.objects.filter(pk=outside.pk).exists()


def test_admin_cannot_revoke_own_role(personas):
    other = UserFactory(username="admin4", roles=[(Role.ADMIN, KAB)])
    assert other.can("manage_users")
    own = personas.admin.role_assignments.get()
    with pytest.raises(PermissionDeniedError):
        revoke_role(own, by=personas.admin)
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_data_role_cannot_revoke(personas, staff):
    extra = assign_role(staff, by=personas.admin, role=Role.OPERATOR_DESA, area=area(DESA_B))
    with pytest.raises(PermissionDeniedError):
        revoke_role(extra, by=personas.pengelola)
    assert RoleAssignment.objects.filter(pk=extra.pk).exists()
