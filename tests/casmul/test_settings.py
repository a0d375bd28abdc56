import datetime
import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
from django.utils import formats, translation

RAIZ = Path(__file__).resolve().parents[2]


def _importar_settings(modulo: str, **entorno: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    env.update(entorno)
    codigo = (
        f"import importlib; s = importlib.import_module('{modulo}'); "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default'].get('HOST', ''))"
    )
    return subprocess.run(
        [sys.executable, "-c", codigo], cwd=RAIZ, env=env, capture_output=True, text=True
    )


def test_database_url_with_a_unix_socket_host_is_decoded():
    config = dj_database_url.parse("postgres://postgres@%2Fvar%2Frun%2Fpostgresql/casmul")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["HOST"] == "/var/run/postgresql"
    assert config["NAME"] == "casmul"


def test_default_database_is_a_sqlite_file_in_the_project():
    resultado = _importar_settings("casmul.settings.local")

    assert resultado.returncode == 0, resultado.stderr
    assert resultado.stdout.split()[0] == "django.db.backends.sqlite3"


def test_postgres_url_from_the_environment_is_used():
    resultado = _importar_settings(
        "casmul.settings.production",
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://portal@%2Fvar%2Frun%2Fpostgresql/casmul",
    )

    assert resultado.returncode == 0, resultado.stderr
    assert resultado.stdout.split() == ["django.db.backends.postgresql", "/var/run/postgresql"]


def test_production_refuses_to_start_without_a_secret_key():
    resultado = _importar_settings("casmul.settings.production")

    assert resultado.returncode != 0
    assert "SECRET_KEY" in resultado.stderr


def test_spanish_ecuadorian_formats(settings):
    with translation.override("es"):
        assert formats.date_format(datetime.date(2023, 12, 31), "SHORT_DATE_FORMAT") == "31/12/2023"
        assert formats.number_format(66338, force_grouping=True) == "66.338"
    assert settings.TIME_ZONE == "America/Guayaquil"
