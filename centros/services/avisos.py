"""Notices by e-mail about the monthly work: a month returned or reopened, to its centre's
staff; the months submitted in a day, to the coordination as one digest; a reminder some days
before the due day, to the staff of centres that have not submitted. The task queue sends
them, never a request (the writes enqueue them when they commit); each person may turn each
kind off (`AvisoDesactivado`), and each is sent once per person and occasion (`AvisoEnviado`),
so a retried task or a second run of the day sends nothing twice."""

import datetime
from collections import defaultdict
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from casmul.direcciones import direccion_publica
from casmul.meses import Mes
from casmul.roles import Rol
from casmul.tareas import tarea_describir

from ..models import (
    AvisoDesactivado,
    AvisoEnviado,
    Centro,
    Devolucion,
    OperacionAnual,
    ReporteMensual,
    TipoDeAviso,
)
from ..selectors.estados import plazo_del_anio


def avisos_elegir(*, usuario, activos: set[str], tipos: list[str]) -> None:
    """Keeps on the kinds of `tipos` (those the user's roles receive) that are in `activos`,
    and turns off the others."""
    apagados = set(tipos) - set(activos)
    AvisoDesactivado.objects.filter(usuario=usuario, tipo__in=tipos).exclude(
        tipo__in=apagados
    ).delete()
    for tipo in apagados:
        AvisoDesactivado.objects.get_or_create(usuario=usuario, tipo=tipo)


def _quienes_lo_reciben(usuarios: QuerySet, tipo: str) -> QuerySet:
    return (
        usuarios.filter(is_active=True)
        .exclude(email="")
        .exclude(avisos_desactivados__tipo=tipo)
        .distinct()
        .order_by("pk")
    )


def _con_rol(rol: Rol) -> QuerySet:
    return get_user_model().objects.filter(groups__name=rol.value)


def _enviar(*, usuario, tipo: str, clave: str, asunto: str, plantilla: str, contexto) -> bool:
    """Sends one notice unless it was sent already; the record and the sending stand or fall
    together, so a failed send is tried again by the next run."""
    with transaction.atomic():
        _, nuevo = AvisoEnviado.objects.get_or_create(
            usuario=usuario, tipo=tipo, clave=clave, defaults={"asunto": asunto[:200]}
        )
        if not nuevo:
            return False
        cuerpo = render_to_string(
            plantilla,
            {**contexto, "usuario": usuario, "institucion": settings.INSTITUCION_NOMBRE},
        )
        EmailMessage(
            subject=f"[{settings.INSTITUCION_SIGLAS}] {asunto}", body=cuerpo, to=[usuario.email]
        ).send()
    return True


def mes_devuelto_avisar(*, reporte_id: int, version: int) -> int:
    """Tells the centre's staff that the coordination returned or reopened the month, why,
    and where to correct it. Nothing when the month moved on meanwhile (its staff already
    answered). Returns how many were sent."""
    reporte = ReporteMensual.objects.select_related("centro").filter(pk=reporte_id).first()
    if reporte is None or reporte.version != version:
        return 0
    devuelto = reporte.estado == ReporteMensual.Estado.DEVUELTO
    if devuelto:
        devolucion = Devolucion.objects.filter(reporte=reporte).first()
        motivo = devolucion.motivo if devolucion else ""
    elif reporte.estado == ReporteMensual.Estado.BORRADOR and reporte.motivo_reapertura:
        motivo = reporte.motivo_reapertura
    else:
        return 0
    accion = "Devuelto" if devuelto else "Reabierto"
    asunto = f"{accion}: {reporte.centro.nombre_corto}, {reporte.mes_del_anio}"
    personal = _quienes_lo_reciben(
        reporte.centro.personal_asignado.filter(groups__name=Rol.PERSONAL_CENTRO.value),
        TipoDeAviso.DEVUELTO,
    )
    contexto = {
        "reporte": reporte,
        "devuelto": devuelto,
        "motivo": motivo,
        "enlace": direccion_publica(reporte.get_absolute_url()),
        "preferencias": direccion_publica(reverse("mis_avisos")),
    }
    return sum(
        _enviar(
            usuario=usuario,
            tipo=TipoDeAviso.DEVUELTO,
            clave=f"mes-{reporte.pk}-v{version}",
            asunto=asunto,
            plantilla="centros/avisos/devuelto.txt",
            contexto=contexto,
        )
        for usuario in personal
    )


def mes_devuelto_programar(reporte: ReporteMensual) -> None:
    """Enqueues the notice of a return or reopen once the write commits (a write rolled back
    tells nobody)."""
    transaction.on_commit(
        partial(mes_devuelto_avisar_tarea.enqueue, reporte_id=reporte.pk, version=reporte.version)
    )


