"""The soft rules of a month's figures: warnings that let the month be saved, and submitted
with a comment. Every door that closes a month computes them here, for one month or many."""

import copy
import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db.models import Q

from casmul.formato import dinero, numero
from casmul.meses import Mes

from ..models import (
    Centro,
    CifraMensual,
    Indicador,
    Inscripcion,
    OperacionAnual,
    ReporteMensual,
    SinAtencion,
)
from ..selectors.definiciones import centro_del_anio

# A value is "far outside the centre's range" beyond these multiples of its recent average.
FACTOR_RANGO = Decimal("2")
# A month-to-month change above this fraction of the previous month is a jump.
SALTO_MENSUAL = Decimal("0.5")
MESES_RECIENTES = 6


def advertencias_de_cifras(*, centro: Centro, mes: Mes, valores: dict[str, Decimal]) -> list[str]:
    """Soft rules: a value far outside the centre's recent range, users above capacity, a
    jump from the previous month, users that do not match the nominal registry. The month
    may still be submitted, with a comment. Capacity and users are those of the centre in the
    month's year. A month the centre did not serve some days of (`SinAtencion`) is explained:
    no range or jump warning, and it is left out of later months' range."""
    centro = centro_del_anio(centro, anio=mes.anio)
    recientes = _cifras_recientes(centro=centro, mes=mes, codigos=list(valores))
    return _advertencias_de_lo_leido(centro=centro, mes=mes, valores=valores, recientes=recientes)


def advertencias_del_mes(*, reporte: ReporteMensual) -> list[str]:
    """The warnings of the figures the month holds now (`advertencias_de_cifras`), with the
    month's figures and those of the months before it read in one query."""
    mes = Mes(reporte.anio, reporte.mes)
    centro = centro_del_anio(reporte.centro, anio=mes.anio)
    filas = _cifras_recientes(centro=centro, mes=mes, con_el_mes=True)
    valores = {codigo: valor for codigo, del_mes, valor, *_ in filas if del_mes == mes}
    return _advertencias_de_lo_leido(
        centro=centro,
        mes=mes,
        valores=valores,
        recientes=[fila for fila in filas if fila[1] != mes and fila[0] in valores],
    )


Reciente = tuple[str, Mes, Decimal, str, bool]


def _cifras_recientes(
    *, centro: Centro, mes: Mes, codigos: list[str] | None = None, con_el_mes: bool = False
) -> list[Reciente]:
    """The centre's figures of the `MESES_RECIENTES` months before `mes` (and of `mes` itself
    with `con_el_mes`), of the indicators `codigos` (None: all): code, month, value, name and
    whether money."""
    desde = mes.mas(-MESES_RECIENTES)
    hasta = mes if con_el_mes else mes.anterior
    filas = (
        CifraMensual.objects.filter(reporte__centro=centro)
        .filter(
            Q(reporte__anio__gt=desde.anio)
            | Q(reporte__anio=desde.anio, reporte__mes__gte=desde.numero)
        )
        .filter(
            Q(reporte__anio__lt=hasta.anio)
            | Q(reporte__anio=hasta.anio, reporte__mes__lte=hasta.numero)
        )
    )
    if codigos is not None:
        filas = filas.filter(indicador__codigo__in=codigos)
    return [
        (codigo, Mes(fila_anio, fila_mes), valor, nombre, unidad == Indicador.Unidad.DOLARES)
        for codigo, fila_anio, fila_mes, valor, nombre, unidad in filas.values_list(
            "indicador__codigo",
            "reporte__anio",
            "reporte__mes",
            "valor",
            "indicador__nombre",
            "indicador__unidad",
        )
    ]


