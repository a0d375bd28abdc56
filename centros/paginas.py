"""What the month pages of `centros` and `salud` share: the centre a URL names for its user, the
month a URL names, and one month's page (show it; save it as a draft or submit it). Not a views
module: an app's views are its own, and `salud` builds its page from these."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from casmul.meses import Mes, anio_valido
from casmul.permisos import puede_registrar_cifras

from .forms import EdicionMesForm
from .models import Centro, ReporteMensual
from .selectors.acceso import centros_de_usuario
from .services import ConflictoDeVersion


def centro_de_usuario(usuario, centro_id: int) -> Centro:
    """The centre if the user may see it; 404 otherwise (staff of another centre do not even
    learn that it exists)."""
    return get_object_or_404(centros_de_usuario(usuario), pk=centro_id)


def mes_de_url(anio: int, mes: int) -> Mes:
    """The month a URL names, or 404 when there is no such month in the portal's years."""
    if not 1 <= mes <= 12 or not anio_valido(anio, hoy=timezone.localdate()):
        raise Http404("Ese mes no existe.")
    return Mes(anio, mes)


@dataclass
class PaginaDeMes:
    """What differs between a centre's figures and the clinic's patients: how the month is
    read, its form, the service that saves it, its history and its template."""

    leer: Callable[[], Any]
    formulario_form: Callable[..., EdicionMesForm]
    guardar: Callable[..., ReporteMensual]
    historial: Callable[[ReporteMensual], list]
    plantilla: str
    url_mes: str
    advertencias: Callable[[EdicionMesForm], list[str]] | None = None


def pagina_de_mes(request, *, centro: Centro, mes: Mes, pagina: PaginaDeMes):
    """GET shows the month; POST saves it as a draft or submits it, and on a refusal shows
    the typed values again with the reason (400), or, when someone saved first, what is
    stored now beside what the user typed (409)."""
    puede_registrar = puede_registrar_cifras(request.user)
    if request.method == "POST" and not puede_registrar:
        raise PermissionDenied("La Coordinación revisa y aprueba los meses; no registra cifras.")
    formulario = pagina.leer()
    form = pagina.formulario_form(
        request.POST if request.method == "POST" else None, formulario=formulario
    )
    estado_http, conflicto, advertencias = 200, None, None
    if form.is_bound:
        estado_http = 400
        if form.is_valid():
            try:
                reporte = pagina.guardar(
                    form,
                    version=form.cleaned_data["version"],
                    usuario=request.user,
                    comentario=form.cleaned_data["comentario"],
                    enviar=form.enviar,
                )
            except ConflictoDeVersion:
                actual = pagina.leer()
                conflicto = {"formulario": actual, "filas": form.comparar_con(actual)}
                datos = request.POST.copy()
                datos["version"] = actual.version
                formulario = actual
                form = pagina.formulario_form(datos, formulario=actual)
                estado_http = 409
            except ValidationError as error:
                form.errores_del_servicio(error)
                if form.falta_comentario and pagina.advertencias:
                    advertencias = pagina.advertencias(form)
            else:
                _avisar_guardado(request, reporte)
                return redirect(request.path)
    hoy = timezone.localdate()
    futuro = mes.es_futuro(hoy)
    contexto = {
        "centro": centro,
        "anio": mes.anio,
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
        "historial": pagina.historial(formulario.reporte) if formulario.reporte else [],
        "puede_registrar": puede_registrar,
        "url_mes": pagina.url_mes,
        "futuro": futuro,
        "bloqueado": not formulario.se_puede_registrar,
        # Typed values are never thrown away: after a refused POST the inputs come back.
        "con_campos": puede_registrar and (form.is_bound or formulario.se_puede_registrar),
        "anterior": mes.anterior,
        "siguiente": None if mes.siguiente.es_futuro(hoy) else mes.siguiente,
    }
    return render(request, pagina.plantilla, contexto, status=estado_http)


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
