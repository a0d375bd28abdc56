"""Who may see which centres: read by every page that shows a centre's data."""

from django.db.models import QuerySet

from casmul.roles import Rol, tiene_rol

from ..models import Centro


def centros_de_usuario(usuario) -> QuerySet[Centro]:
    """The centres a user may see: their own for centre staff, every centre for the
    coordination and the administration, none for anyone else."""
    centros = Centro.objects.select_related("area", "parroquia", "indicador_usuarios")
    if tiene_rol(usuario, Rol.COORDINACION, Rol.ADMINISTRACION):
        return centros
    if tiene_rol(usuario, Rol.PERSONAL_CENTRO):
        return centros.asignados_a(usuario)
    return centros.none()
