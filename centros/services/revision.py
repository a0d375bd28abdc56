"""A month's review: submitting drafts, approving submitted months with the version the
coordinator saw, reopening an approved month."""

from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from casmul.cierres import anio_abierto_comprobar, anio_abrir_para_corregir, anio_cerrado_motivo
from casmul.meses import Mes
from casmul.versiones import datos_cambiaron

from ..models import Centro, Devolucion, PlazoDelAnio, ReporteMensual
from .avisos import mes_devuelto_programar
from .mes import reportes_pasar


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
    reportes_pasar(
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
    # Sent with warnings explained by the comment given for them all (an import's).
    explicados: int = 0

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
        if self.explicados == 1:
            mensaje += " (1 con advertencias, con su comentario)"
        elif self.explicados:
            mensaje += f" ({self.explicados} con advertencias, con su comentario)"
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


def _borradores_enviar(reportes, *, usuario, motivo: str, comentario: str = "") -> ResultadoEnvio:
    """Submits the drafts among `reportes` (a queryset) that hold all the figures their centre
    reports and have no warnings: what a month's page would let through without a comment.
    With a `comentario`, the complete drafts with warnings are submitted too, as their page
    would with a comment: their own if they have one, this one otherwise."""
    borradores = list(
        reportes.filter(estado=ReporteMensual.Estado.BORRADOR)
        .select_related("centro")
        .annotate(
            escritas=Count("cifras", distinct=True),
            # The figures its centre reports in the month's year.
            esperadas=Count(
                "centro__indicadores_centro",
                filter=(
                    Q(centro__indicadores_centro__desde_anio__isnull=True)
                    | Q(centro__indicadores_centro__desde_anio__lte=F("anio"))
                )
                & (
                    Q(centro__indicadores_centro__hasta_anio__isnull=True)
                    | Q(centro__indicadores_centro__hasta_anio__gte=F("anio"))
                ),
                distinct=True,
            ),
        )
        .order_by("centro__numero", "anio", "mes")
    )
    comentario = comentario.strip()

    def completo(reporte) -> bool:
        # A centre that reports no figure has no complete month.
        return bool(reporte.esperadas) and reporte.escritas == reporte.esperadas

    con_advertencias = [
        r for r in borradores if r.advertencias and not (comentario and completo(r))
    ]
    incompletos = [r for r in borradores if not r.advertencias and not completo(r)]
    quedan = {r.pk for r in [*con_advertencias, *incompletos]}
    listos = [r.pk for r in borradores if r.pk not in quedan]
    # Locked apart (PostgreSQL locks no rows of a grouped query), and checked again: a month
    # saved since the read above is left for its next submission.
    bloqueados = ReporteMensual.objects.select_for_update(of=("self",)).filter(
        pk__in=listos, estado=ReporteMensual.Estado.BORRADOR
    )
    enviar = list(bloqueados if comentario else bloqueados.filter(advertencias=[]))
    sin_explicar = [r for r in enviar if r.advertencias and not r.comentario.strip()]
    ahora = timezone.now()
    for grupo, campos in (
        ([r for r in enviar if r not in sin_explicar], {}),
        (sin_explicar, {"comentario": comentario}),
    ):
        reportes_pasar(
            grupo,
            usuario=usuario,
            motivo=motivo,
            estado=ReporteMensual.Estado.ENVIADO,
            enviado_en=ahora,
            actualizado_por=usuario,
            **campos,
        )
    return ResultadoEnvio(
        enviados=len(enviar),
        con_advertencias=con_advertencias,
        incompletos=incompletos,
        explicados=sum(1 for r in enviar if r.advertencias),
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
def reportes_importados_enviar(
    *, reporte_ids: list[int], usuario, motivo: str, comentario: str = ""
) -> ResultadoEnvio:
    """Submits, among the given months (those a file wrote), the drafts `reportes_enviar`
    would submit: complete and without warnings; with a `comentario` (one for the whole
    file), the complete ones with warnings too, each explained by its own comment or this
    one. The others stay as they are, named in the result with why. Call inside the import's
    transaction, so that the import and the submission are written together or not at all."""
    reportes = ReporteMensual.objects.filter(pk__in=reporte_ids)
    ya_enviados = reportes.filter(estado=ReporteMensual.Estado.ENVIADO).count()
    resultado = _borradores_enviar(reportes, usuario=usuario, motivo=motivo, comentario=comentario)
    return replace(resultado, ya_enviados=ya_enviados)


@transaction.atomic
def reporte_devolver(
    *,
    reporte: ReporteMensual,
    version: int,
    motivo: str,
    usuario,
    observaciones: dict[str, str] | None = None,
) -> Devolucion:
    """Sends a submitted month back to the centre with the coordination's `motivo` and, on
    the figures they concern, its `observaciones` ({indicator code: remark}): the month is
    the centre's again (devuelto) until it answers and submits it. Bound to the version the
    coordination read, as approval is; the figures and the comment as they were are kept, so
    that the next review shows what changed."""
    motivo = motivo.strip()
    if not motivo:
        raise ValidationError(
            {"motivo": "Escriba qué debe revisar el centro: lo leerá junto a sus cifras."}
        )
    reporte = ReporteMensual.objects.select_for_update().get(pk=reporte.pk)
    if reporte.estado != ReporteMensual.Estado.ENVIADO:
        raise ValidationError(
            f"{reporte} ya no está enviado ({reporte.get_estado_display().lower()}): no hay "
            "nada que devolver.",
            code="no_enviado",
        )
    if reporte.version != version:
        raise ValidationError(
            f"El centro cambió {reporte} desde que lo abrió (versión {version}, ahora "
            f"{reporte.version}): revise la versión nueva antes de devolverla.",
            code="version_cambiada",
        )
    anio_abierto_comprobar(reporte.anio)
    cifras = {
        cifra.indicador.codigo: str(cifra.valor)
        for cifra in reporte.cifras.select_related("indicador")
    }
    devolucion = Devolucion.objects.create(
        reporte=reporte,
        version=version,
        motivo=motivo,
        observaciones={
            codigo: texto.strip()
            for codigo, texto in (observaciones or {}).items()
            if texto.strip() and codigo in cifras
        },
        cifras=cifras,
        comentario=reporte.comentario,
        devuelto_por=usuario,
    )
    reporte.estado = ReporteMensual.Estado.DEVUELTO
    reporte.enviado_en = None
    reporte.version += 1
    reporte._change_reason = f"Devuelto: {motivo}"[:100]
    reporte._history_user = usuario
    reporte.save()
    datos_cambiaron(reporte.anio, solo_borradores=True)
    mes_devuelto_programar(reporte)
    return devolucion


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
    datos_cambiaron(reporte.anio)
    mes_devuelto_programar(reporte)
    return reporte


@transaction.atomic
def plazo_fijar(*, anio: int, dia: int, usuario) -> PlazoDelAnio:
    """Sets the day of the following month by which each month of `anio` is due."""
    if not 1 <= dia <= 28:
        raise ValidationError(
            {"dia": "Escriba un día del 1 al 28: todos los meses lo tienen."}, code="dia"
        )
    plazo, _ = PlazoDelAnio.objects.update_or_create(
        anio=anio, defaults={"dia": dia, "actualizado_por": usuario}
    )
    # The months due by today, which the report's completeness counts, follow the deadline.
    datos_cambiaron(anio)
    return plazo
