"""The coordination's completeness matrix: centres × twelve months, each in its state."""

import datetime
from dataclasses import dataclass

import tablib
from django.db.models import QuerySet

from casmul.meses import NOMBRES_MES

from ..estados import EstadoMes
from ..models import Centro
from .definiciones import centros_del_anio
from .estados import MesDeCentro, estados_del_anio


@dataclass(frozen=True)
class FilaMatriz:
    centro: Centro
    celdas: list[MesDeCentro]

    def contar(self, estado: EstadoMes) -> int:
        return sum(1 for celda in self.celdas if celda.estado == estado)

    @property
    def sin_datos(self) -> int:
        return self.contar(EstadoMes.SIN_DATOS)

    @property
    def borradores(self) -> int:
        return self.contar(EstadoMes.BORRADOR)

    @property
    def devueltos(self) -> int:
        return self.contar(EstadoMes.DEVUELTO)

    @property
    def atrasados(self) -> int:
        return sum(1 for celda in self.celdas if celda.atrasado)

    @property
    def enviados(self) -> int:
        return self.contar(EstadoMes.ENVIADO)

    @property
    def aprobados(self) -> int:
        return self.contar(EstadoMes.APROBADO)

    @property
    def aprobables_en_bloque(self) -> list[MesDeCentro]:
        return [celda for celda in self.celdas if celda.aprobable_en_bloque]

    @property
    def por_revisar(self) -> int:
        """Submitted with warnings: each is approved from its review."""
        return self.enviados - len(self.aprobables_en_bloque)

    @property
    def seleccion_en_bloque(self) -> str:
        """The row button's selection: its submitted months without warnings."""
        return ",".join(celda.seleccion for celda in self.aprobables_en_bloque)


@dataclass(frozen=True)
class MatrizCompletitud:
    anio: int
    filas: list[FilaMatriz]

    def _total(self, atributo: str) -> int:
        return sum(getattr(fila, atributo) for fila in self.filas)

    @property
    def dia_limite(self) -> int | None:
        """The day of the following month its months are due (read with the cells)."""
        return self.filas[0].celdas[0].vence.day if self.filas else None

    @property
    def sin_datos(self) -> int:
        return self._total("sin_datos")

    @property
    def borradores(self) -> int:
        return self._total("borradores")

    @property
    def devueltos(self) -> int:
        return self._total("devueltos")

    @property
    def atrasados(self) -> int:
        return self._total("atrasados")

    @property
    def filas_atrasadas(self) -> list[FilaMatriz]:
        """The centres with late months."""
        return [fila for fila in self.filas if fila.atrasados]

    @property
    def enviados(self) -> int:
        return self._total("enviados")

    @property
    def aprobados(self) -> int:
        return self._total("aprobados")

    @property
    def debidos(self) -> int:
        return sum(1 for fila in self.filas for celda in fila.celdas if celda.estado.debido)


def matriz_completitud(
    *, centros: QuerySet[Centro], anio: int, hoy: datetime.date
) -> MatrizCompletitud:
    """Centres (already filtered) operating in the year, each as defined that year, × twelve
    months with each month's state; four queries."""
    centros = centros_del_anio(
        centros.en_operacion(anio).select_related("area").order_by("numero").distinct(),
        anio=anio,
    )
    estados = estados_del_anio(centro_ids=[centro.pk for centro in centros], anio=anio, hoy=hoy)
    return MatrizCompletitud(
        anio=anio,
        filas=[FilaMatriz(centro=centro, celdas=estados[centro.pk]) for centro in centros],
    )


def hoja_de_la_matriz(matriz: MatrizCompletitud) -> tablib.Dataset:
    """The matrix as a sheet: a row per centre with each month's state and the counts."""
    datos = tablib.Dataset(
        headers=[
            "Nro.",
            "Centro",
            "Área",
            *NOMBRES_MES,
            "Sin datos",
            "Borradores",
            "Enviados",
            "Aprobados",
        ],
        title=f"Completitud {matriz.anio}",
    )
    for fila in matriz.filas:
        datos.append(
            [
                fila.centro.numero,
                fila.centro.nombre_corto,
                fila.centro.area.nombre,
                *(celda.estado.label for celda in fila.celdas),
                fila.sin_datos,
                fila.borradores,
                fila.enviados,
                fila.aprobados,
            ]
        )
    return datos


def centros_con_meses_en(
    *, centros: QuerySet[Centro], anio: int, hoy: datetime.date, estado: EstadoMes | None
) -> list[int]:
    """Ids of the centres (of those given) with at least one month of the year in that
    state (`estado` None: late), as the matrix's cells show it."""
    ids = list(centros.en_operacion(anio).values_list("pk", flat=True).distinct())
    return [
        centro_id
        for centro_id, meses in estados_del_anio(centro_ids=ids, anio=anio, hoy=hoy).items()
        if any(celda.atrasado if estado is None else celda.estado == estado for celda in meses)
    ]
