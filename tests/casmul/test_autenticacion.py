"""Failed logins are limited (django-axes) on both login doors, the administration unlocks, and
the admin site is the administration's alone."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar

CLAVE = "clave-de-prueba-1"
DIRECCION = "203.0.113.7"
PUERTAS = [pytest.param("login", id="portal"), pytest.param("admin:login", id="admin")]


@pytest.fixture
def administracion(db):
    return usuario_con_rol_guardar(username="admin", password=CLAVE, rol=Rol.ADMINISTRACION)


def ingresar(client, puerta, usuario, clave, direccion=DIRECCION, **cabeceras):
    """Types a username and password into the login form of `puerta`, from `direccion`."""
    return client.post(
        reverse(puerta),
        {"username": usuario, "password": clave},
        REMOTE_ADDR=direccion,
        **cabeceras,
    )


def fallar(client, puerta, usuario, veces, **kwargs):
    """Wrong passwords; returns the status codes: the form again (200) until the fifth
    failure, which already answers with the lockout page (429)."""
    return [
        ingresar(client, puerta, usuario, "no-es-la-clave", **kwargs).status_code
        for _ in range(veces)
    ]


def test_the_limit_is_five_failures_for_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    # The lockout check runs before any password is compared, and its middleware goes last.
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


@pytest.mark.parametrize("puerta", PUERTAS)
def test_five_wrong_passwords_lock_out_even_the_right_one(client, administracion, puerta):
    assert fallar(client, puerta, "admin", 5) == [200, 200, 200, 200, 429]

    respuesta = ingresar(client, puerta, "admin", CLAVE)

    assert respuesta.status_code == 429
    html = respuesta.content.decode()
    assert "Ingreso bloqueado" in html
    assert "Espere 15 minutos" in html
    assert "pida a la administración del portal que desbloquee su cuenta" in html
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("puerta", PUERTAS)
def test_four_failures_still_let_the_right_password_in_and_are_then_forgotten(
    client, administracion, puerta
):
    assert fallar(client, puerta, "admin", 4) == [200] * 4
    assert ingresar(client, puerta, "admin", CLAVE).status_code == 302
    client.logout()

    # AXES_RESET_ON_SUCCESS: four more typos do not add up to eight.
    assert fallar(client, puerta, "admin", 4) == [200] * 4
    assert ingresar(client, puerta, "admin", CLAVE).status_code == 302


def test_the_lockout_is_of_one_account_from_one_address(client, administracion):
    """Another account from the same address, and the same account from another address,
    still log in: a stranger cannot lock a colleague out, one person's typos do not lock out an
    office behind one address."""
    usuario_con_rol_guardar(username="coordinacion", password=CLAVE, rol=Rol.COORDINACION)
    fallar(client, "login", "admin", 5)
    assert ingresar(client, "login", "admin", CLAVE).status_code == 429

    assert ingresar(client, "login", "coordinacion", CLAVE).status_code == 302
    client.logout()
    assert ingresar(client, "login", "admin", CLAVE, direccion="198.51.100.20").status_code == 302


def test_failures_on_one_door_count_on_the_other(client, administracion):
    assert fallar(client, "login", "admin", 3) + fallar(client, "admin:login", "admin", 2) == [
        200,
        200,
        200,
        200,
        429,
    ]

    assert ingresar(client, "admin:login", "admin", CLAVE).status_code == 429
    assert ingresar(client, "login", "admin", CLAVE).status_code == 429


def test_behind_nginx_the_address_is_the_one_nginx_forwards(client, administracion):
    nginx = {"direccion": "127.0.0.1"}
    fallar(client, "login", "admin", 5, HTTP_X_FORWARDED_FOR=DIRECCION, **nginx)

    assert AccessAttempt.objects.get().ip_address == DIRECCION
    assert (
        ingresar(client, "login", "admin", CLAVE, HTTP_X_FORWARDED_FOR=DIRECCION, **nginx)
    ).status_code == 429
    # Someone else behind the same nginx is another address.
    otra = "198.51.100.20"
    assert (
        ingresar(client, "login", "admin", CLAVE, HTTP_X_FORWARDED_FOR=otra, **nginx)
    ).status_code == 302


def test_a_forged_forwarded_for_header_does_not_give_new_addresses(client, administracion):
    """nginx appends the real address to what the client sent: a client that sends its own
    header gets nginx's address, the same one however it changes the header."""
    for n in range(5):
        falsa = f"10.0.0.{n}, {DIRECCION}"
        ingresar(
            client, "login", "admin", "no-es", direccion="127.0.0.1", HTTP_X_FORWARDED_FOR=falsa
        )

    respuesta = ingresar(
        client, "login", "admin", CLAVE, direccion="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 1"
    )
    assert respuesta.status_code == 429


def test_the_administration_sees_the_lockout_and_unlocks_it_in_the_admin(client, administracion):
    usuario_con_rol_guardar(username="maria", password=CLAVE, rol=Rol.PERSONAL_CENTRO)
    fallar(client, "login", "maria", 5)
    assert ingresar(client, "login", "maria", CLAVE).status_code == 429
    intento = AccessAttempt.objects.get(username="maria")

    admin = client_del_admin(administracion)
    lista = admin.get(reverse("admin:axes_accessattempt_changelist"), {"locked_out": "yes"})
    assert lista.status_code == 200
    assert "maria" in lista.content.decode()
    respuesta = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [intento.pk], "post": "yes"},
    )
    assert respuesta.status_code == 302
    assert not AccessAttempt.objects.exists()

    assert ingresar(client, "login", "maria", CLAVE).status_code == 302


def test_the_administration_unlocks_with_the_command(client, db):
    usuario_con_rol_guardar(username="maria", password=CLAVE, rol=Rol.PERSONAL_CENTRO)
    fallar(client, "login", "maria", 5)
    assert ingresar(client, "login", "maria", CLAVE).status_code == 429

    call_command("axes_reset_username", "maria", verbosity=0)

    assert ingresar(client, "login", "maria", CLAVE).status_code == 302


def client_del_admin(usuario):
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


# --- The admin site is the administration's ---------------------------------------------------


def test_only_the_administration_opens_the_lockouts(client, db):
    url = reverse("admin:axes_accessattempt_changelist")
    for rol in (Rol.COORDINACION, Rol.PERSONAL_CENTRO):
        client.force_login(usuario_con_rol_guardar(username=rol.name, password=CLAVE, rol=rol))
        respuesta = client.get(url)
        assert respuesta.status_code == 302
        assert respuesta["Location"].startswith(reverse("admin:login"))


def test_the_coordination_cannot_use_the_admin_but_keeps_the_portal(client, db):
    coordinacion = usuario_con_rol_guardar(
        username="coordinacion", password=CLAVE, rol=Rol.COORDINACION
    )
    assert coordinacion.is_staff
    client.force_login(coordinacion)

    respuesta = client.get(reverse("admin:index"))
    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("inicio")).status_code == 200


def test_the_admin_login_refuses_the_coordination_by_name(client, db):
    usuario_con_rol_guardar(username="coordinacion", password=CLAVE, rol=Rol.COORDINACION)

    respuesta = ingresar(client, "admin:login", "coordinacion", CLAVE)

    assert respuesta.status_code == 200
    assert "no tiene acceso a la administración" in respuesta.content.decode()
    assert "_auth_user_id" not in client.session
    # The portal's own door still lets it in.
    assert ingresar(client, "login", "coordinacion", CLAVE).status_code == 302


def test_the_administration_and_superusers_open_the_admin(client, administracion):
    assert ingresar(client, "admin:login", "admin", CLAVE).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
