"""Read functions of the clinic: Tablas 2–5 of the report."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from casmul.meses import Mes, Periodo
from centros.models import (
    Centro,
    LineaServicio,
    OperacionAnual,
    ReporteMensual,
    campo_del_anio,
    del_informe,
)
from centros.selectors.mensual import (
    CambioRegistrado,
    DatosDelMes,
    historial_de_mes,
    nombre_de_usuario,
    operacion_del_anio,
)

from .models import AtencionClinica, DotacionProfesional, Especialidad, Servicio


@dataclass(frozen=True)
class PacientesServicio:
    servicio: str
    nombre: str
    pacientes: int


@dataclass(frozen=True)
class ResumenClinica:
    anio: int
    por_servicio: list[PacientesServicio]
    meses_reportados: int
    # The clinic's months of operation: its averages are taken over them.
    operacion: Periodo

    @property
    def total(self) -> int:
        """Always the sum of the service rows (the 2023 document printed another number)."""
        return sum(fila.pacientes for fila in self.por_servicio)

    @property
    def promedio_diario(self) -> Decimal:
        return Decimal(self.total) / self.operacion.dias

    @property
    def promedio_mensual(self) -> Decimal:
        return Decimal(self.total) / self.operacion.cantidad


def _atenciones_del_informe(
    anio: int, *, con_sin_aprobar: bool = False
) -> QuerySet[AtencionClinica]:
    """The clinic's rows a year's report counts: Tabla 2 and the months behind its figures
    read the same ones, so that they cannot disagree."""
    return AtencionClinica.objects.filter(
        del_informe(anio, con_sin_aprobar=con_sin_aprobar, via="reporte__")
    )


def resumen_clinica(*, anio: int, con_sin_aprobar: bool = False) -> ResumenClinica:
    """Patients per service in the year (every service listed) and their averages, from the
    approved months (every month entered, in a preview: `con_sin_aprobar`)."""
    atenciones = _atenciones_del_informe(anio, con_sin_aprobar=con_sin_aprobar)
    totales = dict(atenciones.values_list("servicio").annotate(total=Sum("pacientes")).order_by())
    meses = atenciones.aggregate(meses=Count("reporte__mes", distinct=True))["meses"]
    return ResumenClinica(
        anio=anio,
        por_servicio=[
            PacientesServicio(servicio=valor, nombre=nombre, pacientes=totales.get(valor) or 0)
            for valor, nombre in Servicio.choices
        ],
        meses_reportados=meses,
        operacion=Periodo.de_operacion(
            anio,
            OperacionAnual.objects.filter(anio=anio)
            .annotate(linea=campo_del_anio("linea_servicio", anio=anio, centro="centro"))
            .filter(linea=LineaServicio.SALUD)
            .values_list("mes_inicio", "mes_fin"),
        ),
    )


@dataclass(frozen=True)
class MesDeLaClinica:
    """A month behind a figure of Tabla 2: its patients, its state and whether the report
    counts it (approved and inside the clinic's months of operation)."""

    mes: Mes
    pacientes: int | None
    estado: str | None
    cuenta: bool

    @property
    def estado_nombre(self) -> str:
        return ReporteMensual.Estado(self.estado).label if self.estado else ""

    @property
    def fuera_de_operacion(self) -> bool:
        """Approved, with patients, and still not counted: the month lies outside the months
        of operation."""
        return (
            self.estado == ReporteMensual.Estado.APROBADO
            and self.pacientes is not None
            and not self.cuenta
        )


@dataclass(frozen=True)
class MesesDeCentroClinica:
    centro: Centro
    meses: list[MesDeLaClinica]


@dataclass(frozen=True)
class DetalleClinica:
    """The months behind a figure of Tabla 2 (one service's patients, or all of them), each
    clinic on its own, and the rule that makes one number of them: the sum of the counted
    months."""

    anio: int
    servicio: str | None
    centros: list[MesesDeCentroClinica]

    @property
    def servicio_nombre(self) -> str:
        return Servicio(self.servicio).label if self.servicio else ""

    @property
    def pacientes(self) -> int:
        return sum(
            mes.pacientes or 0 for centro in self.centros for mes in centro.meses if mes.cuenta
        )


def meses_de_la_clinica(*, anio: int, servicio: str | None = None) -> DetalleClinica | None:
    """Every month of the year of each centre that records the clinic's patients (the
    health-line centres operating in the year, and any other with clinic rows), with the
    patients of one service (of all, without `servicio`), the month's state and whether it
    counts. A month counts when its rows are among those `resumen_clinica` adds, so the sum
    of the counted months is the cell of Tabla 2 by construction. None for a service the
    clinic does not have. Four queries."""
    if servicio is not None and servicio not in Servicio.values:
        return None
    del_anio = AtencionClinica.objects.filter(reporte__anio=anio)
    contadas = _atenciones_del_informe(anio)
    if servicio:
        del_anio = del_anio.filter(servicio=servicio)
        contadas = contadas.filter(servicio=servicio)
    centros = list(
        Centro.objects.filter(
            Q(
                pk__in=Centro.objects.en_operacion(anio)
                .con_definicion_del_anio(anio, "linea_servicio")
                .filter(linea_servicio_del_anio=LineaServicio.SALUD)
                .values("pk")
            )
            | Q(pk__in=AtencionClinica.objects.filter(reporte__anio=anio).values("reporte__centro"))
        ).order_by("numero")
    )
    pacientes = dict(del_anio.values_list("reporte_id").annotate(total=Sum("pacientes")).order_by())
    contados = set(contadas.values_list("reporte_id", flat=True))
    reportes = {
        (reporte.centro_id, reporte.mes): reporte
        for reporte in ReporteMensual.objects.filter(anio=anio, centro__in=centros).only(
            "pk", "centro_id", "mes", "estado"
        )
    }

    def mes_de(centro: Centro, mes: Mes) -> MesDeLaClinica:
        reporte = reportes.get((centro.pk, mes.numero))
        if reporte is None:
            return MesDeLaClinica(mes=mes, pacientes=None, estado=None, cuenta=False)
        return MesDeLaClinica(
            mes=mes,
            pacientes=pacientes.get(reporte.pk),
            estado=reporte.estado,
            cuenta=reporte.pk in contados,
        )

    return DetalleClinica(
        anio=anio,
        servicio=servicio,
        centros=[
            MesesDeCentroClinica(
                centro=centro, meses=[mes_de(centro, mes) for mes in Mes.del_anio(anio)]
            )
            for centro in centros
        ],
    )


def pacientes_por_especialidad(
    *, anio: int, con_sin_aprobar: bool = False
) -> list[tuple[str, int]]:
    """Patients per specialty in the year, where the months were broken down by specialty
    (approved months, or every month entered: `con_sin_aprobar`)."""
    return list(
        AtencionClinica.objects.filter(
            del_informe(anio, con_sin_aprobar=con_sin_aprobar, via="reporte__"),
            especialidad__isnull=False,
        )
        .values_list("especialidad__nombre")
        .annotate(total=Sum("pacientes"))
        .order_by("especialidad__orden")
    )


def especialidades_ofertadas() -> QuerySet[Especialidad]:
    """The clinic's service portfolio (Tabla 3)."""
    return Especialidad.objects.filter(activa=True).order_by("orden")


@dataclass(frozen=True)
class Dotacion:
    filas: list[DotacionProfesional]

    @property
    def total(self) -> int:
        return sum(fila.cantidad for fila in self.filas)


def dotacion_profesional(*, anio: int) -> Dotacion:
    """Professionals per specialty or post in the year (Tabla 4)."""
    return Dotacion(filas=list(DotacionProfesional.objects.filter(anio=anio).order_by("orden")))


# --- Monthly data entry of the clinic ---------------------------------------------------------

SIN_DESAGREGAR = "Sin desagregar por especialidad"
TOTAL_DEL_SERVICIO = "Total del servicio"


def especialidades_del_formulario() -> list[Especialidad]:
    """The specialties the clinic's month form offers as rows of consulta externa."""
    return list(Especialidad.objects.filter(activa=True).order_by("orden", "nombre"))


@dataclass(frozen=True)
class FilaClinica:
    servicio: str
    especialidad_id: int | None
    nombre: str
    valor: int | None
    valor_mes_anterior: int | None
    valor_anual: int | None

    @property
    def clave(self) -> tuple[str, int | None]:
        return (self.servicio, self.especialidad_id)


def _suma(valores) -> int | None:
    valores = [valor for valor in valores if valor is not None]
    return sum(valores) if valores else None


@dataclass(frozen=True)
class GrupoClinica:
    """One service of the clinic with its rows (specialties, or a single total)."""

    servicio: str
    nombre: str
    filas: list[FilaClinica]

    @property
    def total(self) -> int | None:
        return _suma(fila.valor for fila in self.filas)

    @property
    def total_mes_anterior(self) -> int | None:
        return _suma(fila.valor_mes_anterior for fila in self.filas)

    @property
    def total_anual(self) -> int | None:
        return _suma(fila.valor_anual for fila in self.filas)


@dataclass(frozen=True)
class FormularioClinica(DatosDelMes):
    centro: Centro
    mes: Mes
    reporte: ReporteMensual | None
    grupos: list[GrupoClinica]
    operacion: tuple[int, int] | None
    hoy: datetime.date

    @property
    def filas(self) -> list[FilaClinica]:
        return [fila for grupo in self.grupos for fila in grupo.filas]

    @property
    def total(self) -> int | None:
        return _suma(grupo.total for grupo in self.grupos)

    @property
    def total_mes_anterior(self) -> int | None:
        return _suma(grupo.total_mes_anterior for grupo in self.grupos)

    @property
    def total_anual(self) -> int | None:
        return _suma(grupo.total_anual for grupo in self.grupos)


def formulario_clinica(
    *, centro: Centro, mes: Mes, hoy: datetime.date | None = None
) -> FormularioClinica:
    """The clinic's month as a grid: consulta externa by active specialty plus a row without
    specialty (the 2023 records are not broken down), emergencia and hospitalización as
    totals; any other row that holds data is shown too, so that nothing stored is hidden.
    Each row carries this month's patients, the previous month's and the year's so far.
    Three queries whatever the data."""
    anio = mes.anio
    anterior = mes.anterior
    especialidades = especialidades_del_formulario()
    filas_guardadas = AtencionClinica.objects.filter(reporte__centro=centro).filter(
        Q(reporte__anio=anio, reporte__mes__lte=mes.numero)
        | Q(reporte__anio=anterior.anio, reporte__mes=anterior.numero)
    )
    valores: dict[tuple[str, int | None, int, int], int] = {}
    otras: dict[str, dict[int, tuple[int, str]]] = {}
    for fila in filas_guardadas.values(
        "servicio",
        "especialidad_id",
        "especialidad__nombre",
        "especialidad__orden",
        "reporte__anio",
        "reporte__mes",
        "pacientes",
    ):
        servicio, especialidad = fila["servicio"], fila["especialidad_id"]
        valores[(servicio, especialidad, fila["reporte__anio"], fila["reporte__mes"])] = fila[
            "pacientes"
        ]
        if especialidad is not None:
            otras.setdefault(servicio, {})[especialidad] = (
                fila["especialidad__orden"],
                fila["especialidad__nombre"],
            )
    reporte = (
        ReporteMensual.objects.select_related("actualizado_por", "aprobado_por")
        .filter(centro=centro, anio=anio, mes=mes.numero)
        .first()
    )

    def fila(servicio: str, especialidad: int | None, nombre: str) -> FilaClinica:
        return FilaClinica(
            servicio=servicio,
            especialidad_id=especialidad,
            nombre=nombre,
            valor=valores.get((servicio, especialidad, anio, mes.numero)),
            valor_mes_anterior=valores.get(
                (servicio, especialidad, anterior.anio, anterior.numero)
            ),
            valor_anual=_suma(
                valor
                for (s, e, fila_anio, _), valor in valores.items()
                if s == servicio and e == especialidad and fila_anio == anio
            ),
        )

    grupos = []
    for servicio, nombre_servicio in Servicio.choices:
        if servicio == Servicio.CONSULTA_EXTERNA:
            ofrecidas = {e.pk: (e.orden, e.nombre) for e in especialidades}
        else:
            ofrecidas = {}
        con_datos = {**otras.get(servicio, {}), **ofrecidas}
        orden = sorted(con_datos.items(), key=lambda item: (item[1][0], item[1][1]))
        filas = [fila(servicio, pk, nombre) for pk, (_, nombre) in orden]
        sin = SIN_DESAGREGAR if filas else TOTAL_DEL_SERVICIO
        filas.append(fila(servicio, None, sin))
        grupos.append(GrupoClinica(servicio=servicio, nombre=nombre_servicio, filas=filas))
    return FormularioClinica(
        centro=centro,
        mes=mes,
        reporte=reporte,
        grupos=grupos,
        operacion=operacion_del_anio(centro=centro, anio=anio),
        hoy=hoy or timezone.localdate(),
    )


def historial_de_mes_clinica(*, reporte: ReporteMensual) -> list[CambioRegistrado]:
    """Every change of the clinic's month (patients per service and specialty, and the
    month's status), newest first. Three queries."""
    cambios = historial_de_mes(reporte=reporte)
    anteriores: dict[int, int] = {}
    for registro in (
        AtencionClinica.history.filter(reporte_id=reporte.pk)
        .select_related("history_user", "especialidad")
        .order_by("history_date", "history_id")
    ):
        antes = anteriores.get(registro.id)
        anteriores[registro.id] = registro.pacientes
        servicio = Servicio(registro.servicio).label
        que = f"{servicio} — {registro.especialidad.nombre}" if registro.especialidad else servicio
        cambios.append(
            CambioRegistrado(
                fecha=registro.history_date,
                usuario=nombre_de_usuario(registro.history_user),
                que=que,
                antes=None if registro.history_type == "+" else antes,
                despues=None if registro.history_type == "-" else registro.pacientes,
                # Without a comment the service records the row's name: not worth repeating.
                motivo=""
                if registro.history_change_reason == que
                else (registro.history_change_reason or ""),
            )
        )
    return sorted(cambios, key=lambda cambio: cambio.fecha, reverse=True)


@dataclass(frozen=True)
class PacientesPorAnio:
    servicio: str
    nombre: str
    # One per year asked, in its order; None where no approved month holds the service.
    valores: list[int | None]


def pacientes_del_centro_por_anio(*, centro_id: int, anios: list[int]) -> list[PacientesPorAnio]:
    """A clinic's patients per service and year, as each year's report counts them (approved
    months inside its operation); empty for a centre that keeps no clinic record. One query."""
    totales = {
        (anio, servicio): total
        for anio, servicio, total in AtencionClinica.objects.filter(
            del_informe(None, via="reporte__"), reporte__centro_id=centro_id
        )
        .values_list("reporte__anio", "servicio")
        .annotate(total=Sum("pacientes"))
        .order_by()
    }
    if not totales:
        return []
    return [
        PacientesPorAnio(
            servicio=valor,
            nombre=nombre,
            valores=[totales.get((anio, valor)) for anio in anios],
        )
        for valor, nombre in Servicio.choices
    ]
