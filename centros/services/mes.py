"""The month write: the one protocol every door that writes a month follows, stated on
`mes_en_edicion`: open the month, write its rows, close it. One month at a time, or many at
once in bulk (the import)."""

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from casmul.cierres import anio_abierto_comprobar, anio_cerrado_motivo
from casmul.historia import creados_con_historia
from casmul.meses import Mes
from casmul.numeros import Clase, numero_validar
from casmul.versiones import datos_cambiaron

from ..estados import Operacion
from ..models import Centro, CifraMensual, ReporteMensual
from ..selectors.mensual import operacion_del_anio
from .advertencias import advertencias_de_meses, advertencias_del_mes


class ConflictoDeVersion(Exception):
    """Someone saved the month after the user opened it: the save is refused, not merged."""

    def __init__(self, reporte: ReporteMensual):
        self.reporte = reporte
        quien = reporte.actualizado_por or "otra persona"
        super().__init__(
            f"{quien} guardó este mes después de que usted lo abriera. Revise los valores "
            "guardados ahora y vuelva a escribir sus cambios."
        )


MENSAJE_MES_APROBADO = (
    "Este mes está aprobado y no se puede modificar. Pida a la Coordinación de planificación "
    "que lo reabra."
)


# --- The rules of every write ----------------------------------------------------------------


def mes_comprobar_abierto(
    *, centro: Centro, mes: Mes, operacion: Operacion, hoy: datetime.date
) -> None:
    """Refuses a month nothing can be recorded for: one still to come, or one outside the
    centre's operation that year (`operacion`: its first and last month, None: not at all)."""
    if mes.es_futuro(hoy):
        raise ValidationError(
            "No se pueden registrar cifras de un mes que todavía no ha llegado.", code="futuro"
        )
    if operacion is None or not mes.dentro_de(*operacion):
        raise ValidationError(
            f"{centro.nombre_corto} no opera en {mes}: no se registran cifras de ese mes. "
            "Si sí funcionó, la Administración debe corregir sus meses de operación.",
            code="no_opera",
        )


def mes_abierto_a_registro(*, centro: Centro, mes: Mes, hoy: datetime.date | None = None) -> None:
    """`mes_comprobar_abierto` with the centre's operation of that year read here, and the
    year not closed by its published report (`casmul.cierres`: only an erratum opens it)."""
    mes_comprobar_abierto(
        centro=centro,
        mes=mes,
        operacion=operacion_del_anio(centro=centro, anio=mes.anio),
        hoy=hoy or timezone.localdate(),
    )
    anio_abierto_comprobar(mes.anio)


def valores_validar(
    *, centro: Centro, anio: int, valores: dict[str, Decimal | None]
) -> dict[str, Decimal]:
    """The centre's figures of a month of `anio` with hard rules applied: a figure it reports
    that year, and the rules of `casmul.numeros` for its kind (not negative, whole counts,
    cents, an upper bound). Raises a ValidationError keyed by indicator code."""
    indicadores = {
        ic.indicador.codigo: ic.indicador
        for ic in centro.indicadores_centro.del_anio(anio).select_related("indicador")
    }
    errores, limpios = {}, {}
    for codigo, valor in valores.items():
        indicador = indicadores.get(codigo)
        if indicador is None:
            errores[codigo] = f"Este centro no reporta esa cifra en {anio}."
        elif valor is None:
            continue
        else:
            try:
                numero_validar(valor, clase=Clase.de_unidad(indicador.unidad))
            except ValidationError as error:
                errores[codigo] = error.messages
            else:
                limpios[codigo] = valor
    if errores:
        raise ValidationError(errores)
    return limpios


def _reporte_comprobar(reporte: ReporteMensual, version: int | None) -> None:
    if reporte.aprobado:
        raise ValidationError(MENSAJE_MES_APROBADO, code="aprobado")
    if version is not None and version != reporte.version:
        raise ConflictoDeVersion(reporte)


# --- One month: open, rows, close --------------------------------------------------------------


