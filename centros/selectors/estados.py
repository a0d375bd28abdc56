"""The state of every month of a year for many centres at once, by the one rule of
`centros.estados`: read by the matrix and its filter, the home pages and the panel."""

import datetime
from dataclasses import dataclass

from django.conf import settings

from casmul.meses import Mes

from ..estados import EstadoMes, estado_del_mes, mes_atrasado
from ..models import OperacionAnual, PlazoDelAnio, ReporteMensual


@dataclass(frozen=True)
class MesDeCentro:
    """A centre's month in its state, as the matrix, the home pages and the panel read it."""

    mes: Mes
    estado: EstadoMes
    reporte_id: int | None
    advertencias: int
    # What an approval from the matrix carries: a month changed since is not approved.
    version: int = 0
    # Its due day passed and it was not submitted (`centros.estados.mes_atrasado`).
    atrasado: bool = False
    vence: datetime.date | None = None

    @property
    def aprobable_en_bloque(self) -> bool:
        """Submitted without warnings: a month with warnings is approved from its review."""
        return self.estado == EstadoMes.ENVIADO and not self.advertencias

    @property
    def seleccion(self) -> str:
        """The month as a selection of the matrix: "id:version"."""
        return f"{self.reporte_id}:{self.version}"

    @property
    def nombre_estado(self) -> str:
        return self.estado.label


def plazo_del_anio(anio: int) -> int:
    """The day of the following month each month of the year is due."""
    return (
        PlazoDelAnio.objects.filter(anio=anio).values_list("dia", flat=True).first()
        or settings.PLAZO_DIA_POR_DEFECTO
    )


def estados_del_anio(
    *, centro_ids: list[int], anio: int, hoy: datetime.date
) -> dict[int, list[MesDeCentro]]:
    """Twelve months per centre, each in its state and whether it is late. Three queries
    whatever the data."""
    dia_limite = plazo_del_anio(anio)
    reportes = {
        (fila["centro_id"], fila["mes"]): fila
        for fila in ReporteMensual.objects.filter(centro_id__in=centro_ids, anio=anio).values(
            "pk", "centro_id", "mes", "estado", "advertencias", "version"
        )
    }
    operaciones = {
        centro_id: (inicio, fin)
        for centro_id, inicio, fin in OperacionAnual.objects.filter(
            centro_id__in=centro_ids, anio=anio
        ).values_list("centro_id", "mes_inicio", "mes_fin")
    }
    resultado = {}
    # Built once: a national network asks for 36.000 months.
    meses_del_anio = Mes.del_anio(anio)
    for centro_id in centro_ids:
        meses = []
        for mes in meses_del_anio:
            reporte = reportes.get((centro_id, mes.numero))
            estado = estado_del_mes(
                mes=mes,
                estado_reporte=reporte and reporte["estado"],
                operacion=operaciones.get(centro_id),
                hoy=hoy,
            )
            meses.append(
                MesDeCentro(
                    mes=mes,
                    estado=estado,
                    reporte_id=reporte["pk"] if reporte else None,
                    advertencias=len(reporte["advertencias"]) if reporte else 0,
                    version=reporte["version"] if reporte else 0,
                    atrasado=mes_atrasado(mes=mes, estado=estado, dia_limite=dia_limite, hoy=hoy),
                    vence=mes.vence(dia_limite),
                )
            )
        resultado[centro_id] = meses
    return resultado
