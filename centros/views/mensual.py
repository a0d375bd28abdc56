"""Monthly figures in the browser: a centre's year at a glance and one month's form.

Who may write: the centre's assigned staff (`centro_de_usuario` already limits them to their
centres) and the administration. The coordination reads every centre and approves or reopens
months on the completeness matrix; it does not type figures (a POST from it gets 403)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from casmul.meses import PRIMER_ANIO, Mes, anio_valido
from casmul.permisos import puede_registrar_cifras

from ..estados import EstadoMes
from ..forms import CifrasMesForm, EdicionMesForm
from ..models import Indicador, LineaServicio, ReporteMensual
from ..selectors.mensual import anio_de_centro, formulario_mensual, historial_de_mes
from ..services import (
    ConflictoDeVersion,
    advertencias_de_cifras,
    reporte_guardar,
    reportes_enviar,
)
from .acceso import centro_de_usuario

REGLAS = {
    Indicador.Agregacion.SUMA: "suma de los meses: cada mes aporta lo suyo (es un flujo).",
    Indicador.Agregacion.MAXIMO: (
        "máximo mensual: las mismas personas siguen mes a mes y no se suman (es una existencia)."
    ),
    Indicador.Agregacion.PROMEDIO: "promedio de los meses reportados (es una existencia).",
}


def mes_de_url(anio: int, mes: int) -> Mes:
    """The month a URL names, or 404 when there is no such month in the portal's years."""
    if not 1 <= mes <= 12 or not anio_valido(anio, hoy=timezone.localdate()):
        raise Http404("Ese mes no existe.")
    return Mes(anio, mes)


@dataclass
class EdicionDeMes:
    """What differs between a centre's figures and the clinic's patients: how the month is
    read, its form, the service that saves it, its history and its template."""

    leer: Callable[[], Any]
    formulario_form: Callable[..., EdicionMesForm]
    guardar: Callable[..., ReporteMensual]
    historial: Callable[[ReporteMensual], list]
    plantilla: str
    url_mes: str
    advertencias: Callable[[EdicionMesForm], list[str]] | None = None


def pagina_de_mes(request, *, centro, anio: int, mes: int, edicion: EdicionDeMes):
    """GET shows the month; POST saves it as a draft or submits it, and on a refusal shows
    the typed values again with the reason (400), or, when someone saved first, what is
    stored now beside what the user typed (409)."""
    puede_registrar = puede_registrar_cifras(request.user)
    if request.method == "POST" and not puede_registrar:
        raise PermissionDenied("La Coordinación revisa y aprueba los meses; no registra cifras.")
    formulario = edicion.leer()
    form = edicion.formulario_form(
        request.POST if request.method == "POST" else None, formulario=formulario
    )
    estado_http, conflicto, advertencias = 200, None, None
    if form.is_bound:
        estado_http = 400
        if form.is_valid():
            try:
                reporte = edicion.guardar(
                    form,
                    version=form.cleaned_data["version"],
                    usuario=request.user,
                    comentario=form.cleaned_data["comentario"],
                    enviar=form.enviar,
                )
            except ConflictoDeVersion:
                actual = edicion.leer()
                conflicto = {"formulario": actual, "filas": form.comparar_con(actual)}
                datos = request.POST.copy()
                datos["version"] = actual.version
                formulario = actual
                form = edicion.formulario_form(datos, formulario=actual)
                estado_http = 409
            except ValidationError as error:
                form.errores_del_servicio(error)
                if form.falta_comentario and edicion.advertencias:
                    advertencias = edicion.advertencias(form)
            else:
                _avisar_guardado(request, reporte)
                return redirect(request.path)
    hoy = timezone.localdate()
    periodo = Mes(anio, mes)
    futuro = periodo.es_futuro(hoy)
    contexto = {
        "centro": centro,
        "anio": anio,
        "mes": mes,
        "formulario": formulario,
        "form": form,
        "conflicto": conflicto,
        # Warnings of what was just typed (a submit refused for lack of a comment), else the
        # ones stored at the last save.
        "advertencias": advertencias
        if advertencias is not None
        else (formulario.reporte.advertencias if formulario.reporte else []),
        "advertencias_nuevas": advertencias is not None,
        "historial": edicion.historial(formulario.reporte) if formulario.reporte else [],
        "puede_registrar": puede_registrar,
        "url_mes": edicion.url_mes,
        "futuro": futuro,
        "bloqueado": not formulario.se_puede_registrar,
        # Typed values are never thrown away: after a refused POST the inputs come back.
        "con_campos": puede_registrar and (form.is_bound or formulario.se_puede_registrar),
        "anterior": periodo.anterior,
        "siguiente": None if periodo.siguiente.es_futuro(hoy) else periodo.siguiente,
    }
    return render(request, edicion.plantilla, contexto, status=estado_http)


