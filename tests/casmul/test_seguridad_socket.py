"""gunicorn behind nginx through a Unix socket (docs/deploy.md), served for real in a process of its
own: what arrives through the socket has no address of its own, so X-Forwarded-For (nginx's)
names the client when the socket is trusted (PROXIES_DE_CONFIANZA=unix), and nothing does
otherwise; and a socket gunicorn creates itself is not open to every user of the server."""

import http.client
import os
import re
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.casmul.servidor_gunicorn import gunicorn_iniciar

RAIZ = Path(__file__).resolve().parents[2]
DIRECCION = "203.0.113.7"


class _PorSocket(http.client.HTTPConnection):
    def __init__(self, ruta: Path):
        super().__init__("localhost", timeout=30)
        self.ruta = ruta

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(str(self.ruta))


def _pedir(ruta: Path, metodo: str, url: str, cuerpo: str = "", **cabeceras):
    conexion = _PorSocket(ruta)
    try:
        conexion.request(metodo, url, body=cuerpo or None, headers=cabeceras)
        respuesta = conexion.getresponse()
        return respuesta.status, respuesta.getheader("Set-Cookie") or "", respuesta.read().decode()
    finally:
        conexion.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A migrated SQLite file of its own: gunicorn's process cannot see the tests' database."""
    archivo = tmp_path_factory.mktemp("socket") / "casmul.sqlite3"
    resultado = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=RAIZ,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{archivo}"},
        capture_output=True,
        text=True,
    )
    assert resultado.returncode == 0, resultado.stderr
    return archivo


@pytest.fixture
def gunicorn(base, tmp_path):
    def arrancar(confianza: str) -> Path:
        ruta = tmp_path / "gunicorn.sock"
        servidor = gunicorn_iniciar(
            ALLOWED_HOSTS="localhost",
            DATABASE_URL=f"sqlite:///{base}",
            MEDIA_ROOT=str(tmp_path / "media"),
            GUNICORN_BIND=f"unix:{ruta}",
            PROXIES_DE_CONFIANZA=confianza,
        )
        servidores.append(servidor)
        limite = time.monotonic() + 60
        while not ruta.exists():
            if servidor.poll() is not None or time.monotonic() > limite:
                raise AssertionError(f"gunicorn no arrancó: {servidor.stderr.read()}")
            time.sleep(0.2)
        return ruta

    servidores: list[subprocess.Popen] = []
    yield arrancar
    for servidor in servidores:
        servidor.terminate()
        servidor.wait(timeout=30)


def _fallar(ruta: Path, usuario: str) -> None:
    """A wrong password typed through nginx, which forwards the client's address."""
    estado, cookies, formulario = _pedir(ruta, "GET", "/ingresar/")
    assert estado == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', formulario).group(1)
    cookie = re.search(r"csrftoken=([^;]+)", cookies).group(1)
    estado, _, _ = _pedir(
        ruta,
        "POST",
        "/ingresar/",
        urlencode({"csrfmiddlewaretoken": csrf, "username": usuario, "password": "no-es"}),
        **{
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "X-Forwarded-For": DIRECCION,
        },
    )
    assert estado == 200


def _direcciones(base: Path, usuario: str) -> list:
    with sqlite3.connect(base) as conexion:
        return [
            fila[0]
            for fila in conexion.execute(
                "SELECT ip_address FROM axes_accessattempt WHERE username = ?", [usuario]
            )
        ]


@pytest.mark.parametrize(
    ("confianza", "esperada"), [("unix", DIRECCION), ("", None)], ids=["de-confianza", "sin"]
)
def test_through_the_socket_the_address_is_nginx_s_header_only_if_trusted(
    gunicorn, base, confianza, esperada
):
    ruta = gunicorn(confianza)
    usuario = f"ana-{confianza or 'sin'}"

    _fallar(ruta, usuario)

    assert _direcciones(base, usuario) == [esperada]


def test_a_socket_gunicorn_creates_is_closed_to_other_users(gunicorn):
    ruta = gunicorn("unix")

    modo = stat.S_IMODE(ruta.stat().st_mode)

    assert stat.S_ISSOCK(ruta.stat().st_mode)
    assert modo & stat.S_IRWXO == 0, oct(modo)
