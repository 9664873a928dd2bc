"""How an API request proves who it is: a bearer token, or the browser session (with CSRF)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from dtks.accounts.actions import hash_api_key
from dtks.accounts.models import ApiToken, User

# Writing last_used_at on every call would turn each read into a write; once a minute suffices.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class BearerToken(HttpBearer):
    """`Authorization: Bearer <key>`, checked against the SHA-256 stored in `ApiToken`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_api_key(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


# Token first: a client that sends a token is never asked for a CSRF token.
API_AUTH = [BearerToken(), django_auth]
