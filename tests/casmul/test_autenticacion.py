"""Failed logins are limited (django-axes) on both login doors, the administration unlocks, and
the admin site is the administration's alone."""

import datetime

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
    # And 30 of one account from all addresses together lock it from every address.
    assert settings.AXES_HANDLER == "casmul.accesos.ManejadorDeAccesos"
    assert settings.CASMUL_FALLOS_POR_CUENTA == 30
    # The address is the socket's unless a trusted proxy forwards it; tests have no proxy.
    assert settings.AXES_CLIENT_IP_CALLABLE == "casmul.accesos.direccion_del_cliente"
    assert settings.PROXIES_DE_CONFIANZA == []
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


# --- The client's address ----------------------------------------------------------------------


@pytest.fixture
def nginx(settings):
    """nginx on 127.0.0.1, a trusted proxy: its X-Forwarded-For holds the client's address."""
    settings.PROXIES_DE_CONFIANZA = ["127.0.0.1"]
    return {"direccion": "127.0.0.1"}


def test_behind_nginx_the_address_is_the_one_nginx_forwards(client, administracion, nginx):
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


def test_behind_nginx_only_the_entry_nginx_wrote_counts(client, administracion, nginx):
    """An nginx that appends to the client's own header ($proxy_add_x_forwarded_for) leaves
    the client's inventions on the left: the right-most entry is the one nginx saw."""
    for n in range(5):
        falsa = f"10.0.0.{n}, {DIRECCION}"
        ingresar(client, "login", "admin", "no-es", HTTP_X_FORWARDED_FOR=falsa, **nginx)

    respuesta = ingresar(
        client, "login", "admin", CLAVE, HTTP_X_FORWARDED_FOR=f"10.9.9.9, {DIRECCION}", **nginx
    )
    assert respuesta.status_code == 429
    assert AccessAttempt.objects.get().ip_address == DIRECCION


def test_thirty_wrong_passwords_with_a_new_forwarded_for_each_from_an_untrusted_client_lock(
    client, administracion
):
    """Straight to gunicorn, not through nginx: the header is the client's own invention, and
    every attempt counts against the address of its connection."""
    estados = [
        ingresar(
            client,
            "login",
            "admin",
            "no-es-la-clave",
            HTTP_X_FORWARDED_FOR=f"10.0.{n // 250}.{n % 250 + 1}",
        ).status_code
        for n in range(30)
    ]

    assert estados[:5] == [200, 200, 200, 200, 429]
    assert set(estados[5:]) == {429}
    assert ingresar(
        client, "login", "admin", CLAVE, HTTP_X_FORWARDED_FOR="10.9.9.9"
    ).status_code == (429)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {DIRECCION}


def test_a_header_that_is_no_address_counts_against_the_proxy(client, administracion, nginx):
    fallar(client, "login", "admin", 5, HTTP_X_FORWARDED_FOR="desconocida", **nginx)

    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


@pytest.mark.parametrize(
    ("confianza", "esperada"),
    [(["unix"], DIRECCION), ([], None)],
    ids=["socket-de-confianza", "socket-sin-confianza"],
)
def test_through_a_unix_socket_the_header_counts_only_if_the_socket_is_trusted(
    client, administracion, settings, confianza, esperada
):
    # gunicorn sets no address for a connection through its Unix socket.
    settings.PROXIES_DE_CONFIANZA = confianza

    fallar(client, "login", "admin", 5, direccion="", HTTP_X_FORWARDED_FOR=DIRECCION)

    assert AccessAttempt.objects.get().ip_address == esperada
    assert ingresar(client, "login", "admin", CLAVE, direccion="").status_code == (
        302 if confianza else 429
    )


# --- One account from many addresses ------------------------------------------------------------


def _direcciones(cuantas):
    return [f"198.51.100.{n + 1}" for n in range(cuantas)]


def test_thirty_failures_of_one_account_from_many_addresses_lock_it_everywhere(
    client, administracion
):
    """Rotating addresses (a botnet) gives no more than 30 guesses per account every 15
    minutes: 4 from each address, never reaching the per-address limit."""
    direcciones = _direcciones(8)
    estados = [
        ingresar(client, "login", "admin", "no-es", direccion=direccion).status_code
        for direccion in direcciones[:7]
        for _ in range(4)
    ]
    estados += fallar(client, "login", "admin", 1, direccion=direcciones[7])
    assert estados == [200] * 29
    # 29 failures: the owner still logs in, from an address of her own.
    assert ingresar(client, "login", "admin", CLAVE, direccion="192.0.2.1").status_code == 302
    client.logout()

    assert fallar(client, "login", "admin", 1, direccion=direcciones[7]) == [429]

    for direccion in ("192.0.2.1", "192.0.2.99"):
        assert ingresar(client, "login", "admin", CLAVE, direccion=direccion).status_code == 429
    # Another account is not affected.
    usuario_con_rol_guardar(username="coordinacion", password=CLAVE, rol=Rol.COORDINACION)
    assert ingresar(client, "login", "coordinacion", CLAVE).status_code == 302


def test_the_account_wide_lockout_ends_with_the_cool_off(client, administracion):
    for direccion in _direcciones(10):
        fallar(client, "login", "admin", 3, direccion=direccion)
    assert ingresar(client, "login", "admin", CLAVE).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )

    assert ingresar(client, "login", "admin", CLAVE).status_code == 302


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
