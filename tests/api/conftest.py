from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def api_client():
    """A client logged in as the given persona (session auth)."""

    def make(user: object | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _plain_http(settings) -> None:
    """Plain HTTP, static files without a manifest, fast password hashing: not under test here."""
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
