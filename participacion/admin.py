from django.contrib import admin
from django.db import models

from .models import (
    AccionDelPlan,
    AvanceDeAccion,
    DatosInstitucionales,
    Deliberacion,
    Enajenacion,
    Evidencia,
    Mecanismo,
    MedioDifusion,
    PasoDelProceso,
    PoliticaIgualdad,
    Recomendacion,
    Sugerencia,
)


@admin.register(Evidencia)
class EvidenciaAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["titulo", "anio", "url", "sha256", "subida_en"]
    list_filter = ["anio"]
    search_fields = ["titulo"]
    readonly_fields = ["sha256", "subida_en"]
    fields = ["anio", "titulo", "archivo", "url", "subida_por", "sha256", "subida_en"]


@admin.register(DatosInstitucionales)
class DatosInstitucionalesAdmin(admin.ModelAdmin):
    list_display = ["anio", "institucion", "ruc", "representante_legal"]


class _DelAnioAdmin(admin.ModelAdmin):
    list_filter = ["anio"]
    list_select_related = ["evidencia"]
    autocomplete_fields = ["evidencia"]


@admin.register(Enajenacion)
class EnajenacionAdmin(_DelAnioAdmin):
    list_display = ["bien", "anio", "tipo", "valor", "evidencia"]


@admin.register(Recomendacion)
class RecomendacionAdmin(_DelAnioAdmin):
    list_display = ["informe_entidad", "anio", "entidad", "informe_cumplimiento", "evidencia"]


@admin.register(Mecanismo)
class MecanismoAdmin(_DelAnioAdmin):
    list_display = ["nombre", "anio", "clase", "implementado", "veces", "evidencia"]
    list_filter = ["anio", "clase"]


@admin.register(PoliticaIgualdad)
class PoliticaIgualdadAdmin(_DelAnioAdmin):
    list_display = ["eje", "anio", "implementada", "evidencia"]


@admin.register(MedioDifusion)
class MedioDifusionAdmin(_DelAnioAdmin):
    list_display = ["medio", "anio", "cantidad", "evidencia"]


@admin.register(PasoDelProceso)
class PasoDelProcesoAdmin(_DelAnioAdmin):
    list_display = ["descripcion", "anio", "fase", "fecha_limite", "cumplido_el", "evidencia"]
    list_filter = ["anio", "fase"]


class SugerenciaInline(admin.StackedInline):
    model = Sugerencia
    extra = 0


@admin.register(Deliberacion)
class DeliberacionAdmin(admin.ModelAdmin):
    list_display = ["anio", "fecha", "lugar"]
    autocomplete_fields = ["acta"]
    inlines = [SugerenciaInline]


class AvanceInline(admin.TabularInline):
    model = AvanceDeAccion
    extra = 0
    autocomplete_fields = ["evidencia"]


@admin.register(AccionDelPlan)
class AccionDelPlanAdmin(admin.ModelAdmin):
    list_display = ["descripcion", "sugerencia", "responsable", "fecha_inicio", "fecha_fin"]
    list_select_related = ["sugerencia"]
    inlines = [AvanceInline]


class AccionInline(admin.TabularInline):
    model = AccionDelPlan
    extra = 0


@admin.register(Sugerencia)
class SugerenciaAdmin(admin.ModelAdmin):
    list_display = ["texto", "deliberacion", "compromiso"]
    list_select_related = ["deliberacion"]
    list_filter = ["compromiso"]
    search_fields = ["texto"]
    inlines = [AccionInline]


@admin.register(AvanceDeAccion)
class AvanceDeAccionAdmin(admin.ModelAdmin):
    list_display = ["accion", "fecha", "porcentaje", "evidencia"]
    list_select_related = ["accion", "evidencia"]
    autocomplete_fields = ["evidencia"]
