"""A year beside the previous one, per área and per centre: each figure by its own rule from
each year's approved months, as each year's report counts them, with the difference — and
the variation only where both years have enough of their months approved to mean anything."""

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db.models import Count, Prefetch, Q

from casmul.meses import NOMBRES_MES

from ..estados import EstadoMes
from ..models import (
    Area,
    Centro,
    Indicador,
    IndicadorCentro,
    LineaServicio,
    OperacionAnual,
    ReporteMensual,
    del_informe,
)
from .anuales import cifras_anuales, personas
from .definiciones import CambioDeDefinicion, cambios_entre
from .estados import estados_del_anio
from .informe import Completitud


@dataclass(frozen=True)
class Cobertura:
    """The months of operation a year's figure had to stand on by now, and how many of them
    are approved."""

    anio: int
    aprobados: int
    debidos: int

    @property
    def suficiente(self) -> bool:
        """Enough approved months for the year's figure to be compared: at least
        COMPARACION_MESES_APROBADOS_MINIMO of those due (a year with 7 of 360 approved is not
        91 % less busy, it is not reported yet)."""
        minimo = Decimal(str(settings.COMPARACION_MESES_APROBADOS_MINIMO))
        return self.debidos > 0 and self.aprobados >= minimo * self.debidos

    def __add__(self, otra: "Cobertura") -> "Cobertura":
        return Cobertura(self.anio, self.aprobados + otra.aprobados, self.debidos + otra.debidos)


@dataclass(frozen=True)
class Comparada:
    """A figure in the previous year and in this one; None where there is nothing to compare
    (the centre did not operate that year). A figure of monthly data carries the months
    behind each year (`coberturas`); a count of centres or staff, none."""

    anterior: Decimal | int | None
    actual: Decimal | int | None
    coberturas: tuple[Cobertura | None, Cobertura | None] = (None, None)

    @property
    def diferencia(self) -> Decimal | int | None:
        if self.anterior is None or self.actual is None:
            return None
        return self.actual - self.anterior

    @property
    def insuficientes(self) -> list[Cobertura]:
        """The years whose approved months are too few for the figure to be compared."""
        return [c for c in self.coberturas if c is not None and not c.suficiente]

    @property
    def comparable(self) -> bool:
        """Both figures exist and stand on enough approved months."""
        return self.diferencia is not None and not self.insuficientes

    @property
    def variacion(self) -> Decimal | None:
        """The difference over the previous year (0.25 is 25 %); None from nothing, or where
        a year has too few months approved to compare."""
        if not self.comparable or not self.anterior:
            return None
        return Decimal(self.diferencia) / Decimal(self.anterior)


@dataclass(frozen=True)
class CifraComparada(Comparada):
    codigo: str = ""
    nombre: str = ""
    regla: str = ""
    es_monetaria: bool = False


@dataclass(frozen=True)
class CentroComparado:
    centro_id: int
    numero: int
    nombre_corto: str
    # Approved months behind each year's figures (None: it did not operate that year): a
    # year half approved is not half as busy.
    meses: Comparada
    personal: Comparada
    usuarios: Comparada | None
    cifras: list[CifraComparada]
    # What changed in its definition from the previous year («Modalidad: Convenio MIES →
    # Financiado por el CASMUL desde 2024»).
    cambios: tuple[CambioDeDefinicion, ...] = ()
    # Shown in an área for one year only, because it was in another área the other year.
    otra_area: str = ""
    # The years it operated only part of: «Operó de enero a junio de 2025».
    operaciones_parciales: tuple[str, ...] = ()

    @property
    def nuevo(self) -> bool:
        """It did not operate in the previous year."""
        return self.meses.anterior is None

    @property
    def cerrado(self) -> bool:
        """It operated in the previous year and not in this one."""
        return self.meses.actual is None


