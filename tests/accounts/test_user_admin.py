"""User administration: accounts, activation and passwords (actions), the `create_user`
command, and the pages under /pengguna/ as admin, as a data role, and as the admin of another
kabupaten."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dtks.accounts.actions import create_user, reset_password, set_user_active
from dtks.accounts.models import RoleAssignment, User
from dtks.accounts.roles import Role
from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.demo.synth import make_nik, make_no_kk
from tests.conftest import DESA_A, DESA_B, KAB, OTHER_KAB_DESA
from tests.factories import UserFactory

GOOD_PASSWORD = "Sawit-Merah-2024"
NIK = make_nik("17.09.01", dt.date(1988, 4, 12), 1, 21)
NO_KK = make_no_kk("17.09.01", dt.date(2015, 1, 1), 77)


def new_account(by, **overrides):
    fields = {"username": "siti", "full_name": "Siti Rahmawati", "password": GOOD_PASSWORD}
    return create_user(by=by, **{**fields, **overrides})


@pytest.fixture
def staff(regions):
    return UserFactory(
        username="staf", first_name="Staf Desa", identified=True,
        roles=[(Role.OPERATOR_DESA, DESA_A)],
    )  # fmt: skip


@pytest.fixture
def outsider(regions):
    return UserFactory(
        username="luar", first_name="Orang Luar", roles=[(Role.OPERATOR_DESA, OTHER_KAB_DESA)]
    )


@pytest.fixture
def other_admin(regions):
    return UserFactory(username="admin_lain", roles=[(Role.ADMIN, "17.01")])


# --- create_user ------------------------------------------------------------------------------


def test_admin_creates_account_audited_without_password(personas):
    user = new_account(personas.admin, nik=NIK, no_kk=NO_KK, email="siti@example.id")
    assert user.check_password(GOOD_PASSWORD)
    assert user.get_full_name() == "Siti Rahmawati"
    event = AuditEvent.objects.get(action="create_user")
    assert event.actor == personas.admin
    assert event.subject_type == "user"
    assert event.subject_id == str(user.pk)
    assert event.after["nik"] == NIK
    assert event.after["username"] == "siti"
    assert user.password not in str(event.after)
    assert GOOD_PASSWORD not in str(event.after)
    assert "password" not in event.after


@pytest.mark.parametrize("persona", ["operator_a", "pengelola", "pimpinan", "nobody"])
def test_data_roles_cannot_create_accounts(personas, persona):
    with pytest.raises(PermissionDeniedError):
        new_account(getattr(personas, persona))
    assert not User.objects.filter(username="siti").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": ""}, "username"),
        ({"username": "siti rahma"}, "username"),
        ({"username": "OP_A"}, "username"),  # taken by op_a, case aside
        ({"full_name": "  "}, "full_name"),
        ({"email": "bukan-email"}, "email"),
        ({"nik": "170901120488"}, "nik"),
        ({"nik": "17090112048800ab"}, "nik"),
        ({"nik": "1709011204880000"}, "nik"),
        ({"no_kk": "12345"}, "no_kk"),
        ({"password": "1234"}, "password"),
        ({"password": "12345678901"}, "password"),
        ({"password": "password123"}, "password"),
        ({"password": "sitirahmawati"}, "password"),
    ],
)
def test_bad_input_is_refused_naming_the_field(personas, overrides, field):
    with pytest.raises(DomainError) as info:
        new_account(personas.admin, **overrides)
    assert info.value.field == field
    assert info.value.message
    assert not User.objects.filter(first_name="Siti Rahmawati").exists()
    assert not AuditEvent.objects.filter(action="create_user").exists()


def test_password_messages_are_indonesian(personas):
    with pytest.raises(DomainError) as info:
        new_account(personas.admin, password="1234")
    assert "terlalu pendek" in info.value.message


def test_a_nik_holds_one_account(personas):
    new_account(personas.admin, nik=NIK)
    with pytest.raises(DomainError) as info:
        new_account(personas.admin, username="siti2", nik=NIK)
    assert info.value.field == "nik"
    assert User.objects.filter(nik=NIK).count() == 1


# --- set_user_active, reset_password ----------------------------------------------------------


def test_admin_deactivates_and_reactivates_account(personas, staff):
    set_user_active(staff, by=personas.admin, active=False)
    staff.refresh_from_db()
    assert not staff.is_active
    assert not staff.can("view_registry")
    set_user_active(staff, by=personas.admin, active=True)
    staff.refresh_from_db()
    assert staff.is_active
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "before", "after"))
    assert [a for a, _, _ in actions] == ["deactivate_user", "activate_user"]
    assert actions[0][1]["is_active"] is True
    assert actions[0][2]["is_active"] is False


def test_setting_the_same_state_records_nothing(personas, staff):
    set_user_active(staff, by=personas.admin, active=True)
    assert not AuditEvent.objects.exists()


def test_admin_cannot_deactivate_themselves(personas):
    with pytest.raises(PermissionDeniedError):
        set_user_active(personas.admin, by=personas.admin, active=False)
    personas.admin.refresh_from_db()
    assert personas.admin.is_active


def test_admin_cannot_deactivate_account_of_another_kabupaten(personas, outsider):
    with pytest.raises(PermissionDeniedError):
        set_user_active(outsider, by=personas.admin, active=False)
    outsider.refresh_from_db()
    assert outsider.is_active


def test_account_with_a_role_outside_the_area_is_left_to_that_area(personas):
    both = UserFactory(
        username="dua", roles=[(Role.OPERATOR_DESA, DESA_A), (Role.OPERATOR_DESA, OTHER_KAB_DESA)]
    )
    with pytest.raises(PermissionDeniedError) as info:
        reset_password(both, by=personas.admin, password=GOOD_PASSWORD)
    assert "dua" in info.value.message
    both.refresh_from_db()
    assert not both.check_password(GOOD_PASSWORD)


def test_data_role_cannot_deactivate(personas, staff):
    with pytest.raises(PermissionDeniedError):
        set_user_active(staff, by=personas.pengelola, active=False)


def test_admin_resets_password_audited_without_hash(personas, staff):
    reset_password(staff, by=personas.admin, password=GOOD_PASSWORD)
    staff.refresh_from_db()
    assert staff.check_password(GOOD_PASSWORD)
    event = AuditEvent.objects.get(action="reset_password")
    assert event.subject_id == str(staff.pk)
    assert event.after == {"password_reset": True}
    assert event.before is None


def test_weak_new_password_is_refused(personas, staff):
    with pytest.raises(DomainError) as info:
        reset_password(staff, by=personas.admin, password="staf")
    assert info.value.field == "password"
    staff.refresh_from_db()
    assert staff.check_password("rahasia-123")


def test_password_reset_by_data_role_is_refused(personas, staff):
    with pytest.raises(PermissionDeniedError):
        reset_password(staff, by=personas.operator_a, password=GOOD_PASSWORD)


# --- visible_to -------------------------------------------------------------------------------


def test_admin_sees_accounts_with_a_role_in_own_kabupaten_only(personas, staff, outsider):
    visible = set(User.objects.visible_to(personas.admin).values_list("username", flat=True))
    assert {"staf", "op_a", "op_b", "op_kec", "pengelola", "admin"} <= visible
    assert "luar" not in visible
    assert "nobody" not in visible


def test_data_role_sees_no_accounts(personas, staff):
    assert not User.objects.visible_to(personas.pengelola).exists()


# --- the create_user command ------------------------------------------------------------------


def test_command_creates_first_admin_from_stdin(regions, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_PASSWORD + "\n"))
    out = io.StringIO()
    call_command(
        "create_user", "kepala", "--role", "admin_pengguna", "--area", KAB,
        "--name", "Budi Hartono", "--password-stdin", stdout=out,
    )  # fmt: skip
    user = User.objects.get(username="kepala")
    assert user.check_password(GOOD_PASSWORD)
    assert user.can("manage_users")
    assert set(user.role_assignments.values_list("role", "area_id")) == {(Role.ADMIN, KAB)}
    labels = set(AuditEvent.objects.values_list("action", "actor_label"))
    assert labels == {("create_user", "cli"), ("assign_role", "cli")}
    assert "kepala" in out.getvalue()


def test_command_prompts_for_password_twice(regions, monkeypatch):
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command(
        "create_user", "op", "--role", "operator_desa", "--area", DESA_A,
        "--nik", NIK, "--no-kk", NO_KK,
    )  # fmt: skip
    assert User.objects.get(username="op").check_password(GOOD_PASSWORD)


def test_command_refuses_a_data_role_without_nik_and_no_kk(regions, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_PASSWORD + "\n"))
    with pytest.raises(CommandError, match="NIK"):
        call_command(
            "create_user", "op", "--role", "operator_desa", "--area", DESA_A, "--password-stdin"
        )
    assert not User.objects.filter(username="op").exists()


def test_command_refuses_differing_passwords(regions, monkeypatch):
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError):
        call_command("create_user", "op", "--role", "operator_desa", "--area", DESA_A)
    assert not User.objects.filter(username="op").exists()


def test_command_saves_nothing_when_the_role_is_refused(regions, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_PASSWORD + "\n"))
    with pytest.raises(CommandError, match="area"):
        call_command(
            "create_user", "op", "--role", "operator_desa", "--area", KAB, "--password-stdin"
        )
    assert not User.objects.filter(username="op").exists()
    assert not AuditEvent.objects.exists()


def test_command_refuses_unknown_region(regions, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_PASSWORD + "\n"))
    with pytest.raises(CommandError, match=r"99\.99"):
        call_command(
            "create_user", "op", "--role", "admin_pengguna", "--area", "99.99", "--password-stdin"
        )


# --- pages ------------------------------------------------------------------------------------

ACCOUNT_PAGES = ["users:user_detail", "users:role_assign", "users:password_reset"]


def test_admin_lists_accounts_of_own_kabupaten(client, personas, staff, outsider):
    client.force_login(personas.admin)
    page = client.get(reverse("users:user_list")).content.decode()
    assert "staf" in page
    assert "Staf Desa" in page
    assert "Orang Luar" not in page
    assert "luar" not in page.split("<main>")[1]


def test_user_list_query_count_does_not_grow_with_accounts(client, personas, staff):
    client.force_login(personas.admin)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("users:user_list"))
    for i in range(15):
        UserFactory(username=f"op{i}", roles=[(Role.OPERATOR_DESA, DESA_B)])
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("users:user_list")).content.decode()
    assert "op14" in page
    assert len(many.captured_queries) == len(few.captured_queries)


def test_admin_searches_accounts_by_name_in_post_body(client, personas, staff):
    client.force_login(personas.admin)
    page = client.post(reverse("users:user_list"), {"q": "staf desa"}).content.decode()
    assert "staf" in page
    assert "op_b" not in page


def test_navigation_links_users_only_for_admins(client, personas):
    url = reverse("users:user_list")
    client.force_login(personas.admin)
    assert url in client.get(reverse("dashboard")).content.decode()
    client.force_login(personas.pengelola)
    assert url not in client.get(reverse("dashboard")).content.decode()


def test_admin_creates_account_with_first_role_through_the_page(client, personas):
    client.force_login(personas.admin)
    body = {
        "username": "siti", "full_name": "Siti Rahmawati", "email": "", "nik": NIK, "no_kk": "",
        "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD,
        "role": Role.OPERATOR_DESA, "area": DESA_B,
    }  # fmt: skip
    response = client.post(reverse("users:user_create"), body)
    assert response.status_code == 200  # a data role without the No. KK: nothing is saved
    assert response.context["form"].errors["nik"]
    assert not User.objects.filter(username="siti").exists()
    response = client.post(reverse("users:user_create"), {**body, "no_kk": NO_KK})
    user = User.objects.get(username="siti")
    assert response.status_code == 302
    assert response["Location"] == reverse("users:user_detail", args=[user.pk])
    assert set(user.role_assignments.values_list("role", "area_id")) == {
        (Role.OPERATOR_DESA, DESA_B)
    }
    page = client.get(response["Location"]).content.decode()
    assert "Siti Rahmawati" in page


def test_refused_role_on_create_saves_no_account(client, personas):
    client.force_login(personas.admin)
    body = {
        "username": "siti", "full_name": "Siti Rahmawati", "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD, "role": Role.PENGELOLA, "area": DESA_B,
    }  # fmt: skip
    response = client.post(reverse("users:user_create"), body)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not User.objects.filter(username="siti").exists()


def test_create_page_reports_weak_password_on_the_field(client, personas):
    client.force_login(personas.admin)
    body = {
        "username": "siti", "full_name": "Siti Rahmawati", "password1": "1234",
        "password2": "1234", "role": Role.OPERATOR_DESA, "area": DESA_B,
    }  # fmt: skip
    page = client.post(reverse("users:user_create"), body).content.decode()
    assert 'id="id_password1_error"' in page
    assert "terlalu pendek" in page
    assert not User.objects.filter(username="siti").exists()


def test_create_page_offers_only_areas_of_own_kabupaten(client, personas):
    client.force_login(personas.admin)
    page = client.get(reverse("users:user_create")).content.decode()
    assert f'value="{DESA_A}"' in page
    assert f'value="{OTHER_KAB_DESA}"' not in page
    assert 'value="17.01"' not in page


def test_admin_assigns_role_through_the_page(client, personas, staff):
    client.force_login(personas.admin)
    url = reverse("users:role_assign", args=[staff.pk])
    response = client.post(url, {"role": Role.OPERATOR_DESA, "area": DESA_B})
    assert response.status_code == 302
    assert (Role.OPERATOR_DESA, DESA_B) in set(
        staff.role_assignments.values_list("role", "area_id")
    )


def test_assign_page_shows_separation_refusal_on_role_field(client, personas):
    user = UserFactory(username="verif", roles=[(Role.PENGELOLA, KAB)])
    client.force_login(personas.admin)
    url = reverse("users:role_assign", args=[user.pk])
    page = client.post(url, {"role": Role.PENGESAH, "area": KAB}).content.decode()
    assert 'id="id_role_error"' in page
    assert str(Role.PENGELOLA.label) in page
    assert not user.role_assignments.filter(role=Role.PENGESAH).exists()


def test_admin_revokes_role_through_the_page(client, personas, staff):
    extra = RoleAssignment.objects.create(user=staff, role=Role.OPERATOR_DESA, area_id=DESA_B)
    client.force_login(personas.admin)
    url = reverse("users:role_revoke", args=[staff.pk, extra.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=extra.pk).exists()


def test_revoking_the_last_role_shows_a_message(client, personas, staff):
    only = staff.role_assignments.get()
    client.force_login(personas.admin)
    response = client.post(reverse("users:role_revoke", args=[staff.pk, only.pk]), follow=True)
    assert RoleAssignment.objects.filter(pk=only.pk).exists()
    assert 'class="msg error"' in response.content.decode()


def test_admin_deactivates_through_the_page(client, personas, staff):
    client.force_login(personas.admin)
    response = client.post(reverse("users:user_set_active", args=[staff.pk]), {"active": "0"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert not staff.is_active


def test_admin_resets_password_through_the_page(client, personas, staff):
    client.force_login(personas.admin)
    url = reverse("users:password_reset", args=[staff.pk])
    response = client.post(url, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(GOOD_PASSWORD)


def test_password_reset_page_refuses_differing_passwords(client, personas, staff):
    client.force_login(personas.admin)
    url = reverse("users:password_reset", args=[staff.pk])
    page = client.post(url, {"password1": GOOD_PASSWORD, "password2": "lain"}).content.decode()
    assert 'id="id_password2_error"' in page
    staff.refresh_from_db()
    assert not staff.check_password(GOOD_PASSWORD)


@pytest.mark.parametrize("persona", ["operator_a", "pengisi", "pengelola", "pengesah", "pimpinan"])
def test_data_roles_get_403_on_every_page(client, personas, staff, persona):
    client.force_login(getattr(personas, persona))
    urls = [reverse("users:user_list"), reverse("users:user_create")]
    urls += [reverse(name, args=[staff.pk]) for name in ACCOUNT_PAGES]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Staf Desa" not in response.content.decode()
    assert client.post(reverse("users:user_set_active", args=[staff.pk])).status_code == 403
    staff.refresh_from_db()
    assert staff.is_active


def test_admin_of_another_kabupaten_gets_404(client, personas, other_admin, staff):
    client.force_login(other_admin)
    for name in ACCOUNT_PAGES:
        response = client.get(reverse(name, args=[staff.pk]))
        assert response.status_code == 404
        assert "Staf Desa" not in response.content.decode()
    assignment = staff.role_assignments.get()
    revoke = reverse("users:role_revoke", args=[staff.pk, assignment.pk])
    assert client.post(revoke).status_code == 404
    assert client.post(reverse("users:user_set_active", args=[staff.pk])).status_code == 404
    staff.refresh_from_db()
    assert staff.is_active
    assert "staf" not in client.get(reverse("users:user_list")).content.decode().split("<main>")[1]


def test_outside_account_answers_like_a_missing_one(client, personas, outsider):
    client.force_login(personas.admin)
    outside = client.get(reverse("users:user_detail", args=[outsider.pk]))
    missing = client.get(reverse("users:user_detail", args=[999999]))
    assert outside.status_code == missing.status_code == 404


def test_admin_page_of_own_account_offers_no_role_or_status_change(client, personas):
    client.force_login(personas.admin)
    page = client.get(reverse("users:user_detail", args=[personas.admin.pk])).content.decode()
    assert reverse("users:role_assign", args=[personas.admin.pk]) not in page
    assert reverse("users:user_set_active", args=[personas.admin.pk]) not in page
