"""What the annual report reads of the centres: counts per área, users per centre, each
centre's figures of the year, hours, equipment, photos and general actions."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, Sum

from casmul.meses import Mes, Periodo
from casmul.montos import a_centavos

from ..estados import EstadoMes
from ..models import (
    AccionGeneral,
    Area,
    Beneficiario,
    Centro,
    CifraMensual,
    FotoCentro,
    HorarioAtencion,
    Indicador,
    IndicadorCentro,
    Inscripcion,
    Instalacion,
    LineaServicio,
    Modalidad,
    OperacionAnual,
    Parroquia,
    ReporteMensual,
    SinAtencion,
    campo_del_anio,
    del_informe,
)
from .anuales import cifras_anuales, personas, valor_anual
from .definiciones import centro_del_anio, centros_del_anio
from .estados import estados_del_anio


@dataclass(frozen=True)
class CentrosArea:
    area_id: int
    area: str
    centros: int
    centros_anio_anterior: int


@dataclass(frozen=True)
class ConteoCentros:
    anio: int
    por_area: list[CentrosArea]

    @property
    def total(self) -> int:
        return sum(fila.centros for fila in self.por_area)

    @property
    def total_anio_anterior(self) -> int:
        return sum(fila.centros_anio_anterior for fila in self.por_area)

    @property
    def variacion(self) -> int:
        return self.total - self.total_anio_anterior

    @property
    def variacion_relativa(self) -> Decimal | None:
        if not self.total_anio_anterior:
            return None
        return Decimal(self.variacion) / Decimal(self.total_anio_anterior)


def _centros_por_area(anio: int) -> dict[int, int]:
    """How many centres operated in the year in each área, by the área each had that year."""
    filas = (
        Centro.objects.en_operacion(anio)
        .con_definicion_del_anio(anio, "area")
        .values("area_del_anio")
        .annotate(centros=Count("pk", distinct=True))
        .order_by()
    )
    return {fila["area_del_anio"]: fila["centros"] for fila in filas}


def centros_por_area(*, anio: int) -> ConteoCentros:
    """Centres operating in the year and in the previous one, per área (every área listed),
    each counted in the área it had that year."""
    en_anio, en_anterior = _centros_por_area(anio), _centros_por_area(anio - 1)
    return ConteoCentros(
        anio=anio,
        por_area=[
            CentrosArea(
                area_id=area.pk,
                area=area.nombre,
                centros=en_anio.get(area.pk, 0),
                centros_anio_anterior=en_anterior.get(area.pk, 0),
            )
            for area in Area.objects.order_by("orden")
        ],
    )


@dataclass(frozen=True)
class UsuariosCentro:
    centro_id: int
    numero: int
    nombre: str
    marca_modalidad: str
    modalidad: str
    linea_servicio: str
    area_id: int
    usuarios: int
    # How the months make one number: the users indicator's yearly rule ("máximo mensual").
    regla: str = ""
    # A sum of the months (entries, attentions) counts visits, not persons.
    flujo: bool = False

    @property
    def linea_nombre(self) -> str:
        return LineaServicio(self.linea_servicio).label

    @property
    def modalidad_nombre(self) -> str:
        return Modalidad(self.modalidad).label


@dataclass(frozen=True)
class TablaUsuarios:
    filas: list[UsuariosCentro]

    @property
    def total(self) -> int:
        """The total is always the sum of the rows shown."""
        return sum(fila.usuarios for fila in self.filas)

    def por_linea(self, linea: str) -> int:
        return sum(fila.usuarios for fila in self.filas if fila.linea_servicio == linea)

    def por_modalidad(self, modalidad: str) -> int:
        """How many centres of the table have that modality."""
        return sum(1 for fila in self.filas if fila.modalidad == modalidad)

    @property
    def por_modalidad_directa(self) -> int:
        return self.por_modalidad(Modalidad.DIRECTA)

    @property
    def por_modalidad_mies(self) -> int:
        return self.por_modalidad(Modalidad.CONVENIO_MIES)


def usuarios_por_centro(
    *, anio: int, area_codigo: str | None = None, con_sin_aprobar: bool = False
) -> TablaUsuarios:
    """Users of each centre operating in the year, counted with the centre's users figure and
    that figure's yearly rule (a stock is not summed over months), from its approved months
    (every month entered, in a preview: `con_sin_aprobar`). Centres whose users come from
    another record (the clinic) are left out: see `salud.selectors`. Each centre as defined
    that year: its área, modality, line and users figure then."""
    centros = [
        centro
        for centro in centros_del_anio(
            centros_de_area(anio=anio, area_codigo=area_codigo)
            .select_related("indicador_usuarios")
            .order_by("numero"),
            anio=anio,
        )
        if centro.indicador_usuarios_id is not None
    ]
    # Every candidate figure of those centres in one grouped query; each centre keeps its own
    # (a correlated "the users figure of that year" per figure row costs as much as the rest
    # of the report).
    anual = (
        CifraMensual.objects.filter(
            del_informe(anio, con_sin_aprobar=con_sin_aprobar, via="reporte__"),
            reporte__centro__in=[centro.pk for centro in centros],
            indicador__in={centro.indicador_usuarios_id for centro in centros},
        )
        .values("reporte__centro_id", "indicador_id", "indicador__agregacion")
        .annotate(valor_anual=valor_anual())
        .order_by()
    )
    usuarios = {
        (fila["reporte__centro_id"], fila["indicador_id"]): fila["valor_anual"] for fila in anual
    }
    filas = [
        UsuariosCentro(
            centro_id=centro.pk,
            numero=centro.numero,
            nombre=centro.nombre,
            marca_modalidad=centro.marca_modalidad,
            modalidad=centro.modalidad,
            linea_servicio=centro.linea_servicio,
            area_id=centro.area_id,
            usuarios=personas(usuarios.get((centro.pk, centro.indicador_usuarios_id))),
            regla=centro.indicador_usuarios.regla,
            flujo=centro.indicador_usuarios.agregacion == Indicador.Agregacion.SUMA,
        )
        for centro in centros
    ]
    return TablaUsuarios(filas=filas)


def centros_de_area(*, anio: int, area_codigo: str | None) -> QuerySet[Centro]:
    """The centres operating in the year that were in the área that year (every one without
    `area_codigo`)."""
    centros = Centro.objects.en_operacion(anio)
    if area_codigo:
        centros = centros.con_definicion_del_anio(anio, "area").filter(
            area_del_anio__in=Area.objects.filter(codigo=area_codigo)
        )
    return centros


def personal_por_area(*, anio: int) -> dict[str, int]:
    """Staff of the centres operating in the year, per code of the área each had that year."""
    codigos = dict(Area.objects.values_list("pk", "codigo"))
    filas = (
        OperacionAnual.objects.filter(anio=anio)
        .annotate(area_del_anio=campo_del_anio("area", anio=anio, centro="centro"))
        .values("area_del_anio")
        .annotate(total=Sum("personal"))
        .order_by()
    )
    return {codigos[fila["area_del_anio"]]: fila["total"] or 0 for fila in filas}


def acciones_generales(*, anio: int) -> QuerySet[AccionGeneral]:
    return AccionGeneral.objects.filter(anio=anio).order_by("orden")


def areas() -> QuerySet[Area]:
    return Area.objects.order_by("orden")


@dataclass(frozen=True)
class CifraAnual:
    codigo: str
    nombre: str
    unidad: str
    agregacion: str
    valor: Decimal
    # The centre's months of operation in the year: a pool closed in March is not averaged
    # over twelve months.
    operacion: Periodo

    @property
    def es_monetaria(self) -> bool:
        return self.unidad == Indicador.Unidad.DOLARES

    @property
    def es_flujo(self) -> bool:
        return self.agregacion == Indicador.Agregacion.SUMA

    @property
    def unidad_nombre(self) -> str:
        return Indicador.Unidad(self.unidad).label

    @property
    def promedio_diario(self) -> Decimal:
        return self.valor / self.operacion.dias

    @property
    def promedio_mensual(self) -> Decimal:
        return self.valor / self.operacion.cantidad


@dataclass(frozen=True)
class CifrasCentro:
    centro_id: int
    numero: int
    nombre: str
    nombre_corto: str
    personal: int | None
    cifras: list[CifraAnual]
    meses_reportados: int


def cifras_de_area(
    *, anio: int, area_codigo: str, con_sin_aprobar: bool = False
) -> list[CifrasCentro]:
    """Each centre of the área operating in the year, with the yearly value of every figure it
    reports (each by its own rule) and how many months are behind it: its approved months
    (every month entered, in a preview: `con_sin_aprobar`)."""
    centros = (
        centros_de_area(anio=anio, area_codigo=area_codigo)
        .annotate(
            # Subqueries, not joins: joining operations and reports multiplies the staff sum.
            personal_anio=Subquery(
                OperacionAnual.objects.filter(centro=OuterRef("pk"), anio=anio).values("personal")
            ),
            mes_inicio=Subquery(
                OperacionAnual.objects.filter(centro=OuterRef("pk"), anio=anio).values("mes_inicio")
            ),
            mes_fin=Subquery(
                OperacionAnual.objects.filter(centro=OuterRef("pk"), anio=anio).values("mes_fin")
            ),
            meses=Subquery(
                ReporteMensual.objects.filter(
                    del_informe(anio, con_sin_aprobar=con_sin_aprobar), centro=OuterRef("pk")
                )
                .values("centro")
                .annotate(total=Count("pk"))
                .values("total")
            ),
        )
        .prefetch_related(
            Prefetch(
                "indicadores_centro",
                queryset=IndicadorCentro.objects.del_anio(anio)
                .select_related("indicador")
                .order_by("orden"),
            )
        )
        .order_by("numero")
    )
    centros = list(centros)
    valores = cifras_anuales(
        anio=anio, centro_ids=[centro.pk for centro in centros], con_sin_aprobar=con_sin_aprobar
    )
    return [
        CifrasCentro(
            centro_id=centro.pk,
            numero=centro.numero,
            nombre=centro.nombre,
            nombre_corto=centro.nombre_corto,
            personal=centro.personal_anio,
            meses_reportados=centro.meses or 0,
            cifras=[
                CifraAnual(
                    codigo=ic.indicador.codigo,
                    nombre=ic.indicador.nombre,
                    unidad=ic.indicador.unidad,
                    agregacion=ic.indicador.agregacion,
                    valor=valores.get((centro.pk, ic.indicador.codigo), Decimal(0)),
                    operacion=Periodo.de_operacion(anio, [(centro.mes_inicio, centro.mes_fin)]),
                )
                for ic in centro.indicadores_centro.all()
            ],
        )
        for centro in centros
    ]


def horarios_de_area(*, anio: int, area_codigo: str) -> QuerySet[HorarioAtencion]:
    """Opening hours of the centres in the área that year (Tablas 5 and 8)."""
    return HorarioAtencion.objects.filter(
        centro__in=centros_de_area(anio=anio, area_codigo=area_codigo).values("pk")
    ).order_by("centro__numero", "orden")


def instalaciones_de_area(*, anio: int, area_codigo: str) -> QuerySet[Instalacion]:
    """Equipment of the centres in the área that year (Tabla 7)."""
    return Instalacion.objects.filter(
        centro__in=centros_de_area(anio=anio, area_codigo=area_codigo).values("pk")
    ).order_by("centro__numero", "orden")


def fotos_del_anio(*, anio: int) -> QuerySet[FotoCentro]:
    """Photos for the annex, in the centres' order."""
    return (
        FotoCentro.objects.filter(anio=anio)
        .select_related("centro")
        .order_by("centro__numero", "orden")
    )


