"""Read functions of `centros`: the app's public API for views and for `rendicion`."""

import calendar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)

from casmul.montos import a_centavos
from casmul.roles import Rol, tiene_rol

from .models import (
    AccionGeneral,
    Area,
    Centro,
    CifraMensual,
    FotoCentro,
    HorarioAtencion,
    Indicador,
    IndicadorCentro,
    Instalacion,
    LineaServicio,
    Modalidad,
    OperacionAnual,
    ReporteMensual,
)


def centros_de_usuario(user) -> QuerySet[Centro]:
    """The centres a user may see: their own for centre staff, every centre for the
    coordination and the administration, none for anyone else."""
    centros = Centro.objects.select_related("area", "parroquia")
    if tiene_rol(user, Rol.COORDINACION, Rol.ADMINISTRACION):
        return centros
    if tiene_rol(user, Rol.PERSONAL_CENTRO):
        return centros.asignados_a(user)
    return centros.none()


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


def centros_por_area(*, anio: int) -> ConteoCentros:
    """Centres operating in the year and in the previous one, per área (every área listed)."""
    filas = Area.objects.annotate(
        en_anio=Count("centros", filter=Q(centros__operaciones__anio=anio), distinct=True),
        en_anterior=Count("centros", filter=Q(centros__operaciones__anio=anio - 1), distinct=True),
    ).order_by("orden")
    return ConteoCentros(
        anio=anio,
        por_area=[
            CentrosArea(
                area_id=area.pk,
                area=area.nombre,
                centros=area.en_anio,
                centros_anio_anterior=area.en_anterior,
            )
            for area in filas
        ],
    )


def _valor_anual():
    """A figure's yearly value by its own rule, computed in the database per group."""
    return Case(
        When(indicador__agregacion=Indicador.Agregacion.SUMA, then=Sum("valor")),
        When(indicador__agregacion=Indicador.Agregacion.MAXIMO, then=Max("valor")),
        default=Avg("valor"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def cifras_anuales(*, anio: int, centro_ids=None) -> dict[tuple[int, str], Decimal]:
    """Every figure's yearly value per centre: {(centro_id, indicador codigo): valor}."""
    cifras = CifraMensual.objects.filter(reporte__anio=anio)
    if centro_ids is not None:
        cifras = cifras.filter(reporte__centro_id__in=centro_ids)
    filas = (
        cifras.values("reporte__centro_id", "indicador__codigo", "indicador__agregacion")
        .annotate(valor_anual=_valor_anual())
        .order_by()
    )
    return {
        (fila["reporte__centro_id"], fila["indicador__codigo"]): a_centavos(fila["valor_anual"])
        for fila in filas
    }


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

    @property
    def linea_nombre(self) -> str:
        return LineaServicio(self.linea_servicio).label


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


def usuarios_por_centro(*, anio: int, area_codigo: str | None = None) -> TablaUsuarios:
    """Users of each centre operating in the year, counted with the centre's users figure and
    that figure's yearly rule (a stock is not summed over months). Centres whose users come
    from another record (the clinic) are left out: see `salud.selectors`."""
    centros = Centro.objects.en_operacion(anio).filter(indicador_usuarios__isnull=False)
    if area_codigo:
        centros = centros.filter(area__codigo=area_codigo)
    anual = (
        CifraMensual.objects.filter(
            reporte__anio=anio,
            reporte__centro__in=centros,
            indicador=F("reporte__centro__indicador_usuarios"),
        )
        .values("reporte__centro_id", "indicador__agregacion")
        .annotate(valor_anual=_valor_anual())
        .order_by()
    )
    usuarios = {fila["reporte__centro_id"]: fila["valor_anual"] for fila in anual}
    filas = [
        UsuariosCentro(
            centro_id=centro.pk,
            numero=centro.numero,
            nombre=centro.nombre,
            marca_modalidad=centro.marca_modalidad,
            modalidad=centro.modalidad,
            linea_servicio=centro.linea_servicio,
            area_id=centro.area_id,
            usuarios=int(a_centavos(usuarios.get(centro.pk)).to_integral_value(ROUND_HALF_UP)),
        )
        for centro in centros.order_by("numero")
    ]
    return TablaUsuarios(filas=filas)


def personal_por_area(*, anio: int) -> dict[str, int]:
    """Staff of the centres operating in the year, per área code."""
    filas = (
        Area.objects.filter(centros__operaciones__anio=anio)
        .values("codigo")
        .annotate(personal=Sum("centros__operaciones__personal"))
        .order_by()
    )
    return {fila["codigo"]: fila["personal"] or 0 for fila in filas}


def cifra_anual_de_centro(*, centro: Centro, codigo: str, anio: int) -> Decimal:
    """One figure's yearly value for one centre (0 when nothing was reported)."""
    return cifras_anuales(anio=anio, centro_ids=[centro.pk]).get((centro.pk, codigo), Decimal(0))


def horarios_de_centro(centro: Centro) -> QuerySet[HorarioAtencion]:
    return centro.horarios.all()


def instalaciones_de_centro(centro: Centro) -> QuerySet[Instalacion]:
    return centro.instalaciones.all()


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
    dias_del_anio: int = 365

    @property
    def es_monetaria(self) -> bool:
        return self.unidad == Indicador.Unidad.DOLARES

    @property
    def es_flujo(self) -> bool:
        return self.agregacion == Indicador.Agregacion.SUMA

    @property
    def promedio_diario(self) -> Decimal:
        return self.valor / self.dias_del_anio

    @property
    def promedio_mensual(self) -> Decimal:
        return self.valor / 12


@dataclass(frozen=True)
class CifrasCentro:
    centro_id: int
    numero: int
    nombre: str
    nombre_corto: str
    personal: int | None
    cifras: list[CifraAnual]
    meses_reportados: int

    def cifra(self, codigo: str) -> CifraAnual | None:
        return next((cifra for cifra in self.cifras if cifra.codigo == codigo), None)


def cifras_de_area(*, anio: int, area_codigo: str) -> list[CifrasCentro]:
    """Each centre of the área operating in the year, with the yearly value of every figure it
    reports (each by its own rule) and how many months it reported."""
    centros = (
        Centro.objects.en_operacion(anio)
        .filter(area__codigo=area_codigo)
        .annotate(
            # Subqueries, not joins: joining operations and reports multiplies the staff sum.
            personal_anio=Subquery(
                OperacionAnual.objects.filter(centro=OuterRef("pk"), anio=anio).values("personal")
            ),
            meses=Subquery(
                ReporteMensual.objects.filter(centro=OuterRef("pk"), anio=anio)
                .values("centro")
                .annotate(total=Count("pk"))
                .values("total")
            ),
        )
        .prefetch_related(
            Prefetch(
                "indicadores_centro",
                queryset=IndicadorCentro.objects.select_related("indicador").order_by("orden"),
            )
        )
        .order_by("numero")
    )
    centros = list(centros)
    valores = cifras_anuales(anio=anio, centro_ids=[centro.pk for centro in centros])
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
                    dias_del_anio=366 if calendar.isleap(anio) else 365,
                )
                for ic in centro.indicadores_centro.all()
            ],
        )
        for centro in centros
    ]


