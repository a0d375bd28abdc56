"""The budget pages: budget lines, institutional budget, shared expenses and procurement.
The coordination reads them; only the administration writes (the coordination gets 403)."""

from collections.abc import Callable

import tablib
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from casmul.cierres import anio_cerrado_motivo
from casmul.exportar import descarga, hoja_de_lista
from casmul.formato import dinero, porcentaje
from casmul.forms import AnioForm
from casmul.meses import PRIMER_ANIO, anio_valido
from casmul.permisos import coordinacion_requerida, rol_requerido
from casmul.roles import Rol, tiene_rol

from .filters import GastosFilter, LineasFilter, ProcesosFilter
from .forms import (
    GastoComunForm,
    LineaPresupuestariaForm,
    PresupuestoInstitucionalForm,
    ProcesoContratacionForm,
)
from .models import GastoComun, LineaPresupuestaria, PresupuestoInstitucional, ProcesoContratacion
from .resources import hoja_de_lineas
from .selectors import (
    gastos_comunes_lista,
    gastos_comunes_total,
    lineas_lista,
    lineas_por_area,
    lineas_totales,
    presupuestos_institucionales,
    procesos_lista,
    procesos_totales,
    resumen_presupuesto,
)
from .services import (
    gasto_comun_guardar,
    linea_presupuestaria_guardar,
    presupuesto_institucional_guardar,
    proceso_contratacion_guardar,
)

administracion_requerida = rol_requerido(Rol.ADMINISTRACION)

POR_PAGINA = 50
# Query-string keys that are not filters: kept out of the links that carry the filters.
NO_FILTROS = ("pagina", "formato")


def _contexto_lista(request) -> dict:
    filtros = request.GET.copy()
    for clave in NO_FILTROS:
        filtros.pop(clave, None)
    return {
        "filtros": filtros.urlencode(),
        "puede_editar": tiene_rol(request.user, Rol.ADMINISTRACION),
    }


def _pagina(request, filas: QuerySet):
    return Paginator(filas, POR_PAGINA).get_page(request.GET.get("pagina"))


def _descarga(request, datos: tablib.Dataset, nombre: str):
    archivo = hoja_de_lista(datos, formato=request.GET["formato"], nombre=nombre)
    if archivo is None:
        raise Http404("Formato de descarga desconocido.")
    return descarga(archivo)


def _nombre_archivo(base: str, anio: int | None) -> str:
    return f"{base}-{anio}" if anio else f"{base}-todos-los-anios"


@coordinacion_requerida
@require_safe
def indice(request):
    """The year's totals, of the year in course unless another is chosen (`?anio=`)."""
    hoy = timezone.localdate()
    anio = hoy.year
    elegido = AnioForm(request.GET or None)
    if elegido.is_valid() and anio_valido(elegido.cleaned_data["anio"], hoy=hoy):
        anio = elegido.cleaned_data["anio"]
    contexto = {
        "resumen": resumen_presupuesto(anio=anio),
        "anios": range(hoy.year + 1, PRIMER_ANIO - 1, -1),
        "puede_editar": tiene_rol(request.user, Rol.ADMINISTRACION),
    }
    return render(request, "presupuesto/indice.html", contexto)


# --- Budget lines --------------------------------------------------------------------------


@coordinacion_requerida
@require_safe
def lineas(request):
    filtro = LineasFilter(request.GET, queryset=lineas_lista(), hoy=timezone.localdate())
    if "formato" in request.GET:
        nombre = _nombre_archivo("lineas-presupuestarias", filtro.anio_elegido)
        return _descarga(request, hoja_de_lineas(filtro.qs), nombre)
    contexto = {
        "filtro": filtro,
        "anio": filtro.anio_elegido,
        "pagina": _pagina(request, filtro.qs),
        "totales": lineas_totales(lineas=filtro.qs),
        "por_area": lineas_por_area(lineas=filtro.qs),
        **_contexto_lista(request),
    }
    return render(request, "presupuesto/lineas.html", contexto)


# --- Procurement ---------------------------------------------------------------------------


def _tabla_procesos(procesos: QuerySet[ProcesoContratacion]) -> tablib.Dataset:
    """The processes with the import's columns (and the regime, which it ignores)."""
    datos = tablib.Dataset(
        headers=[
            "Año",
            "Código",
            "Tipo",
            "Objeto",
            "Fecha",
            "Monto",
            "Estado",
            "Fecha de adjudicación",
            "Fecha de finalización",
            "Monto al finalizar",
            "Régimen legal",
        ],
        title="Contratación pública",
    )
    for proceso in procesos:
        datos.append(
            [
                proceso.anio,
                proceso.codigo,
                proceso.tipo.nombre,
                proceso.objeto,
                proceso.fecha,
                proceso.monto,
                proceso.get_estado_display(),
                proceso.fecha_adjudicacion,
                proceso.fecha_finalizacion,
                proceso.monto_final,
                proceso.regimen,
            ]
        )
    return datos


@coordinacion_requerida
@require_safe
def procesos(request):
    filtro = ProcesosFilter(request.GET, queryset=procesos_lista(), hoy=timezone.localdate())
    if "formato" in request.GET:
        nombre = _nombre_archivo("contratacion-publica", filtro.anio_elegido)
        return _descarga(request, _tabla_procesos(filtro.qs), nombre)
    contexto = {
        "filtro": filtro,
        "anio": filtro.anio_elegido,
        "pagina": _pagina(request, filtro.qs),
        "totales": procesos_totales(procesos=filtro.qs),
        **_contexto_lista(request),
    }
    return render(request, "presupuesto/procesos.html", contexto)


