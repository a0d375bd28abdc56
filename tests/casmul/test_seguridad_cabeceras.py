"""Every answer carries the security headers, also those given before the middleware that sets
them had its turn: the 413 of a request too large, the 503 of a database that fails inside a
middleware, the 400 of an unknown host (issue 15)."""

import importlib
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse

from casmul.urls import urlpatterns as urlpatterns_del_portal

MB = 1024 * 1024
CABECERAS = "casmul.middleware.CabecerasDeSeguridad"


def vista_que_escribe_la_sesion(request):
    # Touches no table itself: the session is saved by its middleware, after the view.
    request.session["visto"] = True
    return HttpResponse("ok")


urlpatterns = [path("prueba/sesion/", vista_que_escribe_la_sesion), *urlpatterns_del_portal]


@pytest.fixture
def produccion(settings):
    """HTTPS behind nginx with production's own security settings."""
    modulo = importlib.import_module("casmul.settings.production")
    for nombre in dir(modulo):
        if nombre.startswith("SECURE_"):
            setattr(settings, nombre, getattr(modulo, nombre))
    # nginx's header: the request came over HTTPS.
    return Client(raise_request_exception=False, HTTP_X_FORWARDED_PROTO="https")


def _con_las_cabeceras(respuesta) -> bool:
    assert respuesta["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert respuesta["X-Content-Type-Options"] == "nosniff"
    assert respuesta["X-Frame-Options"] == "DENY"
    assert respuesta["Referrer-Policy"] == "same-origin"
    assert respuesta["Cross-Origin-Opener-Policy"] == "same-origin"
    politica = respuesta["Content-Security-Policy"]
    assert "default-src 'self'" in politica
    assert "script-src 'self'" in politica
    assert "frame-ancestors 'none'" in politica
    return True


def test_the_headers_middleware_wraps_every_other_one():
    assert settings.MIDDLEWARE[0] == CABECERAS
    assert settings.MIDDLEWARE.count(CABECERAS) == 1
    # The middleware that sets the headers for the others stays, where it was.
    for propia in (
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "csp.middleware.CSPMiddleware",
    ):
        assert propia in settings.MIDDLEWARE


def test_a_request_too_large_is_refused_with_the_security_headers(produccion):
    respuesta = produccion.generic(
        "POST",
        reverse("login"),
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * MB),
    )

    assert respuesta.status_code == 413
    assert _con_las_cabeceras(respuesta)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_503_of_a_database_failing_inside_a_middleware_has_the_security_headers(
    produccion,
):
    # Given a session that its middleware saves after the view, when the database is down
    falla = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=falla):
        respuesta = produccion.get("/prueba/sesion/")

    # Then the 503 made outside the header middleware still has all of them
    assert respuesta.status_code == 503
    assert respuesta["Retry-After"] == "60"
    assert _con_las_cabeceras(respuesta)


def test_the_400_of_an_unknown_host_has_the_security_headers(produccion):
    respuesta = produccion.get(reverse("login"), HTTP_HOST="otro.example")

    assert respuesta.status_code == 400
    assert _con_las_cabeceras(respuesta)


@pytest.mark.django_db
def test_a_page_keeps_the_headers_its_own_middleware_set(produccion):
    respuesta = produccion.get(reverse("login"))

    assert respuesta.status_code == 200
    assert _con_las_cabeceras(respuesta)
    # Each header once: the outer pass adds only what is missing.
    assert [nombre for nombre in respuesta.headers if nombre.lower().startswith("content-sec")] == [
        "Content-Security-Policy"
    ]
