import pytest


@pytest.fixture(autouse=True)
def _web_test_settings(settings: pytest.FixtureRequest) -> None:
    """Plain HTTP and unhashed static names: production's HTTPS redirect and the collected
    static manifest are not what these page tests exercise; a fast hasher for the personas."""
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
