"""The coordination's completeness matrix: centres × twelve months, each in its state."""

import datetime
import operator
from dataclasses import dataclass
from functools import reduce

import tablib
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan

from casmul.meses import NOMBRES_MES, Mes

from ..estados import EstadoMes, estado_del_mes, mes_atrasado
from ..models import Centro, OperacionAnual, ReporteMensual
from .definiciones import centros_del_anio
from .estados import MesDeCentro, estados_del_anio, plazo_del_anio


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


def _centros_de_la_matriz(centros: QuerySet[Centro], anio: int) -> QuerySet[Centro]:
    """The matrix's centres in its order: those given operating in the year, by number (unique:
    the same centres on the same page every time)."""
    return centros.en_operacion(anio).select_related("area").order_by("numero").distinct()


def _filas(centros: QuerySet[Centro], *, anio: int, hoy: datetime.date) -> list[FilaMatriz]:
    """A row per centre (of those given), each as defined in the year, with its twelve months;
    five queries (the centres' among them)."""
    centros = centros_del_anio(centros, anio=anio)
    estados = estados_del_anio(centro_ids=[centro.pk for centro in centros], anio=anio, hoy=hoy)
    return [FilaMatriz(centro=centro, celdas=estados[centro.pk]) for centro in centros]


def matriz_completitud(
    *, centros: QuerySet[Centro], anio: int, hoy: datetime.date
) -> MatrizCompletitud:
    """Centres (already filtered) operating in the year, each as defined that year, × twelve
    months with each month's state; five queries. Every centre's row: for the home pages and
    the downloads; the matrix's page builds only its own (`pagina_de_la_matriz`)."""
    return MatrizCompletitud(
        anio=anio, filas=_filas(_centros_de_la_matriz(centros, anio), anio=anio, hoy=hoy)
    )


@dataclass(frozen=True)
class PaginaDeLaMatriz:
    """A page of the matrix: its centres' rows (`filas`), and the counts of every centre
    filtered (`centros` of them), the same on every page."""

    anio: int
    pagina: Page
    dia_limite: int | None
    centros: int
    sin_datos: int = 0
    borradores: int = 0
    devueltos: int = 0
    enviados: int = 0
    aprobados: int = 0
    atrasados: int = 0

    @property
    def filas(self) -> list[FilaMatriz]:
        return self.pagina.object_list

    @property
    def debidos(self) -> int:
        return self.sin_datos + self.borradores + self.devueltos + self.enviados + self.aprobados


class _FilasPorPagina:
    """The matrix's rows as a paginator reads them: its count, already known, and the rows of
    a slice, built for that slice's centres alone."""

    def __init__(self, centros: QuerySet[Centro], *, cuantos: int, anio: int, hoy: datetime.date):
        self.centros = centros
        self.cuantos = cuantos
        self.anio = anio
        self.hoy = hoy

    def count(self) -> int:
        return self.cuantos

    def __len__(self) -> int:
        return self.cuantos

    def __getitem__(self, rebanada: slice) -> list[FilaMatriz]:
        return _filas(self.centros[rebanada], anio=self.anio, hoy=self.hoy)


def _operando_por_mes(centros: QuerySet[Centro], anio: int) -> dict[str, int]:
    """How many of the centres operate in the year ("centros") and in each month ("mes_1"…)."""
    return OperacionAnual.objects.filter(anio=anio, centro__in=centros.values("pk")).aggregate(
        centros=Count("pk"),
        **{
            f"mes_{mes}": Count("pk", filter=Q(mes_inicio__lte=mes, mes_fin__gte=mes))
            for mes in range(1, 13)
        },
    )


def _reportes_por_mes(centros: QuerySet[Centro], anio: int) -> list[dict]:
    """The year's reports of the centres operating in it, counted by month and state: all of
    them ("reportes") and those of a month of the centre's operation ("operando")."""
    # Each operation of the year with its centre's reports of the year, joined (cheaper than an
    # EXISTS per report); an operation without reports leaves a group of no month.
    grupos = (
        OperacionAnual.objects.filter(anio=anio, centro__in=centros.values("pk"))
        .annotate(
            reporte=FilteredRelation("centro__reportes", condition=Q(centro__reportes__anio=anio))
        )
        .values(mes=F("reporte__mes"), estado=F("reporte__estado"))
        .annotate(
            reportes=Count("reporte"),
            operando=Count(
                "reporte",
                filter=Q(mes_inicio__lte=F("reporte__mes"), mes_fin__gte=F("reporte__mes")),
            ),
        )
        .order_by()
    )
    return [grupo for grupo in grupos if grupo["mes"] is not None]


