"""Read functions of `centros`: the app's public API for views and for `rendicion`."""

import calendar
import datetime
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
from django.shortcuts import get_object_or_404

from casmul.formato import dinero, numero
from casmul.montos import a_centavos
from casmul.roles import Rol, tiene_rol

from .models import (
    MESES,
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

NOMBRES_MES = dict(MESES)


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
    def unidad_nombre(self) -> str:
        return Indicador.Unidad(self.unidad).label

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


# --- Monthly data entry ------------------------------------------------------------------------

SIN_DATOS = "sin_datos"
NO_OPERA = "no_opera"
FUTURO = "futuro"
# The running month: nothing is missing yet until it ends.
EN_CURSO = "en_curso"
NOMBRES_ESTADO = {
    SIN_DATOS: "Sin datos",
    NO_OPERA: "No opera",
    FUTURO: "Por llegar",
    EN_CURSO: "En curso",
    **dict(ReporteMensual.Estado.choices),
}


@dataclass(frozen=True)
class FilaFormulario:
    codigo: str
    nombre: str
    descripcion: str
    unidad: str
    agregacion: str
    valor: Decimal | None
    valor_mes_anterior: Decimal | None
    valor_anual: Decimal | None
    es_usuarios: bool

    @property
    def es_monetaria(self) -> bool:
        return self.unidad == Indicador.Unidad.DOLARES


class EstadoDelMes:
    """What a month's form shows about its report; needs `reporte` and `mes` attributes."""

    @property
    def estado(self) -> str:
        return self.reporte.estado if self.reporte else SIN_DATOS

    @property
    def nombre_estado(self) -> str:
        return NOMBRES_ESTADO[self.estado]

    @property
    def version(self) -> int:
        return self.reporte.version if self.reporte else 0

    @property
    def aprobado(self) -> bool:
        return bool(self.reporte and self.reporte.aprobado)

    @property
    def nombre_mes(self) -> str:
        return dict(MESES)[self.mes]


@dataclass(frozen=True)
class FormularioMensual(EstadoDelMes):
    centro: Centro
    anio: int
    mes: int
    reporte: ReporteMensual | None
    filas: list[FilaFormulario]


def _anual(valores: list[Decimal], agregacion: str) -> Decimal | None:
    if not valores:
        return None
    if agregacion == Indicador.Agregacion.SUMA:
        return sum(valores, Decimal(0))
    if agregacion == Indicador.Agregacion.MAXIMO:
        return max(valores)
    return sum(valores, Decimal(0)) / len(valores)


def formulario_mensual(*, centro: Centro, anio: int, mes: int) -> FormularioMensual:
    """The figures a centre reports, with this month's values, the previous month's and the
    year's total so far by each figure's rule. Three queries whatever the data."""
    anterior_anio, anterior_mes = (anio, mes - 1) if mes > 1 else (anio - 1, 12)
    indicadores = [
        ic.indicador
        for ic in centro.indicadores_centro.select_related("indicador").order_by("orden")
    ]
    cifras = CifraMensual.objects.filter(reporte__centro=centro).filter(
        Q(reporte__anio=anio, reporte__mes__lte=mes)
        | Q(reporte__anio=anterior_anio, reporte__mes=anterior_mes)
    )
    valores: dict[tuple[int, int, int], Decimal] = {
        (fila["indicador_id"], fila["reporte__anio"], fila["reporte__mes"]): a_centavos(
            fila["valor"]
        )
        for fila in cifras.values("indicador_id", "reporte__anio", "reporte__mes", "valor")
    }
    reporte = (
        ReporteMensual.objects.select_related("actualizado_por", "aprobado_por")
        .filter(centro=centro, anio=anio, mes=mes)
        .first()
    )
    filas = []
    for indicador in indicadores:
        del_anio = [
            valor
            for (indicador_id, fila_anio, _), valor in valores.items()
            if indicador_id == indicador.pk and fila_anio == anio
        ]
        filas.append(
            FilaFormulario(
                codigo=indicador.codigo,
                nombre=indicador.nombre,
                descripcion=indicador.descripcion,
                unidad=indicador.unidad,
                agregacion=indicador.agregacion,
                valor=valores.get((indicador.pk, anio, mes)),
                valor_mes_anterior=valores.get((indicador.pk, anterior_anio, anterior_mes)),
                valor_anual=_anual(del_anio, indicador.agregacion),
                es_usuarios=indicador.pk == centro.indicador_usuarios_id,
            )
        )
    return FormularioMensual(centro=centro, anio=anio, mes=mes, reporte=reporte, filas=filas)


@dataclass(frozen=True)
class Celda:
    mes: int
    estado: str
    reporte_id: int | None
    advertencias: int

    @property
    def nombre_estado(self) -> str:
        return NOMBRES_ESTADO[self.estado]


@dataclass(frozen=True)
class MesDelAnio(Celda):
    """A month of a centre's year view: its cell's status plus its name and values."""

    nombre: str
    valores: dict[str, Decimal]


@dataclass(frozen=True)
class AnioDeCentro:
    centro: Centro
    anio: int
    indicadores: list[Indicador]
    meses: list[MesDelAnio]
    anuales: dict[str, Decimal]


def _estado_de_celda(anio, mes, estado, operacion, hoy) -> str:
    if estado:
        return estado
    if (anio, mes) > (hoy.year, hoy.month):
        return FUTURO
    if operacion is None or not operacion[0] <= mes <= operacion[1]:
        return NO_OPERA
    if (anio, mes) == (hoy.year, hoy.month):
        return EN_CURSO
    return SIN_DATOS


def anio_de_centro(*, centro: Centro, anio: int, hoy: datetime.date) -> AnioDeCentro:
    """Twelve months of a centre with their status and values, and each figure's yearly value
    by its rule. A constant number of queries."""
    indicadores = [
        ic.indicador
        for ic in centro.indicadores_centro.select_related("indicador").order_by("orden")
    ]
    reportes = {
        r["mes"]: r
        for r in ReporteMensual.objects.filter(centro=centro, anio=anio).values(
            "pk", "mes", "estado", "advertencias"
        )
    }
    valores: dict[int, dict[str, Decimal]] = {}
    for fila in CifraMensual.objects.filter(reporte__centro=centro, reporte__anio=anio).values(
        "reporte__mes", "indicador__codigo", "valor"
    ):
        valores.setdefault(fila["reporte__mes"], {})[fila["indicador__codigo"]] = a_centavos(
            fila["valor"]
        )
    operacion = (
        OperacionAnual.objects.filter(centro=centro, anio=anio)
        .values_list("mes_inicio", "mes_fin")
        .first()
    )
    meses = []
    for mes, nombre in MESES:
        reporte = reportes.get(mes)
        meses.append(
            MesDelAnio(
                mes=mes,
                nombre=nombre,
                estado=_estado_de_celda(anio, mes, reporte and reporte["estado"], operacion, hoy),
                reporte_id=reporte["pk"] if reporte else None,
                valores=valores.get(mes, {}),
                advertencias=len(reporte["advertencias"]) if reporte else 0,
            )
        )
    anuales = cifras_anuales(anio=anio, centro_ids=[centro.pk])
    return AnioDeCentro(
        centro=centro,
        anio=anio,
        indicadores=indicadores,
        meses=meses,
        anuales={codigo: valor for (_, codigo), valor in anuales.items()},
    )


@dataclass(frozen=True)
class FilaMatriz:
    centro: Centro
    celdas: list[Celda]

    def _contar(self, *estados) -> int:
        return sum(1 for celda in self.celdas if celda.estado in estados)

    @property
    def sin_datos(self) -> int:
        return self._contar(SIN_DATOS)

    @property
    def borradores(self) -> int:
        return self._contar(ReporteMensual.Estado.BORRADOR)

    @property
    def enviados(self) -> int:
        return self._contar(ReporteMensual.Estado.ENVIADO)

    @property
    def aprobados(self) -> int:
        return self._contar(ReporteMensual.Estado.APROBADO)


@dataclass(frozen=True)
class MatrizCompletitud:
    anio: int
    filas: list[FilaMatriz]

    def _total(self, atributo: str) -> int:
        return sum(getattr(fila, atributo) for fila in self.filas)

    @property
    def sin_datos(self) -> int:
        return self._total("sin_datos")

    @property
    def borradores(self) -> int:
        return self._total("borradores")

    @property
    def enviados(self) -> int:
        return self._total("enviados")

    @property
    def aprobados(self) -> int:
        return self._total("aprobados")


def matriz_completitud(
    *, centros: QuerySet[Centro], anio: int, hoy: datetime.date
) -> MatrizCompletitud:
    """Centres (already filtered) × twelve months with each month's status; three queries."""
    centros = list(centros.en_operacion(anio).select_related("area").order_by("numero").distinct())
    ids = [centro.pk for centro in centros]
    reportes = {
        (r["centro_id"], r["mes"]): r
        for r in ReporteMensual.objects.filter(centro_id__in=ids, anio=anio).values(
            "pk", "centro_id", "mes", "estado", "advertencias"
        )
    }
    operaciones = {
        fila[0]: (fila[1], fila[2])
        for fila in OperacionAnual.objects.filter(centro_id__in=ids, anio=anio).values_list(
            "centro_id", "mes_inicio", "mes_fin"
        )
    }
    filas = []
    for centro in centros:
        celdas = []
        for mes, _ in MESES:
            reporte = reportes.get((centro.pk, mes))
            celdas.append(
                Celda(
                    mes=mes,
                    estado=_estado_de_celda(
                        anio, mes, reporte and reporte["estado"], operaciones.get(centro.pk), hoy
                    ),
                    reporte_id=reporte["pk"] if reporte else None,
                    advertencias=len(reporte["advertencias"]) if reporte else 0,
                )
            )
        filas.append(FilaMatriz(centro=centro, celdas=celdas))
    return MatrizCompletitud(anio=anio, filas=filas)


@dataclass(frozen=True)
class CambioRegistrado:
    fecha: datetime.datetime
    usuario: str
    que: str
    antes: str
    despues: str
    motivo: str


def _nombre_de_usuario(usuario) -> str:
    return (usuario.get_full_name() or usuario.username) if usuario else "Sistema"


def historial_de_mes(*, reporte: ReporteMensual) -> list[CambioRegistrado]:
    """Every change of the month's figures and status (who, when, old and new value,
    comment), newest first. Two queries."""
    cambios = []
    anteriores: dict[int, Decimal] = {}
    for registro in (
        CifraMensual.history.filter(reporte_id=reporte.pk)
        .select_related("history_user", "indicador")
        .order_by("history_date", "history_id")
    ):
        antes = anteriores.get(registro.id)
        anteriores[registro.id] = registro.valor
        formato = dinero if registro.indicador.es_monetario else numero
        cambios.append(
            CambioRegistrado(
                fecha=registro.history_date,
                usuario=_nombre_de_usuario(registro.history_user),
                que=registro.indicador.nombre,
                antes="—" if antes is None or registro.history_type == "+" else formato(antes),
                despues="—" if registro.history_type == "-" else formato(registro.valor),
                motivo=registro.history_change_reason or "",
            )
        )
    estado_previo = None
    for registro in (
        ReporteMensual.history.filter(id=reporte.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        if registro.estado != estado_previo:
            cambios.append(
                CambioRegistrado(
                    fecha=registro.history_date,
                    usuario=_nombre_de_usuario(registro.history_user),
                    que="Estado del mes",
                    antes=NOMBRES_ESTADO[estado_previo] if estado_previo else "—",
                    despues=NOMBRES_ESTADO[registro.estado],
                    motivo=registro.history_change_reason or "",
                )
            )
        estado_previo = registro.estado
    return sorted(cambios, key=lambda cambio: cambio.fecha, reverse=True)


@dataclass(frozen=True)
class PendienteCentro:
    centro: Centro
    anio: int
    mes: int
    estado: str

    @property
    def nombre_estado(self) -> str:
        return NOMBRES_ESTADO[self.estado]

    @property
    def nombre_mes(self) -> str:
        return dict(MESES)[self.mes]


def pendientes_del_mes(*, centros: QuerySet[Centro], hoy: datetime.date) -> list[PendienteCentro]:
    """For each centre, the status of the month to report now: the previous month (the
    current one is still running). Two queries."""
    anio, mes = (hoy.year, hoy.month - 1) if hoy.month > 1 else (hoy.year - 1, 12)
    centros = list(centros.order_by("numero"))
    estados = dict(
        ReporteMensual.objects.filter(
            centro__in=[c.pk for c in centros], anio=anio, mes=mes
        ).values_list("centro_id", "estado")
    )
    return [
        PendienteCentro(centro=c, anio=anio, mes=mes, estado=estados.get(c.pk, SIN_DATOS))
        for c in centros
    ]


def centros_sin_personal(*, anio: int) -> QuerySet[Centro]:
    """Centres operating in the year that nobody is assigned to enter figures for."""
    return (
        Centro.objects.en_operacion(anio).filter(personal_asignado__isnull=True).order_by("numero")
    )


def centro_de_usuario(user, centro_id: int) -> Centro:
    """The centre if the user may see it; 404 otherwise (staff of another centre do not even
    learn that it exists)."""
    return get_object_or_404(centros_de_usuario(user), pk=centro_id)
