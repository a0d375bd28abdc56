"""Writes of `centros`."""

import calendar
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError
from simple_history.utils import bulk_update_with_history

from casmul.cierres import anio_abierto_comprobar, anio_abrir_para_corregir, anio_cerrado_motivo
from casmul.formato import numero
from casmul.historia import creados_con_historia
from casmul.meses import Mes
from casmul.numeros import Clase, numero_validar

from .estados import Operacion
from .models import (
    Beneficiario,
    Centro,
    CifraMensual,
    FotoCentro,
    Indicador,
    Inscripcion,
    OperacionAnual,
    ReporteMensual,
)

# Long side of the print copy: sharp at 300 dpi on half an A4 page.
LADO_MAYOR_IMPRESION = 1600
CALIDAD_JPEG = 82


def imagen_para_impresion(contenido: bytes) -> bytes:
    """A resized, EXIF-rotated RGB JPEG of an uploaded image."""
    try:
        with Image.open(BytesIO(contenido)) as original:
            imagen = ImageOps.exif_transpose(original).convert("RGB")
    except (UnidentifiedImageError, OSError) as error:
        raise ValidationError("El archivo no es una imagen válida.", code="imagen") from error
    imagen.thumbnail((LADO_MAYOR_IMPRESION, LADO_MAYOR_IMPRESION))
    salida = BytesIO()
    imagen.save(salida, format="JPEG", quality=CALIDAD_JPEG, optimize=True)
    return salida.getvalue()


@transaction.atomic
def foto_centro_guardar(*, foto: FotoCentro) -> FotoCentro:
    """Saves a centre photo and its print-ready copy, made once here and not at every PDF."""
    foto.full_clean()
    foto.imagen.open("rb")
    contenido = foto.imagen.read()
    nombre = Path(foto.imagen.name).stem + ".jpg"
    foto.imagen_impresion.save(nombre, ContentFile(imagen_para_impresion(contenido)), save=False)
    foto.save()
    return foto


def foto_centro_crear(
    *, centro: Centro, imagen, anio: int, leyenda: str = "", orden: int = 0
) -> FotoCentro:
    return foto_centro_guardar(
        foto=FotoCentro(centro=centro, imagen=imagen, anio=anio, leyenda=leyenda, orden=orden)
    )


# --- Monthly reports -------------------------------------------------------------------------

# A value is "far outside the centre's range" beyond these multiples of its recent average.
FACTOR_RANGO = Decimal("2")
# A month-to-month change above this fraction of the previous month is a jump.
SALTO_MENSUAL = Decimal("0.5")
MESES_RECIENTES = 6


class ConflictoDeVersion(Exception):
    """Someone saved the month after the user opened it: the save is refused, not merged."""

    def __init__(self, reporte: ReporteMensual):
        self.reporte = reporte
        quien = reporte.actualizado_por or "otra persona"
        super().__init__(
            f"{quien} guardó este mes después de que usted lo abriera. Revise los valores "
            "guardados ahora y vuelva a escribir sus cambios."
        )


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


def mes_abierto_a_registro(
    *, centro: Centro, anio: int, mes: int, hoy: datetime.date | None = None
) -> None:
    """`mes_comprobar_abierto` with the centre's operation of that year read here, and the
    year not closed by its published report (`casmul.cierres`: only an erratum opens it)."""
    operacion = (
        OperacionAnual.objects.filter(centro=centro, anio=anio)
        .values_list("mes_inicio", "mes_fin")
        .first()
    )
    mes_comprobar_abierto(
        centro=centro, mes=Mes(anio, mes), operacion=operacion, hoy=hoy or timezone.localdate()
    )
    anio_abierto_comprobar(anio)


def valores_validar(*, centro: Centro, valores: dict[str, Decimal | None]) -> dict[str, Decimal]:
    """The centre's figures with hard rules applied: a figure it reports, and the rules of
    `casmul.numeros` for its kind (not negative, whole counts, cents, an upper bound). Raises
    a ValidationError keyed by indicator code."""
    indicadores = {
        ic.indicador.codigo: ic.indicador
        for ic in centro.indicadores_centro.select_related("indicador")
    }
    errores, limpios = {}, {}
    for codigo, valor in valores.items():
        indicador = indicadores.get(codigo)
        if indicador is None:
            errores[codigo] = "Este centro no reporta esa cifra."
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


