"""The centres' years of operation: a new year opened from the last one."""

from dataclasses import dataclass

from django.db import transaction

from casmul.historia import creados_con_historia
from casmul.versiones import datos_cambiaron

from ..models import CAMPOS_DEL_ANIO, OperacionAnual


@dataclass(frozen=True)
class AnioDeCentrosAbierto:
    anio: int
    # Centres whose year was opened now, and those that had it already.
    abiertos: int
    existentes: int
    # Centres that operated only part of the previous year (opened or closed in it): their
    # months of the new year are the whole year until someone says otherwise.
    parciales: list[OperacionAnual]


def _operacion_siguiente(anterior: OperacionAnual, anio: int) -> OperacionAnual:
    """The centre's year after `anterior`, with its staff; with `anterior`'s own definition
    when the centre's definition in force starts later."""
    nueva = OperacionAnual(centro=anterior.centro, anio=anio, personal=anterior.personal)
    desde = anterior.centro.definicion_desde
    if anterior.definicion_propia and desde is not None and anio < desde:
        nueva.definicion_propia = True
        for campo in CAMPOS_DEL_ANIO:
            setattr(nueva, campo, getattr(anterior, campo))
    return nueva


@transaction.atomic
def operaciones_abrir(*, anio: int, usuario=None) -> AnioDeCentrosAbierto:
    """Opens `anio` for every centre that operated in the year before: its year of operation,
    January to December, with last year's staff and its definition of that year (the
    figures it reports carry their own years). A centre that already has the year keeps
    it."""
    anteriores = list(
        OperacionAnual.objects.filter(anio=anio - 1)
        .select_related("centro")
        .order_by("centro__numero")
    )
    existentes = set(OperacionAnual.objects.filter(anio=anio).values_list("centro_id", flat=True))
    nuevas = [
        _operacion_siguiente(anterior, anio)
        for anterior in anteriores
        if anterior.centro_id not in existentes
    ]
    creados_con_historia(
        nuevas, OperacionAnual, usuario=usuario, motivo=f"Año {anio} abierto desde {anio - 1}"
    )
    datos_cambiaron(anio)
    return AnioDeCentrosAbierto(
        anio=anio,
        abiertos=len(nuevas),
        existentes=len(existentes),
        parciales=[
            anterior
            for anterior in anteriores
            if anterior.centro_id not in existentes
            and (anterior.mes_inicio, anterior.mes_fin) != (1, 12)
        ],
    )


def operaciones_abrir_resumen(*, anio: int, usuario) -> str:
    """`operaciones_abrir`, said for the person who opened the year (`casmul.aperturas`)."""
    abierto = operaciones_abrir(anio=anio, usuario=usuario)
    resumen = (
        f"{abierto.abiertos} centros que operaron en {anio - 1} quedan en operación en {anio}, "
        f"con su personal y su definición de {anio - 1}"
    )
    if abierto.existentes:
        resumen += f" ({abierto.existentes} ya tenían {anio} y no cambian)"
    resumen += "."
    if abierto.parciales:
        nombres = ", ".join(
            f"{operacion.centro.numero}. {operacion.centro.nombre_corto}"
            for operacion in abierto.parciales
        )
        resumen += (
            f" Operaron solo parte de {anio - 1} y se abren de enero a diciembre: revise sus "
            f"meses de {anio} en la administración: {nombres}."
        )
    return resumen


def operaciones_continuar(*, desde_anio: int, hasta_anio: int) -> int:
    """Opens every year after `desde_anio` up to `hasta_anio`, one after the other (the demo's
    years up to today). Returns how many years of operation were added."""
    return sum(
        operaciones_abrir(anio=anio).abiertos for anio in range(desde_anio + 1, hasta_anio + 1)
    )
