"""The home pages: the month each centre has to report now, and what needs attention."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from casmul.meses import Mes

from ..estados import EstadoMes
from ..models import Centro
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


def centros_sin_personal(*, anio: int) -> QuerySet[Centro]:
    """Centres operating in the year that nobody is assigned to enter figures for."""
    return (
        Centro.objects.en_operacion(anio).filter(personal_asignado__isnull=True).order_by("numero")
    )
