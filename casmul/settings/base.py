"""Settings shared by every environment; the environment decides the rest."""

import datetime
import json
import logging
import os
from email.utils import getaddresses
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


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} debe ser un número entero, no «{value}».") from None


def env_admins(name: str) -> list[tuple[str, str]]:
    """`Nombre <correo@dominio>, Otra <otra@dominio>` as Django's (name, address) pairs; a
    typo fails at start-up rather than silently losing the error mails."""
    pares = getaddresses([os.environ.get(name, "")])
    if any("@" not in correo for _, correo in pares):
        raise ImproperlyConfigured(f"{name} debe tener la forma «Nombre <correo@dominio>, …».")
    return [(nombre, correo) for nombre, correo in pares]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Defina SECRET_KEY en el entorno (o DEBUG=1 para desarrollo).")
    SECRET_KEY = "solo-desarrollo-no-usar-en-produccion"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin, whose site lets in only the administration (`casmul.admin_sitio`).
    "casmul.apps.CasmulAdminConfig",
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
    "participacion",
    "rendicion",
]

MIDDLEWARE = [
    # First, so that it also answers for the database failing inside the middleware below
    # (session, authentication, history).
    "casmul.middleware.BaseDeDatosNoDisponible",
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
                "centros.context_processors.pendientes",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as the embedded default holds two people saving beside the task worker
    # (bench/sqlite.py): a transaction that writes takes the write lock when it begins
    # (IMMEDIATE), so it waits for another writer (busy timeout, seconds) instead of failing
    # at once with «database is locked» when it would have to upgrade a read lock; WAL lets
    # readers (the report, the matrix) go on while someone writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
# No ATOMIC_REQUESTS: every write already runs in one service under `transaction.atomic`
# (tests/casmul/test_errores.py pins that a write failing half-way leaves nothing), and a
# transaction around every request would also hold one open through the long reads (the
# report, its PDF) for nothing.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id first (casmul.accesos.Argon2Portal says which parameters, and why): a login cost half
# a second of CPU with PBKDF2. PBKDF2 stays after it so that the passwords hashed before still
# verify; Django rehashes each with Argon2 at its owner's next login.
PASSWORD_HASHERS = [
    "casmul.accesos.Argon2Portal",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

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
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
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

# A year is compared with another only where both stand on at least this share of their
# months of operation approved (the comparison page): fewer, and its figures are a partial
# count that would print as a fall.
COMPARACION_MESES_APROBADOS_MINIMO = 0.9

# Each month is due by this day of the following month, unless the coordination sets another
# for the year (centros.models.PlazoDelAnio).
PLAZO_DIA_POR_DEFECTO = 10

INSTITUCION_NOMBRE = "Centro de Apoyo Social Municipal de Loja"
INSTITUCION_SIGLAS = "CASMUL"

# Spreadsheet imports (django-import-export): every import runs in a transaction, and only
# users who may add records import them (by default anyone with admin access could); the
# admin is the administration's alone (casmul.admin_sitio).
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# The admin's import keeps the uploaded file between its preview and its confirmation under
# IMPORTACIONES_ROOT/admin, not in the system's /tmp: people's data, backed up and removed with
# the portal's own kept files (`manage.py tareas_depurar`), where the daily sweep, in a service
# of its own, can see them.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "casmul.hojas.guardadas.TemporalDeImportacion"

# Who receives the unhandled errors by e-mail (optional): ADMINS="Nombre <correo@dominio>, …",
# through the SMTP server below (by default the server's own, on localhost:25).
ADMINS = env_admins("ADMINS")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", "root@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
# The notices to staff and coordination (centros.services.avisos) come from this address and
# link to the portal at PORTAL_URL, as its users reach it.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Portal CASMUL <no-responder@localhost>")
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")
# The reminder of a month's due day goes from this many days before it.
AVISO_DIAS_ANTES_DEL_PLAZO = env_int("AVISO_DIAS_ANTES_DEL_PLAZO", 3)


class _LineaJSON(logging.Formatter):
    """One JSON object a line: a traceback stays inside its record, so that the journal does
    not split it into lines that have lost their time, level and logger."""

    def format(self, record: logging.LogRecord) -> str:
        linea = {
            # The process's time zone is TIME_ZONE (Django sets TZ), so local Loja time.
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
            .astimezone()
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            linea["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            linea["stack"] = self.formatStack(record.stack_info)
        return json.dumps(linea, ensure_ascii=False)


class _DeOtrasBibliotecas(logging.Filter):
    """The root's console takes what no logger below printed already: `casmul` and `django`
    have the console themselves (and propagate, so that pytest's caplog sees them)."""

    PROPIOS = frozenset({"casmul", "django"})

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.split(".", 1)[0] not in self.PROPIOS


# Every record to stdout, where the server's journal keeps it, one line each: the portal's own
# (among them `casmul.datos_personales`, one line per view or export of a person's data: who,
# when, what; never the cédula), Django's warnings and errors (`django.request` logs each
# unhandled error at ERROR with its traceback; only the path, never the query string) and any
# library's warnings.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "sin_debug": {"()": "django.utils.log.RequireDebugFalse"},
        "otras_bibliotecas": {"()": _DeOtrasBibliotecas},
    },
    "formatters": {
        "json": {"()": _LineaJSON},
        "servidor": {"()": "django.utils.log.ServerFormatter", "format": "{message}", "style": "{"},
    },
    "handlers": {
        "consola": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        },
        "correo_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["sin_debug"],
        },
        "consola_otras": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["otras_bibliotecas"],
        },
        # `runserver`'s own request lines, readable as Django prints them (development only).
        "servidor": {"class": "logging.StreamHandler", "formatter": "servidor"},
    },
    "root": {"handlers": ["consola_otras"], "level": "WARNING"},
    "loggers": {
        "casmul": {"handlers": ["consola"], "level": "INFO"},
        "django": {"handlers": ["consola", "correo_admins"], "level": "INFO"},
        "django.server": {"handlers": ["servidor"], "level": "INFO", "propagate": False},
    },
}

# Each concern keeps its settings in a module of its own; their apps and middleware go last
# (axes' middleware must follow the others).
from .cache import *  # noqa: E402, F403
from .cargas import *  # noqa: E402, F403
from .privacidad import *  # noqa: E402, F403
from .seguridad import *  # noqa: E402, F403
from .tareas import *  # noqa: E402, F403

INSTALLED_APPS += APPS_PRIVACIDAD + APPS_SEGURIDAD + APPS_TAREAS  # noqa: F405
# A request too large is refused before anything reads it (no session, no database).
MIDDLEWARE = MIDDLEWARE_CARGAS + MIDDLEWARE + MIDDLEWARE_PRIVACIDAD + MIDDLEWARE_SEGURIDAD  # noqa: F405
