"""Read functions of `centros`: the app's public API for views and for `rendicion`."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Case, Count, DecimalField, F, Max, Q, QuerySet, Sum, When

from casmul.montos import a_centavos
from casmul.roles import Rol, tiene_rol

from .models import (
    AccionGeneral,
    Area,
    Centro,
    CifraMensual,
    HorarioAtencion,
    Indicador,
    Instalacion,
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
        return sum(1 for fila in self.filas if fila.modalidad == modalidad)


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
            usuarios=int(round(usuarios.get(centro.pk) or 0)),
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
