"""The home pages: the month each centre has to report now, and what needs attention."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from casmul.meses import Mes

from ..estados import EstadoMes
from ..models import Centro, Devolucion, ReporteMensual
from .estados import estados_del_anio


@dataclass(frozen=True)
class PendienteCentro:
    centro: Centro
    mes: Mes
    estado: EstadoMes

    @property
    def nombre_estado(self) -> str:
        return self.estado.label


def pendientes_del_mes(*, centros: QuerySet[Centro], hoy: datetime.date) -> list[PendienteCentro]:
    """For each centre, the month to report now (the previous one: the current month is still
    running) in its state. Three queries."""
    mes = Mes.de_fecha(hoy).anterior
    centros = list(centros.order_by("numero"))
    estados = estados_del_anio(centro_ids=[c.pk for c in centros], anio=mes.anio, hoy=hoy)
    return [
        PendienteCentro(centro=c, mes=mes, estado=estados[c.pk][mes.numero - 1].estado)
        for c in centros
    ]


@dataclass(frozen=True)
class MesQueEspera:
    """A month of any year that waits on its centre: returned or reopened, and why."""

    reporte: ReporteMensual
    motivo: str

    @property
    def mes(self) -> Mes:
        return Mes(self.reporte.anio, self.reporte.mes)

    @property
    def devuelto(self) -> bool:
        return self.reporte.estado == ReporteMensual.Estado.DEVUELTO


def meses_que_esperan(*, centros: QuerySet[Centro]) -> list[MesQueEspera]:
    """The months of the centres, of any year, that the coordination sent back (returned
    with remarks, or reopened after approval) and their staff have not submitted again,
    oldest first, each with the coordination's reason. Two queries."""
    reportes = (
        ReporteMensual.objects.filter(centro__in=centros)
        .filter(
            Q(estado=ReporteMensual.Estado.DEVUELTO)
            | (Q(estado=ReporteMensual.Estado.BORRADOR) & ~Q(motivo_reapertura=""))
        )
        .select_related("centro")
        .prefetch_related(
            Prefetch(
                "devoluciones",
                queryset=Devolucion.objects.filter(respondido_en=None),
                to_attr="devoluciones_abiertas",
            )
        )
        .order_by("anio", "mes", "centro__numero")
    )
    return [
        MesQueEspera(
            reporte=reporte,
            motivo=reporte.devoluciones_abiertas[0].motivo
            if reporte.devoluciones_abiertas
            else reporte.motivo_reapertura,
        )
        for reporte in reportes
    ]


def centros_sin_personal(*, anio: int) -> QuerySet[Centro]:
    """Centres operating in the year that nobody is assigned to enter figures for."""
    return (
        Centro.objects.en_operacion(anio).filter(personal_asignado__isnull=True).order_by("numero")
    )
