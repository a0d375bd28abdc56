"""A centre's month and year as its pages show them: the month's form with the previous month
and the year so far, the twelve months of a year, and the month's history."""

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Q
from django.utils import timezone

from casmul.cierres import anio_cerrado_motivo
from casmul.meses import Mes
from casmul.montos import a_centavos

from ..estados import EstadoMes, Operacion, estado_del_mes
from ..models import (
    Centro,
    CifraMensual,
    Devolucion,
    Indicador,
    OperacionAnual,
    ReporteMensual,
    SinAtencion,
)
from .anuales import cifras_anuales, valor_anual_de


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
    # The coordination's remark on it, when it returned the month.
    observacion: str = ""

    @property
    def es_monetaria(self) -> bool:
        return self.unidad == Indicador.Unidad.DOLARES

    @property
    def nombre_unidad(self) -> str:
        """As the input names it: "personas", "dólares"."""
        return Indicador.Unidad(self.unidad).label.lower()

    @property
    def regla(self) -> str:
        """How `valor_anual` adds up, as written beside it."""
        return Indicador.Agregacion(self.agregacion).regla


def operacion_del_anio(*, centro: Centro, anio: int) -> Operacion:
    """The months the centre operates in the year: (from, to), or None."""
    return (
        OperacionAnual.objects.filter(centro=centro, anio=anio)
        .values_list("mes_inicio", "mes_fin")
        .first()
    )


def _centro_en_el_anio(*, centro: Centro, anio: int) -> tuple[Centro, Operacion]:
    """The centre as defined in the year (a copy) and the months it operates then, in one
    query."""
    operacion = (
        OperacionAnual.objects.filter(centro=centro, anio=anio)
        .select_related("area", "parroquia", "indicador_usuarios")
        .first()
    )
    if operacion is None:
        return centro, None
    definido = copy.copy(centro).definicion_del_anio_aplicar(operacion)
    return definido, (operacion.mes_inicio, operacion.mes_fin)


class DatosDelMes:
    """What both month pages (a centre's figures, the clinic's patients) read about the month:
    its state by the rule every page uses, whether it is open to writing, and the flags the
    template shows. Needs `reporte`, `mes`, `operacion` and `hoy`."""

    @cached_property
    def cierre(self) -> str | None:
        """Why the month's year is closed (its report published), or None. Read when the page
        is shown, not when its form is only read to be saved: the save asks again itself,
        inside its transaction."""
        return anio_cerrado_motivo(self.mes.anio)

    @property
    def estado(self) -> EstadoMes:
        return estado_del_mes(
            mes=self.mes,
            estado_reporte=self.reporte.estado if self.reporte else None,
            operacion=self.operacion,
            hoy=self.hoy,
        )

    @property
    def se_puede_registrar(self) -> bool:
        """Open to writing: it has come, the centre operates it, it is not approved and its
        year's report is not published (or its erratum is open)."""
        return not self.cierre and self.estado not in (
            EstadoMes.POR_LLEGAR,
            EstadoMes.NO_OPERA,
            EstadoMes.APROBADO,
        )

    @property
    def nombre_estado(self) -> str:
        return self.estado.label

    @property
    def version(self) -> int:
        return self.reporte.version if self.reporte else 0

    @property
    def aprobado(self) -> bool:
        return bool(self.reporte and self.reporte.aprobado)

    @property
    def enviado(self) -> bool:
        return self.estado == EstadoMes.ENVIADO

    @property
    def no_opera(self) -> bool:
        return self.estado == EstadoMes.NO_OPERA

    @property
    def reabierto(self) -> bool:
        """A draft again after the coordination reopened it, with its reason."""
        return bool(
            self.reporte
            and self.reporte.motivo_reapertura
            and self.reporte.estado == ReporteMensual.Estado.BORRADOR
        )

    @property
    def nombre_mes(self) -> str:
        return self.mes.nombre


@dataclass(frozen=True)
class FormularioMensual(DatosDelMes):
    centro: Centro
    mes: Mes
    reporte: ReporteMensual | None
    filas: list[FilaFormulario]
    operacion: Operacion
    hoy: datetime.date
    # The coordination's return the centre has not answered yet: why, and its remarks
    # (`FilaFormulario.observacion`).
    devolucion: Devolucion | None = None

    @property
    def devuelto(self) -> bool:
        return self.devolucion is not None


