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