def advertencias_de_cifras(
    *, centro: Centro, anio: int, mes: int, valores: dict[str, Decimal]
) -> list[str]:
    """Soft rules: a value far outside the centre's recent range, users above capacity, a
    jump from the previous month, users that do not match the nominal registry. The month
    may still be submitted, with a comment."""
    desde = Mes(anio, mes).mas(-MESES_RECIENTES)
    filas = (
        CifraMensual.objects.filter(reporte__centro=centro, indicador__codigo__in=list(valores))
        .filter(
            Q(reporte__anio__gt=desde.anio)
            | Q(reporte__anio=desde.anio, reporte__mes__gte=desde.numero)
        )
        .filter(Q(reporte__anio__lt=anio) | Q(reporte__anio=anio, reporte__mes__lt=mes))
        .values_list(
            "indicador__codigo", "reporte__anio", "reporte__mes", "valor", "indicador__nombre"
        )
    )
    return _advertencias(
        centro=centro,
        mes=Mes(anio, mes),
        valores=valores,
        recientes=[
            (codigo, Mes(fila_anio, fila_mes), valor, nombre)
            for codigo, fila_anio, fila_mes, valor, nombre in filas
        ],
        inscritos=lambda: inscritos_en_mes(centro=centro, anio=anio, mes=mes),
    )


def _advertencias(
    *,
    centro: Centro,
    mes: Mes,
    valores: dict[str, Decimal],
    recientes: Iterable[tuple[str, Mes, Decimal, str]],
    inscritos: Callable[[], int],
) -> list[str]:
    """The soft rules of `advertencias_de_cifras` on what was read already, for one month or
    many (`advertencias_de_meses`): `recientes`, the centre's figures of those indicators in
    the `MESES_RECIENTES` months before `mes` (code, month, value, name); `inscritos`, the
    enrolments of `mes`, asked only when a rule needs them."""
    serie_de: dict[str, list[tuple[Mes, Decimal]]] = {}
    nombres = {}
    for codigo, del_mes, valor, nombre in recientes:
        serie_de.setdefault(codigo, []).append((del_mes, Decimal(valor)))
        nombres[codigo] = nombre
    anterior = mes.anterior
    advertencias = []
    for codigo, valor in valores.items():
        serie = serie_de.get(codigo, [])
        nombre = nombres.get(codigo, codigo)
        previo = next((v for del_mes, v in serie if del_mes == anterior), None)
        if len(serie) >= 3:
            promedio = sum(v for _, v in serie) / len(serie)
            if promedio and (valor > promedio * FACTOR_RANGO or valor * FACTOR_RANGO < promedio):
                advertencias.append(
                    f"{nombre}: {numero(valor)} está muy lejos del promedio de los últimos meses "
                    f"({numero(promedio)})."
                )
                continue
        if previo and abs(valor - previo) > previo * SALTO_MENSUAL:
            advertencias.append(
                f"{nombre}: pasa de {numero(previo)} el mes anterior a {numero(valor)}."
            )
    usuarios = centro.indicador_usuarios
    if usuarios and usuarios.codigo in valores:
        valor = valores[usuarios.codigo]
        if centro.capacidad and valor > centro.capacidad:
            advertencias.append(
                f"{usuarios.nombre}: {numero(valor)} supera la capacidad del centro "
                f"({numero(centro.capacidad)})."
            )
        if centro.lleva_registro_nominal and usuarios.agregacion != Indicador.Agregacion.SUMA:
            personas = inscritos()
            if valor != personas:
                advertencias.append(
                    f"{usuarios.nombre}: {numero(valor)} no coincide con las {numero(personas)} "
                    "personas inscritas en el registro nominal ese mes."
                )
    return advertencias


def inscritos_en_mes(*, centro: Centro, anio: int, mes: int) -> int:
    """Enrolments of the nominal registry active some day of the month."""
    primero = datetime.date(anio, mes, 1)
    ultimo = datetime.date(anio, mes, calendar.monthrange(anio, mes)[1])
    return (
        Inscripcion.objects.filter(centro=centro, desde__lte=ultimo)
        .filter(Q(hasta__isnull=True) | Q(hasta__gte=primero))
        .values("beneficiario")
        .distinct()
        .count()
    )


MENSAJE_MES_APROBADO = (
    "Este mes está aprobado y no se puede modificar. Pida a la Coordinación de planificación "
    "que lo reabra."
)


def _reporte_comprobar(reporte: ReporteMensual, version: int | None) -> None:
    if reporte.aprobado:
        raise ValidationError(MENSAJE_MES_APROBADO, code="aprobado")
    if version is not None and version != reporte.version:
        raise ConflictoDeVersion(reporte)


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


