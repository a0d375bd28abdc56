from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AtencionClinica, DotacionProfesional, Especialidad


@admin.register(Especialidad)
class EspecialidadAdmin(admin.ModelAdmin):
    list_display = ["nombre", "activa", "orden"]
    list_editable = ["activa", "orden"]
    list_filter = ["activa"]
    search_fields = ["nombre"]


@admin.register(DotacionProfesional)
class DotacionProfesionalAdmin(admin.ModelAdmin):
    list_display = ["denominacion", "anio", "cantidad", "orden"]
    list_filter = ["anio"]
    search_fields = ["denominacion"]
    ordering = ["-anio", "orden"]


@admin.register(AtencionClinica)
class AtencionClinicaAdmin(SimpleHistoryAdmin):
    list_display = ["reporte", "servicio", "especialidad", "pacientes"]
    list_filter = ["servicio", "reporte__anio", "reporte__mes", "reporte__estado", "especialidad"]
    list_select_related = ["reporte__centro", "especialidad"]
    search_fields = ["especialidad__nombre", "reporte__centro__nombre"]
    ordering = ["-reporte__anio", "-reporte__mes", "servicio", "especialidad__orden"]
    autocomplete_fields = ["reporte"]
