from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from casmul.exportar import Archivo, descarga
from casmul.permisos import coordinacion_requerida
from casmul.versiones import calculado

from ..consistencia import observaciones
from ..documento import MARCA_BORRADOR, documento_en_pagina, documento_pdf_del_anio
from ..exportar import TABLAS, archivo_de_tabla
from ..selectors import anios_con_informe, publicacion_vigente
from ..tareas import informe_pdf_tarea


def _borrador(request) -> bool:
    # The coordination's preview counts months not yet approved; the report never does.
    return request.GET.get("borrador") == "1"


def _no_existe(anio: int) -> Http404:
    return Http404(f"No existe el informe de {anio}.")


@coordinacion_requerida
@require_safe
def indice(request):
    return render(request, "rendicion/indice.html", {"anios": anios_con_informe()})


@coordinacion_requerida
@require_safe
def informe(request, anio: int):
    hoy = timezone.localdate()
    borrador = _borrador(request)
    documento = documento_en_pagina(anio=anio, borrador=borrador, hoy=hoy)
    if documento is None:
        raise _no_existe(anio)
    contexto = {
        "anio": anio,
        "borrador": borrador,
        "MARCA_BORRADOR": MARCA_BORRADOR,
        "documento": documento,
        # The panel counts drafts too: kept until any write of the year, or of the year before
        # (a January's unusual figure is measured against the months before it).
        "observaciones": calculado(
            "observaciones",
            lambda: observaciones(anio=anio, hoy=hoy),
            anios=[anio - 1, anio],
            borradores=True,
            partes=(anio, hoy),
        ),
        "tablas_exportar": TABLAS.values(),
        # Not "publicacion": the document would print that version on the cover of today's figures.
        "publicacion_vigente": publicacion_vigente(anio=anio),
    }
    return render(request, "rendicion/informe_pagina.html", contexto)


@coordinacion_requerida
def informe_pdf(request, anio: int):
    """GET: the PDF now (the page fetches it with descarga.js; the `rendicion` command too).
    POST: built by a worker, followed on the task's page, for large data."""
    borrador = _borrador(request)
    if anio not in anios_con_informe():
        raise _no_existe(anio)
    if request.method == "POST":
        tarea = informe_pdf_tarea.enqueue(anio=anio, borrador=borrador, usuario_id=request.user.pk)
        return redirect("tarea", tarea_id=tarea.id)
    pdf = documento_pdf_del_anio(anio=anio, borrador=borrador, hoy=timezone.localdate())
    nombre = f"informe-rendicion-{anio}{'-borrador' if borrador else ''}.pdf"
    return descarga(Archivo(pdf, "application/pdf", nombre))


@coordinacion_requerida
@require_safe
def tabla_exportar(request, anio: int, tabla: str, formato: str):
    archivo = archivo_de_tabla(anio=anio, slug=tabla, formato=formato)
    if archivo is None:
        raise Http404("No existe esa tabla, formato o año del informe.")
    return descarga(archivo)
