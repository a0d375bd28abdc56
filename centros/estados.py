"""The one rule for the state of a centre's month, shown by the completeness matrix and its
filter, the home pages, the year view and the consistency panel alike."""

import datetime

from django.db import models

from casmul.meses import Mes

from .models import ReporteMensual


class EstadoMes(models.TextChoices):
    SIN_DATOS = "sin_datos", "Sin datos"
    BORRADOR = ReporteMensual.Estado.BORRADOR.value, ReporteMensual.Estado.BORRADOR.label
    DEVUELTO = ReporteMensual.Estado.DEVUELTO.value, ReporteMensual.Estado.DEVUELTO.label
    ENVIADO = ReporteMensual.Estado.ENVIADO.value, ReporteMensual.Estado.ENVIADO.label
    APROBADO = ReporteMensual.Estado.APROBADO.value, ReporteMensual.Estado.APROBADO.label
    # The running month: nothing is missing from it until it ends.
    EN_CURSO = "en_curso", "En curso"
    NO_OPERA = "no_opera", "No opera"
    POR_LLEGAR = "futuro", "Por llegar"

    @property
    def debido(self) -> bool:
        """A month that had to be reported by now: missing, entered or approved."""
        return self in (
            EstadoMes.SIN_DATOS,
            EstadoMes.BORRADOR,
            EstadoMes.DEVUELTO,
            EstadoMes.ENVIADO,
            EstadoMes.APROBADO,
        )

    @property
    def sin_aprobar(self) -> bool:
        """Entered but not yet approved."""
        return self in (EstadoMes.BORRADOR, EstadoMes.DEVUELTO, EstadoMes.ENVIADO)

    @property
    def espera_al_centro(self) -> bool:
        """Not submitted yet: missing, a draft, or returned to the centre."""
        return self in (EstadoMes.SIN_DATOS, EstadoMes.BORRADOR, EstadoMes.DEVUELTO)

    @property
    def se_puede_abrir(self) -> bool:
        """A month whose page has something to show or to enter."""
        return self not in (EstadoMes.POR_LLEGAR, EstadoMes.NO_OPERA)


Operacion = tuple[int, int] | None  # (mes_inicio, mes_fin) of the year, None: not operating


def mes_atrasado(*, mes: Mes, estado: EstadoMes, dia_limite: int, hoy: datetime.date) -> bool:
    """Late: its due day (`dia_limite` of the following month) has passed and the centre has
    not submitted it. A month submitted late and then returned is late again until resent."""
    return estado.espera_al_centro and hoy > mes.vence(dia_limite)


def estado_del_mes(
    *, mes: Mes, estado_reporte: str | None, operacion: Operacion, hoy: datetime.date
) -> EstadoMes:
    """A month with a report is in its report's state; without one it is still to come, not a
    month of operation, the running month, or missing (sin datos), in that order."""
    if estado_reporte:
        return EstadoMes(estado_reporte)
    if mes.es_futuro(hoy):
        return EstadoMes.POR_LLEGAR
    if operacion is None or not mes.dentro_de(*operacion):
        return EstadoMes.NO_OPERA
    if mes.en_curso(hoy):
        return EstadoMes.EN_CURSO
    return EstadoMes.SIN_DATOS
