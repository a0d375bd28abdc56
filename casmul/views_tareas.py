"""A background task's page: its state (refreshed by tarea.js through the JSON endpoint), then
its result or its error with a way to retry. Only its owner or the administration sees it."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from .tareas import archivo_generado_ruta, tarea_de_usuario, tarea_reintentar


def _tarea_o_404(request, tarea_id: str):
    tarea = tarea_de_usuario(tarea_id=tarea_id, usuario=request.user)
    if tarea is None:
        raise Http404("No existe esa tarea.")
    return tarea


@login_required
@require_safe
def tarea(request, tarea_id: str):
    return render(request, "tareas/tarea.html", {"tarea": _tarea_o_404(request, tarea_id)})


@login_required
@require_safe
def tarea_estado(request, tarea_id: str):
    tarea = _tarea_o_404(request, tarea_id)
    respuesta = JsonResponse({"estado": tarea.estado, "terminada": tarea.terminada})
    respuesta["Cache-Control"] = "no-store"
    return respuesta


@login_required
@require_POST
def tarea_reintentar_vista(request, tarea_id: str):
    tarea = _tarea_o_404(request, tarea_id)
    if not tarea.fallida:
        # Only a failed task is retried: a finished one would publish or build twice.
        return redirect("tarea", tarea_id=tarea_id)
    return redirect("tarea", tarea_id=tarea_reintentar(tarea=tarea).id)


@login_required
@require_safe
def tarea_archivo(request, tarea_id: str):
    tarea = _tarea_o_404(request, tarea_id)
    ruta = archivo_generado_ruta(tarea.archivo)
    if ruta is None:
        raise Http404("El archivo de esta tarea ya no existe.")
    respuesta = FileResponse(ruta.open("rb"), as_attachment=True, filename=tarea.nombre or None)
    # A report in progress, for one user: neither the browser nor a proxy keeps it.
    respuesta["Cache-Control"] = "no-store"
    return respuesta