@dataclass(frozen=True)
class Completitud:
    """How many months of operation are behind the report's figures, and the days without
    service the centres explained (their low figures have a reason the reader should know)."""

    aprobados: int
    debidos: int
    sin_atencion: tuple[SinAtencion, ...] = ()

    @property
    def completa(self) -> bool:
        return self.aprobados == self.debidos


def completitud_del_anio(*, anio: int, hoy: datetime.date) -> Completitud:
    """Months of operation that had to be reported by `hoy` (every centre, the clinic too)
    and how many of them are approved, by the completeness matrix's own rule."""
    ids = list(Centro.objects.en_operacion(anio).values_list("pk", flat=True).distinct())
    estados = [
        celda.estado
        for meses in estados_del_anio(centro_ids=ids, anio=anio, hoy=hoy).values()
        for celda in meses
    ]
    return Completitud(
        aprobados=estados.count(EstadoMes.APROBADO),
        debidos=sum(1 for estado in estados if estado.debido),
        sin_atencion=tuple(
            SinAtencion.objects.filter(centro_id__in=ids)
            .en_meses(Mes(anio, 1), Mes(anio, 12))
            .select_related("centro")
        ),
    )


@dataclass(frozen=True)
class CifraDelAnio:
    """A centre's figure of the year as the report counts it, with what is behind it."""

    centro_numero: int
    centro: str
    indicador: str
    nombre: str
    regla: str
    valor: Decimal
    meses: int


