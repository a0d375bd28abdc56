"""The portal's three roles. Each is a Django group; a user's role is the group it is in."""

from django.db import models


class Rol(models.TextChoices):
    PERSONAL_CENTRO = "Personal de centro", "Personal de centro"
    COORDINACION = "Coordinación de planificación", "Coordinación de planificación"
    ADMINISTRACION = "Administración", "Administración"


def tiene_rol(usuario, *roles: Rol) -> bool:
    """True when the user is active and in one of the groups; superusers act as Administración."""
    if not usuario.is_authenticated or not usuario.is_active:
        return False
    if usuario.is_superuser and Rol.ADMINISTRACION in roles:
        return True
    # Asked several times per request (views, menu): read the groups once per user object.
    nombres = getattr(usuario, "_nombres_de_grupos", None)
    if nombres is None:
        nombres = set(usuario.groups.values_list("name", flat=True))
        usuario._nombres_de_grupos = nombres
    return any(rol.value in nombres for rol in roles)
