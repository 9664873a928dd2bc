"""Account actions: API tokens (issue, revoke) and user administration (accounts, roles,
activation, passwords). Atomic and audited like every state change."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtks.audit.record import Change, record_event
from dtks.core import nik as nik_rules
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.core.nik import validate_nik, validate_no_kk
from dtks.wilayah.models import Level

from .models import ApiToken, RoleAssignment, User
from .roles import DATA_ROLES, ROLE_AREA_LEVEL, Perm, Role
from .scope import in_area

if TYPE_CHECKING:
    from dtks.wilayah.models import Region

USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length
NAME_MAX_LENGTH = User._meta.get_field("first_name").max_length

TOKEN_PREFIX = "dtks_"


def hash_api_key(key: str) -> str:
    """The stored form of a key: its SHA-256, so a database leak reveals no usable token."""
    return hashlib.sha256(key.encode()).hexdigest()


def _check_may_manage(user: User, by: User | None) -> None:
    """A user manages their own tokens; others' only with MANAGE_USERS (`by=None`: the shell)."""
    if by is not None and by.pk != user.pk and not by.can(Perm.MANAGE_USERS):
        raise PermissionDeniedError(_("You may not manage API tokens of another user"))


def _change(token: ApiToken, before: dict | None, after: dict | None) -> Change:
    return Change(subject_type="api_token", subject_id=str(token.pk), before=before, after=after)


@transaction.atomic
def issue_api_token(user: User, *, by: User | None, name: str) -> str:
    """Create a bearer token for `user` and return its key: shown once, never stored."""
    _check_may_manage(user, by)
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_api_key(key))
    record_event(by, "issue_api_token", _change(token, None, {"user": user.username, "name": name}))
    return key


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: User | None) -> None:
    """Revoke `token` at once; a revoked token never authenticates again."""
    _check_may_manage(token.user, by)
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    state = {"user": token.user.username, "name": token.name}
    record_event(by, "revoke_api_token", _change(token, state, {**state, "revoked": True}))


# ---------------------------------------------------------------------------------------------
# User administration (admin pengguna). `by=None` is the command line only (`dtks create_user`,
# the bootstrap path for the first administrator); the web always passes the signed-in user.
# Kepmensos 73/HUK/2024: the user-admin function is not held together with a data function,
# and the kabupaten functions (data entry, verification, ratification) are not held by one
# person.

CLI_ACTOR = "cli"

# Kabupaten data functions that one person may not combine over the same kabupaten.
KABUPATEN_FUNCTIONS = frozenset({Role.PENGISI_DATA, Role.PENGELOLA, Role.PENGESAH})


def _actor(by: User | None) -> User | str:
    return by if by is not None else CLI_ACTOR


def _authorise_admin(by: User | None) -> None:
    if by is not None and not by.can(Perm.MANAGE_USERS):
        raise PermissionDeniedError(_("Your role may not manage users."), code="forbidden")


def _authorise_area(by: User | None, code: str) -> None:
    """Refuse an area outside the administrator's own (the command line may use any area)."""
    if by is not None and not in_area(by, code, Perm.MANAGE_USERS):
        raise PermissionDeniedError(
            _("This area lies outside the area you administer."), field="area", code="out_of_area"
        )


def _authorise_account(user: User, by: User | None) -> None:
    """Refuse an account that also holds a role outside the administrator's area: changing it
    would change access the administrator of that other area is answerable for."""
    if by is None:
        return
    for assignment in user.role_assignments.all():
        if not in_area(by, assignment.area_id, Perm.MANAGE_USERS):
            raise PermissionDeniedError(
                _(
                    "%(username)s also holds a role outside the area you administer; only an "
                    "administrator of that area may change this account."
                )
                % {"username": user.username},
                field="user",
                code="out_of_area",
            )


def _refuse_self(user: User, by: User | None, message: str) -> None:
    if by is not None and by.pk == user.pk:
        raise PermissionDeniedError(message, field="user", code="self")


def _user_state(user: User) -> dict[str, Any]:
    """What the audit keeps of an account: never the password or its hash."""
    return {
        "username": user.username,
        "full_name": user.first_name,
        "email": user.email,
        "nik": user.nik,
        "no_kk": user.no_kk,
        "is_active": user.is_active,
    }


def _user_change(user: User, before: dict | None, after: dict | None) -> Change:
    return Change(subject_type="user", subject_id=str(user.pk), before=before, after=after)


def _assignment_state(assignment: RoleAssignment) -> dict[str, Any]:
    return {
        "user": assignment.user.username,
        "role": assignment.role,
        "area": assignment.area_id,
    }


