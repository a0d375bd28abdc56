"""How a year's pages find what defined a centre that year.

A centre's área, modality, service line, parish, capacity and users figure live on the centre
(its definition in force) and, for a year that keeps its own because the centre changed after
it, on that year's `OperacionAnual` (`definicion_propia`). The figures it reports carry the
years they are reported in (`IndicadorCentro.desde_anio`/`hasta_anio`). Pages that list
centres read them through `centros_del_anio`; sums and filters in SQL through
`Centro.objects.con_definicion_del_anio` and `campo_del_anio`.
"""

import copy
from collections.abc import Iterable
from dataclasses import dataclass

from ..models import CAMPOS_DEL_ANIO, Centro, Modalidad, OperacionAnual

_RELACIONADOS = ("area", "parroquia", "indicador_usuarios")


def centros_del_anio(centros: Iterable[Centro], *, anio: int) -> list[Centro]:
    """The centres, each as defined in `anio` (one query, whatever their number)."""
    propias = {
        operacion.centro_id: operacion
        for operacion in OperacionAnual.objects.filter(
            anio=anio, definicion_propia=True
        ).select_related(*_RELACIONADOS)
    }
    return [centro.definicion_del_anio_aplicar(propias.get(centro.pk)) for centro in centros]


def centro_del_anio(centro: Centro, *, anio: int) -> Centro:
    """One centre as defined in `anio`: a copy, the centre given stays as it is."""
    operacion = (
        OperacionAnual.objects.filter(centro=centro, anio=anio, definicion_propia=True)
        .select_related(*_RELACIONADOS)
        .first()
    )
    if operacion is None:
        return centro
    return copy.copy(centro).definicion_del_anio_aplicar(operacion)


@dataclass(frozen=True)
class CambioDeDefinicion:
    """What changed in a centre from one year of operation to the next: «CDI → CNH desde
    2024»."""

    campo: str
    nombre: str
    antes: str
    despues: str
    desde: int

    def __str__(self) -> str:
        return f"{self.nombre}: {self.antes} → {self.despues} desde {self.desde}"


_NOMBRES = {
    "area": "Área",
    "modalidad": "Modalidad",
    "linea_servicio": "Línea de servicio",
    "parroquia": "Parroquia",
    "capacidad": "Capacidad",
    "indicador_usuarios": "Indicador de usuarios",
}


def _mostrado(centro: Centro, campo: str) -> str:
    if campo == "modalidad":
        return Modalidad(centro.modalidad).label
    if campo == "linea_servicio":
        return centro.get_linea_servicio_display()
    valor = getattr(centro, campo)
    return "—" if valor is None else str(valor)


def cambios_entre(antes: Centro, despues: Centro, *, desde: int) -> list[CambioDeDefinicion]:
    """What differs between two definitions of a centre, the second in force from `desde`."""
    cambios = []
    for campo in CAMPOS_DEL_ANIO:
        anterior, nuevo = _mostrado(antes, campo), _mostrado(despues, campo)
        if anterior != nuevo:
            cambios.append(
                CambioDeDefinicion(
                    campo=campo, nombre=_NOMBRES[campo], antes=anterior, despues=nuevo, desde=desde
                )
            )
    return cambios


def cambios_de_definicion(centro: Centro, anios: list[int]) -> list[CambioDeDefinicion]:
    """Every change of the centre's definition between consecutive years of `anios` (its years
    of operation, in order), oldest first."""
    propias = {
        operacion.anio: operacion
        for operacion in centro.operaciones.filter(definicion_propia=True).select_related(
            *_RELACIONADOS
        )
    }
    actual = Centro.objects.select_related(*_RELACIONADOS).get(pk=centro.pk)
    por_anio = {
        anio: copy.copy(actual).definicion_del_anio_aplicar(propias.get(anio)) for anio in anios
    }
    return [
        cambio
        for anterior, anio in zip(anios, anios[1:], strict=False)
        for cambio in cambios_entre(por_anio[anterior], por_anio[anio], desde=anio)
    ]