def _advertencias_de_lo_leido(
    *, centro: Centro, mes: Mes, valores: dict[str, Decimal], recientes: list[Reciente]
) -> list[str]:
    """`_advertencias` of one month, with its days without service read here."""
    periodos = list(
        SinAtencion.objects.filter(centro=centro).en_meses(mes.mas(-MESES_RECIENTES), mes)
    )
    return _advertencias(
        centro=centro,
        mes=mes,
        valores=valores,
        recientes=recientes,
        inscritos=lambda: inscritos_en_mes(centro=centro, mes=mes),
        sin_atencion=lambda del_mes: any(periodo.cubre(del_mes) for periodo in periodos),
    )


def _advertencias(
    *,
    centro: Centro,
    mes: Mes,
    valores: dict[str, Decimal],
    recientes: Iterable[Reciente],
    inscritos: Callable[[], int],
    sin_atencion: Callable[[Mes], bool],
) -> list[str]:
    """The soft rules of `advertencias_de_cifras` on what was read already, for one month or
    many (`advertencias_de_meses`): `recientes`, the centre's figures of those indicators in
    the `MESES_RECIENTES` months before `mes` (code, month, value, name, whether money);
    `inscritos`, the
    enrolments of `mes`, asked only when a rule needs them; `sin_atencion`, whether the centre
    did not serve some days of a month."""
    serie_de: dict[str, list[tuple[Mes, Decimal]]] = {}
    nombres = {}
    # Money as the month form shows it ($1.250,50), a count as a count (1.250).
    formatos: dict[str, Callable[[Decimal], str]] = {}
    for codigo, del_mes, valor, nombre, monetaria in recientes:
        nombres[codigo] = nombre
        formatos[codigo] = dinero if monetaria else numero
        if not sin_atencion(del_mes):
            serie_de.setdefault(codigo, []).append((del_mes, Decimal(valor)))
    anterior = mes.anterior
    advertencias = []
    # Its days without service explain its figures: only capacity and the registry are asked.
    comparados = {} if sin_atencion(mes) else valores
    for codigo, valor in comparados.items():
        serie = serie_de.get(codigo, [])
        nombre = nombres.get(codigo, codigo)
        formato = formatos.get(codigo, numero)
        previo = next((v for del_mes, v in serie if del_mes == anterior), None)
        if len(serie) >= 3:
            promedio = sum(v for _, v in serie) / len(serie)
            if promedio and (valor > promedio * FACTOR_RANGO or valor * FACTOR_RANGO < promedio):
                advertencias.append(
                    f"{nombre}: {formato(valor)} está muy lejos del promedio de los últimos "
                    f"meses ({formato(promedio)})."
                )
                continue
        if previo and abs(valor - previo) > previo * SALTO_MENSUAL:
            advertencias.append(
                f"{nombre}: pasa de {formato(previo)} el mes anterior a {formato(valor)}."
            )
    usuarios = centro.indicador_usuarios
    if usuarios and usuarios.codigo in valores:
        valor = valores[usuarios.codigo]
        if centro.capacidad and valor > centro.capacidad:
            advertencias.append(
                f"{usuarios.nombre}: {numero(valor)} supera la capacidad del centro "
                f"({numero(centro.capacidad)})."
            )
        if centro.lleva_registro_nominal and usuarios.agregacion != Indicador.Agregacion.SUMA:
            personas = inscritos()
            if valor != personas:
                advertencias.append(
                    f"{usuarios.nombre}: {numero(valor)} no coincide con las {numero(personas)} "
                    "personas inscritas en el registro nominal ese mes."
                )
    return advertencias


def inscritos_en_mes(*, centro: Centro, mes: Mes) -> int:
    """Enrolments of the nominal registry active some day of the month."""
    return (
        Inscripcion.objects.filter(centro=centro, desde__lte=mes.ultimo_dia)
        .filter(Q(hasta__isnull=True) | Q(hasta__gte=mes.primer_dia))
        .values("beneficiario")
        .distinct()
        .count()
    )


