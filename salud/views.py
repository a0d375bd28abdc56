"""The clinic's month in the browser: patients by service and specialty."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from centros.models import LineaServicio
from centros.views.acceso import centro_de_usuario
from centros.views.mensual import EdicionDeMes, mes_de_url, pagina_de_mes

from .forms import AtencionesMesForm
from .selectors import formulario_clinica, historial_de_mes_clinica
from .services import atenciones_guardar


@login_required
def mes_clinica(request, centro_id: int, anio: int, mes: int):
    """Same rules as every centre's month (draft, submit, conflict, approved is read-only);
    only the clinic has this page."""
    centro = centro_de_usuario(request.user, centro_id)
    mes_de_url(anio, mes)
    if centro.linea_servicio != LineaServicio.SALUD:
        return redirect("centros:mes", centro_id=centro.pk, anio=anio, mes=mes)

    def guardar(form, **datos):
        return atenciones_guardar(
            centro=centro, anio=anio, mes=mes, pacientes=form.valores(), **datos
        )

    edicion = EdicionDeMes(
        leer=lambda: formulario_clinica(centro=centro, anio=anio, mes=mes),
        formulario_form=AtencionesMesForm,
        guardar=guardar,
        historial=lambda reporte: historial_de_mes_clinica(reporte=reporte),
        plantilla="salud/mes_clinica.html",
        url_mes="salud:mes",
    )
    return pagina_de_mes(request, centro=centro, anio=anio, mes=mes, edicion=edicion)