def cifras_con_regla(*, anio: int) -> list[CifraDelAnio]:
    """Every figure of every centre in the year: its yearly value by its rule, from the
    approved months, and how many months are behind it. One query."""
    filas = (
        CifraMensual.objects.filter(del_informe(anio, via="reporte__"))
        .values(
            "reporte__centro__numero",
            "reporte__centro__nombre_corto",
            "indicador__codigo",
            "indicador__nombre",
            "indicador__agregacion",
        )
        .annotate(valor_anual=valor_anual(), meses=Count("reporte", distinct=True))
        .order_by("reporte__centro__numero", "indicador__codigo")
    )
    return [
        CifraDelAnio(
            centro_numero=fila["reporte__centro__numero"],
            centro=fila["reporte__centro__nombre_corto"],
            indicador=fila["indicador__codigo"],
            nombre=fila["indicador__nombre"],
            regla=Indicador.Agregacion(fila["indicador__agregacion"]).label,
            valor=a_centavos(fila["valor_anual"]),
            meses=fila["meses"],
        )
        for fila in filas
    ]


@dataclass(frozen=True)
class MesDeLaCifra:
    """A month behind a figure of the report: its value, its state, and whether it counts."""

    mes: Mes
    valor: Decimal | None
    estado: str | None
    cuenta: bool