def formulario_mensual(
    *, centro: Centro, mes: Mes, hoy: datetime.date | None = None
) -> FormularioMensual:
    """The figures a centre reports, with this month's values, the previous month's and the
    year's total so far by each figure's rule, and the month's state. Five queries at most
    whatever the data, and one more when its state is asked (`DatosDelMes.cierre`)."""
    anio = mes.anio
    anterior = mes.anterior
    centro, operacion = _centro_en_el_anio(centro=centro, anio=anio)
    indicadores = [
        ic.indicador
        for ic in centro.indicadores_centro.del_anio(anio)
        .select_related("indicador")
        .order_by("orden")
    ]
    cifras = CifraMensual.objects.filter(reporte__centro=centro).filter(
        Q(reporte__anio=anio, reporte__mes__lte=mes.numero)
        | Q(reporte__anio=anterior.anio, reporte__mes=anterior.numero)
    )
    valores: dict[tuple[int, int, int], Decimal] = {
        (fila["indicador_id"], fila["reporte__anio"], fila["reporte__mes"]): a_centavos(
            fila["valor"]
        )
        for fila in cifras.values("indicador_id", "reporte__anio", "reporte__mes", "valor")
    }
    reporte = (
        ReporteMensual.objects.select_related("actualizado_por", "aprobado_por")
        .filter(centro=centro, anio=anio, mes=mes.numero)
        .first()
    )
    # Asked only of a returned month: other months take no query for it.
    devolucion = (
        reporte.devoluciones.filter(respondido_en=None).first()
        if reporte and reporte.estado == ReporteMensual.Estado.DEVUELTO
        else None
    )
    observaciones = devolucion.observaciones if devolucion else {}
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
                valor=valores.get((indicador.pk, anio, mes.numero)),
                valor_mes_anterior=valores.get((indicador.pk, anterior.anio, anterior.numero)),
                valor_anual=valor_anual_de(del_anio, indicador.agregacion),
                es_usuarios=indicador.pk == centro.indicador_usuarios_id,
                observacion=observaciones.get(indicador.codigo, ""),
            )
        )
    return FormularioMensual(
        centro=centro,
        mes=mes,
        reporte=reporte,
        filas=filas,
        operacion=operacion,
        hoy=hoy or timezone.localdate(),
        devolucion=devolucion,
    )


@dataclass(frozen=True)
class CifraRevisada:
    """A figure of a month submitted again: as it was returned, and now."""

    nombre: str
    antes: Decimal | None
    ahora: Decimal | None
    es_monetaria: bool
    observacion: str

    @property
    def cambio(self) -> bool:
        return self.antes != self.ahora


@dataclass(frozen=True)
class DevolucionRespondida:
    devolucion: Devolucion
    cifras: list[CifraRevisada]

    @property
    def cambiadas(self) -> list[CifraRevisada]:
        return [cifra for cifra in self.cifras if cifra.cambio]


def devolucion_respondida(
    *, reporte: ReporteMensual, filas: list[FilaFormulario]
) -> DevolucionRespondida | None:
    """For a month submitted again after a return: that return, with the centre's answer and
    each figure as it was returned and as it is now (`filas`, the month's form). None for a
    month never returned, or not submitted."""
    if reporte.estado != ReporteMensual.Estado.ENVIADO:
        return None
    devolucion = reporte.devoluciones.exclude(respondido_en=None).first()
    if devolucion is None:
        return None
    return DevolucionRespondida(
        devolucion=devolucion,
        cifras=[
            CifraRevisada(
                nombre=fila.nombre,
                antes=Decimal(devolucion.cifras[fila.codigo])
                if fila.codigo in devolucion.cifras
                else None,
                ahora=fila.valor,
                es_monetaria=fila.es_monetaria,
                observacion=devolucion.observaciones.get(fila.codigo, ""),
            )
            for fila in filas
        ],
    )


@dataclass(frozen=True)
class MesDelAnio:
    """A month of a centre's year view: its state and its values."""

    mes: Mes
    estado: EstadoMes
    reporte_id: int | None
    advertencias: int
    valores: dict[str, Decimal]

    @property
    def nombre_estado(self) -> str:
        return self.estado.label


@dataclass(frozen=True)
class AnioDeCentro:
    centro: Centro
    anio: int
    indicadores: list[Indicador]
    meses: list[MesDelAnio]
    anuales: dict[str, Decimal]
    # The days it did not serve that year, with their reasons.
    sin_atencion: list[SinAtencion]


