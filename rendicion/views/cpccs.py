"""The year's CPCCS form: the page the coordination checks, its workbook for manual entry into
the CPCCS system, and a printable PDF."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from casmul.exportar import XLSX, Archivo, descarga
from casmul.permisos import coordinacion_requerida

from ..consistencia import enlaces_rotos
from ..cpccs import formulario_cpccs, libro_cpccs, pdf_cpccs
from ..selectors import informe_del_anio
from ..tareas import cpccs_enlaces_tarea


def _formulario_o_404(anio: int):
    if informe_del_anio(anio=anio) is None:
        raise Http404(f"No existe el informe de {anio}.")
    return formulario_cpccs(anio=anio)


@coordinacion_requerida
@require_safe
def formulario(request, anio: int):
    contexto = {"formulario": _formulario_o_404(anio), "enlaces_rotos": enlaces_rotos(anio=anio)}
    return render(request, "rendicion/cpccs.html", contexto)


@coordinacion_requerida
@require_POST
def enlaces_comprobar(request, anio: int):
    """Opens every link of the form in the background; the task's page follows it."""
    _formulario_o_404(anio)
    tarea = cpccs_enlaces_tarea.enqueue(anio=anio, usuario_id=request.user.pk)
    return redirect("tarea", tarea_id=tarea.id)


@coordinacion_requerida
@require_safe
def formulario_xlsx(request, anio: int):
    contenido = libro_cpccs(_formulario_o_404(anio))
    return descarga(Archivo(contenido, XLSX, f"formulario-cpccs-{anio}.xlsx"))


@coordinacion_requerida
@require_safe
def formulario_pdf(request, anio: int):
    contenido = pdf_cpccs(_formulario_o_404(anio))
    return descarga(Archivo(contenido, "application/pdf", f"formulario-cpccs-{anio}.pdf"))
