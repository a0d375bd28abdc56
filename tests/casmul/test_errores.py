"""What a visitor sees when something fails: the Spanish 500 page for an unhandled error (its
traceback in the log), the Spanish 503 page with Retry-After when the database cannot be
reached, wherever the error is raised, and nothing half-written after a failed write."""

import io
import json
import logging
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path, reverse

from casmul.roles import Rol
from casmul.urls import urlpatterns as urlpatterns_del_portal
from convenios.models import Convenio
from tests.factories import CentroFactory, InstitucionFactory, UserFactory

pytestmark = pytest.mark.django_db


class FalloDePrueba(RuntimeError):
    pass


def vista_que_falla(request):
    raise FalloDePrueba("falla a propósito")


def vista_que_consulta(request):
    # Reads no session: the database is first touched here, in the view.
    return HttpResponse(str(Convenio.objects.count()))


def vista_que_escribe_la_sesion(request):
    # Touches no table itself: the session is saved by its middleware, after the view.
    request.session["visto"] = True
    return HttpResponse("ok")


# This module is also the URLconf of the tests marked with it: the portal's URLs (the error
# pages link to the home page) and two views that fail on purpose.
urlpatterns = [
    path("prueba/falla/", vista_que_falla),
    path("prueba/consulta/", vista_que_consulta),
    path("prueba/sesion/", vista_que_escribe_la_sesion),
    *urlpatterns_del_portal,
]
con_vistas_de_prueba = pytest.mark.urls(__name__)


@contextmanager
def base_de_datos_caida(error=OperationalError):
    """Every query from now on fails as if PostgreSQL were stopped: each one goes through
    `ensure_connection`, even on a connection already open."""
    falla = error("could not connect to server: Connection refused")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=falla):
        yield


def _cliente():
    """A client that, like a browser, gets the response Django sends: where the database fails
    first depends on the middleware (a view, or the session read by a middleware), and in the
    second case the test client would re-raise the error that the 503 answered."""
    return Client(raise_request_exception=False)


@pytest.fixture
def usuario_con_sesion():
    """A logged-in coordinator: her session is read from the database on every request."""
    cliente = _cliente()
    cliente.force_login(UserFactory(roles=[Rol.COORDINACION]))
    return cliente


def _es_la_pagina_503(respuesta):
    assert respuesta.status_code == 503
    assert respuesta["Retry-After"] == "60"
    assert "no-store" in respuesta["Cache-Control"]
    contenido = respuesta.content.decode()
    assert "El portal no está disponible en este momento" in contenido
    assert 'lang="es"' in contenido
    return True


# --- Middleware order -------------------------------------------------------------------------


def test_the_database_middleware_wraps_every_middleware_that_reads_the_database():
    propio = settings.MIDDLEWARE.index("casmul.middleware.BaseDeDatosNoDisponible")

    assert propio < settings.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
    assert propio < settings.MIDDLEWARE.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )


# --- 503: the database cannot be reached -------------------------------------------------------


@pytest.mark.parametrize("nombre", ["inicio", "login"])
def test_pages_answer_503_in_spanish_when_the_database_is_down(usuario_con_sesion, nombre):
    with base_de_datos_caida():
        respuesta = usuario_con_sesion.get(reverse(nombre))

    assert _es_la_pagina_503(respuesta)


def test_login_attempt_answers_503_when_the_database_is_down():
    with base_de_datos_caida():
        respuesta = _cliente().post(reverse("login"), {"username": "ana", "password": "x" * 12})

    assert _es_la_pagina_503(respuesta)


def test_a_lost_connection_interface_error_also_answers_503(usuario_con_sesion):
    with base_de_datos_caida(InterfaceError):
        respuesta = usuario_con_sesion.get(reverse("inicio"))

    assert _es_la_pagina_503(respuesta)


@con_vistas_de_prueba
def test_database_down_inside_a_middleware_answers_503_with_the_security_headers():
    # Given a view that needs no table and a session that its middleware saves afterwards
    cliente = _cliente()

    # When the session middleware fails to save it
    with base_de_datos_caida():
        respuesta = cliente.get("/prueba/sesion/")

    # Then the 500 Django made at that middleware becomes the 503, keeping the headers that the
    # middleware outside it (SecurityMiddleware) had added
    assert _es_la_pagina_503(respuesta)
    assert respuesta["X-Content-Type-Options"] == "nosniff"
    assert respuesta["Referrer-Policy"] == "same-origin"


def test_the_database_error_is_logged_with_its_traceback_and_path_only(usuario_con_sesion, caplog):
    with caplog.at_level(logging.ERROR), base_de_datos_caida():
        usuario_con_sesion.get(reverse("inicio") + "?cedula=1104567890")

    errores = [r for r in caplog.records if r.exc_info and r.levelno == logging.ERROR]
    assert errores
    assert all(isinstance(r.exc_info[1], OperationalError) for r in errores)
    assert all(r.getMessage().endswith(": /") for r in errores)
    assert "1104567890" not in caplog.text