def reporte_bloquear(*, reporte_id: int, version: int | None) -> ReporteMensual:
    """An existing month locked for this transaction, after the checks of every write: not
    approved, and nobody saved since `version` (None: the caller does not track versions)."""
    reporte = (
        ReporteMensual.objects.select_for_update(of=("self",))
        .select_related("actualizado_por", "centro")
        .get(pk=reporte_id)
    )
    _reporte_comprobar(reporte, version)
    return reporte


def reporte_abrir(*, centro: Centro, mes: Mes, version: int | None) -> ReporteMensual:
    """The month's report locked for this transaction and checked as in `reporte_bloquear`;
    created (without history until the edit closes) when missing. The month must already
    have passed `mes_comprobar_abierto`: use `reporte_para_editar`."""
    reporte = (
        ReporteMensual.objects.select_for_update(of=("self",))
        .select_related("actualizado_por")
        .filter(centro=centro, anio=mes.anio, mes=mes.numero)
        .first()
    )
    if reporte is not None:
        reporte.centro = centro
        _reporte_comprobar(reporte, version)
        return reporte
    if version:
        raise ValidationError("Este mes ya no existe: recargue la página.", code="borrado")
    try:
        with transaction.atomic():
            reporte = ReporteMensual(centro=centro, anio=mes.anio, mes=mes.numero, version=0)
            # The history starts when the edit closes, with the state the user chose.
            reporte.skip_history_when_saving = True
            reporte.save()
            del reporte.skip_history_when_saving
            return reporte
    except IntegrityError:
        # Someone created the same month at the same moment.
        reporte = ReporteMensual.objects.select_related("actualizado_por").get(
            centro=centro, anio=mes.anio, mes=mes.numero
        )
        raise ConflictoDeVersion(reporte) from None


def reporte_para_editar(
    *, centro: Centro, mes: Mes, version: int | None, hoy: datetime.date | None = None
) -> ReporteMensual:
    """The month's report, locked for this transaction, after the rules every write obeys: a
    month that has come and that the centre operates, not approved, and nobody saved since
    `version` (None: not tracked; 0: the user saw an empty month). Created when missing. The
    open step of the month write (`mes_en_edicion`); call inside `transaction.atomic()`."""
    mes_abierto_a_registro(centro=centro, mes=mes, hoy=hoy)
    return reporte_abrir(centro=centro, mes=mes, version=version)


def fila_del_mes_preparar(*, fila, usuario, motivo: str) -> None:
    """Checks a row of an open month and names who and why for its history: what
    `MesEnEdicion.fila_guardar` does before it saves, for a caller that saves many at once."""
    fila._change_reason = motivo[:100]
    # Named explicitly: outside a web request (scripts, imports) the middleware sets nobody.
    fila._history_user = usuario
    # The month and the figure were chosen by the caller from records it read: checking that
    # they exist again would cost a query per foreign key per row (an import writes thousands).
    relaciones = [campo.name for campo in fila._meta.concrete_fields if campo.is_relation]
    # The rules of the values were applied by the caller (`casmul.numeros`) and the database
    # holds the constraints: not asked again row by row either.
    fila.full_clean(exclude=relaciones, validate_unique=False, validate_constraints=False)


