"""Where a figure of the report comes from: the rows behind each cell of Tablas 1, 6, 11 and
12, with the rule that makes one number of them."""

from django.http import Http404
from django.shortcuts import render

from casmul.permisos import coordinacion_requerida
from centros.selectors import informe as centros
from presupuesto import selectors as presupuesto


@coordinacion_requerida
def usuarios(request, anio: int, centro_id: int):
    detalle = centros.detalle_de_usuarios(anio=anio, centro_id=centro_id)
    if detalle is None:
        raise Http404("Ese centro no operó ese año.")
    return render(request, "rendicion/detalle_usuarios.html", {"anio": anio, "detalle": detalle})


@coordinacion_requerida
def presupuesto_del_area(request, anio: int, area_id: int):
    lineas = list(presupuesto.lineas_del_area(anio=anio, area_id=area_id))
    contexto = {
        "anio": anio,
        "lineas": lineas,
        "area": lineas[0].area if lineas else None,
        "total": sum(linea.codificado for linea in lineas),
    }
    return render(request, "rendicion/detalle_presupuesto.html", contexto)


@coordinacion_requerida
def contratacion_del_tipo(request, anio: int, tipo: str):
    procesos = list(presupuesto.procesos_del_tipo(anio=anio, tipo=tipo))
    if not procesos:
        raise Http404("No hay procesos de ese tipo ese año.")
    contexto = {
        "anio": anio,
        "procesos": procesos,
        "tipo": procesos[0].get_tipo_display(),
        "total": sum(proceso.monto for proceso in procesos),
    }
    return render(request, "rendicion/detalle_contratacion.html", contexto)