def _cuentas(
    *,
    centros: QuerySet[Centro],
    anio: int,
    hoy: datetime.date,
    operando: dict[str, int],
    dia_limite: int,
) -> dict[str, int]:
    """The matrix's counts over all its centres, as its cells would add up: a report's month
    is in the report's state; each other month of operation is in the state the one rule
    (`centros.estados`) gives a month without a report. One query; the loops are over months
    and states, not centres."""
    cuentas = dict.fromkeys(EstadoMes, 0)
    atrasados = 0
    sin_reporte = {mes: operando[f"mes_{mes.numero}"] for mes in Mes.del_anio(anio)}
    for grupo in _reportes_por_mes(centros, anio):
        mes, estado = Mes(anio, grupo["mes"]), EstadoMes(grupo["estado"])
        cuentas[estado] += grupo["reportes"]
        if mes_atrasado(mes=mes, estado=estado, dia_limite=dia_limite, hoy=hoy):
            atrasados += grupo["reportes"]
        sin_reporte[mes] -= grupo["operando"]
    for mes, cuantos in sin_reporte.items():
        estado = estado_del_mes(
            mes=mes, estado_reporte=None, operacion=(mes.numero, mes.numero), hoy=hoy
        )
        cuentas[estado] += cuantos
        if mes_atrasado(mes=mes, estado=estado, dia_limite=dia_limite, hoy=hoy):
            atrasados += cuantos
    return {
        "sin_datos": cuentas[EstadoMes.SIN_DATOS],
        "borradores": cuentas[EstadoMes.BORRADOR],
        "devueltos": cuentas[EstadoMes.DEVUELTO],
        "enviados": cuentas[EstadoMes.ENVIADO],
        "aprobados": cuentas[EstadoMes.APROBADO],
        "atrasados": atrasados,
    }


def pagina_de_la_matriz(
    *,
    centros: QuerySet[Centro],
    anio: int,
    hoy: datetime.date,
    pagina: str | int | None,
    por_pagina: int,
) -> PaginaDeLaMatriz:
    """Page `pagina` (read as `Paginator.get_page` reads it) of the matrix of the centres given
    (already filtered), with the counts of all of them: the rows are built for the page's
    centres alone, the counts are counted in the database by month and state. Seven queries,
    however many centres."""
    centros = _centros_de_la_matriz(centros, anio)
    operando = _operando_por_mes(centros, anio)
    filas = _FilasPorPagina(centros, cuantos=operando["centros"], anio=anio, hoy=hoy)
    pagina = Paginator(filas, por_pagina).get_page(pagina)
    if not pagina.object_list:  # no centre: nothing to count
        return PaginaDeLaMatriz(anio=anio, pagina=pagina, dia_limite=None, centros=0)
    # Read with the cells, as the whole matrix reads it (`MatrizCompletitud.dia_limite`): no
    # query of its own.
    dia_limite = pagina.object_list[0].celdas[0].vence.day
    return PaginaDeLaMatriz(
        anio=anio,
        pagina=pagina,
        dia_limite=dia_limite,
        centros=operando["centros"],
        **_cuentas(centros=centros, anio=anio, hoy=hoy, operando=operando, dia_limite=dia_limite),
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
    """Ids of the centres (of those given) operating in the year with at least one month in
    that state (`estado` None: late), as the matrix's cells show it. The one rule
    (`centros.estados`) says, month by month, which reports' states and which months without a
    report show it; one query finds the centres with such a month, none of them loaded."""
    dia_limite = plazo_del_anio(anio) if estado is None else None

    def lo_muestra(mes: Mes, estado_de_la_celda: EstadoMes) -> bool:
        if estado is None:
            return mes_atrasado(mes=mes, estado=estado_de_la_celda, dia_limite=dia_limite, hoy=hoy)
        return estado_de_la_celda == estado

    meses = Mes.del_anio(anio)
    condiciones = []
    # A month with a report is in the report's state.
    con_reporte = [
        Q(estado=estado_reporte, mes__in=numeros)
        for estado_reporte in ReporteMensual.Estado
        if (numeros := [mes.numero for mes in meses if lo_muestra(mes, EstadoMes(estado_reporte))])
    ]
    if con_reporte:
        reportes = ReporteMensual.objects.filter(reduce(operator.or_, con_reporte), anio=anio)
        condiciones.append(Q(centro__in=reportes.values("centro")))
    # A month of operation without a report: the centre's months of operation among these
    # outnumber its reports in them.
    sin_reporte = [
        mes.numero
        for mes in meses
        if lo_muestra(
            mes,
            estado_del_mes(
                mes=mes, estado_reporte=None, operacion=(mes.numero, mes.numero), hoy=hoy
            ),
        )
    ]
    if sin_reporte:
        operando = sum(
            Case(When(mes_inicio__lte=numero, mes_fin__gte=numero, then=1), default=0)
            for numero in sin_reporte
        )
        reportados = ReporteMensual.objects.filter(
            centro=OuterRef("centro"),
            anio=anio,
            mes__in=sin_reporte,
            mes__gte=OuterRef("mes_inicio"),
            mes__lte=OuterRef("mes_fin"),
        )
        reportados = reportados.values("centro").annotate(cuantos=Count("pk")).values("cuantos")
        condiciones.append(Q(GreaterThan(operando - Coalesce(Subquery(reportados), 0), 0)))
    if not condiciones:
        return []
    return list(
        OperacionAnual.objects.filter(anio=anio, centro__in=centros.values("pk"))
        .filter(reduce(operator.or_, condiciones))
        .values_list("centro", flat=True)
    )
