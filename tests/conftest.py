"""Shared fixtures: a small piece of Kabupaten Bengkulu Tengah and one persona per role.

Desa A (17.09.01.2001) and desa B (17.09.02.2001) lie in different kecamatan, so every
persona has something inside and something outside its area.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import models
from django.test import override_settings

from dtks.accounts.roles import Role
from tests.factories import RegionFactory, UserFactory, family_with_members

TEST_SETTINGS = {
    # The test server speaks plain HTTP: production's HTTPS redirect and secure cookies are
    # checked by `dtks check --deploy` in CI, not by page tests.
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
    # Personas are created per test; PBKDF2 would spend most of the suite hashing.
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    # Templates resolve {% static %} without a collected manifest; WhiteNoise serves the
    # app's static files from their source folders.
    "STATIC_ROOT": None,
    "WHITENOISE_USE_FINDERS": True,
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every table's ids start past 999, each at its own offset, as in a registry in use: a
    page that prints an id with a thousands separator ("1.791"), or mistakes one model's id for
    another's, fails on both databases instead of only once the sequences have grown."""
    from django.apps import apps
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        tables = sorted(
            (model._meta.db_table, model._meta.pk.column)
            for model in apps.get_models()
            if model._meta.managed and isinstance(model._meta.pk, models.AutoField)
        )
        for i, (table, column) in enumerate(tables):
            start = 10_000 + i * 100_000
            if connection.vendor == "postgresql":
                sequence = "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)"
                cursor.execute(sequence, [table, column, start])
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start - 1]
                )


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    with override_settings(**TEST_SETTINGS):
        yield


DESA_A = "17.09.01.2001"
DESA_A2 = "17.09.01.2002"
DESA_B = "17.09.02.2001"
KEC_A = "17.09.01"
KEC_B = "17.09.02"
KAB = "17.09"
OTHER_KAB_DESA = "17.01.01.2001"


@pytest.fixture
def regions(db: None) -> None:
    RegionFactory(code="17", name="Bengkulu", level=1, kind="provinsi", parent=None)
    RegionFactory(code=KAB, name="Bengkulu Tengah", level=2, kind="kabupaten", parent_id="17")
    RegionFactory(code="17.01", name="Bengkulu Selatan", level=2, kind="kabupaten", parent_id="17")
    RegionFactory(code=KEC_A, name="Karang Tinggi", level=3, kind="kecamatan", parent_id=KAB)
    RegionFactory(code=KEC_B, name="Talang Empat", level=3, kind="kecamatan", parent_id=KAB)
    RegionFactory(code="17.01.01", name="Manna", level=3, kind="kecamatan", parent_id="17.01")
    RegionFactory(code=DESA_A, name="Taba Terunjam", level=4, kind="desa", parent_id=KEC_A)
    RegionFactory(code=DESA_A2, name="Talang Empat", level=4, kind="desa", parent_id=KEC_A)
    RegionFactory(code=DESA_B, name="Air Sebakul", level=4, kind="desa", parent_id=KEC_B)
    RegionFactory(
        code=OTHER_KAB_DESA, name="Padang Panjang", level=4, kind="desa", parent_id="17.01.01"
    )


@dataclass
class Personas:
    operator_a: object
    operator_b: object
    operator_kecamatan: object
    pengisi: object
    pengelola: object
    admin: object
    pengesah: object
    pimpinan: object
    nobody: object  # logged in, no role at all

    def all(self) -> dict[str, object]:
        return dict(self.__dict__)


@pytest.fixture
def personas(regions: None) -> Personas:
    return Personas(
        operator_a=UserFactory(username="op_a", roles=[(Role.OPERATOR_DESA, DESA_A)]),
        operator_b=UserFactory(username="op_b", roles=[(Role.OPERATOR_DESA, DESA_B)]),
        operator_kecamatan=UserFactory(username="op_kec", roles=[(Role.OPERATOR_KECAMATAN, KEC_A)]),
        pengisi=UserFactory(username="pengisi", roles=[(Role.PENGISI_DATA, KAB)]),
        pengelola=UserFactory(username="pengelola", roles=[(Role.PENGELOLA, KAB)]),
        admin=UserFactory(username="admin", roles=[(Role.ADMIN, KAB)]),
        pengesah=UserFactory(username="pengesah", roles=[(Role.PENGESAH, KAB)]),
        pimpinan=UserFactory(username="pimpinan", roles=[(Role.PIMPINAN, KAB)]),
        nobody=UserFactory(username="nobody"),
    )


@pytest.fixture
def family_a(regions: None):
    """A family of four in desa A."""
    return family_with_members(DESA_A, size=4)


@pytest.fixture
def family_b(regions: None):
    """A family of three in desa B (another kecamatan)."""
    return family_with_members(DESA_B, size=3)