def reporte_cerrar_edicion(
    *,
    reporte: ReporteMensual,
    usuario,
    motivo: str,
    comentario: str | None = None,
    enviar: bool | None = None,
) -> ReporteMensual:
    """Closes a month opened for writing, once its rows are saved: the month's warnings from
    the figures now stored, the comment when given, draft or submitted when `enviar` is given
    (else its state stays), who edited it, a new version, and a history entry with `motivo`.
    A month with warnings is submitted only with a comment."""
    # Every door opened the month with the year's check; asked again where every write ends, so
    # that no door can forget it and write into a published year.
    anio_abierto_comprobar(reporte.anio)
    advertencias = advertencias_del_mes(reporte=reporte)
    if comentario is not None:
        reporte.comentario = comentario.strip()
    if enviar and advertencias and not reporte.comentario:
        raise ValidationError(
            {"comentario": "Hay advertencias: explique las cifras en el comentario para enviar."}
        )
    reporte.advertencias = advertencias
    if enviar is not None:
        devuelto = reporte.estado == ReporteMensual.Estado.DEVUELTO
        if enviar and devuelto:
            devolucion_responder(reporte)
        # A returned month saved as a draft still waits on the centre's answer.
        borrador = ReporteMensual.Estado.DEVUELTO if devuelto else ReporteMensual.Estado.BORRADOR
        reporte.estado = ReporteMensual.Estado.ENVIADO if enviar else borrador
        reporte.enviado_en = timezone.now() if enviar else None
    reporte.actualizado_por = usuario
    reporte.version += 1
    reporte._change_reason = motivo[:100]
    reporte._history_user = usuario
    reporte.save()
    # Only a month not approved is written here: the report's figures stay as they were.
    datos_cambiaron(reporte.anio, solo_borradores=True)
    return reporte


def devolucion_responder(reporte: ReporteMensual) -> None:
    """A returned month submitted again: its comment, changed since the return, is the
    centre's answer to the remarks."""
    devolucion = reporte.devoluciones.filter(respondido_en=None).first()
    if devolucion is None:
        return
    if reporte.comentario.strip() == devolucion.comentario.strip():
        raise ValidationError(
            {
                "comentario": "La Coordinación devolvió este mes: responda a su observación en "
                "el comentario (qué corrigió o por qué las cifras están bien) para enviarlo."
            }
        )
    devolucion.respuesta = reporte.comentario
    devolucion.respondido_en = timezone.now()
    devolucion.save(update_fields=["respuesta", "respondido_en"])


@dataclass
class MesEnEdicion:
    """A month open for writing (`reporte`, locked for the transaction and checked by the open
    step), written by `usuario` for `motivo`: its rows go through `fila_guardar`, and `cerrar`
    closes it (`reporte_cerrar_edicion`, with `comentario` and `enviar` when given). Made by
    `mes_en_edicion`, which also closes it; the admin makes one of the month its form opened."""

    reporte: ReporteMensual
    usuario: Any
    motivo: str
    comentario: str | None = None
    enviar: bool | None = None

    def fila_guardar(self, fila, *, motivo: str | None = None) -> None:
        """Saves a row of the month (a figure, a clinic row) with who and why in its history:
        `motivo`, or the edit's."""
        fila_del_mes_preparar(fila=fila, usuario=self.usuario, motivo=motivo or self.motivo)
        fila.save()

    def cerrar(self) -> ReporteMensual:
        """The close step: the month's warnings, comment and state, a new version, history."""
        return reporte_cerrar_edicion(
            reporte=self.reporte,
            usuario=self.usuario,
            motivo=self.motivo,
            comentario=self.comentario,
            enviar=self.enviar,
        )