@con_vistas_de_prueba
def test_a_database_error_in_a_view_is_logged_by_the_middleware(caplog):
    with caplog.at_level(logging.ERROR, logger="casmul"), base_de_datos_caida():
        respuesta = _cliente().get("/prueba/consulta/")

    assert _es_la_pagina_503(respuesta)
    (registro,) = [r for r in caplog.records if r.name == "casmul.middleware"]
    assert registro.getMessage() == "Base de datos no disponible: GET /prueba/consulta/"
    assert isinstance(registro.exc_info[1], OperationalError)


def test_a_write_that_fails_half_way_leaves_nothing():
    # Given the administration creating an agreement with its counterparts and centres
    client = _cliente()
    client.force_login(UserFactory(roles=[Rol.ADMINISTRACION]))
    instituciones = InstitucionFactory.create_batch(2)
    centro = CentroFactory()
    datos = {
        "numero": "MIES-DI-2025-001",
        "titulo": "Convenio de cooperación técnico-económica",
        "tipo": "mies",
        "programa_mies": "DI",
        "fecha_suscripcion": "20/12/2024",
        "fecha_inicio": "2025-01-01",
        "fecha_fin": "31/12/2025",
        "objeto": "Atención a niñas y niños de 12 a 36 meses.",
        "monto": "1.234,56",
        "orden": "0",
        "instituciones": [i.pk for i in instituciones],
        "centros": [centro.pk],
    }
    bulk_create = QuerySet.bulk_create

    def falla_al_guardar_los_centros(queryset, objetos, *args, **kwargs):
        if queryset.model is Convenio.centros.through:
            raise OperationalError("server closed the connection unexpectedly")
        return bulk_create(queryset, objetos, *args, **kwargs)

    # When the database fails on its third write, after the agreement and its counterparts
    with mock.patch.object(QuerySet, "bulk_create", falla_al_guardar_los_centros):
        respuesta = client.post(reverse("convenios:crear"), datos)

    # Then the visitor is told to retry, and none of the first two writes remains
    assert _es_la_pagina_503(respuesta)
    assert not Convenio.objects.exists()
    assert not Convenio.instituciones.through.objects.exists()


# --- 500: an unhandled error -------------------------------------------------------------------


@con_vistas_de_prueba
def test_an_unhandled_error_answers_the_spanish_500_page():
    respuesta = _cliente().get("/prueba/falla/")

    assert respuesta.status_code == 500
    contenido = respuesta.content.decode()
    assert "Ocurrió un error en el portal" in contenido
    assert 'lang="es"' in contenido
    assert "falla a propósito" not in contenido


def _manejador(logger: str, nombre: str) -> logging.StreamHandler:
    return next(h for h in logging.getLogger(logger).handlers if h.name == nombre)


@contextmanager
def salida_estandar():
    """What the LOGGING console handlers write to stdout, as a string buffer."""
    salida = io.StringIO()
    manejadores = [_manejador("django", "consola"), _manejador("", "consola_otras")]
    anteriores = [manejador.setStream(salida) for manejador in manejadores]
    try:
        yield salida
    finally:
        for manejador, anterior in zip(manejadores, anteriores, strict=True):
            manejador.setStream(anterior)


def test_every_record_is_written_once_as_a_json_line():
    with salida_estandar() as salida:
        logging.getLogger("casmul.datos_personales").info("ana vio la ficha 7")
        logging.getLogger("django.security.csrf").warning("CSRF rechazado")
        logging.getLogger("weasyprint").warning("propiedad CSS ignorada")
        logging.getLogger("weasyprint").info("no llega: las bibliotecas, desde WARNING")

    lineas = [json.loads(linea) for linea in salida.getvalue().splitlines()]
    assert [(linea["level"], linea["logger"], linea["message"]) for linea in lineas] == [
        ("INFO", "casmul.datos_personales", "ana vio la ficha 7"),
        ("WARNING", "django.security.csrf", "CSRF rechazado"),
        ("WARNING", "weasyprint", "propiedad CSS ignorada"),
    ]


@con_vistas_de_prueba
def test_an_unhandled_error_is_one_json_line_with_its_traceback_on_stdout():
    with salida_estandar() as salida:
        _cliente().get("/prueba/falla/?cedula=1104567890")

    lineas = [json.loads(linea) for linea in salida.getvalue().splitlines()]
    (error,) = [linea for linea in lineas if linea["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert error["message"] == "Internal Server Error: /prueba/falla/"
    assert error["traceback"].startswith("Traceback (most recent call last):")
    assert "FalloDePrueba: falla a propósito" in error["traceback"]
    assert error["time"]
    # Never the query string, which may hold a person's data.
    assert "1104567890" not in salida.getvalue()


def test_error_pages_render_with_no_context_and_no_database():
    with base_de_datos_caida():
        for plantilla in ("500.html", "503.html"):
            contenido = render_to_string(plantilla)

            assert 'href="/"' in contenido
            assert "Portal CASMUL" in contenido