@dataclass(frozen=True)
class AreaComparada:
    area_id: int
    nombre: str
    centros: list[CentroComparado]

    def _suma(self, valor) -> Comparada:
        """The sum over the centres that have the figure that year; None when none has it.
        Its months are those of the centres summed each year."""
        filas = [fila for fila in map(valor, self.centros) if fila is not None]

        def sumar(valores):
            valores = [v for v in valores if v is not None]
            return sum(valores) if valores else None

        def cubrir(lado: int) -> Cobertura | None:
            coberturas = [
                fila.coberturas[lado]
                for fila in filas
                if fila.coberturas[lado] is not None
                and (fila.anterior, fila.actual)[lado] is not None
            ]
            return sum(coberturas[1:], coberturas[0]) if coberturas else None

        return Comparada(
            anterior=sumar(fila.anterior for fila in filas),
            actual=sumar(fila.actual for fila in filas),
            coberturas=(cubrir(0), cubrir(1)),
        )

    @property
    def entraron(self) -> list[CentroComparado]:
        """Centres in the área this year that were in another área the previous one."""
        return [centro for centro in self.centros if centro.otra_area and centro.nuevo]

    @property
    def salieron(self) -> list[CentroComparado]:
        """Centres in the área the previous year that are in another área this one."""
        return [centro for centro in self.centros if centro.otra_area and centro.cerrado]

    @property
    def conteo(self) -> Comparada:
        """Centres operating in each year."""
        return Comparada(
            anterior=sum(1 for centro in self.centros if not centro.nuevo),
            actual=sum(1 for centro in self.centros if not centro.cerrado),
        )

    @property
    def usuarios(self) -> Comparada | None:
        """The users of the área's centres that count users, as Tablas 1 and 6 add them."""
        if all(centro.usuarios is None for centro in self.centros):
            return None
        return self._suma(lambda centro: centro.usuarios)

    @property
    def personal(self) -> Comparada:
        return self._suma(lambda centro: centro.personal)


@dataclass(frozen=True)
class Comparacion:
    anio: int
    areas: list[AreaComparada]
    completitud: Completitud
    completitud_anterior: Completitud
    # The months behind the clinic's patients each year (its centres of the health line).
    coberturas_clinica: tuple[Cobertura | None, Cobertura | None] = (None, None)
    # Figures a centre reports from this year on, and those it reported last the year before.
    indicadores_nuevos: tuple[IndicadorCentro, ...] = ()
    indicadores_retirados: tuple[IndicadorCentro, ...] = ()

    @property
    def anio_anterior(self) -> int:
        return self.anio - 1

    def _centros(self) -> list[CentroComparado]:
        return [centro for area in self.areas for centro in area.centros]

    @property
    def centros_nuevos(self) -> list[CentroComparado]:
        """Centres that did not operate the year before (not those that changed área)."""
        return [c for c in self._centros() if c.nuevo and not c.otra_area]

    @property
    def centros_cerrados(self) -> list[CentroComparado]:
        return [c for c in self._centros() if c.cerrado and not c.otra_area]

    @property
    def centros_cambiados(self) -> list[CentroComparado]:
        """Centres whose definition changed from the year before, each named once."""
        return [c for c in self._centros() if c.cambios and not c.cerrado]

    @property
    def centros_parciales(self) -> list[CentroComparado]:
        """Centres that operated only part of this year."""
        return [
            c
            for c in self._centros()
            if not c.cerrado and any(str(self.anio) in p for p in c.operaciones_parciales)
        ]

    @property
    def hay_cambios(self) -> bool:
        return bool(
            self.centros_nuevos
            or self.centros_cerrados
            or self.centros_cambiados
            or self.centros_parciales
            or self.indicadores_nuevos
            or self.indicadores_retirados
        )


