"""Reads of the participation records: what the CPCCS form, the deliberation's page and the
public plan de trabajo show."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from .models import (
    AccionDelPlan,
    AvanceDeAccion,
    DatosInstitucionales,
    Deliberacion,
    EjeIgualdad,
    Enajenacion,
    Evidencia,
    Fase,
    Mecanismo,
    MedioDifusion,
    PasoDelProceso,
    PoliticaIgualdad,
    Recomendacion,
    Sugerencia,
)

# Read by `rendicion` through this module.
__all__ = ["EjeIgualdad", "Fase", "Mecanismo"]


def datos_institucionales(*, anio: int) -> DatosInstitucionales | None:
    return DatosInstitucionales.objects.filter(anio=anio).first()


def enajenaciones(*, anio: int) -> QuerySet[Enajenacion]:
    return Enajenacion.objects.filter(anio=anio).select_related("evidencia")


def recomendaciones(*, anio: int) -> QuerySet[Recomendacion]:
    return Recomendacion.objects.filter(anio=anio).select_related("evidencia")


def mecanismos(*, anio: int, clase: str) -> QuerySet[Mecanismo]:
    return Mecanismo.objects.filter(anio=anio, clase=clase).select_related("evidencia")


def politicas_igualdad(*, anio: int) -> dict[str, PoliticaIgualdad]:
    return {
        politica.eje: politica
        for politica in PoliticaIgualdad.objects.filter(anio=anio).select_related("evidencia")
    }


def medios_difusion(*, anio: int) -> QuerySet[MedioDifusion]:
    return MedioDifusion.objects.filter(anio=anio).select_related("evidencia")


def pasos_del_proceso(*, anio: int) -> QuerySet[PasoDelProceso]:
    return PasoDelProceso.objects.filter(anio=anio).select_related("evidencia")


def pasos_por_vencer(*, hoy: datetime.date, dias: int = 15) -> QuerySet[PasoDelProceso]:
    """Steps not done whose due date has passed or comes within `dias`: the coordination's
    reminders, of any year, the most urgent first."""
    return PasoDelProceso.objects.filter(
        cumplido_el__isnull=True, fecha_limite__lte=hoy + datetime.timedelta(days=dias)
    ).order_by("fecha_limite", "anio", "fase", "orden")


def _acciones_con_avances() -> Prefetch:
    return Prefetch(
        "acciones",
        queryset=AccionDelPlan.objects.prefetch_related(
            Prefetch(
                "avances",
                queryset=AvanceDeAccion.objects.select_related("evidencia").order_by("fecha", "pk"),
            )
        ),
    )


def deliberacion(*, anio: int) -> Deliberacion | None:
    """The year's deliberation with its suggestions, their actions and each action's
    follow-ups: four queries whatever their number."""
    return (
        Deliberacion.objects.filter(anio=anio)
        .select_related("acta")
        .prefetch_related(
            Prefetch(
                "sugerencias",
                queryset=Sugerencia.objects.prefetch_related(_acciones_con_avances()),
            )
        )
        .first()
    )


@dataclass(frozen=True)
class AccionSeguida:
    """An action of the plan with its latest follow-up."""

    accion: AccionDelPlan
    ultimo: AvanceDeAccion | None

    @property
    def porcentaje(self) -> int:
        return self.ultimo.porcentaje if self.ultimo else 0


def plan_de_trabajo(*, anio: int) -> list[tuple[Sugerencia, list[AccionSeguida]]]:
    """The plan answering the suggestions of the deliberation of year `anio`'s report, each
    action with its latest progress: what next year's form reports as «año anterior»."""
    encontrada = deliberacion(anio=anio)
    if encontrada is None:
        return []
    plan = []
    for sugerencia in encontrada.sugerencias.all():
        acciones = []
        for accion in sugerencia.acciones.all():
            avances = list(accion.avances.all())
            acciones.append(AccionSeguida(accion=accion, ultimo=avances[-1] if avances else None))
        plan.append((sugerencia, acciones))
    return plan


def evidencias_del_anio(*, anio: int) -> QuerySet[Evidencia]:
    return Evidencia.objects.filter(anio=anio).order_by("titulo", "pk")


def evidencia_publicada(*, evidencia_id: int) -> Evidencia | None:
    return Evidencia.objects.exclude(archivo="").filter(pk=evidencia_id).first()


def evidencia_por_huella(*, sha256: str) -> Evidencia | None:
    """The published evidence file with that fingerprint, if any."""
    return Evidencia.objects.exclude(archivo="").filter(sha256=sha256).first()