def reporte_abrir(*, centro: Centro, anio: int, mes: int, version: int | None) -> ReporteMensual:
    """The month's report locked for this transaction and checked as in `reporte_bloquear`;
    created (without history until the edit closes) when missing. The month must already
    have passed `mes_comprobar_abierto`: use `reporte_para_editar` unless the caller checked
    it with the operations it read once for many months (the import)."""
    reporte = (
        ReporteMensual.objects.select_for_update(of=("self",))
        .select_related("actualizado_por")
        .filter(centro=centro, anio=anio, mes=mes)
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
            reporte = ReporteMensual(centro=centro, anio=anio, mes=mes, version=0)
            # The history starts when the edit closes, with the state the user chose.
            reporte.skip_history_when_saving = True
            reporte.save()
            del reporte.skip_history_when_saving
            return reporte
    except IntegrityError:
        # Someone created the same month at the same moment.
        reporte = ReporteMensual.objects.select_related("actualizado_por").get(
            centro=centro, anio=anio, mes=mes
        )
        raise ConflictoDeVersion(reporte) from None


def reporte_para_editar(
    *, centro: Centro, anio: int, mes: int, version: int | None, hoy: datetime.date | None = None
) -> ReporteMensual:
    """The month's report, locked for this transaction, after the rules every write obeys: a
    month that has come and that the centre operates, not approved, and nobody saved since
    `version` (None: not tracked; 0: the user saw an empty month). Created when missing. Every
    door that writes a month opens it here (or with `reporte_bloquear` for a month it already
    holds) and closes it with `reporte_cerrar_edicion`; call inside `transaction.atomic()`."""
    mes_abierto_a_registro(centro=centro, anio=anio, mes=mes, hoy=hoy)
    return reporte_abrir(centro=centro, anio=anio, mes=mes, version=version)


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
    anio: int,
    mes: int,
    bloqueados: MesesBloqueados,
    operacion: Operacion,
    hoy: datetime.date,
) -> ReporteMensual:
    """`reporte_para_editar` for a month read and locked with many others (`meses_bloquear`)
    and its centre's operation read once: the same rules, without a query. A missing month is
    returned unsaved, as a draft of version 0: `meses_importados_guardar` creates it with its
    figures."""
    mes_comprobar_abierto(centro=centro, mes=Mes(anio, mes), operacion=operacion, hoy=hoy)
    if motivo := bloqueados.cerrados.get(anio):
        raise ValidationError(motivo, code="anio_cerrado")
    existente = bloqueados.reportes.get((centro.pk, anio, mes))
    if existente is None:
        return ReporteMensual(centro=centro, anio=anio, mes=mes, version=0)
    existente.centro = centro
    _reporte_comprobar(existente, None)
    return existente


def fila_del_mes_guardar(*, fila, usuario, motivo: str) -> None:
    """Saves a row of an open month (a figure, a clinic row) with who and why in its history."""
    fila_del_mes_preparar(fila=fila, usuario=usuario, motivo=motivo)
    fila.save()


def fila_del_mes_preparar(*, fila, usuario, motivo: str) -> None:
    """Checks a row of an open month and names who and why for its history: what
    `fila_del_mes_guardar` does before it saves, for a caller that saves many at once."""
    fila._change_reason = motivo[:100]
    # Named explicitly: outside a web request (scripts, imports) the middleware sets nobody.
    fila._history_user = usuario
    # The month and the figure were chosen by the caller from records it read: checking that
    # they exist again would cost a query per foreign key per row (an import writes thousands).
    relaciones = [campo.name for campo in fila._meta.concrete_fields if campo.is_relation]
    # The rules of the values were applied by the caller (`casmul.numeros`) and the database
    # holds the constraints: not asked again row by row either.
    fila.full_clean(exclude=relaciones, validate_unique=False, validate_constraints=False)


def advertencias_del_mes(*, reporte: ReporteMensual) -> list[str]:
    """The warnings of the figures the month holds now."""
    valores = dict(reporte.cifras.values_list("indicador__codigo", "valor"))
    return advertencias_de_cifras(
        centro=reporte.centro, anio=reporte.anio, mes=reporte.mes, valores=valores
    )


def reporte_cerrar_edicion(
    *,
    reporte: ReporteMensual,
    usuario,
    motivo: str,
    comentario: str | None = None,
    enviar: bool | None = None,
) -> ReporteMensual:
    """Closes a write opened with `reporte_para_editar`, once its rows are saved: the month's
    warnings from the figures now stored, the comment when given, draft or submitted when
    `enviar` is given (else its state stays), who edited it, a new version, and a history
    entry with `motivo`. A month with warnings is submitted only with a comment."""
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
        reporte.estado = ReporteMensual.Estado.ENVIADO if enviar else ReporteMensual.Estado.BORRADOR
        reporte.enviado_en = timezone.now() if enviar else None
    reporte.actualizado_por = usuario
    reporte.version += 1
    reporte._change_reason = motivo[:100]
    reporte._history_user = usuario
    reporte.save()
    return reporte


