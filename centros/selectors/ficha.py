"""A centre's record across the years: its years of operation, each figure by year as that
year's report counts it (approved months inside the operation), and its photos."""

import copy
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from casmul.meses import Periodo
from casmul.montos import a_centavos

from ..models import Centro, CifraMensual, FotoCentro, Indicador, ReporteMensual, del_informe
from .acceso import centros_de_usuario
from .anuales import valor_anual
from .definiciones import CambioDeDefinicion, cambios_entre


@dataclass(frozen=True)
class AnioDelCentro:
    anio: int
    operacion: Periodo
    personal: int | None
    meses_aprobados: int
    # The centre as defined that year: its área, modality, capacity… then.
    definicion: Centro

    @property
    def completo(self) -> bool:
        return self.meses_aprobados == self.operacion.cantidad


@dataclass(frozen=True)
class CifraPorAnio:
    codigo: str
    nombre: str
    regla: str
    es_monetaria: bool
    # One per year of the record, in its order; None where no approved month holds it.
    valores: list[Decimal | None]


@dataclass(frozen=True)
class FichaDelCentro:
    centro: Centro
    anios: list[AnioDelCentro]
    cifras: list[CifraPorAnio]
    fotos: list[FotoCentro]
    # Each change of its definition from one year of operation to the next.
    cambios: list[CambioDeDefinicion]


def centro_visible(*, centro_id: int, usuario) -> bool:
    return centros_de_usuario(usuario).filter(pk=centro_id).exists()


def ficha_del_centro(*, centro_id: int, usuario) -> FichaDelCentro | None:
    """The centre's record for a user who may see it (staff: their own centres), else None.
    A fixed number of queries whatever the years and months behind it."""
    centro = (
        centros_de_usuario(usuario)
        .select_related("indicador_usuarios", "area", "parroquia")
        .filter(pk=centro_id)
        .first()
    )
    if centro is None:
        return None
    operaciones = list(
        centro.operaciones.select_related("area", "parroquia", "indicador_usuarios").order_by(
            "anio"
        )
    )
    aprobados = dict(
        ReporteMensual.objects.filter(del_informe(None), centro=centro)
        .values_list("anio")
        .annotate(meses=Count("pk"))
        .order_by()
    )
    anios = [
        AnioDelCentro(
            anio=operacion.anio,
            operacion=Periodo.de_operacion(
                operacion.anio, [(operacion.mes_inicio, operacion.mes_fin)]
            ),
            personal=operacion.personal,
            meses_aprobados=aprobados.get(operacion.anio, 0),
            definicion=copy.copy(centro).definicion_del_anio_aplicar(operacion),
        )
        for operacion in operaciones
    ]
    return FichaDelCentro(
        centro=centro,
        anios=anios,
        cifras=_cifras_por_anio(centro, [anio.anio for anio in anios]),
        fotos=list(centro.fotos.order_by("-anio", "orden")),
        cambios=[
            cambio
            for antes, despues in zip(anios, anios[1:], strict=False)
            for cambio in cambios_entre(antes.definicion, despues.definicion, desde=despues.anio)
        ],
    )


def _cifras_por_anio(centro: Centro, anios: list[int]) -> list[CifraPorAnio]:
    """The figures the centre reports in any of the years, in its order, then any other figure
    it reported in an earlier year (a record is not rewritten when the configuration
    changes)."""
    filas = (
        CifraMensual.objects.filter(del_informe(None, via="reporte__"), reporte__centro=centro)
        .values("reporte__anio", "indicador_id")
        .annotate(valor_anual=valor_anual())
        .order_by()
    )
    valores = {(fila["reporte__anio"], fila["indicador_id"]): fila["valor_anual"] for fila in filas}
    configurados = [
        reportado.indicador_id
        for reportado in centro.indicadores_centro.order_by("orden")
        if any(reportado.reportado_en(anio) for anio in anios)
    ]
    otros = {indicador for _, indicador in valores} - set(configurados)
    indicadores = Indicador.objects.in_bulk([*configurados, *otros])
    orden = configurados + sorted(otros, key=lambda pk: indicadores[pk].codigo)
    return [
        CifraPorAnio(
            codigo=indicadores[pk].codigo,
            nombre=indicadores[pk].nombre,
            regla=indicadores[pk].regla,
            es_monetaria=indicadores[pk].unidad == Indicador.Unidad.DOLARES,
            valores=[
                None if (anio, pk) not in valores else a_centavos(valores[anio, pk])
                for anio in anios
            ],
        )
        for pk in orden
    ]
