from django.conf import settings

from .roles import Rol, tiene_rol


def portal(request):
    usuario = getattr(request, "user", None)
    return {
        "institucion_nombre": settings.INSTITUCION_NOMBRE,
        "institucion_siglas": settings.INSTITUCION_SIGLAS,
        "ve_rendicion": usuario is not None
        and tiene_rol(usuario, Rol.COORDINACION, Rol.ADMINISTRACION),
        # Personal records: the centres' staff and the administration, not the coordination,
        # which sees aggregates (LOPDP).
        "ve_beneficiarios": usuario is not None
        and tiene_rol(usuario, Rol.PERSONAL_CENTRO, Rol.ADMINISTRACION)
        and not tiene_rol(usuario, Rol.COORDINACION),
    }