def advertencias_de_meses(*, reportes: list[ReporteMensual]) -> dict[int, list[str]]:
    """`advertencias_del_mes` of many months at once ({report id: warnings}), with the figures
    read in one query for all of them and the months before them, and the enrolments in one
    more when a centre keeps the nominal registry."""
    if not reportes:
        return {}
    centros = Centro.objects.select_related("indicador_usuarios").in_bulk(
        {reporte.centro_id for reporte in reportes}
    )
    # Each month's rules read the centre as defined in its year.
    propias = {
        (operacion.centro_id, operacion.anio): operacion
        for operacion in OperacionAnual.objects.filter(
            centro_id__in=list(centros),
            anio__in={reporte.anio for reporte in reportes},
            definicion_propia=True,
        ).select_related("indicador_usuarios")
    }
    meses = [Mes(reporte.anio, reporte.mes) for reporte in reportes]
    desde = min(meses).mas(-MESES_RECIENTES)
    periodos: dict[int, list[SinAtencion]] = {}
    for periodo in SinAtencion.objects.filter(centro_id__in=list(centros)).en_meses(
        desde, max(meses)
    ):
        periodos.setdefault(periodo.centro_id, []).append(periodo)
    # The months' own figures and those of the months before them, by centre and month.
    valores_de: dict[int, dict[str, Decimal]] = {}
    del_mes: dict[tuple[int, Mes], list[tuple[str, Decimal, str, bool]]] = {}
    for (
        reporte_id,
        centro_id,
        anio,
        mes,
        codigo,
        valor,
        nombre,
        unidad,
    ) in CifraMensual.objects.filter(
        reporte__centro_id__in=list(centros),
        reporte__anio__gte=desde.anio,
        reporte__anio__lte=max(meses).anio,
    ).values_list(
        "reporte_id",
        "reporte__centro_id",
        "reporte__anio",
        "reporte__mes",
        "indicador__codigo",
        "valor",
        "indicador__nombre",
        "indicador__unidad",
    ):
        valores_de.setdefault(reporte_id, {})[codigo] = valor
        del_mes.setdefault((centro_id, Mes(anio, mes)), []).append(
            (codigo, valor, nombre, unidad == Indicador.Unidad.DOLARES)
        )
    inscripciones: dict[int, list[tuple[int, datetime.date, datetime.date | None]]] = {}
    nominales = [pk for pk, centro in centros.items() if centro.lleva_registro_nominal]
    if nominales:
        for centro_id, beneficiario_id, inicio, fin in Inscripcion.objects.filter(
            centro_id__in=nominales, desde__lte=max(meses).ultimo_dia
        ).values_list("centro_id", "beneficiario_id", "desde", "hasta"):
            inscripciones.setdefault(centro_id, []).append((beneficiario_id, inicio, fin))

    def inscritos(centro_id: int, mes: Mes) -> int:
        # As `inscritos_en_mes` counts them: people enrolled some day of the month.
        return len(
            {
                beneficiario_id
                for beneficiario_id, inicio, fin in inscripciones.get(centro_id, [])
                if inicio <= mes.ultimo_dia and (fin is None or fin >= mes.primer_dia)
            }
        )

    advertencias = {}
    for reporte, mes in zip(reportes, meses, strict=True):
        valores = valores_de.get(reporte.pk, {})
        recientes = [
            (codigo, anterior, valor, nombre, monetaria)
            for anterior in (mes.mas(-atras) for atras in range(MESES_RECIENTES, 0, -1))
            for codigo, valor, nombre, monetaria in del_mes.get((reporte.centro_id, anterior), [])
            if codigo in valores
        ]
        centro = copy.copy(centros[reporte.centro_id]).definicion_del_anio_aplicar(
            propias.get((reporte.centro_id, reporte.anio))
        )
        advertencias[reporte.pk] = _advertencias(
            sin_atencion=lambda del_mes, centro_id=reporte.centro_id: any(
                periodo.cubre(del_mes) for periodo in periodos.get(centro_id, [])
            ),
            centro=centro,
            mes=mes,
            valores=valores,
            recientes=recientes,
            inscritos=lambda centro_id=reporte.centro_id, mes=mes: inscritos(centro_id, mes),
        )
    return advertencias