# --- Institutional budget and shared expenses ----------------------------------------------


@coordinacion_requerida
@require_safe
def institucional(request):
    contexto = {
        "presupuestos": presupuestos_institucionales(),
        "puede_editar": tiene_rol(request.user, Rol.ADMINISTRACION),
    }
    return render(request, "presupuesto/institucional.html", contexto)


@coordinacion_requerida
@require_safe
def gastos(request):
    filtro = GastosFilter(
        request.GET, queryset=gastos_comunes_lista(anio=None), hoy=timezone.localdate()
    )
    contexto = {
        "filtro": filtro,
        "anio": filtro.anio_elegido,
        "gastos": filtro.qs,
        "total": gastos_comunes_total(gastos=filtro.qs),
        **_contexto_lista(request),
    }
    return render(request, "presupuesto/gastos.html", contexto)


# --- Create and edit (administration) ------------------------------------------------------


def _editar(
    request,
    *,
    form_class,
    registro,
    guardar: Callable,
    titulo: str,
    lista: str,
    nombre_lista: str,
    guardado: Callable[[object], str],
):
    """The create/edit page of a record: the form validates, the service saves (with
    `full_clean` in its transaction); what was typed stays on the page with the messages."""
    nuevo = registro.pk is None
    # Said before the user types: a published year's records change only by an erratum.
    cerrado = None if nuevo else anio_cerrado_motivo(registro.anio)
    initial = {"anio": timezone.localdate().year} if nuevo else None
    datos = request.POST if request.method == "POST" else None
    form = form_class(datos, instance=registro, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            registro = guardar(form.save(commit=False))
        except ValidationError as error:
            # The year was closed, or another person saved, after the form was checked.
            form.add_error(None, error)
        else:
            messages.success(request, guardado(registro))
            return redirect(f"{reverse(lista)}?anio={registro.anio}")
    contexto = {
        "form": form,
        "titulo": titulo,
        "lista": lista,
        "nombre_lista": nombre_lista,
        "nuevo": nuevo,
        "cerrado": cerrado,
    }
    return render(
        request, "presupuesto/formulario.html", contexto, status=400 if form.errors else 200
    )


@administracion_requerida
def linea_editar(request, pk: int | None = None):
    linea = (
        get_object_or_404(LineaPresupuestaria, pk=pk) if pk is not None else LineaPresupuestaria()
    )
    return _editar(
        request,
        form_class=LineaPresupuestariaForm,
        registro=linea,
        guardar=lambda registro: linea_presupuestaria_guardar(linea=registro),
        titulo="Nueva línea presupuestaria" if pk is None else "Editar línea presupuestaria",
        lista="presupuesto:lineas",
        nombre_lista="Líneas presupuestarias",
        guardado=_linea_guardada,
    )


def _linea_guardada(linea: LineaPresupuestaria) -> str:
    mensaje = f"Se guardó la línea «{linea.descripcion}»."
    if linea.ejecucion is not None and linea.ejecucion > 1:
        # Saved (a supplementary budget may come later), but never silently.
        mensaje += (
            f" Atención: lo ejecutado ({dinero(linea.ejecutado)}) supera lo codificado "
            f"({dinero(linea.codificado)}), una ejecución del {porcentaje(linea.ejecucion, 1)}; "
            "«Revisar antes de publicar» la lista hasta que se corrija."
        )
    return mensaje


@administracion_requerida
def institucional_editar(request, pk: int | None = None):
    presupuesto = (
        get_object_or_404(PresupuestoInstitucional, pk=pk)
        if pk is not None
        else PresupuestoInstitucional()
    )
    return _editar(
        request,
        form_class=PresupuestoInstitucionalForm,
        registro=presupuesto,
        guardar=lambda registro: presupuesto_institucional_guardar(presupuesto=registro),
        titulo="Nuevo presupuesto institucional"
        if pk is None
        else "Editar presupuesto institucional",
        lista="presupuesto:institucional",
        nombre_lista="Presupuesto institucional",
        guardado=lambda registro: f"Se guardó el presupuesto institucional de {registro.anio}.",
    )


@administracion_requerida
def gasto_editar(request, pk: int | None = None):
    gasto = get_object_or_404(GastoComun, pk=pk) if pk is not None else GastoComun()
    return _editar(
        request,
        form_class=GastoComunForm,
        registro=gasto,
        guardar=lambda registro: gasto_comun_guardar(gasto=registro),
        titulo="Nuevo gasto común" if pk is None else "Editar gasto común",
        lista="presupuesto:gastos",
        nombre_lista="Gastos comunes",
        guardado=lambda registro: f"Se guardó el gasto común «{registro.concepto}».",
    )


@administracion_requerida
def proceso_editar(request, pk: int | None = None):
    proceso = (
        get_object_or_404(ProcesoContratacion, pk=pk) if pk is not None else ProcesoContratacion()
    )
    return _editar(
        request,
        form_class=ProcesoContratacionForm,
        registro=proceso,
        guardar=lambda registro: proceso_contratacion_guardar(proceso=registro),
        titulo="Nuevo proceso de contratación" if pk is None else "Editar proceso de contratación",
        lista="presupuesto:procesos",
        nombre_lista="Contratación pública",
        guardado=lambda registro: f"Se guardó el proceso {registro.codigo}.",
    )
