"""The portal's imports, one page per kind registered in `casmul.hojas`, and the downloads of
their templates: this package reads the registry, never the apps that fill it.

An import takes two steps: the upload shows a preview (nothing written) and keeps the file on
the server; the confirmation, a POST carrying only a signed token, imports it, all or nothing:
at once, or for a file of thousands of rows on the worker, whose task page the user follows."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .exportar import XLSX, Archivo, descarga
from .hojas import (
    ConfirmacionForm,
    HojaRechazada,
    HojaSubidaForm,
    TipoImportable,
    importable,
    importables_de,
    importacion_confirmar,
    importacion_previsualizar,
    plantilla_xlsx,
)

_ROL_NO_IMPORTA = "Su rol no permite importar hojas de cálculo desde el portal."


def _importable_del_usuario(request, tipo: str) -> TipoImportable:
    """The kind, for a user whose role imports it: 404 for an unknown kind, 403 for another."""
    try:
        importable_ = importable(tipo)
    except LookupError as error:
        raise Http404(str(error)) from None
    if not importable_.importa(request.user):
        raise PermissionDenied(_ROL_NO_IMPORTA)
    return importable_


@require_GET
def plantilla(request, tipo: str):
    """The kind's template as XLSX, for the roles the kind names (the administration always)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        importable_ = importable(tipo)
    except LookupError as error:
        raise Http404(str(error)) from None
    if not importable_.importa(request.user):
        raise PermissionDenied("Su rol no permite descargar esta plantilla.")
    return descarga(
        Archivo(
            plantilla_xlsx(importable_, request.user), XLSX, f"plantilla-{importable_.slug}.xlsx"
        )
    )


@require_GET
def indice(request):
    """The kinds the user imports, with their columns, template and reference."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    tipos = importables_de(request.user)
    if not tipos:
        raise PermissionDenied(_ROL_NO_IMPORTA)
    return render(
        request,
        "importar/indice.html",
        {"tipos": [(tipo, tipo.referencia_de(request.user)) for tipo in tipos]},
    )


@require_http_methods(["GET", "POST"])
def tipo(request, tipo: str):
    """GET: the upload form. POST: the file's preview, and the confirmation when it has no
    refused row."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    importable_ = _importable_del_usuario(request, tipo)
    vista_previa = confirmacion = None
    enviado = request.method == "POST"
    form = HojaSubidaForm(request.POST, request.FILES) if enviado else HojaSubidaForm()
    if enviado and form.is_valid():
        try:
            vista_previa = importacion_previsualizar(
                tipo=importable_, archivo=form.cleaned_data["archivo"], usuario=request.user
            )
        except HojaRechazada as error:
            form.add_error("archivo", error.mensaje)
        else:
            if vista_previa.token:
                confirmacion = ConfirmacionForm(
                    initial={"token": vista_previa.token},
                    opciones=importable_.opciones_de(request.user),
                )
            form = HojaSubidaForm()
    return render(
        request,
        "importar/tipo.html",
        {
            "tipo": importable_,
            "referencia": importable_.referencia_de(request.user),
            "form": form,
            "vista_previa": vista_previa,
            "resumen": vista_previa.resumen if vista_previa else None,
            "confirmacion": confirmacion,
        },
    )


@require_POST
def confirmar(request, tipo: str):
    """Imports the file of a preview (its token), every row or none."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    importable_ = _importable_del_usuario(request, tipo)
    form = ConfirmacionForm(request.POST, opciones=importable_.opciones_de(request.user))
    if not form.is_valid():
        messages.error(
            request,
            "La confirmación llegó incompleta y no se importó nada. Vuelva a subir el archivo.",
        )
        return redirect("importar_tipo", tipo=importable_.slug)
    try:
        confirmacion = importacion_confirmar(
            tipo=importable_,
            token=form.cleaned_data["token"],
            usuario=request.user,
            opciones=form.opciones_elegidas,
        )
    except HojaRechazada as error:
        messages.error(request, error.mensaje)
        return redirect("importar_tipo", tipo=importable_.slug)
    if confirmacion.tarea_id:
        # A large file: its page follows the worker's import and then says what it did.
        return redirect("tarea", tarea_id=confirmacion.tarea_id)
    resumen = confirmacion.resumen
    if not resumen.valido:
        # Between the preview and the confirmation a row became invalid (a month approved
        # meanwhile): nothing was written; the rows say why. Or the portal failed: the file
        # is kept, and the same confirmation retries it.
        reintentar = None
        if confirmacion.token:
            reintentar = ConfirmacionForm(
                initial={**form.cleaned_data, "token": confirmacion.token},
                opciones=importable_.opciones_de(request.user),
            )
        return render(
            request,
            "importar/tipo.html",
            {
                "tipo": importable_,
                "referencia": importable_.referencia_de(request.user),
                "form": HojaSubidaForm(),
                "resumen": resumen,
                "reintentar": reintentar,
            },
        )
    messages.success(request, resumen.terminada)
    if resumen.aviso:
        messages.info(request, resumen.aviso)
    return redirect("importar_tipo", tipo=importable_.slug)