@dataclass(frozen=True)
class DetalleDeUsuarios:
    """The months behind a centre's users in the report, and the rule that makes one number
    of them."""

    centro: Centro
    indicador: Indicador | None
    meses: list[MesDeLaCifra]
    usuarios: int


def detalle_de_usuarios(*, anio: int, centro_id: int) -> DetalleDeUsuarios | None:
    """The twelve months of a centre's users figure in the year, each with its state and
    whether the report counts it (approved, inside the operation); None for a centre that did
    not operate. The result is the report's own number (`usuarios_por_centro`)."""
    centro = (
        Centro.objects.en_operacion(anio)
        .select_related("indicador_usuarios", "area")
        .filter(pk=centro_id)
        .first()
    )
    if centro is None:
        return None
    centro = centro_del_anio(centro, anio=anio)
    contadas = set(
        CifraMensual.objects.filter(
            del_informe(anio, via="reporte__"),
            reporte__centro=centro,
            indicador=centro.indicador_usuarios_id,
        ).values_list("pk", flat=True)
    )
    cifras = {
        cifra.reporte.mes: cifra
        for cifra in CifraMensual.objects.filter(
            reporte__centro=centro, reporte__anio=anio, indicador=centro.indicador_usuarios_id
        ).select_related("reporte")
    }
    meses = [
        MesDeLaCifra(
            mes=mes,
            valor=cifras[mes.numero].valor if mes.numero in cifras else None,
            estado=cifras[mes.numero].reporte.estado if mes.numero in cifras else None,
            cuenta=mes.numero in cifras and cifras[mes.numero].pk in contadas,
        )
        for mes in Mes.del_anio(anio)
    ]
    tabla = usuarios_por_centro(anio=anio, area_codigo=centro.area.codigo)
    usuarios = next((f.usuarios for f in tabla.filas if f.centro_id == centro.pk), 0)
    return DetalleDeUsuarios(
        centro=centro, indicador=centro.indicador_usuarios, meses=meses, usuarios=usuarios
    )


def parroquias_del_anio(*, anio: int) -> list[str]:
    """The parishes of the centres operating in the year (each centre's parish that year),
    by name: the territory the year's services covered."""
    ids = (
        Centro.objects.en_operacion(anio)
        .con_definicion_del_anio(anio, "parroquia")
        .values("parroquia_del_anio")
    )
    return list(
        Parroquia.objects.filter(pk__in=ids).order_by("nombre").values_list("nombre", flat=True)
    )


# --- Coverage of the year by the registry (the CPCCS form) ---------------------------------


@dataclass(frozen=True)
class PersonasPorGrupo:
    """Distinct persons of the registry enrolled some day of the year, by sex and by
    priority group (each as (name, persons), in the choices' order), and how many centres
    keep the registry."""

    centros: int
    personas: int
    por_sexo: list[tuple[str, int]]
    por_grupo: list[tuple[str, int]]


def personas_por_sexo_y_grupo(*, anio: int) -> PersonasPorGrupo:
    """Two queries: the persons by sex and group, and the centres with enrolments."""
    inscripciones = Inscripcion.objects.del_anio(anio)
    filas = list(
        Beneficiario.objects.filter(pk__in=inscripciones.values("beneficiario"))
        .values("sexo", "grupo_prioritario")
        .annotate(personas=Count("pk"))
        .order_by()
    )

    def por(campo: str, opciones) -> list[tuple[str, int]]:
        suma = defaultdict(int)
        for fila in filas:
            suma[fila[campo]] += fila["personas"]
        return [(nombre, suma[valor]) for valor, nombre in opciones if suma[valor]]

    return PersonasPorGrupo(
        centros=inscripciones.values("centro").distinct().count(),
        personas=sum(fila["personas"] for fila in filas),
        por_sexo=por("sexo", Beneficiario.Sexo.choices),
        por_grupo=por("grupo_prioritario", Beneficiario.GrupoPrioritario.choices),
    )
