"""Sessions end after 30 idle minutes, after 10 hours in any case, and when the password
changes."""

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from casmul.sesiones import INGRESO, ULTIMA_ACTIVIDAD

CLAVE = "clave-de-prueba-1"


@pytest.fixture
def coordinacion(db):
    return usuario_con_rol_guardar(username="coordinacion", password=CLAVE, rol=Rol.COORDINACION)


def atrasar(client, clave, segundos):
    """Moves one of the session's clocks back, as if that time had passed."""
    sesion = client.session
    sesion[clave] -= segundos
    sesion.save()


def aviso_al_ingresar(client):
    """The login page the expired session is sent to, and the message it shows."""
    respuesta = client.get(reverse("inicio"), follow=True)
    assert respuesta.redirect_chain[-1][0].startswith(reverse("login"))
    return " ".join(str(m) for m in respuesta.context["messages"])


def test_the_session_cookie_lasts_ten_hours_not_two_weeks():
    assert settings.SESSION_INACTIVIDAD_SEGUNDOS == 30 * 60
    assert settings.SESSION_DURACION_MAXIMA_SEGUNDOS == 10 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60


def test_logging_in_starts_both_clocks(client, coordinacion):
    antes = int(time.time())
    client.post(reverse("login"), {"username": "coordinacion", "password": CLAVE})

    sesion = client.session
    assert antes <= sesion[INGRESO] <= time.time()
    assert sesion[ULTIMA_ACTIVIDAD] == sesion[INGRESO]


def test_thirty_idle_minutes_end_the_session(client, coordinacion):
    client.force_login(coordinacion)
    atrasar(client, ULTIMA_ACTIVIDAD, 30 * 60 + 1)

    assert "tras 30 minutos sin actividad" in aviso_al_ingresar(client)
    assert "_auth_user_id" not in client.session


def test_a_request_before_the_idle_limit_keeps_the_session_and_restarts_the_clock(
    client, coordinacion
):
    client.force_login(coordinacion)
    atrasar(client, ULTIMA_ACTIVIDAD, 29 * 60)

    assert client.get(reverse("inicio")).status_code == 200
    assert client.session[ULTIMA_ACTIVIDAD] >= time.time() - 5


def test_the_last_activity_is_written_at_most_once_a_minute(client, coordinacion):
    client.force_login(coordinacion)
    atrasar(client, ULTIMA_ACTIVIDAD, 30)
    anotada = client.session[ULTIMA_ACTIVIDAD]

    assert client.get(reverse("inicio")).status_code == 200
    assert client.session[ULTIMA_ACTIVIDAD] == anotada


def test_ten_hours_end_the_session_however_active(client, coordinacion):
    client.force_login(coordinacion)
    atrasar(client, INGRESO, 10 * 60 * 60 + 1)

    assert "duró más de 10 horas" in aviso_al_ingresar(client)
    assert "_auth_user_id" not in client.session


def test_the_idle_limit_comes_from_the_settings(client, coordinacion, settings):
    settings.SESSION_INACTIVIDAD_SEGUNDOS = 5 * 60
    client.force_login(coordinacion)
    atrasar(client, ULTIMA_ACTIVIDAD, 5 * 60 + 1)

    assert "tras 5 minutos sin actividad" in aviso_al_ingresar(client)


def test_a_session_without_clocks_gets_them_instead_of_ending(client, coordinacion):
    """Sessions opened before the limits existed go on, timed from their next request."""
    client.force_login(coordinacion)
    sesion = client.session
    del sesion[INGRESO], sesion[ULTIMA_ACTIVIDAD]
    sesion.save()

    assert client.get(reverse("inicio")).status_code == 200
    assert client.session[INGRESO] >= time.time() - 5


def test_a_password_change_ends_the_other_sessions(coordinacion):
    oficina, casa = Client(), Client()
    oficina.force_login(coordinacion)
    casa.force_login(coordinacion)

    coordinacion.set_password("otra-clave-de-prueba-2")
    coordinacion.save()

    for cliente in (oficina, casa):
        respuesta = cliente.get(reverse("inicio"))
        assert respuesta.status_code == 302
        assert respuesta["Location"].startswith(reverse("login"))


def test_a_password_set_by_the_administration_ends_the_users_sessions(coordinacion):
    administracion = usuario_con_rol_guardar(
        username="admin", password=CLAVE, rol=Rol.ADMINISTRACION
    )
    admin, usuario = Client(), Client()
    admin.force_login(administracion)
    usuario.force_login(coordinacion)
    assert usuario.get(reverse("inicio")).status_code == 200

    respuesta = admin.post(
        reverse("admin:auth_user_password_change", args=[coordinacion.pk]),
        {"password1": "otra-clave-de-prueba-2", "password2": "otra-clave-de-prueba-2"},
    )
    assert respuesta.status_code == 302

    assert usuario.get(reverse("inicio"))["Location"].startswith(reverse("login"))
    assert admin.get(reverse("admin:index")).status_code == 200
