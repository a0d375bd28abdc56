"""Settings shared by every environment; the environment decides the rest."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Defina SECRET_KEY en el entorno (o DEBUG=1 para desarrollo).")
    SECRET_KEY = "solo-desarrollo-no-usar-en-produccion"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "simple_history",
    "casmul",
    "centros",
    "salud",
    "convenios",
    "presupuesto",
    "rendicion",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "casmul.urls"
WSGI_APPLICATION = "casmul.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casmul.context_processors.portal",
            ],
        },
    },
]

# SQLite by default so that a newcomer needs nothing installed; PostgreSQL in production:
# DATABASE_URL=postgres://user@host:5432/casmul (a Unix socket: postgres://user@%2Fvar%2Frun%2Fpostgresql/casmul)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "es"
LANGUAGES = [("es", "Español")]
TIME_ZONE = "America/Guayaquil"
USE_I18N = True
USE_TZ = True
# Ecuadorian formats: 31/12/2023, 66.338, $1.600.469,59.
FORMAT_MODULE_PATH = ["casmul.formats"]
# Numbers are grouped by the `numero`/`dinero` filters; grouping every integer would print
# years as "2.023".
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "casmul" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Spreadsheets kept between an import's preview and its confirmation: people's data, never
# served, so outside MEDIA_ROOT.
IMPORTACIONES_ROOT = Path(os.environ.get("IMPORTACIONES_ROOT", BASE_DIR / "importaciones"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inicio"
LOGOUT_REDIRECT_URL = "login"

INSTITUCION_NOMBRE = "Centro de Apoyo Social Municipal de Loja"
INSTITUCION_SIGLAS = "CASMUL"

# Spreadsheet imports (django-import-export): every import runs in a transaction, and only
# users who may add records import them (by default anyone with admin access could); the
# coordination, with view permission, may export.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# The portal's own records to stdout, where the server's journal keeps them: among them
# `casmul.datos_personales`, one line per view or export of a person's data (who, when, what;
# never the cédula).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "linea": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
    },
    "handlers": {
        "consola": {"class": "logging.StreamHandler", "formatter": "linea"},
    },
    "loggers": {
        "casmul": {"handlers": ["consola"], "level": "INFO"},
    },
}

# Each concern keeps its settings in a module of its own; their apps and middleware go last
# (axes' middleware must follow the others).
from .cargas import *  # noqa: E402, F403
from .privacidad import *  # noqa: E402, F403
from .seguridad import *  # noqa: E402, F403

INSTALLED_APPS += APPS_PRIVACIDAD + APPS_SEGURIDAD  # noqa: F405
MIDDLEWARE += MIDDLEWARE_PRIVACIDAD + MIDDLEWARE_SEGURIDAD  # noqa: F405