@contextmanager
def mes_en_edicion(
    *,
    centro: Centro,
    mes: Mes,
    version: int | None,
    usuario,
    motivo: str,
    comentario: str | None = None,
    enviar: bool | None = None,
    hoy: datetime.date | None = None,
) -> Iterator[MesEnEdicion]:
    """The month write, the one protocol of every door that writes a month, in one
    transaction: an error anywhere, in the block or in the rules, writes nothing.

        with mes_en_edicion(centro=…, mes=…, version=…, usuario=…, motivo=…) as edicion:
            edicion.fila_guardar(fila)
        edicion.reporte  # closed: its warnings, a new version, a history entry

    1. Open (`reporte_para_editar`): the month locked for the transaction, after the rules
       of every write: a month that has come and that the centre operates, its year not
       closed by a published report, not approved, and nobody saved since the version the
       user opened (`version`; None: not tracked, 0: the user saw an empty month).
    2. Rows (`MesEnEdicion.fila_guardar`): each row of the month (a figure, a clinic row)
       saved with who and why in its history.
    3. Close, on leaving the block (`reporte_cerrar_edicion`): the month's warnings from the
       figures now stored, its comment and state when given, who edited it, a new version
       and a history entry with `motivo`.

    The doors:

    - the month form (`reporte_guardar`) and the clinic's grid (`salud.services`): here;
    - the admin (`centros.admin_del_mes`, `centros.admin.mensual`), which saves inside one
      transaction: its form's clean opens the month (`reporte_bloquear`,
      `mes_abierto_a_registro`, the refusals shown on the form), and the save writes the
      rows and closes the month through a `MesEnEdicion` of it;
    - the import, many months at once (`centros.resources`): the same three steps in bulk,
      a few statements per thousand rows. Open: `meses_bloquear` and `reporte_abrir_leido`
      (the same rules, on what was read once); rows: `fila_del_mes_preparar`; written and
      closed by `meses_importados_guardar` (`reportes_cerrar_edicion` gives each month what
      `reporte_cerrar_edicion` gives one).
    """
    with transaction.atomic():
        edicion = MesEnEdicion(
            reporte=reporte_para_editar(centro=centro, mes=mes, version=version, hoy=hoy),
            usuario=usuario,
            motivo=motivo,
            comentario=comentario,
            enviar=enviar,
        )
        yield edicion
        edicion.cerrar()


def motivo_de_edicion(*, comentario: str, enviar: bool) -> str:
    """What the history says of a save from a month's page."""
    return comentario.strip()[:100] or ("Enviado" if enviar else "Borrador")


def reporte_guardar(
    *,
    centro: Centro,
    mes: Mes,
    valores: dict[str, Decimal | None],
    version: int | None,
    usuario,
    comentario: str = "",
    enviar: bool = False,
    hoy: datetime.date | None = None,
) -> ReporteMensual:
    """Saves a centre's monthly figures as a draft or submits them for review.

    Refused (nothing written): a future month or one the centre does not operate, an approved
    month, a version that someone else already replaced (`ConflictoDeVersion`), invalid
    values, or warnings without a comment when submitting. Each changed figure gets a history
    entry with the user and the comment."""
    limpios = valores_validar(centro=centro, anio=mes.anio, valores=valores)
    with mes_en_edicion(
        centro=centro,
        mes=mes,
        version=version,
        usuario=usuario,
        motivo=motivo_de_edicion(comentario=comentario, enviar=enviar),
        comentario=comentario,
        enviar=enviar,
        hoy=hoy,
    ) as edicion:
        cifras_del_mes_guardar(edicion=edicion, valores=limpios, comentario=comentario.strip())
    return edicion.reporte


def cifras_del_mes_guardar(
    *, edicion: MesEnEdicion, valores: dict[str, Decimal], comentario: str | None = None
) -> int:
    """Writes validated figures into a month open for writing, leaving unchanged ones alone
    (and, when given, the comment that explains them); returns how many were written."""
    reporte = edicion.reporte
    existentes = {
        cifra.indicador.codigo: cifra for cifra in reporte.cifras.select_related("indicador")
    }
    # The figures to create need their indicator; a month saved again creates none.
    indicadores = (
        {
            ic.indicador.codigo: ic.indicador
            for ic in reporte.centro.indicadores_centro.del_anio(reporte.anio).select_related(
                "indicador"
            )
        }
        if set(valores) - set(existentes)
        else {}
    )
    escritas = 0
    for codigo, valor in valores.items():
        cifra = existentes.get(codigo)
        if cifra is not None and cifra.valor == valor:
            continue
        cifra = cifra or CifraMensual(reporte=reporte, indicador=indicadores[codigo])
        cifra.valor = valor
        if comentario is not None:
            cifra.comentario = comentario
        edicion.fila_guardar(cifra)
        escritas += 1
    return escritas


# --- Many months at once: the import -----------------------------------------------------------

# Rows per statement of the bulk writes: PostgreSQL takes any number, but an UPDATE of many rows
# by `bulk_update` grows a CASE per field that costs as much as rows squared.
LOTE = 500

# (centre id, year, month): a month named before its report is read or created.
ClaveMes = tuple[int, int, int]