def advertencias_de_meses(*, reportes: list[ReporteMensual]) -> dict[int, list[str]]:
    """`advertencias_del_mes` of many months at once ({report id: warnings}), with the figures
    read in one query for all of them and the months before them, and the enrolments in one
    more when a centre keeps the nominal registry."""
    if not reportes:
        return {}
    centros = Centro.objects.select_related("indicador_usuarios").in_bulk(
        {reporte.centro_id for reporte in reportes}
    )
    meses = [Mes(reporte.anio, reporte.mes) for reporte in reportes]
    desde = min(meses).mas(-MESES_RECIENTES)
    # The months' own figures and those of the months before them, by centre and month.
    valores_de: dict[int, dict[str, Decimal]] = {}
    del_mes: dict[tuple[int, Mes], list[tuple[str, Decimal, str]]] = {}
    for reporte_id, centro_id, anio, mes, codigo, valor, nombre in CifraMensual.objects.filter(
        reporte__centro_id__in=list(centros),
        reporte__anio__gte=desde.anio,
        reporte__anio__lte=max(meses).anio,
    ).values_list(
        "reporte_id",
        "reporte__centro_id",
        "reporte__anio",
        "reporte__mes",
        "indicador__codigo",
        "valor",
        "indicador__nombre",
    ):
        valores_de.setdefault(reporte_id, {})[codigo] = valor
        del_mes.setdefault((centro_id, Mes(anio, mes)), []).append((codigo, valor, nombre))
    inscripciones: dict[int, list[tuple[int, datetime.date, datetime.date | None]]] = {}
    nominales = [pk for pk, centro in centros.items() if centro.lleva_registro_nominal]
    if nominales:
        for centro_id, beneficiario_id, inicio, fin in Inscripcion.objects.filter(
            centro_id__in=nominales, desde__lte=max(meses).ultimo_dia
        ).values_list("centro_id", "beneficiario_id", "desde", "hasta"):
            inscripciones.setdefault(centro_id, []).append((beneficiario_id, inicio, fin))

    def inscritos(centro_id: int, mes: Mes) -> int:
        # As `inscritos_en_mes` counts them: people enrolled some day of the month.
        return len(
            {
                beneficiario_id
                for beneficiario_id, inicio, fin in inscripciones.get(centro_id, [])
                if inicio <= mes.ultimo_dia and (fin is None or fin >= mes.primer_dia)
            }
        )

    advertencias = {}
    for reporte, mes in zip(reportes, meses, strict=True):
        valores = valores_de.get(reporte.pk, {})
        recientes = [
            (codigo, anterior, valor, nombre)
            for anterior in (mes.mas(-atras) for atras in range(MESES_RECIENTES, 0, -1))
            for codigo, valor, nombre in del_mes.get((reporte.centro_id, anterior), [])
            if codigo in valores
        ]
        advertencias[reporte.pk] = _advertencias(
            centro=centros[reporte.centro_id],
            mes=mes,
            valores=valores,
            recientes=recientes,
            inscritos=lambda centro_id=reporte.centro_id, mes=mes: inscritos(centro_id, mes),
        )
    return advertencias


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
    _reportes_pasar(
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


def motivo_de_edicion(*, comentario: str, enviar: bool) -> str:
    """What the history says of a save from a month's page."""
    return comentario.strip()[:100] or ("Enviado" if enviar else "Borrador")


@transaction.atomic
def reporte_guardar(
    *,
    centro: Centro,
    anio: int,
    mes: int,
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
    limpios = valores_validar(centro=centro, valores=valores)
    reporte = reporte_para_editar(centro=centro, anio=anio, mes=mes, version=version, hoy=hoy)
    motivo = motivo_de_edicion(comentario=comentario, enviar=enviar)
    cifras_del_mes_guardar(
        reporte=reporte,
        valores=limpios,
        usuario=usuario,
        motivo=motivo,
        comentario=comentario.strip(),
    )
    return reporte_cerrar_edicion(
        reporte=reporte, usuario=usuario, motivo=motivo, comentario=comentario, enviar=enviar
    )


def cifras_del_mes_guardar(
    *,
    reporte: ReporteMensual,
    valores: dict[str, Decimal],
    usuario,
    motivo: str,
    comentario: str | None = None,
) -> int:
    """Writes validated figures into an open month, leaving unchanged ones alone (and, when
    given, the comment that explains them); returns how many were written."""
    existentes = {
        cifra.indicador.codigo: cifra for cifra in reporte.cifras.select_related("indicador")
    }
    indicadores = {
        ic.indicador.codigo: ic.indicador
        for ic in reporte.centro.indicadores_centro.select_related("indicador")
    }
    escritas = 0
    for codigo, valor in valores.items():
        cifra = existentes.get(codigo)
        if cifra is not None and cifra.valor == valor:
            continue
        cifra = cifra or CifraMensual(reporte=reporte, indicador=indicadores[codigo])
        cifra.valor = valor
        if comentario is not None:
            cifra.comentario = comentario
        fila_del_mes_guardar(fila=cifra, usuario=usuario, motivo=motivo)
        escritas += 1
    return escritas


@dataclass(frozen=True)
class ResultadoAprobacion:
    aprobados: int
    # Not submitted (drafts, months approved already): left as they are.
    no_enviados: int
    # Changed after the coordinator saw them: they must be looked at again.
    cambiados: list[ReporteMensual]
    # With warnings, in a bulk approval: approved one by one, after their warnings are read.
    con_advertencias: list[ReporteMensual]
    # Of a year whose report is published: approved only while its erratum is open.
    cerrados: list[ReporteMensual] = field(default_factory=list)
    motivo_cierre: str = ""

    @property
    def mensaje(self) -> str:
        """What happened, in sentences for the coordinator, naming the months not approved."""
        if self.aprobados == 1:
            mensaje = "1 mes aprobado"
        else:
            mensaje = f"{self.aprobados or 'Ningún'} meses aprobados".replace(
                "Ningún meses aprobados", "Ningún mes aprobado"
            )
        if self.no_enviados == 1:
            mensaje += "; 1 omitido (no estaba enviado)"
        elif self.no_enviados:
            mensaje += f"; {self.no_enviados} omitidos (no estaban enviados)"
        mensaje += "."
        if self.cambiados:
            mensaje += (
                " No se aprobó porque cambió después de que usted lo abrió (revíselo de nuevo): "
                f"{_meses_nombrados(self.cambiados)}."
            )
        if self.con_advertencias:
            mensaje += (
                " Con advertencias, se aprueba cada uno desde su revisión, tras leerlas: "
                f"{_meses_nombrados(self.con_advertencias)}."
            )
        if self.cerrados:
            mensaje += f" No se aprobó {_meses_nombrados(self.cerrados)}. {self.motivo_cierre}"
        return mensaje


def _meses_nombrados(reportes: list[ReporteMensual]) -> str:
    return "; ".join(
        f"{reporte.centro.nombre_corto}, {Mes(reporte.anio, reporte.mes)}" for reporte in reportes
    )


def _reportes_pasar(reportes: list[ReporteMensual], *, usuario, motivo: str, **campos) -> None:
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


@transaction.atomic
def reportes_aprobar(
    *, versiones: dict[int, int], usuario, advertencias_vistas: bool = False
) -> ResultadoAprobacion:
    """Approves the submitted months among the given ones ({report id: the version the
    coordinator saw}). Not approved, and said: a month changed since that version, and, unless
    the coordinator approves it from its review with the warnings in sight
    (`advertencias_vistas`), a month with warnings. Drafts and months approved already are
    left as they are."""
    reportes = list(
        ReporteMensual.objects.select_for_update(of=("self",))
        .select_related("centro")
        .filter(pk__in=list(versiones))
        .order_by("centro__numero", "anio", "mes")
    )
    cierres = {anio: anio_cerrado_motivo(anio) for anio in {r.anio for r in reportes}}
    en_revision = [r for r in reportes if r.estado == ReporteMensual.Estado.ENVIADO]
    cerrados = [r for r in en_revision if cierres[r.anio]]
    enviados = [r for r in en_revision if not cierres[r.anio]]
    cambiados = [r for r in enviados if r.version != versiones[r.pk]]
    con_advertencias = [
        r for r in enviados if r not in cambiados and r.advertencias and not advertencias_vistas
    ]
    aprobar = [r for r in enviados if r not in cambiados and r not in con_advertencias]
    _reportes_pasar(
        aprobar,
        usuario=usuario,
        motivo="Aprobado",
        estado=ReporteMensual.Estado.APROBADO,
        aprobado_por=usuario,
        aprobado_en=timezone.now(),
    )
    return ResultadoAprobacion(
        aprobados=len(aprobar),
        no_enviados=len(versiones) - len(enviados) - len(cerrados),
        cambiados=cambiados,
        con_advertencias=con_advertencias,
        cerrados=cerrados,
        motivo_cierre=next((m for m in cierres.values() if m), ""),
    )


@dataclass(frozen=True)
class ResultadoEnvio:
    enviados: int
    # Drafts left as they are, to be sent from their page with a comment.
    con_advertencias: list[ReporteMensual]
    # Drafts without every figure their centre reports.
    incompletos: list[ReporteMensual]
    # Already in review (a file may update a submitted month): nothing to send.
    ya_enviados: int = 0

    @property
    def mensaje(self) -> str:
        """What happened, in sentences for the person who sent them, naming the months left
        as drafts and why."""
        if self.enviados == 1:
            mensaje = "Se envió a revisión 1 mes"
        elif self.enviados:
            mensaje = f"Se enviaron a revisión {self.enviados} meses"
        else:
            mensaje = "No se envió ningún mes a revisión"
        for reportes, por_que in (
            (self.con_advertencias, "por advertencias"),
            (self.incompletos, "por faltar cifras"),
        ):
            if reportes:
                quedaron = "quedó" if len(reportes) == 1 else "quedaron"
                mensaje += (
                    f"; {len(reportes)} {quedaron} en borrador {por_que}: "
                    f"{_meses_listados(reportes)}"
                )
        if self.ya_enviados == 1:
            mensaje += "; 1 ya estaba en revisión"
        elif self.ya_enviados:
            mensaje += f"; {self.ya_enviados} ya estaban en revisión"
        mensaje += "."
        if self.con_advertencias or self.incompletos:
            mensaje += (
                " Los borradores se envían desde su mes, con un comentario si hay advertencias."
            )
        return mensaje


def _meses_listados(reportes: list[ReporteMensual]) -> str:
    return ", ".join(
        f"{reporte.centro.nombre_corto} – {Mes(reporte.anio, reporte.mes)}" for reporte in reportes
    )


def _borradores_enviar(reportes, *, usuario, motivo: str) -> ResultadoEnvio:
    """Submits the drafts among `reportes` (a queryset) that hold all the figures their centre
    reports and have no warnings: what a month's page would let through without a comment."""
    borradores = list(
        reportes.filter(estado=ReporteMensual.Estado.BORRADOR)
        .select_related("centro")
        .annotate(
            escritas=Count("cifras", distinct=True),
            esperadas=Count("centro__indicadores_centro", distinct=True),
        )
        .order_by("centro__numero", "anio", "mes")
    )
    con_advertencias = [r for r in borradores if r.advertencias]
    # A centre that reports no figure has no complete month.
    incompletos = [
        r
        for r in borradores
        if not r.advertencias and (not r.esperadas or r.escritas != r.esperadas)
    ]
    quedan = {r.pk for r in [*con_advertencias, *incompletos]}
    listos = [r.pk for r in borradores if r.pk not in quedan]
    # Locked apart (PostgreSQL locks no rows of a grouped query), and checked again: a month
    # saved since the read above is left for its next submission.
    enviar = list(
        ReporteMensual.objects.select_for_update(of=("self",)).filter(
            pk__in=listos, estado=ReporteMensual.Estado.BORRADOR, advertencias=[]
        )
    )
    _reportes_pasar(
        enviar,
        usuario=usuario,
        motivo=motivo,
        estado=ReporteMensual.Estado.ENVIADO,
        enviado_en=timezone.now(),
        actualizado_por=usuario,
    )
    return ResultadoEnvio(
        enviados=len(enviar), con_advertencias=con_advertencias, incompletos=incompletos
    )


@transaction.atomic
def reportes_enviar(*, centro: Centro, anio: int, usuario) -> int:
    """Submits in one step every draft of the centre's year that holds all the figures the
    centre reports and has no warnings: what its month page would let through without a
    comment. The others stay drafts, to be sent from their page. Returns how many. Refused in
    a year whose report is published, unless its erratum is open."""
    anio_abierto_comprobar(anio)
    return _borradores_enviar(
        ReporteMensual.objects.filter(centro=centro, anio=anio),
        usuario=usuario,
        motivo="Enviado con los demás borradores del año",
    ).enviados


@transaction.atomic
def reportes_importados_enviar(*, reporte_ids: list[int], usuario, motivo: str) -> ResultadoEnvio:
    """Submits, among the given months (those a file wrote), the drafts `reportes_enviar`
    would submit: complete and without warnings. The others stay as they are, named in the
    result with why. Call inside the import's transaction, so that the import and the
    submission are written together or not at all."""
    reportes = ReporteMensual.objects.filter(pk__in=reporte_ids)
    ya_enviados = reportes.filter(estado=ReporteMensual.Estado.ENVIADO).count()
    resultado = _borradores_enviar(reportes, usuario=usuario, motivo=motivo)
    return replace(resultado, ya_enviados=ya_enviados)


@transaction.atomic
def reporte_reabrir(*, reporte: ReporteMensual, motivo: str, usuario) -> ReporteMensual:
    """Reopens an approved month as a draft, with the stated reason in its history. A month
    of a published year is how its erratum starts: the erratum opens with the same reason
    (`casmul.cierres`), or the month joins the one open."""
    motivo = motivo.strip()
    if not motivo:
        raise ValidationError({"motivo": "Indique por qué se reabre el mes."})
    reporte = ReporteMensual.objects.select_for_update().get(pk=reporte.pk)
    if not reporte.aprobado:
        raise ValidationError("Solo se puede reabrir un mes aprobado.", code="no_aprobado")
    anio_abrir_para_corregir(anio=reporte.anio, usuario=usuario, motivo=motivo)
    reporte.estado = ReporteMensual.Estado.BORRADOR
    reporte.motivo_reapertura = motivo
    reporte.aprobado_por = None
    reporte.aprobado_en = None
    reporte.actualizado_por = usuario
    reporte.version += 1
    reporte._change_reason = f"Reabierto: {motivo}"[:100]
    reporte._history_user = usuario
    reporte.save()
    return reporte


@transaction.atomic
def operaciones_continuar(*, desde_anio: int, hasta_anio: int) -> int:
    """Records that the centres operating in `desde_anio` go on operating every year up to
    `hasta_anio` (staff unknown). Returns how many years of operation were added."""
    centros = list(Centro.objects.en_operacion(desde_anio).values_list("pk", flat=True))
    existentes = set(
        OperacionAnual.objects.filter(
            centro_id__in=centros, anio__gt=desde_anio, anio__lte=hasta_anio
        ).values_list("centro_id", "anio")
    )
    nuevas = [
        OperacionAnual(centro_id=centro, anio=anio)
        for anio in range(desde_anio + 1, hasta_anio + 1)
        for centro in centros
        if (centro, anio) not in existentes
    ]
    OperacionAnual.objects.bulk_create(nuevas)
    return len(nuevas)


# --- Nominal registry -----------------------------------------------------------------------

FALTA_DATO_PERSONA = "Obligatorio para registrar a una persona nueva."
# What a new person must have; the rest of `Beneficiario` has defaults.
_DATOS_PERSONA_NUEVA = ("apellidos", "nombres", "fecha_nacimiento", "sexo", "grupo_prioritario")


@dataclass(frozen=True)
class InscripcionRegistrada:
    inscripcion: Inscripcion
    # The cédula was registered already: that person was enrolled and the typed data unused.
    persona_existente: bool


def _fecha(fecha: datetime.date) -> str:
    return f"{fecha:%d/%m/%Y}"


# The registry's rules, as checks on values already read: the services below apply them to what
# they lock and read, the spreadsheet import (`centros.resources_beneficiarios`) to what it read
# once for the whole file, so that a file of 100.000 rows is not checked with queries per row.


def beneficiario_nuevo_comprobar(*, datos: dict) -> None:
    """The data a new person needs (`datos`: Beneficiario fields); ValidationError by field."""
    faltan = {
        campo: FALTA_DATO_PERSONA
        for campo in _DATOS_PERSONA_NUEVA
        if datos.get(campo) in (None, "")
    }
    if faltan:
        raise ValidationError(faltan)


def inscripcion_comprobar(
    *,
    fecha_nacimiento: datetime.date,
    centro: Centro,
    desde: datetime.date,
    inscripciones: list[Inscripcion],
) -> None:
    """Whether a person born on `fecha_nacimiento` may be enrolled in `centro` from `desde`:
    not before their birth, nor while one of their enrolments in that centre (`inscripciones`,
    those of the person in the centre; others are ignored) is still open on `desde`."""
    if desde < fecha_nacimiento:
        raise ValidationError(
            {"desde": "La inscripción no puede ser anterior a la fecha de nacimiento."}
        )
    abiertas = [
        inscripcion
        for inscripcion in inscripciones
        if inscripcion.centro_id == centro.pk
        and (inscripcion.hasta is None or inscripcion.hasta >= desde)
    ]
    if abiertas:
        abierta = max(abiertas, key=lambda inscripcion: inscripcion.desde)
        hasta = f"hasta el {_fecha(abierta.hasta)}" if abierta.hasta else "sin fecha de salida"
        raise ValidationError(
            f"Esta persona ya está inscrita en {centro.nombre_corto} desde el "
            f"{_fecha(abierta.desde)}, {hasta}: registre su salida o use una fecha posterior."
        )


def inscripcion_salida_comprobar(*, desde: datetime.date, hasta: datetime.date) -> None:
    """An exit on `hasta` from an enrolment that started on `desde`: not before it started."""
    if hasta < desde:
        raise ValidationError(
            {
                "hasta": "La fecha de salida no puede ser anterior a la de inscripción "
                f"({_fecha(desde)})."
            }
        )


@transaction.atomic
def beneficiario_inscribir(
    *, cedula: str, datos: dict, centro: Centro, desde: datetime.date
) -> InscripcionRegistrada:
    """Enrols the person with this cédula in `centro` from `desde`. A cédula already in the
    registry enrols that person (one person, one row, whatever centre registered them); a new
    one creates the person from `datos` (the Beneficiario fields). Refused while the person
    has an enrolment in the same centre that is still open on `desde`."""
    beneficiario = Beneficiario.objects.select_for_update().filter(cedula=cedula).first()
    persona_existente = beneficiario is not None
    if beneficiario is None:
        beneficiario_nuevo_comprobar(datos=datos)
        beneficiario = Beneficiario(cedula=cedula, **datos)
        beneficiario.full_clean()
        try:
            with transaction.atomic():
                beneficiario.save()
        except IntegrityError:
            # Registered by someone else since the lookup: enrol that person.
            beneficiario = Beneficiario.objects.select_for_update().get(cedula=cedula)
            persona_existente = True
    inscripcion_comprobar(
        fecha_nacimiento=beneficiario.fecha_nacimiento,
        centro=centro,
        desde=desde,
        # A person has a handful of enrolments in a centre: read them all, the rule picks.
        inscripciones=list(Inscripcion.objects.filter(beneficiario=beneficiario, centro=centro)),
    )
    inscripcion = Inscripcion(beneficiario=beneficiario, centro=centro, desde=desde)
    inscripcion.full_clean()
    inscripcion.save()
    return InscripcionRegistrada(inscripcion=inscripcion, persona_existente=persona_existente)


@transaction.atomic
def inscripcion_finalizar(*, inscripcion: Inscripcion, hasta: datetime.date) -> Inscripcion:
    """Records the person's exit from the centre on `hasta` (or corrects it): not before the
    enrolment started."""
    inscripcion = (
        Inscripcion.objects.select_for_update(of=("self",))
        .select_related("beneficiario", "centro")
        .get(pk=inscripcion.pk)
    )
    inscripcion_salida_comprobar(desde=inscripcion.desde, hasta=hasta)
    inscripcion.hasta = hasta
    inscripcion.full_clean()
    inscripcion.save(update_fields=["hasta"])
    return inscripcion


# Anonymisation (LOPDP, right to erasure): what replaces a person's identifying data.
ANONIMO_APELLIDOS = "Persona"
ANONIMO_NOMBRES = "anonimizada"  # the person reads "Persona anonimizada" everywhere


def cedula_anonima(beneficiario_id: int) -> str:
    """A unique placeholder for the cédula of an anonymised person, 10 characters like the
    field: "ANON" and the id in six digits (or "A" and nine digits past a million people).
    It carries letters, so it can never be a real cédula (10 ASCII digits) nor collide with
    one, and the id makes it unique."""
    if beneficiario_id < 10**6:
        return f"ANON{beneficiario_id:06d}"
    return f"A{beneficiario_id:09d}"


@transaction.atomic
def beneficiario_anonimizar(*, beneficiario: Beneficiario, usuario, motivo: str) -> Beneficiario:
    """Erases who the person is, for good, and keeps what the aggregates count: names become
    "Persona anonimizada", the cédula a placeholder (`cedula_anonima`), the birth date the
    1 January of its year (the age group of the yearly figures stays); sex, disability,
    priority group and enrolments stay, so counts per centre and year do not move.

    The person's django-simple-history rows are overwritten with the same values rather than
    deleted: who changed the record and when remains (the accountability the history is for),
    while no row keeps the old identity. The admin's log (`LogEntry.object_repr`) of the
    person and their enrolments gets the new name too. The reason goes into the history row
    of the anonymisation, with the user who did it."""
    # Imported here: the admin's log is written by the admin only, except for this erasure.
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    motivo = motivo.strip()
    if not motivo:
        raise ValidationError({"motivo": "Indique el motivo de la anonimización."})
    persona = Beneficiario.objects.select_for_update().get(pk=beneficiario.pk)
    cedula = cedula_anonima(persona.pk)
    if persona.cedula == cedula:
        raise ValidationError("Esta persona ya fue anonimizada.")
    antiguos = [persona.cedula, persona.nombres, persona.apellidos]
    anonimos = {
        "cedula": cedula,
        "nombres": ANONIMO_NOMBRES,
        "apellidos": ANONIMO_APELLIDOS,
        "fecha_nacimiento": persona.fecha_nacimiento.replace(month=1, day=1),
    }
    for campo, valor in anonimos.items():
        setattr(persona, campo, valor)
    # The placeholder fails `validar_cedula` on purpose (it has letters, so it is no one's
    # cédula): every other field is still validated.
    persona.full_clean(exclude=["cedula"])
    persona._history_user = usuario
    persona._change_reason = f"Anonimización: {motivo}"
    persona.save()

    historial = Beneficiario.history.filter(id=persona.pk)
    historial.update(**anonimos)
    # A reason typed by hand in an earlier change could name the person: those go too.
    for fila in historial.exclude(history_change_reason__isnull=True).exclude(
        history_change_reason=""
    ):
        if any(antiguo and antiguo in fila.history_change_reason for antiguo in antiguos):
            fila.history_change_reason = "(motivo retirado al anonimizar a la persona)"
            fila.save(update_fields=["history_change_reason"])

    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Beneficiario), object_id=str(persona.pk)
    ).update(object_repr=str(persona)[:200])
    for inscripcion in persona.inscripciones.select_related("centro"):
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Inscripcion),
            object_id=str(inscripcion.pk),
        ).update(object_repr=str(inscripcion)[:200])
    return persona
