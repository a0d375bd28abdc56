"""`manage.py usuario`: the first administrator of a server, and anyone after, with one role."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from casmul.roles import Rol, tiene_rol
from tests.factories import CentroFactory


def test_the_first_administrator_is_created_with_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("CLAVE_ADMIN", "una-clave-larga-de-prueba-7")

    call_command("usuario", "ana", "--rol", "administracion", "--clave-del-entorno", "CLAVE_ADMIN")

    usuario = get_user_model().objects.get(username="ana")
    assert usuario.check_password("una-clave-larga-de-prueba-7")
    assert tiene_rol(usuario, Rol.ADMINISTRACION) and usuario.is_staff


def test_centre_staff_get_their_centres_by_number(db, monkeypatch):
    monkeypatch.setenv("CLAVE", "otra-clave-larga-de-prueba-8")
    tres, cuatro = CentroFactory(numero=3), CentroFactory(numero=4)
    CentroFactory(numero=5)

    call_command(
        "usuario", "cdi", "--rol", "personal", "--centros", "3,4", "--clave-del-entorno", "CLAVE"
    )

    usuario = get_user_model().objects.get(username="cdi")
    assert set(usuario.centros_asignados.all()) == {tres, cuatro}
    assert not usuario.is_staff


def test_unknown_centres_or_a_missing_password_change_nothing(db, monkeypatch):
    monkeypatch.setenv("CLAVE", "otra-clave-larga-de-prueba-8")

    with pytest.raises(CommandError, match="No existen los centros 9"):
        call_command(
            "usuario", "cdi", "--rol", "personal", "--centros", "9", "--clave-del-entorno", "CLAVE"
        )
    with pytest.raises(CommandError, match="está vacía o no existe"):
        call_command("usuario", "x", "--rol", "personal", "--clave-del-entorno", "NO_DEFINIDA")
    assert not get_user_model().objects.exists()
