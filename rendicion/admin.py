from django.contrib import admin
from django.db.models import F

from casmul.admin_sitio import SoloLecturaAdmin

from .models import (
    CAMPOS_CONTACTO,
    CAMPOS_NARRATIVOS,
    ComprobacionDeEnlace,
    FeDeErratas,
    Firmante,
    InformeAnual,
    ObjetivoEstrategico,
    Publicacion,
    SeccionFortalecimiento,
    TerminoGlosario,
)


class ObjetivoEstrategicoInline(admin.TabularInline):
    model = ObjetivoEstrategico
    fields = ["texto", "orden"]
    extra = 0


class TerminoGlosarioInline(admin.TabularInline):
    model = TerminoGlosario
    fields = ["sigla", "significado"]
    extra = 0


class SeccionFortalecimientoInline(admin.StackedInline):
    model = SeccionFortalecimiento
    fields = ["titulo", "texto", "orden"]
    extra = 0


class FirmanteInline(admin.TabularInline):
    model = Firmante
    fields = ["rol", "nombre", "cargo", "orden"]
    extra = 0
    max_num = len(Firmante.Rol.choices)


@admin.register(InformeAnual)
class InformeAnualAdmin(admin.ModelAdmin):
    list_display = ["anio", "dirigido_a", "ciudad"]
    search_fields = ["anio__exact", "dirigido_a"]
    fieldsets = [
        (None, {"fields": ["anio", "dirigido_a"]}),
        (
            "Textos del informe",
            {"fields": CAMPOS_NARRATIVOS},
        ),
        (
            "Contacto (portada)",
            {"fields": CAMPOS_CONTACTO},
        ),
    ]
    inlines = [
        ObjetivoEstrategicoInline,
        TerminoGlosarioInline,
        SeccionFortalecimientoInline,
        FirmanteInline,
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The portal's editor refuses a save started before this one instead of overwriting it.
        InformeAnual.objects.filter(pk=form.instance.pk).update(version=F("version") + 1)


class _DelInformeAdmin(admin.ModelAdmin):
    list_filter = ["informe"]
    list_select_related = ["informe"]


@admin.register(ObjetivoEstrategico)
class ObjetivoEstrategicoAdmin(_DelInformeAdmin):
    list_display = ["__str__", "informe", "orden"]
    search_fields = ["texto"]


@admin.register(TerminoGlosario)
class TerminoGlosarioAdmin(_DelInformeAdmin):
    list_display = ["sigla", "significado", "informe"]
    search_fields = ["sigla", "significado"]


@admin.register(SeccionFortalecimiento)
class SeccionFortalecimientoAdmin(_DelInformeAdmin):
    list_display = ["titulo", "informe", "orden"]
    search_fields = ["titulo", "texto"]


@admin.register(Firmante)
class FirmanteAdmin(_DelInformeAdmin):
    list_display = ["nombre", "rol", "cargo", "informe"]
    list_filter = ["informe", "rol"]
    search_fields = ["nombre", "cargo"]


@admin.register(Publicacion)
class PublicacionAdmin(SoloLecturaAdmin):
    """Published versions are made by `informe_publicar` and never change: read-only here."""

    list_display = ["anio", "version", "publicado_en", "publicado_por", "pdf_sha256"]
    list_filter = ["anio"]
    ordering = ["-anio", "-version"]


@admin.register(FeDeErratas)
class FeDeErratasAdmin(PublicacionAdmin):
    """Opened from the report's «Publicar» page with a reason, closed by publishing."""

    list_display = ["anio", "motivo", "abierta_por", "abierta_en", "publicacion"]
    ordering = ["-abierta_en"]


@admin.register(ComprobacionDeEnlace)
class ComprobacionDeEnlaceAdmin(SoloLecturaAdmin):
    """Written by the link check (`rendicion.enlaces`): what each link answered."""

    list_display = ["url", "anio", "estado_http", "correcto", "comprobado_en"]
    list_filter = ["anio"]
    search_fields = ["url", "fila"]

    @admin.display(boolean=True, description="correcto")
    def correcto(self, comprobacion):
        return comprobacion.correcto
