"""The agreements in the portal: the list (and its export), an agreement's page, its signed
document, and the administration's create, edit and renew."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from casmul.exportar import descarga, hoja_de_lista
from casmul.forms import AnioForm
from casmul.meses import anio_valido
from casmul.permisos import coordinacion_requerida, rol_requerido
from casmul.roles import Rol, tiene_rol

from .filters import ConveniosFilter
from .forms import ConvenioForm
from .models import Convenio
from .resources import hoja_de_convenios
from .selectors import convenio_anio_de_apertura, convenio_detalle, convenios_de_la_lista
from .services import convenio_guardar

POR_PAGINA = 50

administracion_requerida = rol_requerido(Rol.ADMINISTRACION)


@coordinacion_requerida
@require_safe
def lista(request):
    hoy = timezone.localdate()
    filtro = ConveniosFilter(request.GET or None, queryset=convenios_de_la_lista(), hoy=hoy)
    formato = request.GET.get("formato")
    if formato:
        # The whole filtered list, not the page on screen.
        archivo = hoja_de_lista(
            hoja_de_convenios(filtro.qs.prefetch_related("centros"), hoy=hoy),
            formato=formato,
            nombre=f"convenios-{hoy:%Y-%m-%d}",
        )
        if archivo is None:
            raise Http404("Formato de descarga desconocido.")
        return descarga(archivo)
    pagina = Paginator(filtro.qs, POR_PAGINA).get_page(request.GET.get("pagina"))
    contexto = {
        "filtro": filtro,
        "pagina": pagina,
        "filas": [(convenio, convenio.estado(hoy)) for convenio in pagina],
        "filtrado": any(v for k, v in request.GET.items() if k != "pagina"),
        "puede_editar": tiene_rol(request.user, Rol.ADMINISTRACION),
    }
    return render(request, "convenios/lista.html", contexto)


@coordinacion_requerida
@require_safe
def detalle(request, convenio_id: int):
    hoy = timezone.localdate()
    form_anio = AnioForm(request.GET or None)
    if form_anio.is_valid() and anio_valido(form_anio.cleaned_data["anio"], hoy=hoy):
        anio = form_anio.cleaned_data["anio"]
    else:
        anio = convenio_anio_de_apertura(convenio_id=convenio_id, hoy=hoy)
    datos = convenio_detalle(convenio_id=convenio_id, anio=anio)
    if datos is None:
        raise Http404("No existe ese convenio.")
    contexto = {
        "convenio": datos.convenio,
        "estado": datos.convenio.estado(hoy),
        "anio": anio,
        "anios": range(hoy.year + 1, _anio_minimo(datos.convenio, hoy) - 1, -1),
        "cobertura": datos.cobertura,
        "puede_editar": tiene_rol(request.user, Rol.ADMINISTRACION),
    }
    return render(request, "convenios/detalle.html", contexto)


def _anio_minimo(convenio: Convenio, hoy) -> int:
    """The first year the selector offers: the agreement's first, or ten years back."""
    inicio = convenio.fecha_inicio or convenio.fecha_suscripcion
    return min(inicio.year if inicio else hoy.year, hoy.year - 10)


@coordinacion_requerida
@require_safe
def documento(request, convenio_id: int):
    """The signed PDF, only through this view (never a MEDIA_URL link): a download the
    browser does not keep."""
    convenio = get_object_or_404(Convenio, pk=convenio_id)
    if not convenio.documento:
        raise Http404("Este convenio no tiene documento firmado.")
    try:
        archivo = convenio.documento.open("rb")
    except FileNotFoundError as error:
        raise Http404("No se encontró el archivo del documento.") from error
    respuesta = FileResponse(
        archivo,
        as_attachment=True,
        filename=f"convenio-{convenio.pk}.pdf",
        content_type="application/pdf",
    )
    respuesta["Cache-Control"] = "no-store"
    return respuesta


def _datos(request) -> tuple:
    """The form's data and files on a POST; nothing (an unbound form) on a GET."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _formulario(request, *, form, convenio=None, renueva_a=None, status=200):
    contexto = {"form": form, "convenio": convenio, "renueva_a": renueva_a}
    return render(request, "convenios/formulario.html", contexto, status=status)


def _guardar(form: ConvenioForm, *, renueva_a: Convenio | None = None):
    """Saves a valid form through the service; the service's own refusal (a year published
    meanwhile) goes back to the form. Returns the agreement, or None."""
    if not form.is_valid():
        return None
    try:
        return convenio_guardar(
            convenio=form.instance,
            instituciones=form.cleaned_data["instituciones"],
            centros=form.cleaned_data["centros"],
            renueva_a=renueva_a,
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return None


@administracion_requerida
@require_http_methods(["GET", "HEAD", "POST"])
def crear(request):
    form = ConvenioForm(*_datos(request))
    if request.method == "POST":
        if convenio := _guardar(form):
            messages.success(request, f"Se guardó el convenio {convenio.numero_mostrado}.")
            return redirect("convenios:detalle", convenio.pk)
        return _formulario(request, form=form, status=400)
    return _formulario(request, form=form)


@administracion_requerida
@require_http_methods(["GET", "HEAD", "POST"])
def editar(request, convenio_id: int):
    convenio = get_object_or_404(Convenio, pk=convenio_id)
    form = ConvenioForm(*_datos(request), instance=convenio)
    if request.method == "POST":
        if _guardar(form):
            messages.success(request, f"Se guardó el convenio {convenio.numero_mostrado}.")
            return redirect("convenios:detalle", convenio.pk)
        return _formulario(request, form=form, convenio=convenio, status=400)
    return _formulario(request, form=form, convenio=convenio)


@administracion_requerida
@require_http_methods(["GET", "HEAD", "POST"])
def renovar(request, convenio_id: int):
    """The create form, prefilled from the agreement it renews; saving records the link."""
    anterior = get_object_or_404(Convenio, pk=convenio_id)
    if request.method == "POST":
        form = ConvenioForm(request.POST, request.FILES)
        if convenio := _guardar(form, renueva_a=anterior):
            messages.success(
                request,
                f"Se guardó el convenio {convenio.numero_mostrado}, que renueva el "
                f"{anterior.numero_mostrado}.",
            )
            return redirect("convenios:detalle", convenio.pk)
        return _formulario(request, form=form, renueva_a=anterior, status=400)
    form = ConvenioForm(initial=ConvenioForm.inicial_de_renovacion(anterior))
    return _formulario(request, form=form, renueva_a=anterior)
