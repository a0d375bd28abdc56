"""Production as a municipality runs it (docs/deploy.md): the settings behind a TLS-terminating
nginx pass Django's deployment checks, DEBUG stays off, static files are collected, gunicorn
logs no query string, and every environment variable the settings read is documented."""

import datetime
import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

RAIZ = Path(__file__).resolve().parents[2]
SOCKET = "unix:/run/casmul/gunicorn.sock"
CLAVE = "k7Q2-" * 12  # 60 characters, as check --deploy wants
PRODUCCION = "casmul.settings.production"
# Variables of the test runner's own environment that would change what is being tested.
HEREDADAS = {
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "ADMINS",
    "STATIC_ROOT",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "PROXIES_DE_CONFIANZA",
    "GUNICORN_BIND",
}


def _entorno(**entorno: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in HEREDADAS}
    env.update(entorno)
    return env


def _ajustes(*nombres: str, **entorno: str) -> dict:
    """The named production settings, read in a fresh interpreter with this environment."""
    codigo = (
        f"import importlib, json; s = importlib.import_module('{PRODUCCION}'); "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(nombres)!r}}}, default=str))"
    )
    resultado = subprocess.run(
        [sys.executable, "-c", codigo],
        cwd=RAIZ,
        env=_entorno(**entorno),
        capture_output=True,
        text=True,
    )
    assert resultado.returncode == 0, resultado.stderr
    return json.loads(resultado.stdout)


def _manage(*argumentos: str, **entorno: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *argumentos],
        cwd=RAIZ,
        env=_entorno(DJANGO_SETTINGS_MODULE=PRODUCCION, **entorno),
        capture_output=True,
        text=True,
    )


# --- Settings ---------------------------------------------------------------------------------


def test_deployment_checks_pass_with_no_warning():
    resultado = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=CLAVE,
        ALLOWED_HOSTS="casmul.loja.gob.ec",
    )

    assert resultado.returncode == 0, resultado.stderr
    assert "System check identified no issues" in resultado.stdout


def test_debug_stays_off_in_production_whatever_the_environment_says():
    assert _ajustes("DEBUG", SECRET_KEY=CLAVE, DEBUG="1") == {"DEBUG": False}


def test_production_needs_a_secret_key_even_with_debug_in_the_environment():
    resultado = subprocess.run(
        [sys.executable, "-c", f"import {PRODUCCION}"],
        cwd=RAIZ,
        env=_entorno(DEBUG="1"),
        capture_output=True,
        text=True,
    )

    assert resultado.returncode != 0
    assert "SECRET_KEY" in resultado.stderr


def test_https_behind_the_proxy_by_default():
    ajustes = _ajustes(
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        SECRET_KEY=CLAVE,
    )

    assert ajustes == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_https_settings_come_from_the_environment():
    ajustes = _ajustes(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_PRELOAD",
        "SILENCED_SYSTEM_CHECKS",
        SECRET_KEY=CLAVE,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_PRELOAD="1",
    )

    assert ajustes == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_HSTS_PRELOAD": True,
        # nginx redirects instead: a choice, not an oversight.
        "SILENCED_SYSTEM_CHECKS": ["security.W008"],
    }


def test_a_hsts_duration_that_is_not_a_number_stops_the_start():
    resultado = subprocess.run(
        [sys.executable, "-c", f"import {PRODUCCION}"],
        cwd=RAIZ,
        env=_entorno(SECRET_KEY=CLAVE, SECURE_HSTS_SECONDS="un año"),
        capture_output=True,
        text=True,
    )

    assert resultado.returncode != 0
    assert "SECURE_HSTS_SECONDS" in resultado.stderr


