"""The nominal registry in the browser: list, cédula search, person, enrolment, exit, export;
possible duplicates for the administration and the counts per centre.

Personal data (LOPDP): the staff of a centre see only the people enrolled in their centres
(another centre's person is a 404, as for any centre of someone else) and the administration
sees everyone; the coordination works with aggregates and gets 403 on every personal page.
Lists and their staff exports show the cédula masked; it is shown in full only on a person's
page. Every person's page and every export is one line of the `casmul.datos_personales` log
(who, when, what), never with a cédula. A cédula never travels in a URL: it is searched with
a POST form, and the result page links people by their id; one typed in the list's name box
is refused by the browser and, if it arrives, sent back out of the URL."""

import json
import re
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from casmul.exportar import descarga, hoja_de_lista
from casmul.meses import anio_valido
from casmul.permisos import rol_requerido, ve_datos_personales
from casmul.roles import Rol, tiene_rol

from ..datos_personales import datos_de_la_persona, registrar_acceso
from ..filters import AVISO_CEDULA_EN_NOMBRE, NOMBRE_SIN_DIGITOS, BeneficiariosFilter
from ..forms_beneficiarios import BusquedaCedulaForm, InscripcionForm, SalidaForm
from ..models import Beneficiario, Inscripcion
from ..selectors.acceso import centros_de_usuario
from ..selectors.beneficiarios import (
    beneficiarios_de_usuario,
    edad,
    grupo_de_edad,
    hoja_de_inscripciones,
    inscripciones_de_usuario,
    inscripciones_por_cedula,
    posibles_duplicados,
    registro_del_anio,
)
from ..services import beneficiario_anonimizar, beneficiario_inscribir, inscripcion_finalizar

POR_PAGINA = 50


def datos_personales_requeridos(vista):
    """Anonymous users to the login page; any other role than the above: 403. Pages with
    personal data are never cached by a browser or proxy."""

    @wraps(vista)
    @login_required
    @never_cache
    def envuelta(request, *args, **kwargs):
        if not ve_datos_personales(request.user):
            raise PermissionDenied(
                "Los datos personales de los beneficiarios solo los ven el personal de sus "
                "centros y la Administración."
            )
        return vista(request, *args, **kwargs)

    return envuelta


def _sin_cedula_en_la_direccion(request) -> HttpResponseRedirect | None:
    """A name with digits (a cédula typed in the name box) is not used as a filter: back to
    the list without it, the other filters kept, so that the page's URL does not hold it.
    None when the name is fine."""
    nombres = request.GET.getlist("nombre")
    if all(re.fullmatch(NOMBRE_SIN_DIGITOS, nombre) for nombre in nombres):
        return None
    parametros = request.GET.copy()
    del parametros["nombre"]
    parametros.pop("pagina", None)
    messages.warning(
        request,
        f"El nombre no lleva números y no se usó para filtrar. {AVISO_CEDULA_EN_NOMBRE}",
    )
    url = reverse("centros:beneficiarios")
    # 303 (See Other): the browser follows with a GET; the page the user stays on, its
    # links (pages, downloads) and what it sends as referrer no longer hold the digits.
    return HttpResponseRedirect(
        f"{url}?{parametros.urlencode()}" if parametros else url, status=303
    )


def _filtro(request, hoy):
    return BeneficiariosFilter(
        request.GET or None,
        queryset=inscripciones_de_usuario(request.user, hoy=hoy),
        centros=centros_de_usuario(request.user),
        hoy=hoy,
    )


def _filas(inscripciones, hoy):
    """What the lists print of each enrolment: the cédula masked, the age and its group."""
    return [
        {
            "inscripcion": inscripcion,
            "persona": inscripcion.beneficiario,
            "cedula": inscripcion.beneficiario.cedula_enmascarada,
            "edad": edad(inscripcion.beneficiario.fecha_nacimiento, hoy),
            "grupo_edad": grupo_de_edad(inscripcion.beneficiario.fecha_nacimiento, hoy).label,
        }
        for inscripcion in inscripciones
    ]


def _sin_pagina(request) -> str:
    parametros = request.GET.copy()
    parametros.pop("pagina", None)
    return parametros.urlencode()


