"""Where a figure of the report comes from: the rows behind each cell of Tablas 1, 2, 6, 9, 11
and 12 and behind their totals, with the rule that makes one number of them."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from casmul.permisos import coordinacion_requerida
from centros.selectors import informe as centros
from convenios import selectors as convenios
from presupuesto import selectors as presupuesto
from salud import selectors as salud


@coordinacion_requerida
@require_safe
def usuarios(request, anio: int, centro_id: int):
    detalle = centros.detalle_de_usuarios(anio=anio, centro_id=centro_id)
    if detalle is None:
        raise Http404("Ese centro no operó ese año.")
    return render(request, "rendicion/detalle_usuarios.html", {"anio": anio, "detalle": detalle})


@coordinacion_requerida
@require_safe
def usuarios_del_area(request, anio: int, area: str):
    """The total of Tablas 1 and 6: the table's own rows, each linking to its months."""
    del_area = next((fila for fila in centros.areas() if fila.codigo == area), None)
    if del_area is None:
        raise Http404("No existe esa área.")
    contexto = {
        "anio": anio,
        "area": del_area,
        "tabla": centros.usuarios_por_centro(anio=anio, area_codigo=area),
    }
    return render(request, "rendicion/detalle_usuarios_area.html", contexto)


@coordinacion_requerida
@require_safe
def clinica(request, anio: int, servicio: str | None = None):
    detalle = salud.meses_de_la_clinica(anio=anio, servicio=servicio)
    if detalle is None:
        raise Http404("La clínica no tiene ese servicio.")
    return render(request, "rendicion/detalle_clinica.html", {"anio": anio, "detalle": detalle})


@coordinacion_requerida
@require_safe
def convenios_contados(request, anio: int):
    contexto = {"anio": anio, "contados": convenios.convenios_contados(anio=anio)}
    return render(request, "rendicion/detalle_convenios.html", contexto)


@coordinacion_requerida
@require_safe
def presupuesto_del_area(request, anio: int, area_id: int | None = None):
    """An área's row of Tabla 11 or, without `area_id`, its total: every line of the year."""
    lineas = list(presupuesto.lineas_del_area(anio=anio, area_id=area_id))
    contexto = {
        "anio": anio,
        "lineas": lineas,
        "todas_las_areas": area_id is None,
        "area": lineas[0].area if lineas and area_id is not None else None,
        "total": sum(linea.codificado for linea in lineas),
    }
    return render(request, "rendicion/detalle_presupuesto.html", contexto)


@coordinacion_requerida
@require_safe
def contratacion_del_tipo(request, anio: int, tipo: str | None = None):
    """A type's row of Tabla 12 or, without `tipo`, its total: every process of the year."""
    procesos = list(presupuesto.procesos_del_tipo(anio=anio, tipo=tipo))
    if tipo is not None and not procesos:
        raise Http404("No hay procesos de ese tipo ese año.")
    contexto = {
        "anio": anio,
        "procesos": procesos,
        "todos_los_tipos": tipo is None,
        "tipo": procesos[0].tipo if tipo is not None else None,
        "total": sum(proceso.monto for proceso in procesos),
    }
    return render(request, "rendicion/detalle_contratacion.html", contexto)