def _centro_comparado(
    centro: Centro,
    *,
    anios,
    definiciones,
    valores,
    meses,
    coberturas,
    lados=(True, True),
    otra_area="",
) -> CentroComparado:
    """The centre in both years, each side by the centre's definition that year
    (`definiciones`); a side of `lados` False is left empty (the centre is shown there under
    another área)."""
    operaciones = {
        operacion.anio: operacion
        for operacion, lado in (
            (operacion, lados[anios.index(operacion.anio)])
            for operacion in centro.operaciones_comparadas
        )
        if lado
    }
    suyas = tuple(coberturas.get((centro.pk, a)) if a in operaciones else None for a in anios)

    def por_anio(valor, cuenta=lambda a: True) -> Comparada:
        # A year the centre did not operate, or whose months none are approved, has no
        # figure to compare: not a zero, which would read as a centre that served no one.
        return Comparada(
            *(
                valor(a) if a in operaciones and meses.get((centro.pk, a)) and cuenta(a) else None
                for a in anios
            ),
            coberturas=suyas,
        )

    def cifra(codigo: str):
        return lambda a: valores[a].get((centro.pk, codigo), Decimal(0))

    usuarios = None
    if any(definiciones[a].indicador_usuarios for a in anios):
        usuarios = por_anio(
            lambda a: personas(cifra(definiciones[a].indicador_usuarios.codigo)(a)),
            cuenta=lambda a: definiciones[a].indicador_usuarios is not None,
        )
    cifras = []
    for ic in centro.indicadores_centro.all():
        if not any(ic.reportado_en(a) for a in operaciones):
            continue
        # A figure not reported one of the years (added or retired) has nothing that year.
        valores_del_indicador = por_anio(cifra(ic.indicador.codigo), cuenta=ic.reportado_en)
        cifras.append(
            CifraComparada(
                anterior=valores_del_indicador.anterior,
                actual=valores_del_indicador.actual,
                coberturas=suyas,
                codigo=ic.indicador.codigo,
                nombre=ic.indicador.nombre,
                regla=ic.indicador.regla,
                es_monetaria=ic.indicador.unidad == Indicador.Unidad.DOLARES,
            )
        )
    return CentroComparado(
        centro_id=centro.pk,
        numero=centro.numero,
        nombre_corto=centro.nombre_corto,
        meses=Comparada(
            *(meses.get((centro.pk, a), 0) if a in operaciones else None for a in anios)
        ),
        personal=Comparada(*(operaciones[a].personal if a in operaciones else None for a in anios)),
        usuarios=usuarios,
        cifras=cifras,
        cambios=tuple(cambios_entre(definiciones[anios[0]], definiciones[anios[1]], desde=anios[1]))
        if all(a in operaciones for a in anios)
        else (),
        otra_area=otra_area,
        operaciones_parciales=tuple(
            f"Operó de {NOMBRES_MES[o.mes_inicio - 1].lower()} a "
            f"{NOMBRES_MES[o.mes_fin - 1].lower()} de {a}"
            for a, o in sorted(operaciones.items())
            if (o.mes_inicio, o.mes_fin) != (1, 12)
        ),
    )


def _definiciones(centro: Centro, anios: list[int]) -> dict[int, Centro]:
    """The centre as defined each year, from its prefetched years of operation."""
    propias = {o.anio: o for o in centro.operaciones_comparadas if o.definicion_propia}
    return {a: copy.copy(centro).definicion_del_anio_aplicar(propias.get(a)) for a in anios}


