from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from casmul.meses import anio_valido
from casmul.permisos import coordinacion_requerida
from casmul.versiones import calculado

from ..selectors import comparacion_anual


@coordinacion_requerida
@require_safe
def comparacion(request, anio: int):
    hoy = timezone.localdate()
    if not anio_valido(anio - 1, hoy=hoy) or anio > hoy.year:
        raise Http404("No hay datos que comparar para ese año.")
    comparacion = calculado(
        "comparacion",
        lambda: comparacion_anual(anio=anio, hoy=hoy),
        anios=[anio - 1, anio],
        partes=(anio, hoy),
    )
    contexto = {
        "comparacion": comparacion,
        "completitudes": [
            (anio - 1, comparacion.centros.completitud_anterior),
            (anio, comparacion.centros.completitud),
        ],
        "siguiente": anio + 1 if anio < hoy.year else None,
        "minimo_aprobado": settings.COMPARACION_MESES_APROBADOS_MINIMO,
    }
    return render(request, "rendicion/comparacion.html", contexto)
