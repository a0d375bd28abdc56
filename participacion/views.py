"""The coordination's pages of the process (phases, deliberation, plan de trabajo, evidence)
and the public ones (an evidence file, the plan and its progress)."""

import mimetypes

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from casmul.permisos import coordinacion_requerida

from . import selectors
from .forms import (
    AccionesFormSet,
    AvanceForm,
    DeliberacionForm,
    EvidenciaForm,
    SugerenciasFormSet,
    mecanismos_formset,
    medios_formset,
    pasos_formset,
    politicas_formset,
)
from .models import AccionDelPlan, Deliberacion, Sugerencia
from .services import (
    acciones_guardar,
    avance_registrar,
    deliberacion_guardar,
    evidencia_crear,
    pasos_abrir,
    pasos_guardar,
    registros_guardar,
)


def _pagina_del_anio(request, anio: int, *, pasos=None, evidencia=None, status=200):
    FormSet = pasos_formset(anio)
    contexto = {
        "anio": anio,
        "pasos": pasos if pasos is not None else FormSet(prefix="pasos"),
        "hoy": timezone.localdate(),
        "deliberacion": selectors.deliberacion(anio=anio),
        "evidencias": selectors.evidencias_del_anio(anio=anio),
        "evidencia_form": evidencia or EvidenciaForm(prefix="evidencia"),
    }
    return render(request, "participacion/anio.html", contexto, status=status)


@coordinacion_requerida
@require_http_methods(["GET", "POST"])
def anio(request, anio: int):
    """The year's process: its steps (dates, done, evidence), the deliberation and the
    evidence published."""
    if request.method == "GET":
        return _pagina_del_anio(request, anio)
    if "abrir" in request.POST:
        creados = pasos_abrir(anio=anio)
        messages.success(request, f"Se crearon {len(creados)} pasos de las cuatro fases.")
        return redirect("participacion:anio", anio=anio)
    pasos = pasos_formset(anio)(request.POST, prefix="pasos")
    if not pasos.is_valid():
        return _pagina_del_anio(request, anio, pasos=pasos, status=400)
    pasos_guardar(pasos=pasos)
    messages.success(request, "Se guardaron los pasos del proceso.")
    return redirect("participacion:anio", anio=anio)


@coordinacion_requerida
@require_http_methods(["POST"])
def evidencia_subir(request, anio: int):
    formulario = EvidenciaForm(request.POST, request.FILES, prefix="evidencia")
    if not formulario.is_valid():
        return _pagina_del_anio(request, anio, evidencia=formulario, status=400)
    evidencia = evidencia_crear(
        anio=anio,
        titulo=formulario.cleaned_data["titulo"],
        archivo=formulario.cleaned_data["archivo"],
        url=formulario.cleaned_data["url"],
        usuario=request.user,
    )
    messages.success(request, f"Se publicó «{evidencia.titulo}».")
    return redirect("participacion:anio", anio=anio)


@coordinacion_requerida
@require_http_methods(["GET", "POST"])
def registros(request, anio: int):
    """The rows of the form the coordination keeps by hand each year: the mechanisms of
    participation and of social control, the equality policies and the media."""
    datos = request.POST if request.method == "POST" else None
    conjuntos = {
        "mecanismos": mecanismos_formset(anio)(datos, prefix="mecanismos"),
        "politicas": politicas_formset(anio)(datos, prefix="politicas"),
        "medios": medios_formset(anio)(datos, prefix="medios"),
    }
    if datos is not None and all(conjunto.is_valid() for conjunto in conjuntos.values()):
        registros_guardar(conjuntos=list(conjuntos.values()))
        messages.success(request, f"Se guardaron los registros de {anio}.")
        return redirect("participacion:anio", anio=anio)
    contexto = {"anio": anio, **conjuntos}
    return render(request, "participacion/registros.html", contexto, status=400 if datos else 200)