@pytest.mark.parametrize(
    ("valor", "admins"),
    [
        ("", []),
        ("Ana Pérez <ana.perez@loja.gob.ec>", [["Ana Pérez", "ana.perez@loja.gob.ec"]]),
        (
            "Ana Pérez <ana.perez@loja.gob.ec>, Soporte TI <ti@loja.gob.ec>",
            [["Ana Pérez", "ana.perez@loja.gob.ec"], ["Soporte TI", "ti@loja.gob.ec"]],
        ),
    ],
    ids=["sin-admins", "uno", "dos"],
)
def test_admins_come_from_the_environment(valor, admins):
    assert _ajustes("ADMINS", SECRET_KEY=CLAVE, ADMINS=valor) == {"ADMINS": admins}


def test_a_malformed_admins_stops_the_start():
    resultado = subprocess.run(
        [sys.executable, "-c", f"import {PRODUCCION}"],
        cwd=RAIZ,
        env=_entorno(SECRET_KEY=CLAVE, ADMINS="Ana Pérez"),
        capture_output=True,
        text=True,
    )

    assert resultado.returncode != 0
    assert "ADMINS" in resultado.stderr


def test_unhandled_errors_are_mailed_to_the_admins_only_without_debug(settings):
    django = settings.LOGGING["loggers"]["django"]
    correo = settings.LOGGING["handlers"]["correo_admins"]

    assert "correo_admins" in django["handlers"]
    assert correo["class"] == "django.utils.log.AdminEmailHandler"
    assert correo["level"] == "ERROR"


# --- Static files -----------------------------------------------------------------------------


def test_collectstatic_writes_compressed_files_with_their_manifest(tmp_path):
    destino = tmp_path / "static"

    resultado = _manage("collectstatic", "--noinput", SECRET_KEY=CLAVE, STATIC_ROOT=str(destino))

    assert resultado.returncode == 0, resultado.stderr
    manifiesto = json.loads((destino / "staticfiles.json").read_text())
    hoja = manifiesto["paths"]["casmul/portal.css"]
    assert hoja != "casmul/portal.css"  # a hashed name, cached for a year by WhiteNoise
    assert (destino / hoja).exists()
    assert (destino / f"{hoja}.gz").exists()


def test_production_serves_static_files_with_whitenoise():
    ajustes = _ajustes("STORAGES", "MIDDLEWARE", SECRET_KEY=CLAVE)

    assert ajustes["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in ajustes["MIDDLEWARE"]


# --- gunicorn ---------------------------------------------------------------------------------


def _gunicorn(**entorno: str) -> dict:
    anterior = {k: os.environ.get(k) for k in entorno}
    os.environ.update(entorno)
    try:
        return runpy.run_path(str(RAIZ / "gunicorn.conf.py"))
    finally:
        for k, v in anterior.items():
            if v is None:
                os.environ.pop(k)
            else:
                os.environ[k] = v


def test_gunicorn_workers_and_timeout_come_from_the_environment():
    configuracion = _gunicorn(GUNICORN_WORKERS="5", GUNICORN_TIMEOUT="90")

    assert (configuracion["workers"], configuracion["timeout"]) == (5, 90)
    assert configuracion["wsgi_app"] == "casmul.wsgi:application"
    assert configuracion["accesslog"] == "-"


def test_gunicorn_listens_on_a_unix_socket_unless_told_otherwise():
    # Not a TCP port any user of the server could open, skipping nginx.
    assert _gunicorn()["bind"] == SOCKET
    assert _gunicorn()["umask"] == 0o007
    # bench/load.py and the tests that start gunicorn bind a port of their own.
    assert _gunicorn(GUNICORN_BIND="127.0.0.1:8123")["bind"] == "127.0.0.1:8123"


def test_production_trusts_the_forwarded_address_only_through_the_socket():
    assert _ajustes("PROXIES_DE_CONFIANZA", SECRET_KEY=CLAVE) == {"PROXIES_DE_CONFIANZA": ["unix"]}
    assert _ajustes("PROXIES_DE_CONFIANZA", SECRET_KEY=CLAVE, PROXIES_DE_CONFIANZA="") == {
        "PROXIES_DE_CONFIANZA": []
    }
    assert _ajustes(
        "PROXIES_DE_CONFIANZA", SECRET_KEY=CLAVE, PROXIES_DE_CONFIANZA="10.0.0.5, 10.0.0.6"
    ) == {"PROXIES_DE_CONFIANZA": ["10.0.0.5", "10.0.0.6"]}


def test_gunicorn_access_log_has_the_path_but_never_the_query_string():
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    for nombre, valor in _gunicorn().items():
        if nombre in config.settings:
            config.set(nombre, valor)
    respuesta = SimpleNamespace(status="200 OK", sent=512, headers=())
    solicitud = SimpleNamespace(headers=())
    entorno = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/centros/beneficiarios/?cedula=1104567890&nombre=Ana",
        "PATH_INFO": "/centros/beneficiarios/",
        "QUERY_STRING": "cedula=1104567890&nombre=Ana",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://casmul.loja.gob.ec/centros/?cedula=1104567890",
    }
    atomos = Logger(config).atoms(
        respuesta, solicitud, entorno, datetime.timedelta(milliseconds=250)
    )

    linea = config.access_log_format % atomos

    assert '"POST /centros/beneficiarios/" 200 512 250ms' in linea
    assert "1104567890" not in linea
    assert "Ana" not in linea


