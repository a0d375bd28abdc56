"""Writes of the participation records."""

import datetime

from django.db import transaction

from .models import (
    AvanceDeAccion,
    Deliberacion,
    Evidencia,
    Fase,
    PasoDelProceso,
)

# The steps of each phase a GAD's attached entity reports (CPCCS, GAD track: Santa Rosa 2024,
# Riobamba 2025), each with the day of the following year it was due for fiscal 2023 (the
# 2024 cycle). The coordination moves the dates every year: the CPCCS sets them by circular.
PASOS = [
    (Fase.PLANIFICACION, "Conformación del equipo técnico (acta)", (2, 15)),
    (Fase.PLANIFICACION, "Temas y preguntas de la Asamblea Ciudadana Local", (2, 28)),
    (Fase.EVALUACION, "Evaluación de la gestión (acta)", (3, 31)),
    (Fase.EVALUACION, "Informe de rendición de cuentas redactado para la ciudadanía", (4, 15)),
    (Fase.EVALUACION, "Formulario del CPCCS llenado con sus medios de verificación", (4, 20)),
    (Fase.EVALUACION, "Aprobación del informe por la máxima autoridad", (4, 25)),
    (Fase.EVALUACION, "Entrega del informe a la Asamblea Ciudadana Local", (4, 30)),
    (Fase.DELIBERACION, "Difusión del informe al menos 15 días antes de la deliberación", (5, 10)),
    (Fase.DELIBERACION, "Convocatoria a la deliberación pública", (5, 15)),
    (Fase.DELIBERACION, "Deliberación pública con registro de asistencia", (5, 31)),
    (Fase.DELIBERACION, "Acta de sugerencias ciudadanas firmada por la Asamblea", (5, 31)),
    (Fase.SEGUIMIENTO, "Plan de trabajo de las sugerencias ciudadanas", (6, 15)),
    (
        Fase.SEGUIMIENTO,
        "Entrega del plan a la Asamblea Ciudadana Local y al Consejo de Planificación",
        (6, 30),
    ),
]


@transaction.atomic
def pasos_abrir(*, anio: int) -> list[PasoDelProceso]:
    """The year's steps of the four phases, with their dates in the following year, when the
    year has none yet (a second call creates nothing)."""
    if PasoDelProceso.objects.filter(anio=anio).exists():
        return []
    return PasoDelProceso.objects.bulk_create(
        PasoDelProceso(
            anio=anio,
            fase=fase,
            orden=orden,
            descripcion=descripcion,
            fecha_limite=datetime.date(anio + 1, mes, dia),
        )
        for orden, (fase, descripcion, (mes, dia)) in enumerate(PASOS, start=1)
    )


def evidencia_crear(*, anio: int, titulo: str, archivo=None, url: str = "", usuario) -> Evidencia:
    """A medio de verificación: the file is published with its SHA-256 under /publicaciones/,
    or the external address recorded."""
    evidencia = Evidencia(
        anio=anio, titulo=titulo, archivo=archivo or "", url=url, subida_por=usuario
    )
    evidencia.full_clean()
    evidencia.save()
    return evidencia


@transaction.atomic
def deliberacion_guardar(*, formulario, sugerencias, acta=None, usuario) -> Deliberacion:
    """The deliberation and its suggestions from the page's form and formset (both valid);
    a new acta is published as the year's evidence."""
    deliberacion = formulario.save(commit=False)
    if acta is not None:
        deliberacion.acta = evidencia_crear(
            anio=deliberacion.anio,
            titulo=f"Acta de la deliberación pública del informe {deliberacion.anio}",
            archivo=acta,
            usuario=usuario,
        )
    deliberacion.save()
    sugerencias.instance = deliberacion
    for orden, sugerencia in enumerate(sugerencias.save(commit=False), start=1):
        if not sugerencia.orden:
            sugerencia.orden = deliberacion.sugerencias.count() + orden
        sugerencia.save()
    for borrada in sugerencias.deleted_objects:
        borrada.delete()
    return deliberacion


@transaction.atomic
def acciones_guardar(*, acciones) -> None:
    """The plan's actions of a suggestion, from the page's formset (valid)."""
    acciones.save()


@transaction.atomic
def avance_registrar(
    *, accion, fecha: datetime.date, porcentaje: int, descripcion: str, archivo=None, usuario
) -> AvanceDeAccion:
    evidencia = None
    if archivo is not None:
        evidencia = evidencia_crear(
            anio=accion.sugerencia.deliberacion.anio,
            titulo=f"Avance del {fecha:%d/%m/%Y}: {accion.descripcion}"[:250],
            archivo=archivo,
            usuario=usuario,
        )
    avance = AvanceDeAccion(
        accion=accion,
        fecha=fecha,
        porcentaje=porcentaje,
        descripcion=descripcion,
        evidencia=evidencia,
    )
    avance.full_clean()
    avance.save()
    return avance


@transaction.atomic
def pasos_guardar(*, pasos) -> None:
    """The year's steps from the page's formset (valid): dates, done, evidence."""
    pasos.save()


@transaction.atomic
def registros_guardar(*, conjuntos) -> None:
    """The year's rows kept by hand (mechanisms, policies, media) from the page's formsets
    (all valid): all of them or none."""
    for conjunto in conjuntos:
        conjunto.save()