@dataclass(frozen=True)
class MesesBloqueados:
    """The existing months among those asked for, locked, and the figures they hold."""

    reportes: dict[ClaveMes, ReporteMensual]
    # By (report id, indicator id).
    cifras: dict[tuple[int, int], CifraMensual]
    # Why each closed year among those asked for is closed (its report published).
    cerrados: dict[int, str]


def meses_bloquear(*, claves: Iterable[ClaveMes]) -> MesesBloqueados:
    """The existing months among `claves`, locked for this transaction in the order every
    write of many months locks them (centre number, year, month: `ReporteMensual.Meta`), so
    that two of them never wait for each other; with their figures, read once. Each month
    still goes through `reporte_abrir_leido` before it is written. Call inside
    `transaction.atomic()`; a few queries per thousand months."""
    claves = set(claves)
    centros = {centro_id for centro_id, _, _ in claves}
    anios = {anio for _, anio, _ in claves}
    # Found without a lock first (the centres' months of those years, a few more than asked),
    # so that the lock takes exactly the months named and nothing else.
    ids = [
        pk
        for pk, *clave in ReporteMensual.objects.filter(centro_id__in=centros, anio__in=anios)
        .order_by("centro__numero", "anio", "mes")
        .values_list("pk", "centro_id", "anio", "mes")
        if tuple(clave) in claves
    ]
    reportes: dict[ClaveMes, ReporteMensual] = {}
    cifras: dict[tuple[int, int], CifraMensual] = {}
    cerrados = {anio: motivo for anio in anios if (motivo := anio_cerrado_motivo(anio))}
    # SQLite takes 999 parameters a statement; chunks in the same order keep the lock order.
    lote = connection.features.max_query_params or len(ids) or 1
    for inicio in range(0, len(ids), lote):
        parte = ids[inicio : inicio + lote]
        for reporte in (
            ReporteMensual.objects.select_for_update(of=("self",))
            .filter(pk__in=parte)
            .order_by("centro__numero", "anio", "mes")
        ):
            reportes[reporte.centro_id, reporte.anio, reporte.mes] = reporte
        for cifra in CifraMensual.objects.filter(reporte_id__in=parte).order_by():
            cifras[cifra.reporte_id, cifra.indicador_id] = cifra
    return MesesBloqueados(reportes=reportes, cifras=cifras, cerrados=cerrados)


def reporte_abrir_leido(
    *,
    centro: Centro,
    mes: Mes,
    bloqueados: MesesBloqueados,
    operacion: Operacion,
    hoy: datetime.date,
) -> ReporteMensual:
    """`reporte_para_editar` for a month read and locked with many others (`meses_bloquear`)
    and its centre's operation read once: the same rules, without a query. A missing month is
    returned unsaved, as a draft of version 0: `meses_importados_guardar` creates it with its
    figures."""
    mes_comprobar_abierto(centro=centro, mes=mes, operacion=operacion, hoy=hoy)
    if motivo := bloqueados.cerrados.get(mes.anio):
        raise ValidationError(motivo, code="anio_cerrado")
    existente = bloqueados.reportes.get((centro.pk, mes.anio, mes.numero))
    if existente is None:
        return ReporteMensual(centro=centro, anio=mes.anio, mes=mes.numero, version=0)
    existente.centro = centro
    _reporte_comprobar(existente, None)
    return existente


def reportes_pasar(reportes: list[ReporteMensual], *, usuario, motivo: str, **campos) -> None:
    """Moves many locked months to a new state at once: the fields given, a new version each,
    and a history entry each with who and why (with what the months hold in memory)."""
    for reporte in reportes:
        for campo, valor in campos.items():
            setattr(reporte, campo, valor)
        reporte.version += 1
    # The same values for every month, so one UPDATE per chunk rather than `bulk_update`'s
    # CASE per month; the months are locked, so the version counted there is the one above.
    ids = [reporte.pk for reporte in reportes]
    for inicio in range(0, len(ids), LOTE):
        ReporteMensual.objects.filter(pk__in=ids[inicio : inicio + LOTE]).update(
            **campos, version=F("version") + 1
        )
    ReporteMensual.history.bulk_history_create(
        reportes,
        batch_size=LOTE,
        update=True,
        default_user=usuario,
        default_change_reason=motivo[:100],
    )
    if reportes:
        datos_cambiaron(
            *{reporte.anio for reporte in reportes},
            solo_borradores=campos.get("estado") != ReporteMensual.Estado.APROBADO,
        )