@coordinacion_requerida
@require_http_methods(["GET", "POST"])
def deliberacion(request, anio: int):
    """The deliberation of the year's report: date, place, who came, its signed acta and the
    citizens' suggestions with the institution's answer."""
    existente = Deliberacion.objects.filter(anio=anio).first() or Deliberacion(anio=anio)
    formulario = DeliberacionForm(request.POST or None, request.FILES or None, instance=existente)
    sugerencias = SugerenciasFormSet(request.POST or None, instance=existente, prefix="sugerencias")
    if request.method == "POST" and formulario.is_valid() and sugerencias.is_valid():
        deliberacion_guardar(
            formulario=formulario,
            sugerencias=sugerencias,
            acta=formulario.cleaned_data.get("acta_archivo"),
            usuario=request.user,
        )
        messages.success(request, f"Se guardó la deliberación del informe {anio}.")
        return redirect("participacion:anio", anio=anio)
    contexto = {
        "anio": anio,
        "formulario": formulario,
        "sugerencias": sugerencias,
        "acta": existente.acta if existente.pk else None,
    }
    return render(
        request, "participacion/deliberacion.html", contexto, status=400 if request.POST else 200
    )


@coordinacion_requerida
@require_http_methods(["GET", "POST"])
def sugerencia(request, sugerencia_id: int):
    """A suggestion's actions in the plan de trabajo, and their follow-up."""
    sugerencia = get_object_or_404(
        Sugerencia.objects.select_related("deliberacion"), pk=sugerencia_id
    )
    acciones = AccionesFormSet(
        request.POST if "acciones" in request.POST else None,
        instance=sugerencia,
        prefix="acciones",
    )
    avance = AvanceForm(
        request.POST if "avance" in request.POST else None,
        request.FILES or None,
        acciones=AccionDelPlan.objects.filter(sugerencia=sugerencia),
    )
    if "acciones" in request.POST and acciones.is_valid():
        acciones_guardar(acciones=acciones)
        messages.success(request, "Se guardaron las acciones del plan de trabajo.")
        return redirect("participacion:sugerencia", sugerencia_id=sugerencia.pk)
    if "avance" in request.POST and avance.is_valid():
        datos = avance.cleaned_data
        avance_registrar(
            accion=datos["accion"],
            fecha=datos["fecha"],
            porcentaje=datos["porcentaje"],
            descripcion=datos["descripcion"],
            archivo=datos.get("archivo"),
            usuario=request.user,
        )
        messages.success(request, "Se registró el avance.")
        return redirect("participacion:sugerencia", sugerencia_id=sugerencia.pk)
    plan = dict(selectors.plan_de_trabajo(anio=sugerencia.deliberacion.anio))
    contexto = {
        "sugerencia": sugerencia,
        "acciones": acciones,
        "avance": avance,
        "seguidas": plan.get(sugerencia, []),
    }
    return render(
        request, "participacion/sugerencia.html", contexto, status=400 if request.POST else 200
    )


# --- Public ---------------------------------------------------------------------------------


@require_safe
def evidencia(request, evidencia_id: int):
    """A published evidence file: a public document (transparency), shown as it was stored;
    its SHA-256 is on the plan's page and in the form."""
    encontrada = selectors.evidencia_publicada(evidencia_id=evidencia_id)
    if encontrada is None:
        raise Http404("No existe ese medio de verificación.")
    tipo = mimetypes.guess_type(encontrada.archivo.name)[0] or "application/octet-stream"
    respuesta = FileResponse(encontrada.archivo.open("rb"), content_type=tipo)
    # Uploaded by a person: shown, never run (no script, no form, no frame of it).
    respuesta["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return respuesta


@require_safe
def plan_de_trabajo(request, anio: int):
    """The public plan answering the citizens' suggestions of the year's deliberation, with
    each action's progress."""
    deliberacion = selectors.deliberacion(anio=anio)
    if deliberacion is None:
        raise Http404(f"No hay deliberación registrada del informe {anio}.")
    contexto = {
        "anio": anio,
        "deliberacion": deliberacion,
        "plan": selectors.plan_de_trabajo(anio=anio),
    }
    return render(request, "participacion/plan_de_trabajo.html", contexto)