def anio_de_centro(*, centro: Centro, anio: int, hoy: datetime.date) -> AnioDeCentro:
    """Twelve months of a centre with their state and values, and each figure's yearly value
    by its rule. A constant number of queries."""
    centro, operacion = _centro_en_el_anio(centro=centro, anio=anio)
    indicadores = [
        ic.indicador
        for ic in centro.indicadores_centro.del_anio(anio)
        .select_related("indicador")
        .order_by("orden")
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
    meses = []
    for mes in Mes.del_anio(anio):
        reporte = reportes.get(mes.numero)
        meses.append(
            MesDelAnio(
                mes=mes,
                estado=estado_del_mes(
                    mes=mes,
                    estado_reporte=reporte and reporte["estado"],
                    operacion=operacion,
                    hoy=hoy,
                ),
                reporte_id=reporte["pk"] if reporte else None,
                valores=valores.get(mes.numero, {}),
                advertencias=len(reporte["advertencias"]) if reporte else 0,
            )
        )
    # The centre's own view: what it has entered so far, approved or not.
    anuales = cifras_anuales(anio=anio, centro_ids=[centro.pk], con_sin_aprobar=True)
    return AnioDeCentro(
        centro=centro,
        anio=anio,
        indicadores=indicadores,
        meses=meses,
        anuales={codigo: valor for (_, codigo), valor in anuales.items()},
        sin_atencion=list(
            SinAtencion.objects.filter(centro=centro).en_meses(Mes(anio, 1), Mes(anio, 12))
        ),
    )


@dataclass(frozen=True)
class CambioRegistrado:
    """One change of a month: a figure's value (`clase` "numero" or "dinero") or the month's
    state ("estado", its values the states' names); None where there was no value."""

    fecha: datetime.datetime
    usuario: str
    que: str
    antes: Decimal | str | None
    despues: Decimal | str | None
    motivo: str
    clase: str = "numero"

    @property
    def es_estado(self) -> bool:
        return self.clase == "estado"

    @property
    def monetaria(self) -> bool:
        return self.clase == "dinero"


def nombre_de_usuario(usuario) -> str:
    """Who made a change, as the history shows it."""
    return (usuario.get_full_name() or usuario.username) if usuario else "Sistema"


def historial_de_mes(*, reporte: ReporteMensual) -> list[CambioRegistrado]:
    """Every change of the month's figures and state (who, when, old and new value,
    comment), newest first; a reopen or a return with its whole reason (a history entry keeps
    only its first 100 characters). Two queries, three for a month ever returned."""
    cambios = []
    anteriores: dict[int, Decimal] = {}
    for registro in (
        CifraMensual.history.filter(reporte_id=reporte.pk)
        .select_related("history_user", "indicador")
        .order_by("history_date", "history_id")
    ):
        antes = anteriores.get(registro.id)
        anteriores[registro.id] = registro.valor
        cambios.append(
            CambioRegistrado(
                fecha=registro.history_date,
                usuario=nombre_de_usuario(registro.history_user),
                que=registro.indicador.nombre,
                antes=None if registro.history_type == "+" else antes,
                despues=None if registro.history_type == "-" else registro.valor,
                motivo=registro.history_change_reason or "",
                clase="dinero" if registro.indicador.es_monetario else "numero",
            )
        )
    estados = list(
        ReporteMensual.history.filter(id=reporte.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    # A return's reason by the version it gave the month (returned version + 1); read only for
    # a month that was ever returned, which most months never are.
    devoluciones = (
        {
            version + 1: motivo
            for version, motivo in Devolucion.objects.filter(reporte_id=reporte.pk).values_list(
                "version", "motivo"
            )
        }
        if any(registro.estado == ReporteMensual.Estado.DEVUELTO for registro in estados)
        else {}
    )
    estado_previo = None
    for registro in estados:
        if registro.estado != estado_previo:
            motivo = registro.history_change_reason or ""
            if registro.estado == ReporteMensual.Estado.DEVUELTO:
                if registro.version in devoluciones:
                    motivo = f"Devuelto: {devoluciones[registro.version]}"
            elif motivo.startswith("Reabierto:") and registro.motivo_reapertura:
                motivo = f"Reabierto: {registro.motivo_reapertura}"
            cambios.append(
                CambioRegistrado(
                    fecha=registro.history_date,
                    usuario=nombre_de_usuario(registro.history_user),
                    que="Estado del mes",
                    antes=EstadoMes(estado_previo).label if estado_previo else None,
                    despues=EstadoMes(registro.estado).label,
                    motivo=motivo,
                    clase="estado",
                )
            )
        estado_previo = registro.estado
    return sorted(cambios, key=lambda cambio: cambio.fecha, reverse=True)


def sin_atencion_del_mes(*, centro: Centro, mes: Mes) -> list[SinAtencion]:
    """The days of the month the centre did not serve, with their reasons."""
    return list(SinAtencion.objects.filter(centro=centro).en_meses(mes, mes))
