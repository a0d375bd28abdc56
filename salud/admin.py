from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from centros.admin import (
    MENSAJE_MES_APROBADO,
    MesAprobadoSoloLectura,
    mes_bloqueado,
    nueva_version_del_mes,
)

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


class AtencionClinicaForm(forms.ModelForm):
    """Never into an approved month, nor out of one (the month is locked while it saves)."""

    def clean(self):
        cleaned_data = super().clean()
        reporte = cleaned_data.get("reporte")
        actual_id = self.instance.reporte_id if self.instance.pk else None
        if mes_bloqueado(actual_id) or (reporte is not None and mes_bloqueado(reporte.pk)):
            raise forms.ValidationError(MENSAJE_MES_APROBADO, code="aprobado")
        return cleaned_data


@admin.register(AtencionClinica)
class AtencionClinicaAdmin(MesAprobadoSoloLectura, SimpleHistoryAdmin):
    form = AtencionClinicaForm
    list_display = ["reporte", "servicio", "especialidad", "pacientes"]
    list_filter = ["servicio", "reporte__anio", "reporte__mes", "reporte__estado", "especialidad"]
    list_select_related = ["reporte__centro", "especialidad"]
    search_fields = ["especialidad__nombre", "reporte__centro__nombre"]
    ordering = ["-reporte__anio", "-reporte__mes", "servicio", "especialidad__orden"]
    autocomplete_fields = ["reporte"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reporte__centro", "especialidad")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        nueva_version_del_mes({obj.reporte_id, form.initial.get("reporte") or obj.reporte_id})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        nueva_version_del_mes([obj.reporte_id])

    def delete_queryset(self, request, queryset):
        reportes = set(queryset.values_list("reporte_id", flat=True))
        super().delete_queryset(request, queryset)
        nueva_version_del_mes(reportes)