def resumen_diario_enviar(*, fecha: datetime.date) -> int:
    """Sends the coordination the months submitted on `fecha` that still wait for review, in
    one message each, and how many wait in all. Nothing on a day without submissions."""
    enviados = list(
        ReporteMensual.objects.filter(estado=ReporteMensual.Estado.ENVIADO, enviado_en__date=fecha)
        .select_related("centro")
        .order_by("anio", "mes", "centro__numero")
    )
    if not enviados:
        return 0
    contexto = {
        "fecha": fecha,
        "meses": [
            (reporte, direccion_publica(reverse("centros:revisar", args=[reporte.pk])))
            for reporte in enviados
        ],
        "en_espera": ReporteMensual.objects.filter(estado=ReporteMensual.Estado.ENVIADO).count(),
        "inicio": direccion_publica(reverse("inicio")),
        "preferencias": direccion_publica(reverse("mis_avisos")),
    }
    cuantos = "1 mes enviado" if len(enviados) == 1 else f"{len(enviados)} meses enviados"
    asunto = f"{cuantos} el {fecha:%d/%m/%Y} para revisar"
    return sum(
        _enviar(
            usuario=usuario,
            tipo=TipoDeAviso.RESUMEN,
            clave=f"resumen-{fecha.isoformat()}",
            asunto=asunto,
            plantilla="centros/avisos/resumen.txt",
            contexto=contexto,
        )
        for usuario in _quienes_lo_reciben(_con_rol(Rol.COORDINACION), TipoDeAviso.RESUMEN)
    )


def recordatorios_enviar(*, fecha: datetime.date) -> int:
    """From `AVISO_DIAS_ANTES_DEL_PLAZO` days before the month's due day to the day itself,
    reminds the staff of each centre that has not submitted the month which are theirs (once
    per month: the first run of the window sends it)."""
    mes = Mes.de_fecha(fecha).anterior
    vence = mes.vence(plazo_del_anio(mes.anio))
    if not 0 <= (vence - fecha).days <= settings.AVISO_DIAS_ANTES_DEL_PLAZO:
        return 0
    operan = OperacionAnual.objects.filter(
        anio=mes.anio, mes_inicio__lte=mes.numero, mes_fin__gte=mes.numero
    ).values("centro")
    entregados = ReporteMensual.objects.filter(
        anio=mes.anio,
        mes=mes.numero,
        estado__in=[ReporteMensual.Estado.ENVIADO, ReporteMensual.Estado.APROBADO],
    ).values("centro")
    faltan = Centro.objects.filter(pk__in=operan).exclude(pk__in=entregados)
    personal = _quienes_lo_reciben(
        _con_rol(Rol.PERSONAL_CENTRO).filter(centros_asignados__in=faltan),
        TipoDeAviso.RECORDATORIO,
    )
    suyos = defaultdict(list)
    for centro in (
        faltan.filter(personal_asignado__in=personal)
        .prefetch_related("personal_asignado")
        .order_by("numero")
        .distinct()
    ):
        for usuario in centro.personal_asignado.all():
            suyos[usuario.pk].append(
                (
                    centro,
                    direccion_publica(
                        reverse("centros:mes", args=[centro.pk, mes.anio, mes.numero])
                    ),
                )
            )
    return sum(
        _enviar(
            usuario=usuario,
            tipo=TipoDeAviso.RECORDATORIO,
            clave=f"recordatorio-{mes.anio}-{mes.numero:02d}",
            asunto=f"Plazo de {mes}: hasta el {vence:%d/%m/%Y}",
            plantilla="centros/avisos/recordatorio.txt",
            contexto={
                "mes": mes,
                "vence": vence,
                "centros": suyos[usuario.pk],
                "preferencias": direccion_publica(reverse("mis_avisos")),
            },
        )
        for usuario in personal
        if suyos[usuario.pk]
    )


@task()
def mes_devuelto_avisar_tarea(*, reporte_id: int, version: int) -> dict:
    enviados = mes_devuelto_avisar(reporte_id=reporte_id, version=version)
    return {"texto": f"Avisos enviados: {enviados}."}


@task()
def avisos_del_dia_tarea(*, fecha: str) -> dict:
    """The day's digest of the previous day's submissions and the reminders due (run each
    morning by `manage.py avisos_del_dia`)."""
    dia = datetime.date.fromisoformat(fecha)
    resumenes = resumen_diario_enviar(fecha=dia - datetime.timedelta(days=1))
    recordatorios = recordatorios_enviar(fecha=dia)
    return {"texto": f"Resúmenes enviados: {resumenes}; recordatorios: {recordatorios}."}


tarea_describir(
    mes_devuelto_avisar_tarea,
    titulo="Avisar al centro de un mes devuelto o reabierto",
    para_que="Envía por correo al personal del centro el motivo y el enlace al mes.",
)
tarea_describir(
    avisos_del_dia_tarea,
    titulo="Avisos del día {fecha}",
    para_que="Envía a la Coordinación el resumen de los meses enviados el día anterior y al "
    "personal de los centros los recordatorios del plazo.",
)
