from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from casmul.exportar import Archivo, descarga
from casmul.permisos import coordinacion_requerida

from ..consistencia import observaciones
from ..documento import contexto_documento, documento_pdf
from ..exportar import TABLAS, archivo_de_tabla
from ..selectors import anios_con_informe, informe_rendicion, publicacion_vigente
from ..tareas import informe_pdf_tarea


def _informe_o_404(request, anio: int):
    # The coordination's preview counts months not yet approved; the report never does.
    informe = informe_rendicion(anio=anio, borrador=request.GET.get("borrador") == "1")
    if informe is None:
        raise Http404(f"No existe el informe de {anio}.")
    return informe


@coordinacion_requerida
@require_safe
def indice(request):
    return render(request, "rendicion/indice.html", {"anios": anios_con_informe()})


@coordinacion_requerida
@require_safe
def informe(request, anio: int):
    informe = _informe_o_404(request, anio)
    hoy = timezone.localdate()
    contexto = contexto_documento(informe) | {
        "observaciones": observaciones(anio=anio, hoy=hoy),
        "tablas_exportar": TABLAS.values(),
        # On the page each linked figure opens the rows behind it; never in the PDF.
        "con_enlaces": True,
        # Not "publicacion": the document would print that version on the cover of today's figures.
        "publicacion_vigente": publicacion_vigente(anio=anio),
    }
    return render(request, "rendicion/informe_pagina.html", contexto)


@coordinacion_requerida
def informe_pdf(request, anio: int):
    """GET: the PDF now (the page fetches it with descarga.js; the `rendicion` command too).
    POST: built by a worker, followed on the task's page, for large data."""
    informe = _informe_o_404(request, anio)
    if request.method == "POST":
        tarea = informe_pdf_tarea.enqueue(
            anio=anio, borrador=informe.borrador, usuario_id=request.user.pk
        )
        return redirect("tarea", tarea_id=tarea.id)
    nombre = f"informe-rendicion-{anio}{'-borrador' if informe.borrador else ''}.pdf"
    return descarga(Archivo(documento_pdf(informe), "application/pdf", nombre))


@coordinacion_requerida
@require_safe
def tabla_exportar(request, anio: int, tabla: str, formato: str):
    archivo = archivo_de_tabla(anio=anio, slug=tabla, formato=formato)
    if archivo is None:
        raise Http404("No existe esa tabla, formato o año del informe.")
    return descarga(archivo)