@datos_personales_requeridos
@require_safe
def lista(request):
    if devuelta := _sin_cedula_en_la_direccion(request):
        return devuelta
    hoy = timezone.localdate()
    filtro = _filtro(request, hoy)
    pagina = Paginator(filtro.qs, POR_PAGINA).get_page(request.GET.get("pagina"))
    datos = filtro.form.cleaned_data if filtro.is_bound and filtro.form.is_valid() else {}
    anio = int(datos.get("anio") or hoy.year)
    centro = datos.get("centro")
    # The header counts the selected centre, or every centre of the user (a subquery).
    centro_ids = [centro.pk] if centro else centros_de_usuario(request.user).values("pk")
    contexto = {
        "filtro": filtro,
        "pagina": pagina,
        "filas": _filas(pagina.object_list, hoy),
        "filtros": _sin_pagina(request),
        "anio": anio,
        "registro": registro_del_anio(anio, centro_ids),
        "busqueda": BusquedaCedulaForm(),
        "es_administracion": tiene_rol(request.user, Rol.ADMINISTRACION),
    }
    return render(request, "centros/beneficiarios/lista.html", contexto)


@datos_personales_requeridos
@require_safe
def exportar(request):
    """The filtered list as XLSX or CSV: the cédula in full only for the administration."""
    if devuelta := _sin_cedula_en_la_direccion(request):
        return devuelta
    hoy = timezone.localdate()
    filtro = _filtro(request, hoy)
    formato = request.GET.get("formato", "xlsx")
    completa = tiene_rol(request.user, Rol.ADMINISTRACION)
    datos = hoja_de_inscripciones(filtro.qs, cedula_completa=completa, hoy=hoy)
    archivo = hoja_de_lista(datos, formato=formato, nombre=f"beneficiarios-{hoy:%Y-%m-%d}")
    if archivo is None:
        raise Http404("Formato no disponible.")
    registrar_acceso(
        request,
        f"exportó la lista de beneficiarios ({formato}, {len(datos)} filas, "
        f"cédulas {'completas' if completa else 'enmascaradas'})",
    )
    return descarga(archivo)


@datos_personales_requeridos
@require_POST
def buscar(request):
    """The cédula arrives in the POST body and is not written back: the page lists the
    person's enrolments in the user's centres with the cédula masked, linked by id."""
    hoy = timezone.localdate()
    form = BusquedaCedulaForm(request.POST)
    filas = None
    sin_inscribir = ""
    if form.is_valid():
        cedula = form.cleaned_data["cedula"]
        inscripciones = list(inscripciones_por_cedula(request.user, cedula=cedula, hoy=hoy))
        filas = _filas(inscripciones, hoy)
        registrar_acceso(request, f"buscó por cédula ({len(filas)} inscripciones halladas)")
        form = BusquedaCedulaForm()
        # Nobody of the user's centres has it: the next step is enrolling that person, with
        # the cédula carried in a POST body, never in the address.
        sin_inscribir = "" if filas else cedula
    contexto = {"busqueda": form, "filas": filas, "sin_inscribir": sin_inscribir}
    return render(
        request,
        "centros/beneficiarios/buscar.html",
        contexto,
        status=200 if filas is not None else 400,
    )


@datos_personales_requeridos
@require_safe
def detalle(request, beneficiario_id: int):
    hoy = timezone.localdate()
    persona = get_object_or_404(beneficiarios_de_usuario(request.user), pk=beneficiario_id)
    inscripciones = inscripciones_de_usuario(request.user, hoy=hoy).filter(beneficiario=persona)
    registrar_acceso(request, f"vio el detalle del beneficiario id {persona.pk}")
    contexto = {
        "persona": persona,
        "edad": edad(persona.fecha_nacimiento, hoy),
        "grupo_edad": grupo_de_edad(persona.fecha_nacimiento, hoy).label,
        "inscripciones": inscripciones,
        "es_administracion": tiene_rol(request.user, Rol.ADMINISTRACION),
    }
    return render(request, "centros/beneficiarios/detalle.html", contexto)


