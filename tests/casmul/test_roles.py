"""The portal's roles are Django groups named by `casmul.roles.Rol`."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from casmul.roles import Rol, tiene_rol
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_role_values_are_the_group_names():
    assert [rol.value for rol in Rol] == [
        "Personal de centro",
        "Coordinación de planificación",
        "Administración",
    ]


@pytest.mark.parametrize("rol", list(Rol))
def test_user_in_a_roles_group_has_that_role_only(rol):
    usuario = UserFactory(roles=[rol])
    assert tiene_rol(usuario, rol)
    otros = [otro for otro in Rol if otro != rol]
    assert not tiene_rol(usuario, *otros)


def test_any_of_several_roles_is_enough():
    usuario = UserFactory(roles=[Rol.COORDINACION])
    assert tiene_rol(usuario, Rol.COORDINACION, Rol.ADMINISTRACION)
    assert tiene_rol(usuario, Rol.ADMINISTRACION, Rol.COORDINACION)


def test_user_with_two_roles_has_both():
    usuario = UserFactory(roles=[Rol.PERSONAL_CENTRO, Rol.COORDINACION])
    assert tiene_rol(usuario, Rol.PERSONAL_CENTRO)
    assert tiene_rol(usuario, Rol.COORDINACION)
    assert not tiene_rol(usuario, Rol.ADMINISTRACION)


def test_user_without_group_has_no_role():
    usuario = UserFactory()
    assert not tiene_rol(usuario, *Rol)


def test_group_with_another_name_is_not_a_role():
    usuario = UserFactory()
    usuario.groups.add(Group.objects.create(name="Coordinación"))
    assert not tiene_rol(usuario, Rol.COORDINACION)


def test_no_roles_asked_is_false():
    assert not tiene_rol(UserFactory(roles=[Rol.ADMINISTRACION]))


def test_superuser_acts_as_administracion_only():
    superusuario = UserFactory(is_superuser=True, is_staff=True)
    assert tiene_rol(superusuario, Rol.ADMINISTRACION)
    assert tiene_rol(superusuario, Rol.PERSONAL_CENTRO, Rol.ADMINISTRACION)
    assert not tiene_rol(superusuario, Rol.COORDINACION)
    assert not tiene_rol(superusuario, Rol.PERSONAL_CENTRO)


@pytest.mark.parametrize("superusuario", [False, True], ids=["usuario", "superusuario"])
def test_inactive_user_has_no_role(superusuario):
    usuario = UserFactory(roles=[Rol.ADMINISTRACION], is_active=False, is_superuser=superusuario)
    assert not tiene_rol(usuario, *Rol)


def test_anonymous_user_has_no_role():
    assert not tiene_rol(AnonymousUser(), *Rol)


def test_factory_reuses_the_roles_group():
    UserFactory(roles=[Rol.COORDINACION])
    UserFactory(roles=[Rol.COORDINACION])
    assert Group.objects.filter(name=Rol.COORDINACION.value).count() == 1
