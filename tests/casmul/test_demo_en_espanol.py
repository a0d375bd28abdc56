"""`make run` as a visitor of the demo sees it (issue 15): `runserver` with
`casmul.settings.local` and nothing in the environment answers a missing or forbidden page, a
refused form and a bad request with the portal's Spanish pages (never Django's URL list or
settings), still serves the static files and the centres' photos, and shows Django's debug
pages only with DEBUG=1."""

import re
import sys
from contextlib import contextmanager

import pytest
import requests

from bench.load import proceso_detener, proceso_iniciar, puerto_libre, servidor_esperar
from bench.sqlite import Medidas, Persona, preparar

# What Django's debug pages say, and the portal's pages never do.
DEPURACION = ("Page not found", "URLconf", "DEBUG = True", "Traceback")
# A month of centre 5; the demo's staff user has centres 1, 4 and 30.
MES_DE_OTRO_CENTRO = "/centros/5/2024/3/"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The database and environment as `make run` leaves them (migrate, demo) in a temporary
    folder: the local settings with no DEBUG and no SECRET_KEY."""
    carpeta = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as parche:
        # casmul.settings.test put both into this process's environment.
        parche.delenv("DEBUG", raising=False)
        parche.delenv("SECRET_KEY", raising=False)
        entorno = preparar(carpeta)
    assert "DEBUG" not in entorno and "SECRET_KEY" not in entorno
    return carpeta, entorno


@contextmanager
def portal(demo, **entorno_extra):
    """`manage.py runserver`, as `make run` starts it, on a free port; yields its address."""
    carpeta, entorno = demo
    puerto = puerto_libre(None)
    origen = f"http://127.0.0.1:{puerto}"
    servidor = proceso_iniciar(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{puerto}", "--noreload"],
        entorno={**entorno, **entorno_extra},
        registro=carpeta / f"runserver-{puerto}.log",
    )
    try:
        servidor_esperar(origen, servidor)
        yield origen
    finally:
        proceso_detener(servidor)


def _personal(origen: str) -> Persona:
    return Persona(origen, "personal", "casmul-personal", Medidas())


def test_staff_see_the_portals_spanish_pages_for_another_centre_and_an_unknown_address(demo):
    with portal(demo) as origen:
        sesion = _personal(origen).sesion
        otro_centro = sesion.get(origen + MES_DE_OTRO_CENTRO, timeout=60)
        desconocida = sesion.get(origen + "/no-existe/", timeout=60)
        # The report is the coordination's and the administration's.
        informe = sesion.get(origen + "/rendicion/2023/", timeout=60)

    assert (otro_centro.status_code, desconocida.status_code, informe.status_code) == (
        404,
        404,
        403,
    )
    for respuesta in (otro_centro, desconocida):
        assert "No encontramos esa página" in respuesta.text
    assert "No tiene permiso para ver esta página" in informe.text
    for respuesta in (otro_centro, desconocida, informe):
        texto = respuesta.text
        # The portal's layout, with the staff user's menu.
        assert 'lang="es"' in texto and "Volver al inicio" in texto and "Salir" in texto
        assert not [frase for frase in DEPURACION if frase in texto], texto[:2000]


def test_a_form_without_its_csrf_token_and_a_foreign_host_get_spanish_pages_too(demo):
    with portal(demo) as origen:
        sin_token = requests.post(origen + "/ingresar/", data={"username": "x"}, timeout=60)
        otro_host = requests.get(
            origen + "/ingresar/", headers={"Host": "otro.ejemplo"}, timeout=60
        )

    assert sin_token.status_code == 403
    assert "No pudimos aceptar el formulario" in sin_token.text
    assert otro_host.status_code == 400
    assert "No pudimos entender la solicitud" in otro_host.text
    for respuesta in (sin_token, otro_host):
        assert 'lang="es"' in respuesta.text
        assert not [frase for frase in DEPURACION if frase in respuesta.text], respuesta.text[:2000]


def test_static_files_and_the_centres_photos_are_served_without_debug(demo):
    carpeta, _ = demo
    fotos = carpeta / "media" / "centros" / "fotos"
    fotos.mkdir(parents=True, exist_ok=True)
    (fotos / "prueba.jpg").write_bytes(b"\xff\xd8\xff\xe0 foto de prueba")
    convenios = carpeta / "media" / "convenios"
    convenios.mkdir(parents=True, exist_ok=True)
    (convenios / "firmado.pdf").write_bytes(b"%PDF-1.4 convenio")

    with portal(demo) as origen:
        sesion = _personal(origen).sesion
        inicio = sesion.get(origen + "/", timeout=60)
        hoja = re.search(r'<link rel="stylesheet" href="(/static/[^"]+\.css)"', inicio.text)
        assert hoja, inicio.text[:2000]
        estilos = sesion.get(origen + hoja[1], timeout=60)
        foto = sesion.get(origen + "/media/centros/fotos/prueba.jpg", timeout=60)
        # Agreements are downloaded through their view, which checks the role, as in production.
        convenio = sesion.get(origen + "/media/convenios/firmado.pdf", timeout=60)

    assert estilos.status_code == 200
    assert estilos.headers["Content-Type"].startswith("text/css")
    assert b".tarjeta" in estilos.content
    assert (foto.status_code, foto.content) == (200, b"\xff\xd8\xff\xe0 foto de prueba")
    assert convenio.status_code == 404
    assert "No encontramos esa página" in convenio.text


def test_with_debug_1_in_the_environment_django_shows_its_debug_page(demo):
    with portal(demo, DEBUG="1") as origen:
        sesion = _personal(origen).sesion
        desconocida = sesion.get(origen + "/no-existe/", timeout=60)
        inicio = sesion.get(origen + "/", timeout=60)
        hoja = re.search(r'href="(/static/[^"]+\.css)"', inicio.text)
        estilos = sesion.get(origen + hoja[1], timeout=60)

    assert desconocida.status_code == 404
    assert "Page not found" in desconocida.text
    assert "DEBUG = True" in desconocida.text
    assert estilos.status_code == 200
