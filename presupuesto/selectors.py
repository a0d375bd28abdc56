"""Read functions of `presupuesto`: Tablas 11 and 12, shared expenses and execution."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from casmul.montos import a_centavos
from centros.models import Area

from .models import (
    GastoComun,
    LineaPresupuestaria,
    PresupuestoInstitucional,
    ProcesoContratacion,
)

CERO = Value(Decimal("0.00"))


@dataclass(frozen=True)
class PresupuestoArea:
    area_id: int
    area: str
    codificado: Decimal
    ejecutado: Decimal


@dataclass(frozen=True)
class TablaPresupuesto:
    anio: int
    filas: list[PresupuestoArea]

    @property
    def total(self) -> Decimal:
        """Always the sum of the área rows."""
        return sum((fila.codificado for fila in self.filas), Decimal("0.00"))

    @property
    def total_ejecutado(self) -> Decimal:
        return sum((fila.ejecutado for fila in self.filas), Decimal("0.00"))

    def participacion(self, fila: PresupuestoArea) -> Decimal:
        return fila.codificado / self.total if self.total else Decimal(0)


def presupuesto_por_area(*, anio: int) -> TablaPresupuesto:
    """Investment budget per área in the year, every área listed."""
    del_anio = Q(lineas_presupuestarias__anio=anio)
    areas = Area.objects.annotate(
        codificado=Coalesce(Sum("lineas_presupuestarias__codificado", filter=del_anio), CERO),
        ejecutado=Coalesce(Sum("lineas_presupuestarias__ejecutado", filter=del_anio), CERO),
    ).order_by("orden")
    return TablaPresupuesto(
        anio=anio,
        filas=[
            PresupuestoArea(
                area_id=area.pk,
                area=area.nombre,
                codificado=a_centavos(area.codificado),
                ejecutado=a_centavos(area.ejecutado),
            )
            for area in areas
        ],
    )


def gastos_comunes(*, anio: int) -> QuerySet[GastoComun]:
    return GastoComun.objects.filter(anio=anio).order_by("concepto")


@dataclass(frozen=True)
class EjecucionInstitucional:
    anio: int
    ingresos_percibidos: Decimal
    codificado: Decimal
    ejecutado: Decimal

    @property
    def ejecucion(self) -> Decimal | None:
        """Executed over codified expenditure (0.39 is 39 %)."""
        return self.ejecutado / self.codificado if self.codificado else None


def ejecucion_institucional(*, anio: int) -> EjecucionInstitucional | None:
    """The year's institutional income and execution, or None when not recorded."""
    registro = PresupuestoInstitucional.objects.filter(anio=anio).first()
    if registro is None:
        return None
    return EjecucionInstitucional(
        anio=anio,
        ingresos_percibidos=registro.ingresos_percibidos,
        codificado=registro.gasto_codificado,
        ejecutado=registro.gasto_ejecutado,
    )


@dataclass(frozen=True)
class ContratacionTipo:
    tipo: str
    nombre: str
    procesos: int
    monto: Decimal


@dataclass(frozen=True)
class TablaContratacion:
    anio: int
    filas: list[ContratacionTipo]

    @property
    def total_procesos(self) -> int:
        """Always the sum of the type rows (the 2023 document printed 191 for 190)."""
        return sum(fila.procesos for fila in self.filas)

    @property
    def total_monto(self) -> Decimal:
        return sum((fila.monto for fila in self.filas), Decimal("0.00"))


def _por_tipo(procesos: QuerySet[ProcesoContratacion]) -> list[ContratacionTipo]:
    """Count and amount per type, in the types' order, only the types present: one query."""
    return [
        ContratacionTipo(
            tipo=fila["tipo"],
            nombre=fila["tipo__nombre"],
            procesos=fila["procesos"],
            monto=a_centavos(fila["monto"]),
        )
        for fila in procesos.order_by()
        .values("tipo", "tipo__nombre", "tipo__orden")
        .annotate(procesos=Count("pk"), monto=Sum("monto"))
        .order_by("tipo__orden", "tipo__nombre")
    ]


def contratacion_por_tipo(*, anio: int) -> TablaContratacion:
    """Procurement processes begun in the year per type: count and amount; only types used."""
    return TablaContratacion(
        anio=anio, filas=_por_tipo(ProcesoContratacion.objects.filter(anio=anio))
    )


@dataclass(frozen=True)
class Sobreejecucion:
    descripcion: str
    codificado: Decimal
    ejecutado: Decimal
    linea_id: int | None = None

    @property
    def ejecucion(self) -> Decimal:
        return self.ejecutado / self.codificado if self.codificado else Decimal(0)