def reportes_cerrar_edicion(*, reportes: list[ReporteMensual], usuario, motivo: str) -> None:
    """`reporte_cerrar_edicion` of many months written at once (an import), their state left
    as it is: each month's warnings from the figures now stored, who edited it, a new version
    and a history entry with `motivo`, in a few statements for all of them."""
    advertencias = advertencias_de_meses(reportes=reportes)
    # Most months have none: those that had some lose them in one UPDATE, and only the months
    # with warnings take the slower `bulk_update` (a CASE per month).
    vaciar = [r.pk for r in reportes if r.advertencias and not advertencias[r.pk]]
    for inicio in range(0, len(vaciar), LOTE):
        ReporteMensual.objects.filter(pk__in=vaciar[inicio : inicio + LOTE]).update(advertencias=[])
    for reporte in reportes:
        reporte.advertencias = advertencias[reporte.pk]
    ReporteMensual.objects.bulk_update(
        [r for r in reportes if r.advertencias], ["advertencias"], batch_size=LOTE
    )
    reportes_pasar(
        reportes,
        usuario=usuario,
        motivo=motivo,
        actualizado_por=usuario,
        # Not set by an UPDATE as `save()` sets it.
        actualizado=timezone.now(),
    )


@transaction.atomic
def meses_importados_guardar(
    *, cifras: list[CifraMensual], usuario, motivo_cifras: str, motivo_meses: str
) -> list[ReporteMensual]:
    """Writes a file's new and changed figures (those with a pk are updates) and closes each
    month they belong to, in a few statements per thousand rows. Each figure is in an open
    month (`reporte_abrir_leido`, locked by `meses_bloquear`; a missing one unsaved, created
    here) and was read by the import's rules: its history names `usuario` and `motivo_cifras`,
    each month gets what `reporte_cerrar_edicion` gives it (`reportes_cerrar_edicion`, with
    `motivo_meses`). Returns the months written, in order."""
    reportes: dict[ClaveMes, ReporteMensual] = {}
    # Apart before the new ones take their ids.
    nuevas = [cifra for cifra in cifras if cifra.pk is None]
    cambiadas = [cifra for cifra in cifras if cifra.pk is not None]
    for cifra in cifras:
        reporte = cifra.reporte
        reportes.setdefault((reporte.centro_id, reporte.anio, reporte.mes), reporte)
        fila_del_mes_preparar(fila=cifra, usuario=usuario, motivo=motivo_cifras)
    nuevos = [reporte for reporte in reportes.values() if reporte.pk is None]
    try:
        with transaction.atomic():
            # The history starts when the edit closes, as in `reporte_abrir`.
            ReporteMensual.objects.bulk_create(nuevos, batch_size=LOTE)
    except IntegrityError:
        raise ValidationError(
            "Otra persona creó uno de estos meses mientras se importaba el archivo: vuelva a "
            "importarlo.",
            code="creado",
        ) from None
    # A new month's figures take its id as they are created (`bulk_create` reads it then).
    creados_con_historia(nuevas, CifraMensual, usuario=usuario, motivo=motivo_cifras)
    bulk_update_with_history(
        cambiadas,
        CifraMensual,
        ["valor"],
        batch_size=LOTE,
        default_user=usuario,
        default_change_reason=motivo_cifras[:100],
    )
    ordenados = sorted(reportes.values(), key=lambda r: (r.centro.numero, r.anio, r.mes))
    reportes_cerrar_edicion(reportes=ordenados, usuario=usuario, motivo=motivo_meses)
    return ordenados