def comparacion_de_centros(*, anio: int, hoy: datetime.date) -> Comparacion:
    """Every centre that operated in the year or the previous one, per área (every área
    listed), with each of its figures in both years and how many approved months are behind
    them, of how many due by `hoy`. A fixed number of queries whatever the data."""
    anios = [anio - 1, anio]
    centros = list(
        Centro.objects.filter(operaciones__anio__in=anios)
        .distinct()
        .select_related("indicador_usuarios", "area", "parroquia")
        .prefetch_related(
            Prefetch(
                "indicadores_centro",
                queryset=IndicadorCentro.objects.select_related("indicador").order_by("orden"),
            ),
            Prefetch(
                "operaciones",
                queryset=OperacionAnual.objects.filter(anio__in=anios).select_related(
                    "area", "parroquia", "indicador_usuarios"
                ),
                to_attr="operaciones_comparadas",
            ),
        )
        .order_by("numero")
    )
    valores = {a: cifras_anuales(anio=a) for a in anios}
    meses = {
        (fila["centro"], fila["anio"]): fila["meses"]
        for fila in ReporteMensual.objects.filter(Q(del_informe(anio - 1)) | Q(del_informe(anio)))
        .values("centro", "anio")
        .annotate(meses=Count("pk"))
        .order_by()
    }
    # Each centre's months due and approved each year, by the matrix's own rule; the year's
    # completeness is their sum, as `completitud_del_anio` counts it.
    coberturas: dict[tuple[int, int], Cobertura] = {}
    for a in anios:
        operan = [c.pk for c in centros if any(o.anio == a for o in c.operaciones_comparadas)]
        for centro_id, celdas in estados_del_anio(centro_ids=operan, anio=a, hoy=hoy).items():
            coberturas[centro_id, a] = Cobertura(
                anio=a,
                aprobados=sum(1 for celda in celdas if celda.estado == EstadoMes.APROBADO),
                debidos=sum(1 for celda in celdas if celda.estado.debido),
            )
    definiciones = {c.pk: _definiciones(c, anios) for c in centros}
    por_area: dict[int, list[CentroComparado]] = {}
    for centro in centros:
        suyas = definiciones[centro.pk]
        operados = [a for a in anios if any(o.anio == a for o in centro.operaciones_comparadas)]
        areas = {suyas[a].area_id for a in operados}
        comparado = partial(
            _centro_comparado,
            centro,
            anios=anios,
            definiciones=suyas,
            valores=valores,
            meses=meses,
            coberturas=coberturas,
        )
        if len(areas) == 1:
            por_area.setdefault(areas.pop(), []).append(comparado())
            continue
        # Each year under the área it had then: it leaves one and enters the other.
        antes, ahora = suyas[anios[0]].area, suyas[anios[1]].area
        por_area.setdefault(antes.pk, []).append(
            comparado(lados=(True, False), otra_area=ahora.nombre)
        )
        por_area.setdefault(ahora.pk, []).append(
            comparado(lados=(False, True), otra_area=antes.nombre)
        )

    def cobertura_clinica(a: int) -> Cobertura | None:
        suyas = [
            coberturas[c.pk, a]
            for c in centros
            if definiciones[c.pk][a].linea_servicio == LineaServicio.SALUD
            and (c.pk, a) in coberturas
        ]
        return sum(suyas[1:], suyas[0]) if suyas else None

    def completitud(a: int) -> Completitud:
        del_anio = [c for (_, de), c in coberturas.items() if de == a]
        return Completitud(
            aprobados=sum(c.aprobados for c in del_anio), debidos=sum(c.debidos for c in del_anio)
        )

    return Comparacion(
        anio=anio,
        areas=[
            AreaComparada(area_id=area.pk, nombre=area.nombre, centros=por_area.get(area.pk, []))
            for area in Area.objects.order_by("orden")
        ],
        completitud=completitud(anio),
        completitud_anterior=completitud(anio - 1),
        coberturas_clinica=(cobertura_clinica(anio - 1), cobertura_clinica(anio)),
        **_indicadores_cambiados(anio),
    )


def _indicadores_cambiados(anio: int) -> dict[str, tuple[IndicadorCentro, ...]]:
    filas = list(
        IndicadorCentro.objects.filter(Q(desde_anio=anio) | Q(hasta_anio=anio - 1))
        .select_related("centro", "indicador")
        .order_by("centro__numero", "orden")
    )
    return {
        "indicadores_nuevos": tuple(f for f in filas if f.desde_anio == anio),
        "indicadores_retirados": tuple(f for f in filas if f.hasta_anio == anio - 1),
    }