def horarios_de_area(*, area_codigo: str) -> QuerySet[HorarioAtencion]:
    """Opening hours of the área's centres (Tablas 5 and 8)."""
    return HorarioAtencion.objects.filter(centro__area__codigo=area_codigo).order_by(
        "centro__numero", "orden"
    )


def instalaciones_de_area(*, area_codigo: str) -> QuerySet[Instalacion]:
    """Equipment of the área's centres (Tabla 7)."""
    return Instalacion.objects.filter(centro__area__codigo=area_codigo).order_by(
        "centro__numero", "orden"
    )


def fotos_del_anio(*, anio: int) -> QuerySet[FotoCentro]:
    """Photos for the annex, in the centres' order."""
    return (
        FotoCentro.objects.filter(anio=anio)
        .select_related("centro")
        .order_by("centro__numero", "orden")
    )


@dataclass(frozen=True)
class MesesPendientes:
    centro_id: int
    numero: int
    nombre_corto: str
    sin_datos: list[int]
    sin_aprobar: list[int]


def meses_pendientes(*, anio: int, hasta_mes: int = 12) -> list[MesesPendientes]:
    """Centres operating in the year with months of operation (up to `hasta_mes`) not
    reported or not approved."""
    operaciones = OperacionAnual.objects.filter(anio=anio).order_by("centro__numero")
    operaciones = operaciones.values(
        "centro_id", "centro__numero", "centro__nombre_corto", "mes_inicio", "mes_fin"
    )
    estados = {
        (fila["centro_id"], fila["mes"]): fila["estado"]
        for fila in ReporteMensual.objects.filter(anio=anio).values("centro_id", "mes", "estado")
    }
    sin_aprobar_estados = (ReporteMensual.Estado.BORRADOR, ReporteMensual.Estado.ENVIADO)
    pendientes = []
    for operacion in operaciones:
        centro_id = operacion["centro_id"]
        meses = range(operacion["mes_inicio"], min(operacion["mes_fin"], hasta_mes) + 1)
        sin_datos = [mes for mes in meses if (centro_id, mes) not in estados]
        sin_aprobar = [mes for mes in meses if estados.get((centro_id, mes)) in sin_aprobar_estados]
        if sin_datos or sin_aprobar:
            pendientes.append(
                MesesPendientes(
                    centro_id=centro_id,
                    numero=operacion["centro__numero"],
                    nombre_corto=operacion["centro__nombre_corto"],
                    sin_datos=sin_datos,
                    sin_aprobar=sin_aprobar,
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
    mes: int
    indicador: str
    valor: Decimal
    promedio: Decimal


def cifras_atipicas(*, anio: int) -> list[CifraAtipica]:
    """Monthly figures far outside the centre's own range for the year (non-zero months)."""
    filas = list(
        CifraMensual.objects.filter(reporte__anio=anio, valor__gt=0)
        .values(
            "reporte_id",
            "reporte__centro_id",
            "reporte__centro__nombre_corto",
            "reporte__mes",
            "indicador_id",
            "indicador__nombre",
            "valor",
        )
        .order_by("reporte__centro__numero", "indicador_id", "reporte__mes")
    )
    grupos: dict[tuple[int, int], list[dict]] = {}
    for fila in filas:
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
                        mes=fila["reporte__mes"],
                        indicador=fila["indicador__nombre"],
                        valor=a_centavos(valor),
                        promedio=a_centavos(promedio),
                    )
                )
    return atipicas
