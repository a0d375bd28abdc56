"""Admin of the nominal registry: sensitive personal data (LOPDP)."""

from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from casmul.hojas import ImportacionDeHojaMixin

from ..models import Beneficiario, Inscripcion


class InscripcionInline(admin.TabularInline):
    model = Inscripcion
    fields = ["centro", "desde", "hasta"]
    autocomplete_fields = ["centro"]
    extra = 0


@admin.register(Beneficiario)
class BeneficiarioAdmin(ImportacionDeHojaMixin, SimpleHistoryAdmin):
    # People with their enrolments from a spreadsheet (`casmul.hojas`, kind registered in
    # `centros.apps`).
    tipo_importable = "beneficiarios"
    # Never the full cédula in a list: only its last digits (LOPDP, data minimisation).
    list_display = [
        "apellidos",
        "nombres",
        "cedula_enmascarada",
        "sexo",
        "grupo_prioritario",
        "tiene_discapacidad",
    ]
    list_display_links = ["apellidos", "nombres"]
    list_filter = ["sexo", "grupo_prioritario", "tiene_discapacidad", "inscripciones__centro"]
    # The cédula is searched whole (an exact match), so partial numbers cannot be fished for.
    search_fields = ["apellidos", "nombres", "=cedula"]
    fieldsets = [
        (None, {"fields": ["cedula", ("apellidos", "nombres"), ("fecha_nacimiento", "sexo")]}),
        (
            "Atención prioritaria",
            {"fields": ["grupo_prioritario", ("tiene_discapacidad", "porcentaje_discapacidad")]},
        ),
    ]
    inlines = [InscripcionInline]

    @admin.display(description="cédula")
    def cedula_enmascarada(self, obj):
        return obj.cedula_enmascarada


@admin.register(Inscripcion)
class InscripcionAdmin(SimpleHistoryAdmin):
    list_display = ["beneficiario", "centro", "desde", "hasta", "vigente"]
    list_filter = ["centro__area", "centro"]
    list_select_related = ["beneficiario", "centro"]
    search_fields = ["beneficiario__apellidos", "beneficiario__nombres", "=beneficiario__cedula"]
    autocomplete_fields = ["beneficiario", "centro"]
    date_hierarchy = "desde"

    @admin.display(description="vigente", boolean=True)
    def vigente(self, obj):
        hoy = timezone.localdate()
        return obj.desde <= hoy and (obj.hasta is None or obj.hasta >= hoy)
