"""Published reports: the coordination publishes a year (and its errata); anyone may list and
download the published versions, which are public documents; a file can be verified."""

import base64
import hashlib
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from casmul.permisos import coordinacion_requerida
from participacion import selectors as participacion

from ..consistencia import observaciones
from ..forms import PublicarForm, VerificarForm
from ..models import Publicacion, sha256
from ..selectors import (
    completitud_del_informe,
    fe_de_erratas_abierta,
    informe_del_anio,
    publicacion_de_archivo,
    publicaciones,
)
from ..services import fe_de_erratas_abrir
from ..tareas import informe_publicar_tarea

TIPOS = {
    "pdf": ("pdf", "application/pdf"),
    "html": ("html", "text/html; charset=utf-8"),
    "libro": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "cifras": ("json", "application/json"),
    "cpccs": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@require_safe
def archivo(request):
    """The public archive: every published version of every year with its files' SHA-256."""
    return render(request, "rendicion/publicaciones.html", {"publicaciones": publicaciones()})


_ESTILO = re.compile(rb"<style[^>]*>(.*?)</style>", re.S)
NINGUNO = "'none'"


def _politica_del_documento(html: bytes) -> str:
    """The Content-Security-Policy of a published HTML, shown in the browser as it was
    published: its own stylesheet (an inline <style>, fixed by the file's SHA-256) allowed by
    its hash, the photos from the portal, and nothing else — no script, no form, no frame."""
    estilos = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(estilo).digest()).decode()}'"
        for estilo in _ESTILO.findall(html)
    )
    return (
        f"default-src 'none'; style-src {estilos or NINGUNO}; img-src 'self' data:; "
        f"base-uri {NINGUNO}; form-action {NINGUNO}; frame-ancestors {NINGUNO}"
    )


@require_safe
def descargar(request, anio: int, version: int, tipo: str):
    if tipo not in TIPOS:
        raise Http404("No existe ese archivo.")
    publicacion = get_object_or_404(Publicacion, anio=anio, version=version)
    if not getattr(publicacion, tipo):
        raise Http404("Esta versión se publicó sin ese archivo.")
    extension, contenido = TIPOS[tipo]
    politica = None
    if tipo == "html":
        # Shown inline, it is a page of the portal's origin: its own stylesheet is allowed by
        # its hash (the file is a few MB at most). Read before the response opens it again.
        with publicacion.html.open("rb") as archivo:
            politica = _politica_del_documento(archivo.read())
    respuesta = FileResponse(
        getattr(publicacion, tipo).open("rb"),
        content_type=contenido,
        as_attachment=tipo != "html",
        filename=f"{'cpccs' if tipo == 'cpccs' else 'rendicion'}-{anio}-v{version}.{extension}",
    )
    if politica:
        respuesta["Content-Security-Policy"] = politica
    # A published file never changes: caches may keep it.
    respuesta["Cache-Control"] = "public, max-age=31536000, immutable"
    return respuesta


@coordinacion_requerida
def publicar(request, anio: int):
    """Publishes the year (version 1, or the erratum under way), or opens an erratum of a
    published year with its reason."""
    # Only its texts: the whole report (seconds on a national network) is built by the task.
    if informe_del_anio(anio=anio) is None:
        raise Http404(f"No existe el informe de {anio}.")
    pendientes = observaciones(anio=anio, hoy=timezone.localdate())
    form = PublicarForm(
        request.POST if request.method == "POST" else None, pendientes=len(pendientes)
    )
    abrir = request.POST.get("accion") == "abrir"
    if form.is_bound and form.is_valid() and not abrir:
        form.publicar_comprobar()
    if form.is_bound and form.is_valid():
        motivo = form.cleaned_data["motivo"]
        if not abrir:
            # Rendering and storing every file takes up to a minute: a worker does it, and the
            # task's page follows it (and shows why, if the service refuses).
            tarea = informe_publicar_tarea.enqueue(
                anio=anio, usuario_id=request.user.pk, motivo=motivo
            )
            return redirect("tarea", tarea_id=tarea.id)
        try:
            fe_de_erratas_abrir(anio=anio, usuario=request.user, motivo=motivo)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Fe de erratas de {anio} abierta: corrija los registros y publique la "
                "nueva versión.",
            )
            return redirect("rendicion:publicar", anio=anio)
    contexto = {
        "anio": anio,
        "completitud": completitud_del_informe(anio=anio),
        "anteriores": list(publicaciones().filter(anio=anio)),
        "abierta": fe_de_erratas_abierta(anio=anio),
        "form": form,
        "observaciones": pendientes,
    }
    return render(request, "rendicion/publicar.html", contexto, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def verificar(request):
    """Upload a file, learn which published version it is (or that it is none): anyone may,
    as anyone may download them."""
    form = VerificarForm(request.POST or None, request.FILES or None)
    resultado, evidencia, verificado = None, None, False
    if form.is_bound and form.is_valid():
        contenido = form.cleaned_data["archivo"].read()
        resultado = publicacion_de_archivo(contenido)
        if resultado is None:
            # A medio de verificación of the CPCCS process, published the same way.
            evidencia = participacion.evidencia_por_huella(sha256=sha256(contenido))
        verificado = True
    contexto = {
        "form": form,
        "resultado": resultado,
        "evidencia": evidencia,
        "verificado": verificado,
    }
    return render(request, "rendicion/verificar.html", contexto)
