from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from casmul.meses import Mes
from casmul.permisos import puede_registrar_cifras
from casmul.roles import Rol, tiene_rol

from ..estados import EstadoMes
from ..selectors.acceso import centros_de_usuario
from ..selectors.completitud import matriz_completitud
from ..selectors.inicio import (
    borradores_atrasados_de_otros_anios,
    centros_sin_personal,
    meses_por_revisar,
    meses_que_esperan,
    pendientes_del_mes,
)

POR_REVISAR_LISTADOS = 20


@login_required
@require_safe
def inicio(request):
    """What each role has to do now: centre staff, the month to report and their centres'
    pending months; the coordination, how complete the year is; the administration, both and
    what needs its attention. A constant number of queries however many centres."""
    hoy = timezone.localdate()
    # The year whose month is reported now: in January, December's.
    anio = Mes.de_fecha(hoy).anterior.anio
    es_administracion = tiene_rol(request.user, Rol.ADMINISTRACION)
    es_coordinacion = es_administracion or tiene_rol(request.user, Rol.COORDINACION)
    registra = puede_registrar_cifras(request.user)
    centros = centros_de_usuario(request.user)
    matriz = matriz_completitud(centros=centros, anio=anio, hoy=hoy)
    pendientes = pendientes_del_mes(centros=centros, matriz=matriz, hoy=hoy)
    del_anio = {fila.centro.pk: fila for fila in matriz.filas}
    debidos = matriz.debidos
    contexto = {
        "hoy": hoy,
        "anio": anio,
        "es_coordinacion": es_coordinacion,
        "es_administracion": es_administracion,
        "registra": registra,
        "matriz": matriz,
        "avance": matriz.aprobados / debidos if debidos else None,
        "avance_ancho": round(100 * matriz.aprobados / debidos) if debidos else 0,
        "mes_a_reportar": pendientes[0] if pendientes else None,
        # Months of any year sent back: waiting on staff, followed by the coordination.
        "esperan": meses_que_esperan(centros=centros),
        # Months past their due day and not submitted: drafts of earlier years, then the
        # year's by the matrix's cells.
        "atrasados": [
            *(
                []
                if es_coordinacion
                else borradores_atrasados_de_otros_anios(centros=centros, anio=anio, hoy=hoy)
            ),
            *(
                (fila.centro, celda)
                for fila in matriz.filas
                for celda in fila.celdas
                if celda.atrasado
            ),
        ],
        "centros": [
            {"pendiente": pendiente, "anio": del_anio.get(pendiente.centro.pk)}
            for pendiente in pendientes
        ],
    }
    if es_coordinacion:
        # The coordination's queue: submitted months of any year, oldest first.
        por_revisar = meses_por_revisar(centros=centros)
        contexto["por_revisar"] = list(por_revisar[:POR_REVISAR_LISTADOS])
        contexto["por_revisar_total"] = por_revisar.count()
    # The navigation's count is on this page already (`centros.context_processors`).
    contexto["pendientes_navegacion"] = (
        contexto["por_revisar_total"] if es_coordinacion else len(contexto["esperan"])
    )
    if es_administracion:
        contexto["por_aprobar"] = [fila for fila in matriz.filas if fila.enviados]
        contexto["sin_datos_del_mes"] = [p for p in pendientes if p.estado == EstadoMes.SIN_DATOS]
        contexto["sin_personal"] = list(centros_sin_personal(anio=anio))
    return render(request, "inicio.html", contexto)
