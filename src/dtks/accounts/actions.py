"""Account actions: API tokens (issue, revoke). Atomic and audited like every state change."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtks.audit.record import Change, record_event
from dtks.core.errors import PermissionDeniedError

from .models import ApiToken, User
from .roles import Perm

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