def _assignment_change(
    assignment: RoleAssignment, before: dict | None, after: dict | None
) -> Change:
    return Change(
        subject_type="role_assignment",
        subject_id=str(assignment.pk),
        before=before,
        after=after,
        region_code=assignment.area_id,
    )


def _first_message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise DomainError(_("Enter a username."), field="username")
    if len(username) > USERNAME_MAX_LENGTH:
        raise DomainError(
            _("The username may have at most %(n)d characters.") % {"n": USERNAME_MAX_LENGTH},
            field="username",
        )
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise DomainError(_first_message(exc), field="username") from exc
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            _("The username %(username)s is already taken.") % {"username": username},
            field="username",
            code="duplicate_username",
        )
    return username


def _clean_full_name(full_name: str) -> str:
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise DomainError(_("Enter the user's full name."), field="full_name")
    if len(full_name) > NAME_MAX_LENGTH:
        raise DomainError(
            _("The full name may have at most %(n)d characters.") % {"n": NAME_MAX_LENGTH},
            field="full_name",
        )
    return full_name


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError(_first_message(exc), field="email") from exc
    return email


def _clean_identity(value: str, field: str) -> str:
    """A NIK or No. KK checked with `dtks.core.nik`; warnings (an old region code) pass."""
    value = (value or "").strip()
    if not value:
        return ""
    check = validate_nik if field == "nik" else validate_no_kk
    errors = [p for p in check(value) if p.severity == nik_rules.ERROR]
    if errors:
        raise DomainError(errors[0].message, field=field)
    return value


def _ensure_one_account_per_nik(nik: str, *, exclude_pk: int | None = None) -> None:
    """One person, one account: two accounts would let one person hold functions that the
    separation of duties keeps apart. The message does not say whose account it is."""
    if nik and User.objects.filter(nik=nik).exclude(pk=exclude_pk).exists():
        raise DomainError(
            _("This NIK already belongs to another account; a person holds one account."),
            field="nik",
            code="duplicate_nik",
        )


