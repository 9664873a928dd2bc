"""One settings module, driven by the environment.

`DATABASE_URL` selects PostgreSQL in production; without it dtks runs on a SQLite file under
`DTKS_DATA_DIR` (default `./dtks-data`) so a village office can run it on one laptop.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DTKS_DATA_DIR", "dtks-data")).resolve()

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data dir.

    A single-laptop install then needs no configuration, and the key survives restarts.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret.key"
    if not path.exists():
        from django.core.management.utils import get_random_secret_key

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key() + get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "ninja",  # serves its bundled Swagger UI from static files instead of a CDN
    "django_tasks",
    "django_tasks_db",  # background jobs in the database: no broker to install
    "dtks.core",
    "dtks.audit",
    "dtks.wilayah",
    "dtks.accounts",
    "dtks.registry",
    "dtks.verification",
    "dtks.eligibility",
    "dtks.imports",
    "dtks.dedup",
    "dtks.linkage",
    "dtks.adminduk",
    "dtks.schedule",
    "dtks.proposals",
    "dtks.reports",
    "dtks.periods",
    "dtks.training",
    "dtks.survey",
    "dtks.performance",
    "dtks.api",
    "dtks.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dtks.middleware.ChosenLanguageMiddleware",  # Indonesian unless the user switched
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dtks.urls"
WSGI_APPLICATION = "dtks.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'dtks.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on busy_timeout instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            " PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DTKS_TEST_SQLITE")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login rate limiting: five failures lock the username+IP pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Sessions expire: 8 working hours, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True
# Off: with it on, every integer a template prints is grouped ("1.791"), ids in data attributes
# and form values included, which then no longer name their row. Counts shown to people are
# grouped explicitly with humanize's `intcomma`, which follows the locale (23.507 in Indonesian).
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # project-wide CSS and vendored htmx
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"  # outside the web root; never served directly
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Security: production runs behind HTTPS unless explicitly told otherwise (a LAN-only install).
SECURE = env_bool("DTKS_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Background jobs (imports): queued in the database, run by `dtks db_worker`. A deployment may
# point DTKS_TASK_BACKEND at another django-tasks backend.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("DTKS_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Uploads: size of the file itself, and what an xlsx may expand to once unzipped.
DTKS_IMPORT_MAX_BYTES = int(os.environ.get("DTKS_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
DTKS_IMPORT_MAX_UNCOMPRESSED = int(
    os.environ.get("DTKS_IMPORT_MAX_UNCOMPRESSED", str(500 * 1024 * 1024))
)

# The DTKS year the live registry describes (recap --year defaults to it).
DTKS_CURRENT_YEAR = int(os.environ.get("DTKS_CURRENT_YEAR", "2023"))
# Rows read, validated and staged at a time: memory stays flat in the size of the file.
DTKS_IMPORT_CHUNK_ROWS = int(os.environ.get("DTKS_IMPORT_CHUNK_ROWS", "100000"))
# PostgreSQL work_mem for the settling and promoting transaction of an import (its sorts and
# hash joins span the whole batch); the server's own setting applies everywhere else.
DTKS_IMPORT_WORK_MEM = os.environ.get("DTKS_IMPORT_WORK_MEM", "256MB")

# Sections that apps above the registry add to the family page (`callable(request, family)`).
DTKS_FAMILY_PANELS = (
    "dtks.eligibility.views.family_panel",
    "dtks.adminduk.views.family_panel",
    "dtks.proposals.views.family_panel",
)

# Conflict of interest (Kepmensos 73/HUK/2024): ties judged above the registry, by dotted path.
# Each `tie(user, subject)` returns extra `registry.conflicts.Conflict`s for every change.
DTKS_CONFLICT_TIES = (
    "dtks.linkage.ties.probable_member",
    "dtks.linkage.ties.same_household",
)
# The officers in the registry under another NIK (`hook(users, persons)`), for the verifier's
# list at /keluarga/petugas-terdaftar/; "" lists only exact NIK / No. KK matches.
DTKS_OFFICER_MATCHES = "dtks.linkage.ties.probable_officers"

# Columns of the readiness board at /jadwal/kesiapan/ from apps above dtks.schedule: dotted
# paths of `source(desa_codes, period) -> {desa_code: {column: int | bool}}`, where period is a
# `dtks.schedule.windows.Month`.
DTKS_READINESS_SOURCES: tuple[str, ...] = ("dtks.proposals.readiness.proposal_readiness",)
# Largest musdes berita acara / BNBA list a desa may upload with its proposals.
DTKS_PROPOSAL_DOCUMENT_MAX_BYTES = int(
    os.environ.get("DTKS_PROPOSAL_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024))
)

# Ratification pack (berita acara pengesahan + lampiran, `dtks.proposals.pack`). The letterhead
# (kop) and the signatory are the kabupaten's own; `logo` is a PNG/JPEG path ("" prints none).
DTKS_LETTERHEAD = {
    "government": os.environ.get(
        "DTKS_LETTERHEAD_GOVERNMENT", "PEMERINTAH KABUPATEN BENGKULU TENGAH"
    ),
    "agency": os.environ.get("DTKS_LETTERHEAD_AGENCY", "DINAS SOSIAL"),
    "address": os.environ.get(
        "DTKS_LETTERHEAD_ADDRESS", "Kompleks Perkantoran Pemerintah Daerah, Karang Tinggi"
    ),
    "contact": os.environ.get("DTKS_LETTERHEAD_CONTACT", ""),
    "logo": os.environ.get("DTKS_LETTERHEAD_LOGO", ""),
}
# Who signs: role "Bupati" or "Sekretaris Daerah" (signing a.n. Bupati, with NIP); a blank
# name leaves a dotted line to write it by hand. `place` opens the date line.
DTKS_SIGNATORY = {
    "role": os.environ.get("DTKS_SIGNATORY_ROLE", "Bupati"),
    "region": os.environ.get("DTKS_SIGNATORY_REGION", "Bengkulu Tengah"),
    "name": os.environ.get("DTKS_SIGNATORY_NAME", ""),
    "nip": os.environ.get("DTKS_SIGNATORY_NIP", ""),
    "place": os.environ.get("DTKS_SIGNATORY_PLACE", "Karang Tinggi"),
}
# The pack's number: {seq} (per year of issue), {year}, {month}, {month_roman}.
DTKS_PACK_NUMBER_FORMAT = os.environ.get("DTKS_PACK_NUMBER_FORMAT", "400.9/{seq}/DINSOS/{year}")