def sobreejecuciones(*, anio: int) -> list[Sobreejecucion]:
    """Budget lines, and the institutional budget, executed above 100 % in the year."""
    lineas = LineaPresupuestaria.objects.filter(
        anio=anio, ejecutado__gt=F("codificado")
    ).select_related("area")
    resultado = [
        Sobreejecucion(
            descripcion=f"{linea.area}: {linea.descripcion}",
            codificado=linea.codificado,
            ejecutado=linea.ejecutado,
            linea_id=linea.pk,
        )
        for linea in lineas.order_by("area__orden", "descripcion")
    ]
    institucional = ejecucion_institucional(anio=anio)
    if institucional and institucional.ejecutado > institucional.codificado:
        resultado.append(
            Sobreejecucion(
                descripcion="Presupuesto institucional",
                codificado=institucional.codificado,
                ejecutado=institucional.ejecutado,
            )
        )
    return resultado


def lineas_del_area(*, anio: int, area_id: int | None = None) -> QuerySet[LineaPresupuestaria]:
    """The budget lines behind an área's row of Tabla 11, or behind its total: every line of
    the year (each has an área, so the total's lines are the áreas' lines together)."""
    lineas = LineaPresupuestaria.objects.filter(anio=anio)
    if area_id is not None:
        lineas = lineas.filter(area_id=area_id)
    return lineas.select_related("area", "centro").order_by(
        "area__orden", "centro__numero", "descripcion"
    )


def procesos_del_tipo(*, anio: int, tipo: str | None = None) -> QuerySet[ProcesoContratacion]:
    """The procurement processes behind a row of Tabla 12, or behind its total: every process
    of the year."""
    procesos = ProcesoContratacion.objects.filter(anio=anio)
    if tipo is not None:
        procesos = procesos.filter(tipo=tipo)
    return procesos.select_related("tipo").order_by("fecha", "codigo")


def lineas_del_centro(*, centro_id: int) -> QuerySet[LineaPresupuestaria]:
    """A centre's budget lines of every year, the latest year first."""
    return (
        LineaPresupuestaria.objects.filter(centro_id=centro_id)
        .select_related("area")
        .order_by("-anio", "area__orden", "descripcion")
    )


# --- Lists of the portal's budget pages ----------------------------------------------------


def lineas_lista() -> QuerySet[LineaPresupuestaria]:
    """Every budget line with what its row shows (área, centre), in Tabla 11's order: the
    queryset the list's filters narrow."""
    return LineaPresupuestaria.objects.select_related("area", "centro").order_by(
        "-anio", "area__orden", "centro__numero", "descripcion", "pk"
    )


@dataclass(frozen=True)
class TotalesLineas:
    lineas: int
    codificado: Decimal
    ejecutado: Decimal

    @property
    def ejecucion(self) -> Decimal | None:
        """Executed over codified (0.39 is 39 %); None when nothing is codified."""
        return self.ejecutado / self.codificado if self.codificado else None


@dataclass(frozen=True)
class SubtotalArea(TotalesLineas):
    area_id: int
    area: str


def _totales_lineas(**valores) -> dict:
    return {
        "lineas": valores["lineas"],
        "codificado": a_centavos(valores["codificado"]),
        "ejecutado": a_centavos(valores["ejecutado"]),
    }


_SUMAS_LINEAS = {
    "lineas": Count("pk"),
    "codificado": Coalesce(Sum("codificado"), CERO),
    "ejecutado": Coalesce(Sum("ejecutado"), CERO),
}


def lineas_totales(*, lineas: QuerySet[LineaPresupuestaria]) -> TotalesLineas:
    """Totals of the given (filtered) lines, added in the database: one query."""
    return TotalesLineas(**_totales_lineas(**lineas.order_by().aggregate(**_SUMAS_LINEAS)))


def lineas_por_area(*, lineas: QuerySet[LineaPresupuestaria]) -> list[SubtotalArea]:
    """Subtotals of the given (filtered) lines per área, in the áreas' order: one query."""
    filas = (
        lineas.order_by()
        .values("area_id", "area__nombre", "area__orden")
        .annotate(**_SUMAS_LINEAS)
        .order_by("area__orden", "area__nombre")
    )
    return [
        SubtotalArea(area_id=fila["area_id"], area=fila["area__nombre"], **_totales_lineas(**fila))
        for fila in filas
    ]


def procesos_lista() -> QuerySet[ProcesoContratacion]:
    """Every procurement process, the latest year first: the queryset the list's filters
    narrow."""
    return ProcesoContratacion.objects.select_related("tipo").order_by(
        "-anio", "fecha", "codigo", "pk"
    )


@dataclass(frozen=True)
class TotalesContratacion:
    procesos: int
    monto: Decimal
    por_tipo: list[ContratacionTipo]


