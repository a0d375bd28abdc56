"""What the consistency panel reads of the centres: months missing or not approved, and
figures far outside a centre's own range."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from casmul.meses import Mes
from casmul.montos import a_centavos

from ..estados import EstadoMes
from ..models import Centro, CifraMensual, FotoCentro, Indicador, SinAtencion
from .beneficiarios import RegistroAnual, registro_del_anio
from .estados import estados_del_anio


@dataclass(frozen=True)
class MesesPendientes:
    centro_id: int
    numero: int
    nombre_corto: str
    sin_datos: list[Mes]
    sin_aprobar: list[Mes]
    # Past their due day and not submitted (`PlazoDelAnio`).
    atrasados: frozenset[Mes] = frozenset()


def meses_pendientes(*, anio: int, hoy: datetime.date) -> list[MesesPendientes]:
    """Centres operating in the year with months missing (sin datos) or entered and not
    approved, by the same rule as the completeness matrix."""
    centros = list(
        Centro.objects.en_operacion(anio).order_by("numero").values("pk", "numero", "nombre_corto")
    )
    estados = estados_del_anio(centro_ids=[c["pk"] for c in centros], anio=anio, hoy=hoy)
    pendientes = []
    for centro in centros:
        meses = estados[centro["pk"]]
        sin_datos = [m.mes for m in meses if m.estado == EstadoMes.SIN_DATOS]
        sin_aprobar = [m.mes for m in meses if m.estado.sin_aprobar]
        if sin_datos or sin_aprobar:
            pendientes.append(
                MesesPendientes(
                    centro_id=centro["pk"],
                    numero=centro["numero"],
                    nombre_corto=centro["nombre_corto"],
                    sin_datos=sin_datos,
                    sin_aprobar=sin_aprobar,
                    atrasados=frozenset(m.mes for m in meses if m.atrasado),
                )
            )
    return pendientes


# A month is unusual when it is this many times above (or below) the average of the
# centre's other non-zero months for the same figure.
FACTOR_ATIPICO = Decimal("2.5")


@dataclass(frozen=True)
class CifraAtipica:
    reporte_id: int
    centro_id: int
    nombre_corto: str
    mes: Mes
    indicador: str
    valor: Decimal
    promedio: Decimal
    es_monetaria: bool


def cifras_atipicas(*, anio: int) -> list[CifraAtipica]:
    """Monthly figures far outside the centre's own range for the year (non-zero months; a
    month the centre did not serve some days of is explained, and left out)."""
    sin_atencion: dict[int, list[SinAtencion]] = {}
    for periodo in SinAtencion.objects.en_meses(Mes(anio, 1), Mes(anio, 12)):
        sin_atencion.setdefault(periodo.centro_id, []).append(periodo)
    filas = list(
        CifraMensual.objects.filter(reporte__anio=anio, valor__gt=0)
        .values(
            "reporte_id",
            "reporte__centro_id",
            "reporte__centro__nombre_corto",
            "reporte__mes",
            "indicador_id",
            "indicador__nombre",
            "indicador__unidad",
            "valor",
        )
        .order_by("reporte__centro__numero", "indicador_id", "reporte__mes")
    )
    grupos: dict[tuple[int, int], list[dict]] = {}
    for fila in filas:
        periodos = sin_atencion.get(fila["reporte__centro_id"], [])
        if any(periodo.cubre(Mes(anio, fila["reporte__mes"])) for periodo in periodos):
            continue
        grupos.setdefault((fila["reporte__centro_id"], fila["indicador_id"]), []).append(fila)
    atipicas = []
    for grupo in grupos.values():
        if len(grupo) < 3:
            continue
        total = sum(Decimal(fila["valor"]) for fila in grupo)
        for fila in grupo:
            valor = Decimal(fila["valor"])
            promedio = (total - valor) / (len(grupo) - 1)
            if valor > promedio * FACTOR_ATIPICO or valor * FACTOR_ATIPICO < promedio:
                atipicas.append(
                    CifraAtipica(
                        reporte_id=fila["reporte_id"],
                        centro_id=fila["reporte__centro_id"],
                        nombre_corto=fila["reporte__centro__nombre_corto"],
                        mes=Mes(anio, fila["reporte__mes"]),
                        indicador=fila["indicador__nombre"],
                        valor=a_centavos(valor),
                        promedio=a_centavos(promedio),
                        es_monetaria=fila["indicador__unidad"] == Indicador.Unidad.DOLARES,
                    )
                )
    return atipicas


def anexo_sin_fotos(*, anio: int) -> bool:
    """No photo of the year for the report's annex."""
    return not FotoCentro.objects.filter(anio=anio).exists()


def registro_discrepante(anio: int) -> list[RegistroAnual]:
    """Centres that keep a nominal registry (at least one enrolment in the year) whose users
    figure from approved months (`indicador_usuarios` by its rule: the monthly maximum for a
    stock) differs from the distinct persons enrolled some day of the year. A monthly maximum
    undercounts a centre where children come and go; a centre without an approved users
    figure is left to `meses_pendientes`. Returns `RegistroAnual` rows (persons, figure,
    difference); four queries."""
    return [registro for registro in registro_del_anio(anio) if registro.discrepante]


def periodos_sin_atencion(*, anio: int) -> list[SinAtencion]:
    """The days centres did not serve in the year, with their reasons: they explain those
    months' figures, in the panel and the report's completeness."""
    return list(
        SinAtencion.objects.en_meses(Mes(anio, 1), Mes(anio, 12))
        .select_related("centro")
        .order_by("centro__numero", "desde")
    )
