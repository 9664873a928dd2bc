"""The embedded SQLite default is configured for a web server and a writer at once."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_sqlite_runs_in_wal_with_busy_timeout_and_foreign_keys() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only settings")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_the_default_language_is_indonesian(settings) -> None:
    assert settings.LANGUAGE_CODE == "id"
    assert "en" in dict(settings.LANGUAGES)


def test_a_fresh_sqlite_database_is_in_wal_mode(tmp_path) -> None:
    import os
    import sqlite3
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DTKS_DATA_DIR=str(tmp_path), DEBUG="1")
    subprocess.run(
        [sys.executable, "-m", "dtks", "migrate", "-v0"], env=env, check=True, timeout=300
    )
    db = sqlite3.connect(tmp_path / "dtks.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0
