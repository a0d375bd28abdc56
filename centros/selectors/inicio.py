"""The home pages: the month each centre has to report now, and what needs attention."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery

from casmul.meses import Mes
from casmul.permisos import puede_registrar_cifras
from casmul.roles import Rol, tiene_rol

from ..estados import EstadoMes, mes_atrasado
from ..models import Centro, Devolucion, PlazoDelAnio, ReporteMensual
from .acceso import centros_de_usuario
from .completitud import MatrizCompletitud
from .estados import MesDeCentro


@dataclass(frozen=True)
class PendienteCentro:
    centro: Centro
    mes: Mes
    estado: EstadoMes

    @property
    def nombre_estado(self) -> str:
        return self.estado.label


def pendientes_del_mes(
    *, centros: QuerySet[Centro], matriz: MatrizCompletitud, hoy: datetime.date
) -> list[PendienteCentro]:
    """For each centre, the month to report now (the previous one: the current month is still
    running) in its state, read from the matrix of that month's year: a centre the matrix
    does not hold does not operate that year. One query."""
    mes = Mes.de_fecha(hoy).anterior
    if matriz.anio != mes.anio:
        raise ValueError(f"The matrix is of {matriz.anio}, the month to report of {mes.anio}")
    filas = {fila.centro.pk: fila for fila in matriz.filas}
    return [
        PendienteCentro(
            centro=filas[centro.pk].centro if centro.pk in filas else centro,
            mes=mes,
            estado=filas[centro.pk].celdas[mes.numero - 1].estado
            if centro.pk in filas
            else EstadoMes.NO_OPERA,
        )
        for centro in centros.order_by("numero")
    ]


@dataclass(frozen=True)
class MesQueEspera:
    """A month of any year that waits on its centre: returned or reopened, and why."""

    reporte: ReporteMensual
    motivo: str

    @property
    def mes(self) -> Mes:
        return self.reporte.mes_del_anio

    @property
    def devuelto(self) -> bool:
        return self.reporte.estado == ReporteMensual.Estado.DEVUELTO


def _que_esperan(centros: QuerySet[Centro]) -> QuerySet[ReporteMensual]:
    return ReporteMensual.objects.filter(centro__in=centros).filter(
        Q(estado=ReporteMensual.Estado.DEVUELTO)
        | (Q(estado=ReporteMensual.Estado.BORRADOR) & ~Q(motivo_reapertura=""))
    )


def meses_que_esperan(*, centros: QuerySet[Centro]) -> list[MesQueEspera]:
    """The months of the centres, of any year, that the coordination sent back (returned
    with remarks, or reopened after approval) and their staff have not submitted again,
    oldest first, each with the coordination's reason. One query."""
    devolucion_abierta = Devolucion.objects.filter(
        reporte=OuterRef("pk"), respondido_en=None
    ).order_by("-pk")
    reportes = (
        _que_esperan(centros)
        .select_related("centro")
        .annotate(motivo_devolucion=Subquery(devolucion_abierta.values("motivo")[:1]))
        .order_by("anio", "mes", "centro__numero")
    )
    return [
        MesQueEspera(reporte=reporte, motivo=reporte.motivo_devolucion or reporte.motivo_reapertura)
        for reporte in reportes
    ]


def borradores_atrasados_de_otros_anios(
    *, centros: QuerySet[Centro], anio: int, hoy: datetime.date
) -> list[tuple[Centro, MesDeCentro]]:
    """The drafts of the centres in years before `anio` (the home page's) past their due day,
    oldest first, as the matrix's cells; a reopened one is not among them, it waits with its
    reason (`meses_que_esperan`). One query."""
    plazo = PlazoDelAnio.objects.filter(anio=OuterRef("anio")).values("dia")[:1]
    reportes = (
        ReporteMensual.objects.filter(
            centro__in=centros,
            anio__lt=anio,
            estado=ReporteMensual.Estado.BORRADOR,
            motivo_reapertura="",
        )
        .select_related("centro")
        .annotate(dia_plazo=Subquery(plazo))
        .order_by("anio", "mes", "centro__numero")
    )
    celdas = []
    for reporte in reportes:
        dia = reporte.dia_plazo or settings.PLAZO_DIA_POR_DEFECTO
        mes = reporte.mes_del_anio
        if mes_atrasado(mes=mes, estado=EstadoMes.BORRADOR, dia_limite=dia, hoy=hoy):
            celdas.append(
                (
                    reporte.centro,
                    MesDeCentro(
                        mes=mes,
                        estado=EstadoMes.BORRADOR,
                        reporte_id=reporte.pk,
                        advertencias=len(reporte.advertencias),
                        version=reporte.version,
                        atrasado=True,
                        vence=mes.vence(dia),
                    ),
                )
            )
    return celdas


def meses_por_revisar(*, centros: QuerySet[Centro]) -> QuerySet[ReporteMensual]:
    """The submitted months of the centres, of any year (December is reviewed in January, an
    erratum's month years later), oldest first: the coordination's queue."""
    return (
        ReporteMensual.objects.filter(centro__in=centros, estado=ReporteMensual.Estado.ENVIADO)
        .select_related("centro")
        .order_by("anio", "mes", "centro__numero")
    )


def pendientes_de_usuario(usuario) -> int:
    """What the navigation counts as waiting on the user: the months to review for the
    coordination; for centre staff, the months of their centres sent back to them. One
    query."""
    if tiene_rol(usuario, Rol.COORDINACION, Rol.ADMINISTRACION):
        return ReporteMensual.objects.filter(estado=ReporteMensual.Estado.ENVIADO).count()
    if puede_registrar_cifras(usuario):
        return _que_esperan(centros_de_usuario(usuario)).count()
    return 0


def centros_sin_personal(*, anio: int) -> QuerySet[Centro]:
    """Centres operating in the year that nobody is assigned to enter figures for."""
    return (
        Centro.objects.en_operacion(anio).filter(personal_asignado__isnull=True).order_by("numero")
    )
