"""Read functions of `convenios`: Tabla 9 and the agreements' coverage."""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast

from casmul.meses import Mes
from centros.models import Centro, Modalidad, OperacionAnual
from centros.selectors.definiciones import centros_del_anio

from .models import DIAS_POR_VENCER, Convenio


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
    """Centres of MIES modality that year, operating in it, that some part of the year has no
    MIES agreement covering them, with those periods."""
    inicio, fin = datetime.date(anio, 1, 1), datetime.date(anio, 12, 31)
    centros = (
        Centro.objects.en_operacion(anio)
        .con_definicion_del_anio(anio, "modalidad")
        .filter(modalidad_del_anio=Modalidad.CONVENIO_MIES)
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


# --- The agreements' pages -------------------------------------------------------------------


def convenios_de_la_lista() -> QuerySet[Convenio]:
    """Every agreement for the portal's list, by end date (open-ended ones last), with its
    counterparts and how many centres it names (`cantidad_centros`): three queries for a page
    however many rows."""
    return (
        Convenio.objects.annotate(cantidad_centros=Count("centros", distinct=True))
        .prefetch_related("instituciones")
        .order_by(F("fecha_fin").asc(nulls_last=True), F("fecha_inicio").asc(nulls_last=True), "pk")
    )


@dataclass(frozen=True)
class CoberturaDelCentro:
    """A centre the agreement names, month by month in a year: whether it operated, whether
    this agreement covered it, and which of its agreements did."""

    centro: Centro
    meses: list[MesCubierto]
    de_este: list[bool]

    @property
    def celdas(self) -> list[tuple[MesCubierto, bool]]:
        return list(zip(self.meses, self.de_este, strict=True))


@dataclass(frozen=True)
class DetalleDeConvenio:
    convenio: Convenio
    anio: int
    cobertura: list[CoberturaDelCentro]


def convenio_anio_de_apertura(*, convenio_id: int, hoy: datetime.date) -> int:
    """The year an agreement's page opens on: this year while it runs; else the last year it
    ran (one ended, as the one a renewal replaced) or its first (one not started yet)."""
    fechas = Convenio.objects.filter(pk=convenio_id).values("fecha_inicio", "fecha_fin").first()
    if fechas is None:
        return hoy.year
    inicio, fin = fechas["fecha_inicio"], fechas["fecha_fin"]
    if fin and fin.year < hoy.year:
        return fin.year
    if inicio and inicio.year > hoy.year:
        return inicio.year
    return hoy.year


def convenio_detalle(*, convenio_id: int, anio: int) -> DetalleDeConvenio | None:
    """An agreement with its counterparts, the agreement it renews and those that renew it,
    and, for each centre it names, the months of `anio` it and the centre's other agreements
    cover (`cobertura_por_mes`). None when it does not exist. Six queries however many
    centres."""
    convenio = (
        Convenio.objects.select_related("renueva_a")
        .prefetch_related(
            "instituciones",
            Prefetch(
                "renovaciones",
                queryset=Convenio.objects.order_by(F("fecha_inicio").asc(nulls_last=True), "pk"),
            ),
            Prefetch(
                "centros",
                queryset=Centro.objects.order_by("numero").prefetch_related(
                    Prefetch(
                        "convenios",
                        queryset=Convenio.objects.vigentes_en(anio),
                        to_attr="convenios_del_anio",
                    ),
                    Prefetch(
                        "operaciones",
                        queryset=OperacionAnual.objects.filter(anio=anio),
                        to_attr="operacion_del_anio",
                    ),
                ),
            ),
        )
        .filter(pk=convenio_id)
        .first()
    )
    if convenio is None:
        return None
    cobertura = []
    # Whether a month without agreement is a gap depends on the centre's modality that year.
    for centro in centros_del_anio(convenio.centros.all(), anio=anio):
        operacion = [
            mes
            for op in centro.operacion_del_anio
            for mes in Mes.del_anio(anio)
            if mes.dentro_de(op.mes_inicio, op.mes_fin)
        ]
        meses = cobertura_por_mes(centro.convenios_del_anio, anio=anio, operacion=operacion)
        cobertura.append(
            CoberturaDelCentro(
                centro=centro,
                meses=meses,
                de_este=[convenio.vigente_en_mes(m.mes) for m in meses],
            )
        )
    return DetalleDeConvenio(convenio=convenio, anio=anio, cobertura=cobertura)


# --- Warnings on the home page ---------------------------------------------------------------


@dataclass(frozen=True)
class ConvenioPorVencer:
    convenio_id: int
    numero: str
    titulo: str
    fecha_fin: datetime.date
    dias: int
    renovado: bool


@dataclass(frozen=True)
class CentroSinConvenio:
    centro_id: int
    numero: int
    nombre_corto: str
    # The day its last MIES agreement in force ends; None: none is in force today.
    vence: datetime.date | None


@dataclass(frozen=True)
class AvisosDeConvenios:
    por_vencer: list[ConvenioPorVencer]
    centros: list[CentroSinConvenio]
    dias: int = DIAS_POR_VENCER

    def __bool__(self) -> bool:
        return bool(self.por_vencer or self.centros)


_AVISO_CONVENIO, _AVISO_CENTRO = "convenio", "centro"


def avisos_de_convenios(*, hoy: datetime.date) -> AvisosDeConvenios:
    """What the administration must renew: the agreements that end within `DIAS_POR_VENCER`
    days of `hoy`, and the MIES-modality centres operating this year with no MIES agreement in
    force today, or whose agreements in force all end within those days without a renewal.

    One query however many agreements and centres (the two lists come in one UNION): it is
    added to a home page whose number of queries is pinned."""
    limite = hoy + datetime.timedelta(days=DIAS_POR_VENCER)
    renovado = Exists(Convenio.objects.filter(renueva_a=OuterRef("pk")))
    por_vencer = (
        Convenio.objects.vencen_entre(hoy, limite)
        .annotate(
            aviso=Value(_AVISO_CONVENIO, output_field=CharField()),
            ident=F("pk"),
            numero_texto=F("numero"),
            texto=F("titulo"),
            fecha=F("fecha_fin"),
            renovado=renovado,
        )
        .order_by()
        .values_list("aviso", "ident", "numero_texto", "texto", "fecha", "renovado")
    )
    en_vigor = Convenio.objects.mies().en_vigor_el(hoy).filter(centros=OuterRef("pk"))
    # Still covered in 60 days: an agreement in force that lasts beyond, or already renewed.
    seguro = en_vigor.filter(Q(fecha_fin__isnull=True) | Q(fecha_fin__gt=limite) | Q(renovado))
    centros = (
        Centro.objects.en_operacion(hoy.year)
        .con_definicion_del_anio(hoy.year, "modalidad")
        .filter(modalidad_del_anio=Modalidad.CONVENIO_MIES)
        .annotate(seguro=Exists(seguro))
        .filter(seguro=False)
        .annotate(
            aviso=Value(_AVISO_CENTRO, output_field=CharField()),
            ident=F("pk"),
            numero_texto=Cast("numero", output_field=CharField()),
            texto=F("nombre_corto"),
            # The day its last MIES agreement in force ends; none in force: NULL.
            fecha=Subquery(en_vigor.order_by("-fecha_fin").values("fecha_fin")[:1]),
            renovado=Value(False, output_field=BooleanField()),
        )
        .order_by()
        .values_list("aviso", "ident", "numero_texto", "texto", "fecha", "renovado")
    )
    filas = list(por_vencer.union(centros, all=True))
    return AvisosDeConvenios(
        por_vencer=sorted(
            (
                ConvenioPorVencer(
                    convenio_id=ident,
                    numero=numero or "S/N",
                    titulo=titulo,
                    fecha_fin=fecha,
                    dias=(fecha - hoy).days,
                    renovado=bool(renovado_),
                )
                for aviso, ident, numero, titulo, fecha, renovado_ in filas
                if aviso == _AVISO_CONVENIO
            ),
            key=lambda c: (c.fecha_fin, c.convenio_id),
        ),
        centros=sorted(
            (
                CentroSinConvenio(
                    centro_id=ident, numero=int(numero), nombre_corto=nombre, vence=fecha
                )
                for aviso, ident, numero, nombre, fecha, _ in filas
                if aviso == _AVISO_CENTRO
            ),
            key=lambda c: c.numero,
        ),
    )
