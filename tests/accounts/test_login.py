"""Login, lockout after five failures (django-axes), logout by POST, session expiry."""

from __future__ import annotations

from django.conf import settings as project_settings
from django.urls import reverse


def _login(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_indonesian(client, db):
    page = client.get(reverse("login")).content.decode()
    assert 'lang="id"' in page
    assert "Masuk" in page


def test_operator_logs_in_and_lands_on_dashboard(client, personas):
    response = _login(client, "op_a", "rahasia-123")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_wrong_password_shows_indonesian_message(client, personas):
    page = _login(client, "op_a", "salah").content.decode()
    assert "Nama pengguna atau kata sandi salah" in page


def test_five_failures_lock_the_account_even_with_the_right_password(client, personas):
    for _ in range(5):
        _login(client, "op_a", "salah")
    response = _login(client, "op_a", "rahasia-123")
    assert response.status_code == 429
    assert "terkunci" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username(client, personas):
    for _ in range(5):
        _login(client, "op_a", "salah")
    assert _login(client, "op_b", "rahasia-123").status_code == 302


def test_logout_requires_post(client, personas):
    client.force_login(personas.operator_a)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_sessions_expire():
    assert 0 < project_settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert project_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_session_cookie_carries_the_expiry(client, personas):
    response = _login(client, "op_a", "rahasia-123")
    cookie = response.cookies[project_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" or int(cookie["max-age"]) <= project_settings.SESSION_COOKIE_AGE
    assert client.session.get_expiry_age() == project_settings.SESSION_COOKIE_AGE
