"""Read functions of `convenios`: Tabla 9 and the agreements' coverage."""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet

from casmul.meses import Mes
from centros.models import Centro, Modalidad, OperacionAnual

from .models import Convenio


def convenios_del_informe(*, anio: int) -> QuerySet[Convenio]:
    """The agreements the year's report lists, with their counterparts and centres."""
    return (
        Convenio.objects.del_informe(anio)
        .prefetch_related("instituciones", "centros")
        .order_by("orden", "fecha_inicio")
    )


@dataclass(frozen=True)
class ConveniosContados:
    """The agreements behind the count the report states, which is their number."""

    convenios: list[Convenio]

    @property
    def total(self) -> int:
        return len(self.convenios)

    @property
    def mies(self) -> int:
        return sum(1 for convenio in self.convenios if convenio.tipo == Convenio.Tipo.MIES)


def convenios_contados(*, anio: int) -> ConveniosContados:
    """The agreements `conteo_convenios` counts, read whole: the list is the report's own
    (`Convenio.objects.del_informe`), so its length is the count by construction. Three
    queries."""
    return ConveniosContados(convenios=list(convenios_del_informe(anio=anio)))


@dataclass(frozen=True)
class ConteoConvenios:
    total: int
    mies: int


def conteo_convenios(*, anio: int) -> ConteoConvenios:
    """How many agreements the year's report lists, and how many are with the MIES."""
    conteo = Convenio.objects.del_informe(anio).aggregate(
        total=Count("pk"), mies=Count("pk", filter=Q(tipo=Convenio.Tipo.MIES))
    )
    return ConteoConvenios(total=conteo["total"], mies=conteo["mies"])


@dataclass(frozen=True)
class Periodo:
    desde: datetime.date
    hasta: datetime.date


@dataclass(frozen=True)
class CentroSinCobertura:
    centro_id: int
    numero: int
    nombre_corto: str
    periodos: list[Periodo]


def _huecos(anio: int, cubiertos: list[Periodo]) -> list[Periodo]:
    """The parts of the year that no period covers."""
    huecos, siguiente = [], datetime.date(anio, 1, 1)
    for periodo in sorted(cubiertos, key=lambda p: p.desde):
        if periodo.desde > siguiente:
            huecos.append(Periodo(siguiente, periodo.desde - datetime.timedelta(days=1)))
        siguiente = max(siguiente, periodo.hasta + datetime.timedelta(days=1))
    if siguiente <= datetime.date(anio, 12, 31):
        huecos.append(Periodo(siguiente, datetime.date(anio, 12, 31)))
    return huecos


def centros_mies_sin_cobertura(*, anio: int) -> list[CentroSinCobertura]:
    """MIES-modality centres operating in the year that some part of the year has no MIES
    agreement covering them, with those periods."""
    inicio, fin = datetime.date(anio, 1, 1), datetime.date(anio, 12, 31)
    centros = (
        Centro.objects.en_operacion(anio)
        .filter(modalidad=Modalidad.CONVENIO_MIES)
        .prefetch_related(
            Prefetch(
                "convenios",
                queryset=Convenio.objects.mies().vigentes_en(anio),
                to_attr="convenios_mies",
            ),
            Prefetch(
                "operaciones",
                queryset=OperacionAnual.objects.filter(anio=anio),
                to_attr="operacion_del_anio",
            ),
        )
        .order_by("numero")
    )
    resultado = []
    for centro in centros:
        # Only the months the centre operated need an agreement.
        operacion = centro.operacion_del_anio[0]
        desde = datetime.date(anio, operacion.mes_inicio, 1)
        hasta = datetime.date(
            anio, operacion.mes_fin, calendar.monthrange(anio, operacion.mes_fin)[1]
        )
        cubiertos = [
            Periodo(max(c.fecha_inicio or inicio, inicio), min(c.fecha_fin or fin, fin))
            for c in centro.convenios_mies
        ]
        if desde > inicio:
            cubiertos.append(Periodo(inicio, desde - datetime.timedelta(days=1)))
        if hasta < fin:
            cubiertos.append(Periodo(hasta + datetime.timedelta(days=1), fin))
        huecos = _huecos(anio, cubiertos)
        if huecos:
            resultado.append(
                CentroSinCobertura(
                    centro_id=centro.pk,
                    numero=centro.numero,
                    nombre_corto=centro.nombre_corto,
                    periodos=huecos,
                )
            )
    return resultado


@dataclass(frozen=True)
class ConvenioObservado:
    convenio_id: int
    numero: str
    titulo: str
    motivo: str


def convenios_con_fechas_dudosas(*, anio: int) -> list[ConvenioObservado]:
    """Agreements of the year's report whose dates contradict their stated duration, fall
    outside the year, or are missing without the agreement being indefinite."""
    observados = []
    vigentes = set(Convenio.objects.vigentes_en(anio).values_list("pk", flat=True))
    for convenio in Convenio.objects.del_informe(anio).order_by("orden", "fecha_inicio"):
        motivos = []
        if convenio.duracion_contradice_fechas:
            motivos.append(
                f"dice {convenio.duracion_declarada_meses} meses de plazo pero sus fechas "
                f"suman {convenio.meses_segun_fechas}"
            )
        if convenio.pk not in vigentes:
            motivos.append(f"sus fechas quedan fuera de {anio}")
        if convenio.fecha_inicio is None and not convenio.indefinido:
            motivos.append("no tiene fecha de inicio")
        if convenio.fecha_fin is None and not convenio.indefinido:
            motivos.append("no tiene fecha de terminación ni es indefinido")
        observados += [
            ConvenioObservado(
                convenio_id=convenio.pk,
                numero=convenio.numero_mostrado,
                titulo=convenio.titulo,
                motivo=motivo,
            )
            for motivo in motivos
        ]
    return observados


def convenios_del_centro(*, centro_id: int) -> list[Convenio]:
    """Every agreement that names the centre, the latest first, with its counterparts."""
    return list(
        Convenio.objects.filter(centros=centro_id)
        .prefetch_related("instituciones")
        .order_by(F("fecha_inicio").desc(nulls_last=True), "orden")
    )


@dataclass(frozen=True)
class MesCubierto:
    mes: Mes
    opera: bool
    # The numbers of the agreements in force some day of the month.
    convenios: tuple[str, ...]

    @property
    def cubierto(self) -> bool:
        return bool(self.convenios)


def cobertura_por_mes(
    convenios: list[Convenio], *, anio: int, operacion: Iterable[Mes]
) -> list[MesCubierto]:
    """Each month of the year, whether the centre operated, and which of its agreements were
    in force: where a MIES centre worked without one, the month says so. No query."""
    opera = set(operacion)
    return [
        MesCubierto(
            mes=mes,
            opera=mes in opera,
            convenios=tuple(c.numero_mostrado for c in convenios if c.vigente_en_mes(mes)),
        )
        for mes in Mes.del_anio(anio)
    ]