# --- docs/deploy.md ---------------------------------------------------------------------------


def _bloque(guia: str, archivo: str) -> str:
    """The text of the code block that follows the line naming `archivo` in the guide."""
    return re.search(rf"`{re.escape(archivo)}`[^`]*?\n\n```\w*\n(.*?)```", guia, re.S).group(1)


def test_the_guide_puts_gunicorn_on_its_socket_that_only_nginx_opens():
    guia = (RAIZ / "docs" / "deploy.md").read_text()
    ruta = SOCKET.removeprefix("unix:")

    socket_unit = _bloque(guia, "/etc/systemd/system/casmul-web.socket")
    servicio = _bloque(guia, "/etc/systemd/system/casmul-web.service")
    nginx = _bloque(guia, "/etc/nginx/sites-available/casmul")

    assert f"ListenStream={ruta}\n" in socket_unit
    assert "SocketUser=www-data\n" in socket_unit
    assert "SocketMode=0600\n" in socket_unit
    assert "Requires=casmul-web.socket\n" in servicio
    assert f"server unix:{ruta};" in nginx
    assert nginx.count("proxy_pass http://casmul;") == 2
    assert "127.0.0.1:8000" not in nginx
    # The portal believes nginx's X-Forwarded-For through the socket, and only there.
    assert "\nPROXIES_DE_CONFIANZA=unix\n" in guia


LECTURA_DEL_ENTORNO = re.compile(
    r"""(?:environ\.get|environ\.setdefault|getenv|env_bool|env_list|env_int|env_admins)"""
    r"""\(\s*["']([A-Z][A-Z0-9_]*)["']|environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)


def _variables_leidas() -> set[str]:
    archivos = [*sorted((RAIZ / "casmul" / "settings").glob("*.py")), RAIZ / "gunicorn.conf.py"]
    leidas = {
        nombre
        for archivo in archivos
        for coincidencia in LECTURA_DEL_ENTORNO.findall(archivo.read_text())
        for nombre in coincidencia
        if nombre
    }
    # dj_database_url.config() reads it without naming it here.
    return leidas | {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}


def test_the_environment_variable_reader_finds_the_known_ones():
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "SECURE_HSTS_SECONDS", "GUNICORN_WORKERS"} <= (
        _variables_leidas()
    )


def test_every_environment_variable_read_by_the_settings_is_in_the_deployment_guide():
    guia = (RAIZ / "docs" / "deploy.md").read_text()

    faltan = sorted(v for v in _variables_leidas() if f"`{v}`" not in guia)

    assert not faltan, f"docs/deploy.md no explica: {', '.join(faltan)}"
