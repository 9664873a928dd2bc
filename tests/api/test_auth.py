"""API authentication: bearer tokens (hashed at rest, revocable, audited) and session + CSRF."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from dtks.accounts.actions import hash_api_key, issue_api_token, revoke_api_token
from dtks.accounts.models import ApiToken
from dtks.audit.models import AuditEvent
from dtks.core.errors import PermissionDeniedError


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_token_authenticates_as_its_user(personas, family_a, family_b):
    key = issue_api_token(personas.operator_b, by=personas.operator_b, name="laptop")
    body = Client().get("/api/v1/families", **bearer(key)).json()
    assert [f["id"] for f in body["items"]] == [family_b.id]


def test_only_the_hash_of_the_key_is_stored(personas):
    key = issue_api_token(personas.pengelola, by=None, name="sync")
    token = ApiToken.objects.get()
    assert token.key_hash == hash_api_key(key)
    assert key not in token.key_hash


def test_issuing_and_revoking_are_audited(personas):
    issue_api_token(personas.pengelola, by=personas.admin, name="sync")
    revoke_api_token(ApiToken.objects.get(), by=personas.admin)
    assert list(AuditEvent.objects.order_by("id").values_list("action", "actor")) == [
        ("issue_api_token", personas.admin.id),
        ("revoke_api_token", personas.admin.id),
    ]


def test_revoked_token_is_refused(personas, family_a):
    key = issue_api_token(personas.operator_a, by=None, name="old")
    revoke_api_token(ApiToken.objects.get(), by=None)
    assert Client().get("/api/v1/families", **bearer(key)).status_code == 401


def test_unknown_token_is_refused(personas):
    assert Client().get("/api/v1/families", **bearer("dtks_wrong")).status_code == 401


def test_operator_cannot_issue_token_for_another_user(personas):
    with pytest.raises(PermissionDeniedError):
        issue_api_token(personas.operator_b, by=personas.operator_a, name="x")
    assert not ApiToken.objects.exists()


def test_command_prints_a_working_key_once(personas, family_a):
    out = StringIO()
    call_command("api_token", "op_a", "--name", "sync", stdout=out)
    key = out.getvalue().strip()
    assert re.fullmatch(r"dtks_[\w-]{40,}", key)
    assert Client().get("/api/v1/families", **bearer(key)).status_code == 200


def test_command_revokes_by_name(personas):
    issue_api_token(personas.operator_a, by=None, name="sync")
    call_command("api_token", "op_a", "--name", "sync", "--revoke", stdout=StringIO())
    assert ApiToken.objects.get().revoked_at is not None


def test_session_post_without_csrf_token_is_refused(personas, family_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.operator_a)
    response = client.post(
        "/api/v1/families/search", {"q": family_a.no_kk}, content_type="application/json"
    )
    assert response.status_code == 403
    assert family_a.no_kk not in response.content.decode()


def test_session_post_with_csrf_token_is_accepted(personas, family_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.operator_a)
    token = "a" * 32  # the browser echoes its csrftoken cookie in the X-CSRFToken header
    client.cookies["csrftoken"] = token
    response = client.post(
        "/api/v1/families/search",
        {"q": family_a.no_kk},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert [f["id"] for f in response.json()["items"]] == [family_a.id]


def test_token_post_needs_no_csrf_token(personas, family_a):
    key = issue_api_token(personas.operator_a, by=None, name="sync")
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/persons/search",
        {"q": family_a.no_kk},
        content_type="application/json",
        **bearer(key),
    )
    assert response.json()["count"] == 4
