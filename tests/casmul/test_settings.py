import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import formats, translation

RAIZ = Path(__file__).resolve().parents[2]
SOCKET_UNIX = "postgres://portal@%2Fvar%2Frun%2Fpostgresql/casmul"


def _importar_settings(modulo: str, **entorno: str) -> subprocess.CompletedProcess:
    """Imports a settings module in a fresh interpreter; prints DATABASES["default"] as JSON."""
    heredadas = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CONN_MAX_AGE"}
    env = {k: v for k, v in os.environ.items() if k not in heredadas}
    env.update(entorno)
    codigo = (
        f"import importlib, json; s = importlib.import_module('{modulo}'); "
        "print(json.dumps(s.DATABASES['default'], default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", codigo], cwd=RAIZ, env=env, capture_output=True, text=True
    )


def _base_de_datos(modulo: str, **entorno: str) -> dict:
    resultado = _importar_settings(modulo, **entorno)
    assert resultado.returncode == 0, resultado.stderr
    return json.loads(resultado.stdout)


def test_default_database_is_a_sqlite_file_in_the_project():
    base = _base_de_datos("casmul.settings.local")

    assert base["ENGINE"] == "django.db.backends.sqlite3"
    assert base["NAME"] == str(RAIZ / "db.sqlite3")


def test_postgres_url_from_the_environment_is_used():
    base = _base_de_datos(
        "casmul.settings.production", SECRET_KEY="x" * 50, DATABASE_URL=SOCKET_UNIX
    )

    assert base["ENGINE"] == "django.db.backends.postgresql"
    assert (base["USER"], base["HOST"], base["NAME"]) == ("portal", "/var/run/postgresql", "casmul")


@pytest.mark.parametrize(
    ("entorno", "segundos"),
    [({}, 60), ({"CONN_MAX_AGE": "0"}, 0), ({"CONN_MAX_AGE": "600"}, 600)],
    ids=["por-defecto", "sin-persistencia", "diez-minutos"],
)
def test_connections_persist_for_conn_max_age_seconds_with_health_checks(entorno, segundos):
    base = _base_de_datos(
        "casmul.settings.production", SECRET_KEY="x" * 50, DATABASE_URL=SOCKET_UNIX, **entorno
    )

    assert base["CONN_MAX_AGE"] == segundos
    # A kept connection may have been closed by the server (restart, idle timeout).
    assert base["CONN_HEALTH_CHECKS"] is True


def test_production_refuses_to_start_without_a_secret_key():
    resultado = _importar_settings("casmul.settings.production")

    assert resultado.returncode != 0
    assert "SECRET_KEY" in resultado.stderr


def test_spanish_ecuadorian_formats(settings):
    with translation.override("es"):
        assert formats.date_format(datetime.date(2023, 12, 31), "SHORT_DATE_FORMAT") == "31/12/2023"
        assert formats.number_format(66338, force_grouping=True) == "66.338"
    assert settings.TIME_ZONE == "America/Guayaquil"
