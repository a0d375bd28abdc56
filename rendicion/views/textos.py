"""The year's narrative texts (coordination and administration): edit them, start a new year."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from casmul.permisos import coordinacion_requerida

from ..forms import EdicionTextos, InformeCrearForm
from ..selectors import anios_con_informe, informe_del_anio
from ..services import ConflictoDeEdicion, anio_abrir, informe_textos_guardar


@coordinacion_requerida
def textos_editar(request, anio: int):
    informe = informe_del_anio(anio=anio)
    if informe is None:
        raise Http404(f"No existe el informe de {anio}.")
    edicion = EdicionTextos(informe, data=request.POST if request.method == "POST" else None)
    conflicto = None
    if edicion.is_bound and edicion.is_valid():
        try:
            informe_textos_guardar(informe=informe, **edicion.datos())
        except ConflictoDeEdicion as error:
            conflicto = error
            edicion.continuar_desde(version=error.version_actual, huella=error.huella_actual)
        else:
            messages.success(request, f"Se guardaron los textos del informe {anio}.")
            return redirect("rendicion:textos_editar", anio=anio)
    contexto = {"informe": informe, "edicion": edicion, "conflicto": conflicto}
    return render(
        request, "rendicion/textos_editar.html", contexto, status=409 if conflicto else 200
    )


@coordinacion_requerida
def informe_crear(request):
    form = InformeCrearForm(
        request.POST if request.method == "POST" else None, anios_existentes=anios_con_informe()
    )
    if form.is_bound and form.is_valid():
        anio = form.cleaned_data["anio"]
        try:
            abierto = anio_abrir(anio=anio, usuario=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            origen = form.anio_origen(anio)
            if origen:
                mensaje = f"Se creó el informe {anio} con una copia de los textos de {origen}."
            else:
                mensaje = (
                    f"Se creó el informe {anio} con los textos vacíos: no hay un informe "
                    "anterior del cual copiarlos."
                )
            messages.success(request, mensaje)
            for registro in abierto.registros:
                messages.info(request, registro)
            return redirect("rendicion:textos_editar", anio=anio)
    return render(request, "rendicion/informe_crear.html", {"form": form})
