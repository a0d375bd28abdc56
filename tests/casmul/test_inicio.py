import pytest
from django.urls import reverse

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from tests.factories import CentroFactory


@pytest.fixture
def centros(db):
    return CentroFactory.create_batch(3)


def _usuario(rol, centros=()):
    return usuario_con_rol_guardar(
        username=f"u-{rol.name.lower()}",
        password="clave-de-prueba-1",
        rol=rol,
        centro_ids=[c.pk for c in centros],
    )


def test_login_page_is_in_spanish(client, db):
    respuesta = client.get(reverse("login"))

    assert respuesta.status_code == 200
    assert "Ingresar al portal" in respuesta.content.decode()


def test_anonymous_user_is_sent_to_login(client, db):
    respuesta = client.get(reverse("inicio"))

    assert respuesta.status_code == 302
    assert respuesta.url.startswith(reverse("login"))


def test_centre_staff_home_lists_only_their_centres(client, centros):
    propio, ajeno, _ = centros
    client.force_login(_usuario(Rol.PERSONAL_CENTRO, [propio]))

    contenido = client.get(reverse("inicio")).content.decode()

    assert propio.nombre in contenido
    assert ajeno.nombre not in contenido


def test_coordinator_home_lists_every_centre(client, centros):
    client.force_login(_usuario(Rol.COORDINACION))

    contenido = client.get(reverse("inicio")).content.decode()

    assert all(centro.nombre in contenido for centro in centros)


def test_login_with_demo_style_credentials_reaches_home(client, centros):
    _usuario(Rol.ADMINISTRACION)

    respuesta = client.post(
        reverse("login"), {"username": "u-administracion", "password": "clave-de-prueba-1"}
    )

    assert respuesta.status_code == 302
    assert respuesta.url == reverse("inicio")


def test_home_query_count_does_not_grow_with_centres(client, db, django_assert_max_num_queries):
    usuario = _usuario(Rol.COORDINACION)
    client.force_login(usuario)
    CentroFactory.create_batch(3)
    with django_assert_max_num_queries(8):
        client.get(reverse("inicio"))
    CentroFactory.create_batch(30)
    with django_assert_max_num_queries(8):
        client.get(reverse("inicio"))
