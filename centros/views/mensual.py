"""Monthly figures in the browser: a centre's year at a glance and one month's form.

Who may write: the centre's assigned staff (`centro_de_usuario` already limits them to their
centres) and the administration. The coordination reads every centre and approves or reopens
months on the completeness matrix; it does not type figures (a POST from it gets 403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from casmul.meses import PRIMER_ANIO
from casmul.permisos import puede_registrar_cifras

from ..estados import EstadoMes
from ..forms import CifrasMesForm, SinAtencionForm
from ..models import Indicador, LineaServicio
from ..paginas import PaginaDeMes, centro_de_usuario, mes_de_url, pagina_de_mes
from ..selectors.mensual import anio_de_centro, formulario_mensual, historial_de_mes
from ..services import (
    advertencias_de_cifras,
    reporte_guardar,
    reportes_enviar,
    sin_atencion_registrar,
)


@login_required
def mes(request, centro_id: int, anio: int, mes: int):
    centro = centro_de_usuario(request.user, centro_id)
    periodo = mes_de_url(anio, mes)
    if centro.linea_servicio == LineaServicio.SALUD:
        return redirect("salud:mes", centro_id=centro.pk, anio=anio, mes=mes)

    def guardar(form, **datos):
        return reporte_guardar(centro=centro, mes=periodo, valores=form.valores(), **datos)

    def advertencias(form):
        valores = {codigo: v for codigo, v in form.valores().items() if v is not None}
        return advertencias_de_cifras(centro=centro, mes=periodo, valores=valores)

    pagina = PaginaDeMes(
        leer=lambda: formulario_mensual(centro=centro, mes=periodo),
        formulario_form=CifrasMesForm,
        guardar=guardar,
        historial=lambda reporte: historial_de_mes(reporte=reporte),
        plantilla="centros/mes.html",
        url_mes="centros:mes",
        advertencias=advertencias,
    )
    return pagina_de_mes(request, centro=centro, mes=periodo, pagina=pagina)


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
        "sin_atencion": datos.sin_atencion,
        "form_sin_atencion": SinAtencionForm(),
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
            "regla": Indicador.Agregacion(indicador.agregacion).explicacion,
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
def sin_atencion(request, centro_id: int, anio: int):
    """Staff record days their centre did not serve, with the reason, from its year."""
    centro = centro_de_usuario(request.user, centro_id)
    mes_de_url(anio, 1)
    if not puede_registrar_cifras(request.user):
        raise PermissionDenied("Los días sin atención los registra el personal del centro.")
    form = SinAtencionForm(request.POST)
    if form.is_valid():
        try:
            periodo = sin_atencion_registrar(
                centro=centro, usuario=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for mensaje in error.messages:
                messages.error(request, f"No se registró: {mensaje}")
        else:
            messages.success(
                request,
                f"Registrado: {centro.nombre_corto} no atendió del {periodo.desde:%d/%m/%Y} al "
                f"{periodo.hasta:%d/%m/%Y} ({periodo.motivo}). Sus meses ya no piden explicar "
                "las cifras bajas.",
            )
    else:
        for errores in form.errors.values():
            for mensaje in errores:
                messages.error(request, f"No se registró: {mensaje}")
    return redirect("centros:anio", centro_id=centro.pk, anio=anio)


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
