"""`{% load convenios %}{% avisos_de_convenios %}`: the agreements' card on the home page of
the coordination and the administration. Here rather than in the home's view because
`centros`, which renders the home, must not import `convenios`."""

from django import template
from django.utils import timezone

from casmul.roles import Rol, tiene_rol

from ..selectors import avisos_de_convenios as avisos_leer

register = template.Library()


@register.inclusion_tag("convenios/_avisos.html", takes_context=True)
def avisos_de_convenios(context):
    """The agreements ending soon and the MIES centres about to be left uncovered; nothing
    (and no query) for a user of another role, whatever template includes it."""
    request = context.get("request")
    usuario = getattr(request, "user", None)
    if usuario is None or not tiene_rol(usuario, Rol.COORDINACION, Rol.ADMINISTRACION):
        return {"avisos": None}
    return {"avisos": avisos_leer(hoy=timezone.localdate())}
