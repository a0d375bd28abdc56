"""The coordination's side of the monthly figures: which months are in, approve, reopen."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from casmul.exportar import descarga, hoja_de_lista
from casmul.meses import MESES, PRIMER_ANIO, Mes, anio_valido
from casmul.permisos import coordinacion_requerida

from ..filters import CentrosCompletitudFilter
from ..forms import AprobarForm, AprobarMesForm, DevolverForm, PlazoForm, ReabrirForm
from ..models import Centro, ReporteMensual
from ..selectors.completitud import hoja_de_la_matriz, matriz_completitud, pagina_de_la_matriz
from ..selectors.mensual import devolucion_respondida, formulario_mensual, sin_atencion_del_mes
from ..services import plazo_fijar, reporte_devolver, reporte_reabrir, reportes_aprobar

# Centres per page of the matrix: a municipality's network fits in one; a national one (3.000
# centres) would be 15 MB of HTML.
CENTROS_POR_PAGINA = 100


def _url_matriz(anio: int, filtros: str = "") -> str:
    """The matrix of the year, with the filters it had (re-encoded: only a query string)."""
    url = reverse("centros:completitud", args=[anio])
    filtros = QueryDict(filtros).urlencode()
    return f"{url}?{filtros}" if filtros else url


@coordinacion_requerida
@require_safe
def matriz(request, anio: int):
    hoy = timezone.localdate()
    if not anio_valido(anio, hoy=hoy):
        raise Http404("No hay datos para ese año.")
    filtro = CentrosCompletitudFilter(
        request.GET or None, queryset=Centro.objects.all(), anio=anio, hoy=hoy
    )
    if formato := request.GET.get("formato"):
        # The download is the whole filtered matrix, every centre's row.
        matriz = matriz_completitud(centros=filtro.qs, anio=anio, hoy=hoy)
        archivo = hoja_de_lista(
            hoja_de_la_matriz(matriz), formato=formato, nombre=f"completitud-{anio}"
        )
        if archivo is None:
            raise Http404("Formato desconocido: use xlsx o csv.")
        return descarga(archivo)
    # The page builds its hundred rows only; the totals are the whole filtered matrix's.
    matriz = pagina_de_la_matriz(
        centros=filtro.qs,
        anio=anio,
        hoy=hoy,
        pagina=request.GET.get("pagina"),
        por_pagina=CENTROS_POR_PAGINA,
    )
    filtros = request.GET.copy()
    filtros.pop("pagina", None)
    contexto = {
        "anio": anio,
        "filtro": filtro,
        "matriz": matriz,
        "pagina": matriz.pagina,
        "meses": MESES,
        "anio_anterior": anio - 1 if anio > PRIMER_ANIO else None,
        "anio_siguiente": anio + 1 if anio < hoy.year else None,
        # For another year and the downloads: the filters, not the page.
        "filtros": filtros.urlencode(),
        # Where approving returns: this page of this matrix.
        "consulta": request.GET.urlencode(),
    }
    return render(request, "centros/completitud.html", contexto)


@coordinacion_requerida
@require_POST
def plazo(request, anio: int):
    """The coordination sets the year's due day from the matrix."""
    form = PlazoForm(request.POST)
    if form.is_valid():
        plazo_fijar(anio=anio, dia=form.cleaned_data["dia"], usuario=request.user)
        messages.success(
            request,
            f"Desde ahora, cada mes de {anio} vence el día {form.cleaned_data['dia']} del mes "
            "siguiente.",
        )
    else:
        for error in form.errors["dia"]:
            messages.error(request, f"No se cambió el plazo: {error}")
    return redirect(_url_matriz(anio, request.POST.get("filtros", "")))


@coordinacion_requerida
@require_POST
def aprobar(request, anio: int):
    form = AprobarForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors() or form.errors.get("reportes", []):
            messages.error(request, error)
        return redirect(_url_matriz(anio, request.POST.get("filtros", "")))
    resultado = reportes_aprobar(versiones=form.cleaned_data["versiones"], usuario=request.user)
    completo = resultado.aprobados and not (resultado.cambiados or resultado.con_advertencias)
    messages.add_message(
        request, messages.SUCCESS if completo else messages.WARNING, resultado.mensaje
    )
    return redirect(_url_matriz(anio, form.cleaned_data["filtros"]))


@coordinacion_requerida
def revisar(request, reporte_id: int):
    """A submitted month with its figures, their warnings and the centre's comment, approved
    from here with the version on screen: the only way to approve a month with warnings."""
    reporte = get_object_or_404(ReporteMensual.objects.select_related("centro"), pk=reporte_id)
    mes = formulario_mensual(centro=reporte.centro, mes=Mes(reporte.anio, reporte.mes))
    devolver = request.method == "POST" and request.POST.get("accion") == "devolver"
    datos = request.POST if request.method == "POST" else None
    form = AprobarMesForm(None if devolver else datos)
    form_devolver = DevolverForm(
        datos if devolver else None, codigos=[fila.codigo for fila in mes.filas]
    )
    if form.is_bound and form.is_valid():
        resultado = reportes_aprobar(
            versiones={reporte.pk: form.cleaned_data["version"]},
            usuario=request.user,
            advertencias_vistas=True,
        )
        if resultado.aprobados:
            messages.success(request, f"Se aprobó {reporte}.")
            return redirect(_url_matriz(reporte.anio))
        form.add_error(None, resultado.mensaje)
    if form_devolver.is_bound and form_devolver.is_valid():
        try:
            reporte_devolver(
                reporte=reporte,
                version=form_devolver.cleaned_data["version"],
                motivo=form_devolver.cleaned_data["motivo"],
                observaciones=form_devolver.observaciones,
                usuario=request.user,
            )
        except ValidationError as error:
            form_devolver.add_error(None, error)
        else:
            messages.success(request, f"Se devolvió {reporte} al centro con su observación.")
            return redirect(_url_matriz(reporte.anio))
    contexto = {
        "reporte": reporte,
        "mes": mes,
        "form": form,
        "form_devolver": form_devolver,
        "observaciones": [
            (fila, form_devolver[f"observacion_{fila.codigo}"]) for fila in mes.filas
        ],
        "devolucion": devolucion_respondida(reporte=reporte, filas=mes.filas),
        "sin_atencion": sin_atencion_del_mes(centro=reporte.centro, mes=mes.mes),
    }
    errores = form.errors or form_devolver.errors
    return render(request, "centros/revisar.html", contexto, status=400 if errores else 200)


@coordinacion_requerida
def reabrir(request, reporte_id: int):
    reporte = get_object_or_404(ReporteMensual.objects.select_related("centro"), pk=reporte_id)
    form = ReabrirForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            reporte_reabrir(
                reporte=reporte, motivo=form.cleaned_data["motivo"], usuario=request.user
            )
        except ValidationError as error:
            # {"motivo": …} or the month is no longer approved (reopened meanwhile).
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Se reabrió {reporte}: el centro ya puede corregir sus cifras y volver a "
                "enviarlas.",
            )
            return redirect(_url_matriz(reporte.anio))
    contexto = {
        "reporte": reporte,
        "mes": formulario_mensual(centro=reporte.centro, mes=Mes(reporte.anio, reporte.mes)),
        "form": form,
    }
    return render(request, "centros/reabrir.html", contexto)
