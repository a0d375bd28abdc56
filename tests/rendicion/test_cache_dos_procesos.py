"""Two gunicorn workers over the same database and the same cache, as the portal runs in
production: after a write, whichever worker answers serves the same figures, the new ones. With
the default cache (files) and with Redis (Django's `RedisCache`, the server at 127.0.0.1:6379
that CI starts); on the README's SQLite and, when the tests run on PostgreSQL, on a PostgreSQL
database of their own."""

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import urllib.request
import uuid
from urllib.parse import urlencode

import psycopg2
import pytest

from tests.casmul.servidor_gunicorn import RAIZ, gunicorn_esperar, gunicorn_iniciar

ANIO = 2023
EN_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")
PEDIDOS = 12


def _puerto_libre() -> int:
    with socket.socket() as conexion:
        conexion.bind(("127.0.0.1", 0))
        return conexion.getsockname()[1]


def _postgres(orden: str) -> None:
    conexion = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conexion.autocommit = True
    with conexion.cursor() as cursor:
        cursor.execute(orden)
    conexion.close()


@pytest.fixture(scope="module")
def base_demo(tmp_path_factory):
    """The README's database, migrated, with the 2023 demo data and its users: a SQLite file,
    or a PostgreSQL database of its own when the tests run on PostgreSQL."""
    nombre = f"casmul_dos_procesos_{uuid.uuid4().hex[:8]}"
    if EN_POSTGRESQL:
        _postgres(f"CREATE DATABASE {nombre}")
        url = f"postgres://postgres@127.0.0.1:5432/{nombre}"
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('dos-procesos') / 'casmul.sqlite3'}"
    # The settings gunicorn runs with: the tests' own would store passwords it cannot read.
    entorno = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "casmul.settings.local"}
    try:
        for orden in (["migrate", "--verbosity", "0"], ["demo"]):
            resultado = subprocess.run(
                [sys.executable, "manage.py", *orden], cwd=RAIZ, env=entorno, capture_output=True
            )
            assert resultado.returncode == 0, resultado.stderr.decode()
        yield url
    finally:
        if EN_POSTGRESQL:
            _postgres(f"DROP DATABASE IF EXISTS {nombre} WITH (FORCE)")


def _un_mes_aprobado(url: str) -> int:
    """An approved 2023 month with a figure above zero: reopening it changes the report."""
    consulta = (
        "SELECT r.id FROM centros_reportemensual r JOIN centros_ciframensual c "
        f"ON c.reporte_id = r.id WHERE r.anio = {ANIO} AND r.estado = 'aprobado' "
        "AND c.valor > 0 ORDER BY r.id LIMIT 1"
    )
    if EN_POSTGRESQL:
        conexion = psycopg2.connect(url)
        with conexion, conexion.cursor() as cursor:
            cursor.execute(consulta)
            (reporte_id,) = cursor.fetchone()
        conexion.close()
        return reporte_id
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conexion:
        return conexion.execute(consulta).fetchone()[0]


@pytest.fixture(params=["archivos", "redis"])
def portal(request, base_demo, tmp_path):
    puerto = _puerto_libre()
    cache = (
        {"CACHE_ROOT": str(tmp_path / "cache")}
        if request.param == "archivos"
        # Its own prefix: the keys of another run on the same server are never read.
        else {"CACHE_REDIS_URL": "redis://127.0.0.1:6379/0", "CACHE_PREFIJO": uuid.uuid4().hex}
    )
    servidor = gunicorn_iniciar(
        DATABASE_URL=base_demo,
        MEDIA_ROOT=str(tmp_path / "media"),
        GUNICORN_BIND=f"127.0.0.1:{puerto}",
        GUNICORN_WORKERS="2",
        ALLOWED_HOSTS="127.0.0.1",
        **cache,
    )
    try:
        yield gunicorn_esperar(servidor, puerto)
    finally:
        servidor.terminate()
        servidor.wait(timeout=30)


class Navegador:
    """One person's session: cookies kept, the form token sent back as a browser does."""

    def __init__(self, base: str):
        self.base = base
        self.abridor = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, ruta: str) -> str:
        with self.abridor.open(self.base + ruta, timeout=60) as respuesta:
            assert respuesta.status == 200, ruta
            return respuesta.read().decode()

    def enviar(self, ruta: str, datos: dict) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(ruta)).group(1)
        cuerpo = urlencode({"csrfmiddlewaretoken": token, **datos}).encode()
        pedido = urllib.request.Request(
            self.base + ruta, data=cuerpo, headers={"Referer": self.base + ruta}
        )
        with self.abridor.open(pedido, timeout=60) as respuesta:
            return respuesta.read().decode()


def _documento(html: str) -> str:
    """The report's document on its page, without what changes with each response."""
    return re.sub(
        r'nonce="[^"]+"', "", html.split('<section class="tarjeta documento-en-pagina">')[1]
    )


def test_after_a_reopen_both_workers_serve_the_new_figures(portal, base_demo):
    navegador = Navegador(portal)
    navegador.enviar("/ingresar/", {"username": "coordinacion", "password": "casmul-coordinacion"})
    url = f"/rendicion/{ANIO}/"
    # Each worker computes or finds the page; both keep serving the same one.
    antes = {_documento(navegador.get(url)) for _ in range(PEDIDOS)}
    assert len(antes) == 1
    reporte_id = _un_mes_aprobado(base_demo)

    navegador.enviar(f"/centros/reportes/{reporte_id}/reabrir/", {"motivo": "Cifra mal digitada"})

    despues = {_documento(navegador.get(url)) for _ in range(PEDIDOS)}
    assert len(despues) == 1, "dos procesos sirven cifras distintas"
    assert despues != antes
