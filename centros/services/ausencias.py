"""Days a centre did not serve, explained once: their months' figures raise no range or jump
warning, and later months' ranges leave them out (`advertencias`)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from casmul.cierres import anio_abierto_comprobar
from casmul.meses import Mes
from casmul.versiones import datos_cambiaron

from ..models import Centro, ReporteMensual, SinAtencion
from .advertencias import MESES_RECIENTES, advertencias_de_meses


@transaction.atomic
def sin_atencion_registrar(
    *, centro: Centro, desde: datetime.date, hasta: datetime.date, motivo: str, usuario
) -> SinAtencion:
    """Records that the centre did not serve from `desde` to `hasta` (both included), and
    why; the warnings of its months not yet approved, and of the months after whose range it
    changes, are computed again. Approved months keep theirs: they are what was approved."""
    motivo = motivo.strip()
    errores = {}
    if not motivo:
        errores["motivo"] = (
            "Escriba por qué el centro no atendió (una emergencia, reparaciones, vacaciones…)."
        )
    if hasta < desde:
        errores["hasta"] = "La fecha final es anterior a la inicial."
    if errores:
        raise ValidationError(errores)
    anio_abierto_comprobar(*range(desde.year, hasta.year + 1))
    periodo = SinAtencion.objects.create(
        centro=centro, desde=desde, hasta=hasta, motivo=motivo, registrado_por=usuario
    )
    _advertencias_recalcular(
        centro=centro, desde=Mes.de_fecha(desde), hasta=Mes.de_fecha(hasta).mas(MESES_RECIENTES)
    )
    # Months without service are not due: the report's completeness counts them apart.
    datos_cambiaron(*range(desde.year, hasta.year + 1))
    return periodo


def _advertencias_recalcular(*, centro: Centro, desde: Mes, hasta: Mes) -> None:
    reportes = list(
        ReporteMensual.objects.filter(centro=centro)
        .exclude(estado=ReporteMensual.Estado.APROBADO)
        .filter(Q(anio__gt=desde.anio) | Q(anio=desde.anio, mes__gte=desde.numero))
        .filter(Q(anio__lt=hasta.anio) | Q(anio=hasta.anio, mes__lte=hasta.numero))
    )
    nuevas = advertencias_de_meses(reportes=reportes)
    cambiados = [r for r in reportes if r.advertencias != nuevas[r.pk]]
    for reporte in cambiados:
        reporte.advertencias = nuevas[reporte.pk]
    ReporteMensual.objects.bulk_update(cambiados, ["advertencias"])
