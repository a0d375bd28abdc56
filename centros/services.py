"""Writes of `centros`."""

import calendar
import datetime
from dataclasses import dataclass, replace
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError
from simple_history.utils import bulk_update_with_history

from casmul.formato import numero
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
    """`mes_comprobar_abierto` with the centre's operation of that year read here."""
    operacion = (
        OperacionAnual.objects.filter(centro=centro, anio=anio)
        .values_list("mes_inicio", "mes_fin")
        .first()
    )
    mes_comprobar_abierto(
        centro=centro, mes=Mes(anio, mes), operacion=operacion, hoy=hoy or timezone.localdate()
    )


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
    recientes: dict[str, list[tuple[int, Decimal]]] = {}
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
    nombres = {}
    for codigo, fila_anio, fila_mes, valor, nombre in filas:
        recientes.setdefault(codigo, []).append((Mes(fila_anio, fila_mes), Decimal(valor)))
        nombres[codigo] = nombre
    anterior = Mes(anio, mes).anterior
    advertencias = []
    for codigo, valor in valores.items():
        serie = recientes.get(codigo, [])
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
            inscritos = inscritos_en_mes(centro=centro, anio=anio, mes=mes)
            if valor != inscritos:
                advertencias.append(
                    f"{usuarios.nombre}: {numero(valor)} no coincide con las {numero(inscritos)} "
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


def fila_del_mes_guardar(*, fila, usuario, motivo: str) -> None:
    """Saves a row of an open month (a figure, a clinic row) with who and why in its history."""
    fila._change_reason = motivo[:100]
    # Named explicitly: outside a web request (scripts, imports) the middleware sets nobody.
    fila._history_user = usuario
    # The month and the figure were chosen by the caller from records it read: checking that
    # they exist again would cost a query per foreign key per row (an import writes thousands).
    relaciones = [campo.name for campo in fila._meta.concrete_fields if campo.is_relation]
    # The rules of the values were applied by the caller (`casmul.numeros`) and the database
    # holds the constraints: not asked again row by row either.
    fila.full_clean(exclude=relaciones, validate_unique=False, validate_constraints=False)
    fila.save()


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
        return mensaje


def _meses_nombrados(reportes: list[ReporteMensual]) -> str:
    return "; ".join(
        f"{reporte.centro.nombre_corto}, {Mes(reporte.anio, reporte.mes)}" for reporte in reportes
    )


def _reportes_pasar(reportes: list[ReporteMensual], *, usuario, motivo: str, **campos) -> None:
    """Moves many locked months to a new state at once: the fields given, a new version each,
    and a history entry each with who and why."""
    for reporte in reportes:
        for campo, valor in campos.items():
            setattr(reporte, campo, valor)
        reporte.version += 1
    bulk_update_with_history(
        reportes,
        ReporteMensual,
        [*campos, "version"],
        default_user=usuario,
        default_change_reason=motivo,
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
    enviados = [r for r in reportes if r.estado == ReporteMensual.Estado.ENVIADO]
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
        no_enviados=len(versiones) - len(enviados),
        cambiados=cambiados,
        con_advertencias=con_advertencias,
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
    comment. The others stay drafts, to be sent from their page. Returns how many."""
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
    """Reopens an approved month as a draft, with the stated reason in its history."""
    motivo = motivo.strip()
    if not motivo:
        raise ValidationError({"motivo": "Indique por qué se reabre el mes."})
    reporte = ReporteMensual.objects.select_for_update().get(pk=reporte.pk)
    if not reporte.aprobado:
        raise ValidationError("Solo se puede reabrir un mes aprobado.", code="no_aprobado")
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


@dataclass(frozen=True)
class InscripcionRegistrada:
    inscripcion: Inscripcion
    # The cédula was registered already: that person was enrolled and the typed data unused.
    persona_existente: bool


def _fecha(fecha: datetime.date) -> str:
    return f"{fecha:%d/%m/%Y}"


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
        faltan = {
            campo: FALTA_DATO_PERSONA
            for campo in ("apellidos", "nombres", "fecha_nacimiento", "sexo", "grupo_prioritario")
            if datos.get(campo) in (None, "")
        }
        if faltan:
            raise ValidationError(faltan)
        beneficiario = Beneficiario(cedula=cedula, **datos)
        beneficiario.full_clean()
        try:
            with transaction.atomic():
                beneficiario.save()
        except IntegrityError:
            # Registered by someone else since the lookup: enrol that person.
            beneficiario = Beneficiario.objects.select_for_update().get(cedula=cedula)
            persona_existente = True
    if desde < beneficiario.fecha_nacimiento:
        raise ValidationError(
            {"desde": "La inscripción no puede ser anterior a la fecha de nacimiento."}
        )
    abierta = (
        Inscripcion.objects.filter(beneficiario=beneficiario, centro=centro)
        .filter(Q(hasta__isnull=True) | Q(hasta__gte=desde))
        .order_by("-desde")
        .first()
    )
    if abierta is not None:
        hasta = f"hasta el {_fecha(abierta.hasta)}" if abierta.hasta else "sin fecha de salida"
        raise ValidationError(
            f"Esta persona ya está inscrita en {centro.nombre_corto} desde el "
            f"{_fecha(abierta.desde)}, {hasta}: registre su salida o use una fecha posterior."
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
    if hasta < inscripcion.desde:
        raise ValidationError(
            {
                "hasta": "La fecha de salida no puede ser anterior a la de inscripción "
                f"({_fecha(inscripcion.desde)})."
            }
        )
    inscripcion.hasta = hasta
    inscripcion.full_clean()
    inscripcion.save(update_fields=["hasta"])
    return inscripcion
