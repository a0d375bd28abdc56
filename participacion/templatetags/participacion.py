"""The coordination's reminders of the rendición de cuentas on its home page: the steps of the
process whose date has passed or comes soon. A tag, so that the home page (in `centros`)
shows them without reading this app."""

from django import template
from django.utils import timezone

from ..selectors import pasos_por_vencer

register = template.Library()


@register.inclusion_tag("participacion/_pasos_por_vencer.html")
def pasos_del_proceso_por_vencer():
    hoy = timezone.localdate()
    return {"pasos": list(pasos_por_vencer(hoy=hoy)[:10]), "hoy": hoy}
