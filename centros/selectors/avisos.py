"""Which notices by e-mail a person receives (`services.avisos` sends them)."""

from casmul.permisos import puede_registrar_cifras
from casmul.roles import Rol, tiene_rol

from ..models import AvisoDesactivado, TipoDeAviso


def tipos_de_aviso_de(usuario) -> list[TipoDeAviso]:
    """The kinds the user's roles receive: staff hear about their centres' months, the
    coordination about the months to review."""
    tipos = []
    if puede_registrar_cifras(usuario) and tiene_rol(usuario, Rol.PERSONAL_CENTRO):
        tipos += [TipoDeAviso.DEVUELTO, TipoDeAviso.RECORDATORIO]
    if tiene_rol(usuario, Rol.COORDINACION):
        tipos.append(TipoDeAviso.RESUMEN)
    return tipos


def avisos_desactivados(usuario) -> set[str]:
    return set(AvisoDesactivado.objects.filter(usuario=usuario).values_list("tipo", flat=True))