def _check_password(password: str, user: User) -> None:
    """Django's AUTH_PASSWORD_VALIDATORS, with their messages in the active language."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(_first_message(exc), field="password") from exc


@transaction.atomic
def create_user(
    *,
    by: User | None,
    username: str,
    full_name: str,
    password: str,
    nik: str = "",
    no_kk: str = "",
    email: str = "",
) -> User:
    """Open an account. It holds no role until `assign_role`; callers do both in one
    transaction so that no account exists that no administrator can see."""
    _authorise_admin(by)
    user = User(
        username=_clean_username(username),
        first_name=_clean_full_name(full_name),  # Indonesian names do not split into two parts
        email=_clean_email(email),
        nik=_clean_identity(nik, "nik"),
        no_kk=_clean_identity(no_kk, "no_kk"),
    )
    _ensure_one_account_per_nik(user.nik)
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise DomainError(
            _("The username %(username)s is already taken.") % {"username": user.username},
            field="username",
            code="duplicate_username",
        ) from exc
    record_event(_actor(by), "create_user", _user_change(user, None, _user_state(user)))
    return user


def _check_role_and_level(role: str, area: Region) -> None:
    if role not in Role.values:
        raise DomainError(_("Choose a valid role."), field="role")
    levels = ROLE_AREA_LEVEL[role]
    if area.level not in levels:
        raise DomainError(
            _("%(role)s is held over a %(levels)s; %(area)s is a %(level)s.")
            % {
                "role": Role(role).label,
                "levels": " / ".join(str(Level(level).label) for level in levels),
                "area": area,
                "level": Level(area.level).label,
            },
            field="area",
            code="wrong_level",
        )


def _require_identity(user: User, role: str) -> None:
    """A data role needs the holder's own NIK and No. KK on file (Kepmensos 73/HUK/2024): the
    conflict-of-interest checks compare them with every family the holder touches, and the
    kabupaten lists officers who appear in the registry. Without them both checks are blind."""
    if role in DATA_ROLES and not (user.nik and user.no_kk):
        raise DomainError(
            _(
                "A data role needs the user's own NIK and No. KK on file: conflict-of-interest "
                "checks compare them with the registry. Record them first."
            ),
            field="nik",
            code="identity_missing",
        )


def _check_separation(held: list[RoleAssignment], role: str, area: Region) -> None:
    """Kepmensos 73/HUK/2024: admin apart from data roles; kabupaten functions apart."""
    if any(a.role == role and a.area_id == area.code for a in held):
        raise DomainError(
            _("The user already holds this role over this area."), field="role", code="duplicate"
        )
    roles = {a.role for a in held}
    if role == Role.ADMIN and roles & DATA_ROLES:
        raise DomainError(
            _("A user administrator may not also hold a data role; this user holds one."),
            field="role",
            code="separation",
        )
    if role in DATA_ROLES and Role.ADMIN in roles:
        raise DomainError(
            _("A user administrator may not also hold a data role; revoke the admin role first."),
            field="role",
            code="separation",
        )
    clash = next(
        (
            a
            for a in held
            if role in KABUPATEN_FUNCTIONS
            and a.role in KABUPATEN_FUNCTIONS
            and a.role != role
            and a.area_id == area.code
        ),
        None,
    )
    if clash is not None:
        raise DomainError(
            _(
                "The user is already %(held)s over this kabupaten; data entry, verification "
                "and ratification are held by different persons."
            )
            % {"held": clash.get_role_display()},
            field="role",
            code="separation",
        )


@transaction.atomic
def assign_role(user: User, *, by: User | None, role: str, area: Region) -> RoleAssignment:
    """Give `user` a role over `area` (a desa for an operator desa, a kecamatan for an operator
    kecamatan, a kabupaten for the kabupaten functions), keeping the separation of duties."""
    _authorise_admin(by)
    _refuse_self(user, by, _("You cannot change your own roles."))
    _check_role_and_level(role, area)
    _authorise_area(by, area.code)
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialise role changes
    _authorise_account(user, by)
    held = list(user.role_assignments.all())
    _check_separation(held, role, area)
    _require_identity(user, role)
    assignment = RoleAssignment.objects.create(user=user, role=role, area=area)
    record_event(
        _actor(by),
        "assign_role",
        _assignment_change(assignment, None, _assignment_state(assignment)),
    )
    user.__dict__.pop("_dtks_assignments", None)
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, by: User | None) -> None:
    """Take a role away. The last role is kept: an account without a role belongs to no area
    and no administrator could see it again; deactivate the account to end all access."""
    _authorise_admin(by)
    user = assignment.user
    _refuse_self(user, by, _("You cannot change your own roles."))
    _authorise_area(by, assignment.area_id)
    User.objects.select_for_update().filter(pk=user.pk).first()
    if not user.role_assignments.exclude(pk=assignment.pk).exists():
        raise DomainError(
            _("This is the user's only role; deactivate the account instead."),
            field="role",
            code="last_role",
        )
    before = _assignment_state(assignment)
    change = _assignment_change(assignment, before, None)
    assignment.delete()
    record_event(_actor(by), "revoke_role", change)
    user.__dict__.pop("_dtks_assignments", None)


@transaction.atomic
def set_user_active(user: User, *, by: User | None, active: bool) -> None:
    """Allow or stop logins of an account (a deactivated user keeps their history and roles)."""
    _authorise_admin(by)
    _refuse_self(user, by, _("You cannot deactivate or activate your own account."))
    _authorise_account(user, by)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == bool(active):
        return
    before = _user_state(user)
    user.is_active = bool(active)
    user.save(update_fields=["is_active"])
    action = "activate_user" if active else "deactivate_user"
    record_event(_actor(by), action, _user_change(user, before, _user_state(user)))


@transaction.atomic
def set_identity(user: User, *, by: User | None, nik: str, no_kk: str) -> None:
    """Record or correct the NIK and No. KK of an account. A holder of a data role keeps both:
    emptying one would switch off the conflict-of-interest checks for them."""
    _authorise_admin(by)
    _authorise_account(user, by)
    user = User.objects.select_for_update().get(pk=user.pk)
    nik, no_kk = _clean_identity(nik, "nik"), _clean_identity(no_kk, "no_kk")
    for role in set(user.role_assignments.values_list("role", flat=True)):
        _require_identity(User(nik=nik, no_kk=no_kk), role)
    _ensure_one_account_per_nik(nik, exclude_pk=user.pk)
    if (user.nik, user.no_kk) == (nik, no_kk):
        return
    before = _user_state(user)
    user.nik, user.no_kk = nik, no_kk
    user.save(update_fields=["nik", "no_kk"])
    record_event(_actor(by), "set_user_identity", _user_change(user, before, _user_state(user)))


@transaction.atomic
def reset_password(user: User, *, by: User | None, password: str) -> None:
    """Set a new password (checked by AUTH_PASSWORD_VALIDATORS). The account's open sessions
    end, since Django ties a session to the password hash; the audit notes only the fact."""
    _authorise_admin(by)
    _authorise_account(user, by)
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record_event(_actor(by), "reset_password", _user_change(user, None, {"password_reset": True}))
