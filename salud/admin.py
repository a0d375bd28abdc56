from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casmul.admin_montos import CifrasContadas, CuentaField
from casmul.hojas import ImportacionDeHojaMixin
from casmul.numeros import Clase
from centros.admin_del_mes import EdicionDelMesAdmin, FilaDelMesForm, MesCerradoSoloLectura

from .models import AtencionClinica, DotacionProfesional, Especialidad


@admin.register(Especialidad)
class EspecialidadAdmin(admin.ModelAdmin):
    list_display = ["nombre", "activa", "orden"]
    list_editable = ["activa", "orden"]
    list_filter = ["activa"]
    search_fields = ["nombre"]


@admin.register(DotacionProfesional)
class DotacionProfesionalAdmin(CifrasContadas, admin.ModelAdmin):
    cifras_contadas = {"cantidad": Clase.PERSONAS}
    list_display = ["denominacion", "anio", "cantidad", "orden"]
    list_filter = ["anio"]
    search_fields = ["denominacion"]
    ordering = ["-anio", "orden"]


class AtencionClinicaForm(FilaDelMesForm):
    """Never into an approved month, nor out of one (the month is locked while it saves). The
    patients are typed as on the clinic's page ("1.234")."""

    pacientes = CuentaField(clase=Clase.PERSONAS, min_value=0)


@admin.register(AtencionClinica)
class AtencionClinicaAdmin(
    MesCerradoSoloLectura, EdicionDelMesAdmin, ImportacionDeHojaMixin, SimpleHistoryAdmin
):
    form = AtencionClinicaForm
    # From a spreadsheet too (`casmul.hojas`, kind registered in `salud.apps`).
    tipo_importable = "atenciones"
    list_display = ["reporte", "servicio", "especialidad", "pacientes"]
    list_filter = ["servicio", "reporte__anio", "reporte__mes", "reporte__estado", "especialidad"]
    list_select_related = ["reporte__centro", "especialidad"]
    search_fields = ["especialidad__nombre", "reporte__centro__nombre"]
    ordering = ["-reporte__anio", "-reporte__mes", "servicio", "especialidad__orden"]
    autocomplete_fields = ["reporte"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reporte__centro", "especialidad")