@rol_requerido(Rol.ADMINISTRACION)
@never_cache
@require_safe
def exportar_persona(request, beneficiario_id: int):
    """Everything stored about one person, as JSON, for the administration to hand over on
    request (LOPDP right of access). The file is named by id, never by cédula."""
    persona = get_object_or_404(Beneficiario, pk=beneficiario_id)
    contenido = json.dumps(
        datos_de_la_persona(persona), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    registrar_acceso(request, f"exportó todos los datos del beneficiario id {persona.pk}")
    respuesta = HttpResponse(contenido, content_type="application/json; charset=utf-8")
    respuesta["Content-Disposition"] = f'attachment; filename="beneficiario-{persona.pk}.json"'
    respuesta["Cache-Control"] = "no-store"
    return respuesta


class AnonimizarForm(forms.Form):
    motivo = forms.CharField(
        label="Motivo",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=300,
        help_text="Por ejemplo: solicitud de eliminación de la persona, con su fecha y número "
        "de trámite. No escriba aquí la cédula ni el nombre.",
    )


@rol_requerido(Rol.ADMINISTRACION)
@never_cache
def anonimizar(request, beneficiario_id: int):
    """A confirmation page, then (POST with a reason) the irreversible anonymisation."""
    persona = get_object_or_404(Beneficiario, pk=beneficiario_id)
    form = AnonimizarForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            beneficiario_anonimizar(
                beneficiario=persona, usuario=request.user, motivo=form.cleaned_data["motivo"]
            )
        except ValidationError as error:
            errores_del_servicio(form, error)
        else:
            registrar_acceso(request, f"anonimizó al beneficiario id {persona.pk}")
            messages.success(
                request,
                "Se anonimizaron los datos de la persona: sus inscripciones siguen contando en "
                "las cifras.",
            )
            return redirect("centros:beneficiario", beneficiario_id=persona.pk)
    return render(
        request,
        "centros/beneficiarios/anonimizar.html",
        {"form": form, "persona": persona},
        status=400 if form.is_bound else 200,
    )


def errores_del_servicio(form, error: ValidationError) -> None:
    """The service's refusal beside the fields it names, or above the form."""
    for campo, mensajes in error.update_error_dict({}).items():
        form.add_error(campo if campo in form.fields else None, mensajes)


@datos_personales_requeridos
def inscribir(request):
    centros = centros_de_usuario(request.user)
    # From a search that found nobody: the form opens with the cédula searched, not submitted.
    desde_busqueda = request.method == "POST" and "cedula_buscada" in request.POST
    form = InscripcionForm(
        request.POST if request.method == "POST" and not desde_busqueda else None,
        centros=centros,
        initial={
            "desde": timezone.localdate(),
            "cedula": request.POST.get("cedula_buscada", "")[:12] if desde_busqueda else "",
        },
    )
    if form.is_bound and form.is_valid():
        try:
            resultado = beneficiario_inscribir(
                cedula=form.cleaned_data["cedula"],
                datos=form.datos_persona(),
                centro=form.cleaned_data["centro"],
                desde=form.cleaned_data["desde"],
            )
        except ValidationError as error:
            errores_del_servicio(form, error)
        else:
            inscripcion = resultado.inscripcion
            if resultado.persona_existente:
                messages.info(
                    request,
                    "La cédula ya estaba en el registro: se inscribió a "
                    f"{inscripcion.beneficiario} en {inscripcion.centro.nombre_corto} sin "
                    "duplicar a la persona; sus datos registrados no se cambiaron.",
                )
            else:
                messages.success(
                    request,
                    f"Se registró a {inscripcion.beneficiario} y se la inscribió en "
                    f"{inscripcion.centro.nombre_corto}.",
                )
            return redirect("centros:beneficiario", beneficiario_id=inscripcion.beneficiario_id)
    return render(
        request,
        "centros/beneficiarios/inscribir.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@datos_personales_requeridos
def salida(request, inscripcion_id: int):
    inscripcion = get_object_or_404(
        Inscripcion.objects.select_related("beneficiario", "centro").filter(
            centro__in=centros_de_usuario(request.user)
        ),
        pk=inscripcion_id,
    )
    form = SalidaForm(
        request.POST if request.method == "POST" else None,
        initial={
            "hasta": inscripcion.hasta or timezone.localdate(),
            "motivo": inscripcion.motivo_salida,
        },
    )
    if form.is_bound and form.is_valid():
        try:
            inscripcion_finalizar(
                inscripcion=inscripcion,
                hasta=form.cleaned_data["hasta"],
                motivo=form.cleaned_data["motivo"],
            )
        except ValidationError as error:
            errores_del_servicio(form, error)
        else:
            messages.success(
                request,
                f"Se registró la salida de {inscripcion.beneficiario} de "
                f"{inscripcion.centro.nombre_corto}.",
            )
            return redirect("centros:beneficiario", beneficiario_id=inscripcion.beneficiario_id)
    return render(
        request,
        "centros/beneficiarios/salida.html",
        {"form": form, "inscripcion": inscripcion},
        status=400 if form.is_bound else 200,
    )


@rol_requerido(Rol.ADMINISTRACION)
@never_cache
@require_safe
def duplicados(request):
    return render(
        request, "centros/beneficiarios/duplicados.html", {"grupos": posibles_duplicados()}
    )


@rol_requerido(Rol.COORDINACION, Rol.ADMINISTRACION)
@require_safe
def resumen(request, anio: int):
    """Distinct persons per centre and year beside the users figure: no personal data."""
    hoy = timezone.localdate()
    if not anio_valido(anio, hoy=hoy):
        raise Http404("No hay datos para ese año.")
    contexto = {
        "anio": anio,
        "registro": registro_del_anio(anio),
        "anterior": anio - 1 if anio_valido(anio - 1, hoy=hoy) else None,
        "siguiente": anio + 1 if anio < hoy.year else None,
    }
    return render(request, "centros/beneficiarios/resumen.html", contexto)
