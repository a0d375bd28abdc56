"""Writes that belong to the portal as a whole: roles and users."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .roles import Rol

APPS_DEL_PORTAL = ["centros", "salud", "convenios", "presupuesto", "rendicion"]


def _permisos(*, apps: list[str], acciones: list[str]):
    return Permission.objects.filter(
        content_type__app_label__in=apps, codename__regex=rf"^({'|'.join(acciones)})_"
    )


@transaction.atomic
def roles_asegurar() -> dict[Rol, Group]:
    """Creates the three role groups (or brings their permissions up to date)."""
    grupos = {rol: Group.objects.get_or_create(name=rol.value)[0] for rol in Rol}
    grupos[Rol.ADMINISTRACION].permissions.set(
        _permisos(apps=[*APPS_DEL_PORTAL, "auth"], acciones=["add", "change", "delete", "view"])
    )
    # The coordination and centre staff work only through the portal's pages, which check
    # their role (and centres), never a model permission: the admin, where permissions would
    # count, is the administration's alone (`casmul.admin_sitio`). Their groups hold none
    # (casmul/migrations/0001 took them away from existing installations too).
    grupos[Rol.COORDINACION].permissions.clear()
    grupos[Rol.PERSONAL_CENTRO].permissions.clear()
    return grupos


@transaction.atomic
def usuario_con_rol_guardar(
    *,
    username: str,
    password: str,
    rol: Rol,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    centro_ids: list[int] | None = None,
):
    """Creates or updates a user with exactly one role (and, for centre staff, its centres)."""
    grupos = roles_asegurar()
    usuario, _ = get_user_model().objects.update_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "is_active": True,
            "is_staff": rol in (Rol.COORDINACION, Rol.ADMINISTRACION),
            "is_superuser": rol == Rol.ADMINISTRACION,
        },
    )
    usuario.set_password(password)
    usuario.full_clean()
    usuario.save()
    usuario.groups.set([grupos[rol]])
    usuario.centros_asignados.set(centro_ids or [])
    return usuario