def procesos_totales(*, procesos: QuerySet[ProcesoContratacion]) -> TotalesContratacion:
    """Count and amount of the given (filtered) processes, in all and per type (in the
    types' declared order, only the types present): two queries."""
    total = procesos.order_by().aggregate(procesos=Count("pk"), monto=Coalesce(Sum("monto"), CERO))
    return TotalesContratacion(
        procesos=total["procesos"], monto=a_centavos(total["monto"]), por_tipo=_por_tipo(procesos)
    )


def presupuestos_institucionales() -> QuerySet[PresupuestoInstitucional]:
    """The institutional budget of every year recorded, the latest first."""
    return PresupuestoInstitucional.objects.order_by("-anio")


def gastos_comunes_lista(*, anio: int | None) -> QuerySet[GastoComun]:
    """Shared expenses of a year (of every year when None), the latest year first."""
    gastos = GastoComun.objects.order_by("-anio", "concepto", "pk")
    return gastos if anio is None else gastos.filter(anio=anio)


def gastos_comunes_total(*, gastos: QuerySet[GastoComun]) -> Decimal:
    """Sum of the given shared expenses, added in the database."""
    return a_centavos(gastos.order_by().aggregate(total=Coalesce(Sum("monto"), CERO))["total"])


@dataclass(frozen=True)
class ResumenPresupuesto:
    anio: int
    lineas: TotalesLineas
    institucional: EjecucionInstitucional | None
    gastos_comunes: Decimal
    contratacion: TotalesContratacion


def resumen_presupuesto(*, anio: int) -> ResumenPresupuesto:
    """The year's totals shown on the budget pages' index: lines, institutional budget,
    shared expenses and procurement."""
    return ResumenPresupuesto(
        anio=anio,
        lineas=lineas_totales(lineas=LineaPresupuestaria.objects.filter(anio=anio)),
        institucional=ejecucion_institucional(anio=anio),
        gastos_comunes=gastos_comunes_total(gastos=gastos_comunes_lista(anio=anio)),
        contratacion=procesos_totales(procesos=ProcesoContratacion.objects.filter(anio=anio)),
    )


@dataclass(frozen=True)
class ContratacionCpccs:
    """A row of the CPCCS form's procurement section: the processes of a type adjudicated in
    the year, and those finalised in it (at their final amount)."""

    tipo: str  # as the CPCCS system names it
    codigos: list[str]
    adjudicados: int
    valor_adjudicados: Decimal
    finalizados: int
    valor_finalizados: Decimal


def contratacion_cpccs(*, anio: int) -> list[ContratacionCpccs]:
    """Per type as the CPCCS names it (two types of different regimes may share the name),
    in the types' order; only types with a process adjudicated or finalised in the year. One
    query."""
    adjudicado = Q(fecha_adjudicacion__year=anio)
    finalizado = Q(fecha_finalizacion__year=anio)
    filas = (
        ProcesoContratacion.objects.filter(adjudicado | finalizado)
        .exclude(estado=ProcesoContratacion.Estado.DESIERTO)
        .values("tipo", "tipo__nombre_cpccs", "tipo__orden")
        .annotate(
            adjudicados=Count("pk", filter=adjudicado),
            valor_adjudicados=Coalesce(Sum("monto", filter=adjudicado), CERO),
            finalizados=Count("pk", filter=finalizado),
            valor_finalizados=Coalesce(
                Sum(Coalesce("monto_final", "monto"), filter=finalizado), CERO
            ),
        )
        .order_by("tipo__orden", "tipo")
    )
    por_nombre: dict[str, ContratacionCpccs] = {}
    for fila in filas:
        nombre = fila["tipo__nombre_cpccs"]
        anterior = por_nombre.get(nombre)
        por_nombre[nombre] = ContratacionCpccs(
            tipo=nombre,
            codigos=[*(anterior.codigos if anterior else []), fila["tipo"]],
            adjudicados=fila["adjudicados"] + (anterior.adjudicados if anterior else 0),
            valor_adjudicados=a_centavos(fila["valor_adjudicados"])
            + (anterior.valor_adjudicados if anterior else 0),
            finalizados=fila["finalizados"] + (anterior.finalizados if anterior else 0),
            valor_finalizados=a_centavos(fila["valor_finalizados"])
            + (anterior.valor_finalizados if anterior else 0),
        )
    return list(por_nombre.values())


def procesos_cpccs(*, anio: int) -> QuerySet[ProcesoContratacion]:
    """The processes behind the CPCCS form's procurement rows: adjudicated or finalised in
    the year (and not void), by type and code."""
    return (
        ProcesoContratacion.objects.filter(
            Q(fecha_adjudicacion__year=anio) | Q(fecha_finalizacion__year=anio)
        )
        .exclude(estado=ProcesoContratacion.Estado.DESIERTO)
        .select_related("tipo")
        .order_by("tipo__orden", "codigo")
    )
