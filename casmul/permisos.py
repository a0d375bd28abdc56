"""View guards by role. Anonymous users go to the login page; a user without the role gets 403."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .roles import Rol, tiene_rol


def rol_requerido(*roles: Rol):
    def decorador(vista):
        @wraps(vista)
        def envuelta(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not tiene_rol(request.user, *roles):
                raise PermissionDenied("Su rol no permite ver esta página.")
            return vista(request, *args, **kwargs)

        return envuelta

    return decorador


coordinacion_requerida = rol_requerido(Rol.COORDINACION, Rol.ADMINISTRACION)


def _personal_del_centro_o_administracion(usuario) -> bool:
    # A coordinator also assigned to a centre acts as the coordination, which sees every
    # centre: it neither types figures nor reads people's records.
    if tiene_rol(usuario, Rol.ADMINISTRACION):
        return True
    return tiene_rol(usuario, Rol.PERSONAL_CENTRO) and not tiene_rol(usuario, Rol.COORDINACION)


def puede_registrar_cifras(usuario) -> bool:
    """Staff of a centre and the administration type figures; the coordination does not."""
    return _personal_del_centro_o_administracion(usuario)


def ve_datos_personales(usuario) -> bool:
    """Centre staff (for their centres) and the administration see people's records; the
    coordination sees aggregates (LOPDP)."""
    return _personal_del_centro_o_administracion(usuario)
