"""The portal's roles: Django groups named by `casmul.roles.Rol`, their permissions set by
`casmul.services.roles_asegurar`."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse
from django.utils import timezone

from casmul.roles import Rol, tiene_rol
from casmul.services import roles_asegurar, usuario_con_rol_guardar
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


# --- roles_asegurar ------------------------------------------------------------------------


def permisos_de(rol: Rol) -> set[str]:
    """What a (non-superuser) member of the role's group may do, as "app.codename"."""
    return UserFactory(roles=[rol]).get_all_permissions()


def test_roles_asegurar_creates_one_group_per_role_and_is_idempotent():
    primera = roles_asegurar()
    permisos = {rol: permisos_de(rol) for rol in Rol}

    segunda = roles_asegurar()

    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(rol.value for rol in Rol)
    assert {rol: grupo.pk for rol, grupo in segunda.items()} == {
        rol: grupo.pk for rol, grupo in primera.items()
    }
    assert {rol: permisos_de(rol) for rol in Rol} == permisos


def test_roles_asegurar_reuses_an_existing_group_and_its_members_gain_the_permissions():
    grupo = Group.objects.create(name=Rol.ADMINISTRACION.value)
    usuario = UserFactory(roles=[Rol.ADMINISTRACION])

    assert roles_asegurar()[Rol.ADMINISTRACION].pk == grupo.pk
    assert usuario.has_perm("centros.view_ciframensual")


def test_administracion_may_do_everything_in_the_portals_apps_and_manage_users():
    roles_asegurar()
    permisos = permisos_de(Rol.ADMINISTRACION)

    assert {
        "centros.add_centro",
        "centros.change_ciframensual",
        "salud.delete_atencionclinica",
        "convenios.change_convenio",
        "presupuesto.add_lineapresupuestaria",
        "rendicion.change_informeanual",
        "auth.add_user",
        "auth.change_group",
    } - permisos == set()
    # Django's own bookkeeping is not the administration's business.
    assert {
        "admin.delete_logentry",
        "sessions.change_session",
        "contenttypes.delete_contenttype",
    } & permisos == set()


# What the portal's own pages check with `has_perm`: nothing (they check roles). Were one to
# check a permission, the coordination would need it here and in `roles_asegurar`.
PERMISOS_QUE_LAS_PAGINAS_COMPRUEBAN: set[str] = set()


def test_no_page_of_the_portal_checks_a_model_permission():
    """So the coordination, kept out of the admin, has no use for model permissions."""
    raiz = Path(__file__).resolve().parents[2]
    comprobaciones = re.compile(r"has_perms?\(|permission_required|PermissionRequiredMixin|perms\.")
    carpetas = ["casmul", "centros", "salud", "convenios", "presupuesto", "rendicion"]
    archivos = [
        *(archivo for carpeta in carpetas for archivo in (raiz / carpeta).rglob("*.py")),
        *(raiz / "templates").rglob("*.html"),
    ]
    encontradas = [
        f"{archivo.relative_to(raiz)}:{numero}"
        for archivo in archivos
        if "migrations" not in archivo.parts
        for numero, linea in enumerate(archivo.read_text(encoding="utf-8").splitlines(), 1)
        if comprobaciones.search(linea)
    ]

    assert encontradas == []


def test_coordinacion_has_exactly_the_permissions_the_portals_pages_check():
    """None of the admin's model permissions: the admin is the administration's alone."""
    roles_asegurar()

    assert permisos_de(Rol.COORDINACION) == PERMISOS_QUE_LAS_PAGINAS_COMPRUEBAN


def test_the_coordination_created_by_the_portal_still_opens_its_pages(client):
    coordinador = usuario_con_rol_guardar(
        username="luis.armijos", password="clave-larga-de-prueba-7", rol=Rol.COORDINACION
    )
    anio = timezone.localdate().year
    client.force_login(coordinador)

    for url in (
        reverse("inicio"),
        reverse("centros:completitud", args=[anio]),
        reverse("centros:beneficiarios_resumen", args=[anio]),
        reverse("convenios:lista"),
        reverse("presupuesto:indice"),
        reverse("rendicion:indice"),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("centros:beneficiarios")).status_code == 403


def test_the_migration_takes_the_permissions_away_from_an_existing_coordination():
    """Installations whose coordination group got permissions from the earlier
    `roles_asegurar` lose them on `migrate`; the other groups keep theirs."""
    migracion = importlib.import_module("casmul.migrations.0001_coordinacion_sin_permisos")
    ver_cifras = Permission.objects.get(codename="view_ciframensual")
    coordinacion = Group.objects.create(name=Rol.COORDINACION.value)
    coordinacion.permissions.add(ver_cifras)
    otro = Group.objects.create(name="Otro grupo")
    otro.permissions.add(ver_cifras)

    migracion.quitar_permisos_a_la_coordinacion(django_apps, schema_editor=None)

    assert not coordinacion.permissions.exists()
    assert list(otro.permissions.all()) == [ver_cifras]
    assert Rol.COORDINACION.value == migracion.COORDINACION
    assert ("casmul", "0001_coordinacion_sin_permisos") in MigrationRecorder(
        connection
    ).applied_migrations()


def test_coordinacion_cannot_read_personal_records_in_the_admin(client):
    """It sees aggregates, not people (LOPDP): no beneficiary or enrolment, listed or opened."""
    roles_asegurar()
    permisos = permisos_de(Rol.COORDINACION)
    coordinador = UserFactory(roles=[Rol.COORDINACION], is_staff=True)
    client.force_login(coordinador)

    assert {"centros.view_beneficiario", "centros.view_inscripcion"} & permisos == set()
    # Not even the admin's door opens for it (the admin is the administration's).
    for url in (
        reverse("admin:centros_beneficiario_changelist"),
        reverse("admin:centros_inscripcion_changelist"),
    ):
        respuesta = client.get(url)
        assert respuesta.status_code == 302
        assert respuesta["Location"].startswith(reverse("admin:login"))


def test_personal_de_centro_has_no_django_permissions():
    roles_asegurar()

    assert permisos_de(Rol.PERSONAL_CENTRO) == set()


def test_roles_asegurar_takes_away_permissions_given_by_hand():
    cambiar_cifras = Permission.objects.get(
        content_type__app_label="centros", codename="change_ciframensual"
    )
    for rol in (Rol.PERSONAL_CENTRO, Rol.COORDINACION):
        Group.objects.create(name=rol.value).permissions.add(cambiar_cifras)

    roles_asegurar()

    assert "centros.change_ciframensual" not in permisos_de(Rol.PERSONAL_CENTRO)
    assert "centros.change_ciframensual" not in permisos_de(Rol.COORDINACION)
