"""The clinic's month in the browser: patients by service and specialty."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from centros.models import LineaServicio
from centros.paginas import PaginaDeMes, centro_de_usuario, mes_de_url, pagina_de_mes

from .forms import AtencionesMesForm
from .selectors import formulario_clinica, historial_de_mes_clinica
from .services import atenciones_guardar


@login_required
def mes_clinica(request, centro_id: int, anio: int, mes: int):
    """Same rules as every centre's month (draft, submit, conflict, approved is read-only);
    only the clinic has this page."""
    centro = centro_de_usuario(request.user, centro_id)
    periodo = mes_de_url(anio, mes)
    if centro.linea_servicio != LineaServicio.SALUD:
        return redirect("centros:mes", centro_id=centro.pk, anio=anio, mes=mes)

    def guardar(form, **datos):
        return atenciones_guardar(centro=centro, mes=periodo, pacientes=form.valores(), **datos)

    pagina = PaginaDeMes(
        leer=lambda: formulario_clinica(centro=centro, mes=periodo),
        formulario_form=AtencionesMesForm,
        guardar=guardar,
        historial=lambda reporte: historial_de_mes_clinica(reporte=reporte),
        plantilla="salud/mes_clinica.html",
        url_mes="salud:mes",
    )
    return pagina_de_mes(request, centro=centro, mes=periodo, pagina=pagina)