def _avisar_guardado(request, reporte: ReporteMensual) -> None:
    periodo = f"{reporte.get_mes_display().lower()} de {reporte.anio}"
    if reporte.estado == ReporteMensual.Estado.ENVIADO:
        messages.success(
            request, f"Se envió {periodo} a revisión. La Coordinación de planificación lo aprobará."
        )
    elif reporte.advertencias:
        messages.warning(
            request,
            f"Se guardó el borrador de {periodo} con advertencias: revíselas y, antes de enviar, "
            "explique las cifras en el comentario.",
        )
    else:
        messages.success(request, f"Se guardó el borrador de {periodo}.")


@login_required
def mes(request, centro_id: int, anio: int, mes: int):
    centro = centro_de_usuario(request.user, centro_id)
    mes_de_url(anio, mes)
    if centro.linea_servicio == LineaServicio.SALUD:
        return redirect("salud:mes", centro_id=centro.pk, anio=anio, mes=mes)

    def guardar(form, **datos):
        return reporte_guardar(centro=centro, anio=anio, mes=mes, valores=form.valores(), **datos)

    def advertencias(form):
        valores = {codigo: v for codigo, v in form.valores().items() if v is not None}
        return advertencias_de_cifras(centro=centro, anio=anio, mes=mes, valores=valores)

    edicion = EdicionDeMes(
        leer=lambda: formulario_mensual(centro=centro, anio=anio, mes=mes),
        formulario_form=CifrasMesForm,
        guardar=guardar,
        historial=lambda reporte: historial_de_mes(reporte=reporte),
        plantilla="centros/mes.html",
        url_mes="centros:mes",
        advertencias=advertencias,
    )
    return pagina_de_mes(request, centro=centro, anio=anio, mes=mes, edicion=edicion)


@login_required
@require_safe
def anio(request, centro_id: int, anio: int):
    centro = centro_de_usuario(request.user, centro_id)
    mes_de_url(anio, 1)
    hoy = timezone.localdate()
    datos = anio_de_centro(centro=centro, anio=anio, hoy=hoy)
    # The clinic reports patients by service (salud), not figures: its year shows the
    # months' status and each month opens its own page.
    clinica = centro.linea_servicio == LineaServicio.SALUD
    columnas, filas, anuales = _tabla_cifras(datos)
    contexto = {
        "centro": centro,
        "anio": anio,
        "datos": datos,
        "clinica": clinica,
        "columnas": columnas,
        "filas": filas,
        "anuales": anuales,
        "puede_registrar": puede_registrar_cifras(request.user),
        "borradores": sum(1 for mes in datos.meses if mes.estado == EstadoMes.BORRADOR),
        "anterior": anio - 1 if anio > PRIMER_ANIO else None,
        "siguiente": anio + 1 if anio < hoy.year else None,
    }
    return render(request, "centros/anio.html", contexto)


def _tabla_cifras(datos):
    """Months as rows, the centre's figures as columns, the year by each figure's rule."""
    columnas = [
        {
            "nombre": indicador.nombre,
            "monetaria": indicador.es_monetario,
            "regla": REGLAS[indicador.agregacion],
            "nota": posicion,
        }
        for posicion, indicador in enumerate(datos.indicadores, start=1)
    ]
    filas = [
        {
            "mes": mes,
            "enlace": mes.estado.se_puede_abrir or bool(mes.valores),
            "celdas": [
                {"valor": mes.valores.get(i.codigo), "monetaria": i.es_monetario}
                for i in datos.indicadores
            ],
        }
        for mes in datos.meses
    ]
    anuales = [
        {"valor": datos.anuales.get(i.codigo), "monetaria": i.es_monetario}
        for i in datos.indicadores
    ]
    return columnas, filas, anuales


@login_required
@require_POST
def enviar_borradores(request, centro_id: int, anio: int):
    """Sends the year's drafts that need no comment to review, in one step."""
    centro = centro_de_usuario(request.user, centro_id)
    mes_de_url(anio, 1)
    if not puede_registrar_cifras(request.user):
        raise PermissionDenied("La Coordinación revisa y aprueba los meses; no los envía.")
    try:
        enviados = reportes_enviar(centro=centro, anio=anio, usuario=request.user)
    except ValidationError as error:
        # The year's report is published: only its erratum opens it.
        messages.error(request, " ".join(error.messages))
        return redirect("centros:anio", centro_id=centro.pk, anio=anio)
    if enviados:
        meses = "1 mes" if enviados == 1 else f"{enviados} meses"
        messages.success(request, f"Se enviaron a revisión {meses} de {anio}.")
    else:
        messages.warning(
            request,
            "No hay borradores completos y sin advertencias que enviar: los demás se envían "
            "desde su mes, con un comentario.",
        )
    return redirect("centros:anio", centro_id=centro.pk, anio=anio)
