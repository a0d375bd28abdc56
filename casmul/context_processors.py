from django.conf import settings

from .hojas import importables_de
from .permisos import ve_datos_personales
from .roles import Rol, tiene_rol


def portal(request):
    usuario = getattr(request, "user", None)
    return {
        "institucion_nombre": settings.INSTITUCION_NOMBRE,
        "institucion_siglas": settings.INSTITUCION_SIGLAS,
        "ve_rendicion": usuario is not None
        and tiene_rol(usuario, Rol.COORDINACION, Rol.ADMINISTRACION),
        "ve_beneficiarios": usuario is not None and ve_datos_personales(usuario),
        # The admin site lets in the administration only (`casmul.admin_sitio`).
        "ve_administracion": usuario is not None
        and usuario.is_staff
        and tiene_rol(usuario, Rol.ADMINISTRACION),
        # The kinds' roles decide (`casmul.hojas`): the staff and the administration.
        "ve_importar": usuario is not None and bool(importables_de(usuario)),
    }
