from django.contrib import admin
from django.template.defaultfilters import floatformat

from casmul.admin_montos import MontosEnDolares, columna_dinero
from casmul.cierres import CierreDelAnioAdmin
from casmul.hojas import ImportacionDeHojaMixin

from .models import (
    GastoComun,
    LineaPresupuestaria,
    PresupuestoInstitucional,
    ProcesoContratacion,
    TipoContratacion,
)


@admin.register(LineaPresupuestaria)
class LineaPresupuestariaAdmin(
    ImportacionDeHojaMixin, CierreDelAnioAdmin, MontosEnDolares, admin.ModelAdmin
):
    # From a spreadsheet too (`casmul.hojas`, kind registered in `presupuesto.apps`).
    tipo_importable = "lineas"
    list_display = [
        "descripcion",
        "anio",
        "area",
        "centro",
        "partida",
        columna_dinero(LineaPresupuestaria, "codificado"),
        columna_dinero(LineaPresupuestaria, "ejecutado"),
        "porcentaje_ejecucion",
    ]
    list_filter = ["anio", "area", "centro"]
    list_select_related = ["area", "centro"]
    search_fields = ["descripcion", "partida", "centro__nombre", "centro__nombre_corto"]
    ordering = ["-anio", "area__orden", "descripcion"]
    autocomplete_fields = ["centro"]

    @admin.display(description="% ejecutado")
    def porcentaje_ejecucion(self, obj):
        if obj.ejecutado is None or not obj.codificado:
            return None
        return f"{floatformat(obj.ejecutado / obj.codificado * 100, 1)} %"


@admin.register(GastoComun)
class GastoComunAdmin(CierreDelAnioAdmin, MontosEnDolares, admin.ModelAdmin):
    list_display = ["concepto", "anio", columna_dinero(GastoComun, "monto")]
    list_filter = ["anio"]
    search_fields = ["concepto", "descripcion"]
    ordering = ["-anio", "concepto"]


@admin.register(PresupuestoInstitucional)
class PresupuestoInstitucionalAdmin(CierreDelAnioAdmin, MontosEnDolares, admin.ModelAdmin):
    list_display = [
        "anio",
        columna_dinero(PresupuestoInstitucional, "ingresos_percibidos"),
        columna_dinero(PresupuestoInstitucional, "gasto_codificado"),
        columna_dinero(PresupuestoInstitucional, "gasto_ejecutado"),
    ]
    ordering = ["-anio"]


@admin.register(ProcesoContratacion)
class ProcesoContratacionAdmin(
    ImportacionDeHojaMixin, CierreDelAnioAdmin, MontosEnDolares, admin.ModelAdmin
):
    tipo_importable = "procesos"
    list_display = [
        "codigo",
        "anio",
        "tipo",
        "objeto",
        columna_dinero(ProcesoContratacion, "monto"),
        "fecha",
        "estado",
    ]
    list_filter = ["anio", "tipo", "estado"]
    list_select_related = ["tipo"]
    readonly_fields = ["regimen"]
    search_fields = ["codigo", "objeto"]
    ordering = ["-anio", "codigo"]
    date_hierarchy = "fecha"


@admin.register(TipoContratacion)
class TipoContratacionAdmin(admin.ModelAdmin):
    """The procedures the law offers, dated: a reform is recorded here by ending the types it
    removed and adding the ones it created, each with its regime; no code changes."""

    list_display = ["nombre", "nombre_cpccs", "regimen", "vigente_desde", "vigente_hasta", "orden"]
    list_editable = ["orden"]
    search_fields = ["nombre", "nombre_cpccs", "codigo"]
    prepopulated_fields = {"codigo": ["nombre"]}
