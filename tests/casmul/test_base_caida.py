"""The portal served by gunicorn, in a process of its own, with its database unreachable (a
closed port, or a SQLite file that cannot be opened): every page, the login included, answers
the Spanish 503 page with `Retry-After`, and the server stays up to answer the next request."""

import re
import socket
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from tests.casmul.servidor_gunicorn import gunicorn_esperar, gunicorn_iniciar


def _puerto_libre() -> int:
    with socket.socket() as conexion:
        conexion.bind(("127.0.0.1", 0))
        return conexion.getsockname()[1]


def _pedir(url: str, datos: bytes | None = None, cookies: str = ""):
    pedido = urllib.request.Request(url, data=datos, headers={"Cookie": cookies} if cookies else {})
    try:
        with urllib.request.urlopen(pedido, timeout=30) as respuesta:
            return respuesta.status, dict(respuesta.headers), respuesta.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture(
    params=[
        "postgres://postgres@127.0.0.1:{cerrado}/casmul",
        "sqlite:////no-existe/carpeta/casmul.sqlite3",
    ],
    ids=["postgresql-puerto-cerrado", "sqlite-archivo-inaccesible"],
)
def portal_sin_base(request, tmp_path):
    cerrado, puerto = _puerto_libre(), _puerto_libre()
    servidor = gunicorn_iniciar(
        DATABASE_URL=request.param.format(cerrado=cerrado),
        MEDIA_ROOT=str(tmp_path / "media"),
        GUNICORN_BIND=f"127.0.0.1:{puerto}",
    )
    try:
        yield gunicorn_esperar(servidor, puerto), servidor
    finally:
        servidor.terminate()
        servidor.wait(timeout=30)


def test_with_the_database_unreachable_every_door_answers_the_spanish_503(portal_sin_base):
    base, servidor = portal_sin_base
    # The login form needs no database: it gives the CSRF token a browser would send.
    estado, cabeceras, formulario = _pedir(f"{base}/ingresar/")
    assert estado == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', formulario).group(1)
    cookie_csrf = re.search(r"csrftoken=([^;]+)", cabeceras["Set-Cookie"]).group(1)
    # A logged-in browser sends its session: reading it needs the database.
    sesion = f"sessionid=abcdefghijklmnopqrstuvwxyz012345; csrftoken={cookie_csrf}"

    respuestas = {
        "ingresar (POST)": _pedir(
            f"{base}/ingresar/",
            datos=urlencode(
                {"csrfmiddlewaretoken": csrf, "username": "alguien", "password": "x"}
            ).encode(),
            cookies=f"csrftoken={cookie_csrf}",
        ),
        "inicio": _pedir(f"{base}/", cookies=sesion),
        "mes": _pedir(f"{base}/centros/1/2026/1/", cookies=sesion),
        "informe": _pedir(f"{base}/rendicion/2023/", cookies=sesion),
        "admin": _pedir(f"{base}/admin/", cookies=sesion),
    }

    for puerta, (estado, cabeceras, html) in respuestas.items():
        assert estado == 503, (puerta, estado)
        assert cabeceras.get("Retry-After"), puerta
        assert "El portal no está disponible en este momento" in html, puerta
        assert "Server Error" not in html and "Traceback" not in html, puerta
    # The worker answered every request and is still serving.
    assert servidor.poll() is None
    assert _pedir(f"{base}/", cookies=sesion)[0] == 503
