"""Admin of `centros`, the base app: it imports nothing from the other apps."""

from django import forms
from django.contrib import admin
from django.db import models, router, transaction
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AccionGeneral,
    Area,
    Beneficiario,
    Centro,
    CifraMensual,
    FotoCentro,
    HorarioAtencion,
    Indicador,
    IndicadorCentro,
    Inscripcion,
    Instalacion,
    OperacionAnual,
    Parroquia,
    ReporteMensual,
)
from .services import foto_centro_guardar


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["nombre", "codigo", "orden"]
    list_editable = ["orden"]
    search_fields = ["nombre", "codigo"]
    prepopulated_fields = {"codigo": ["nombre"]}


@admin.register(Parroquia)
class ParroquiaAdmin(admin.ModelAdmin):
    list_display = ["nombre", "tipo"]
    list_filter = ["tipo"]
    search_fields = ["nombre"]


# --- Centro and its inlines -------------------------------------------------------------------


class IndicadorCentroInline(admin.TabularInline):
    model = IndicadorCentro
    fields = ["indicador", "orden"]
    extra = 0


class OperacionAnualInline(admin.TabularInline):
    model = OperacionAnual
    fields = ["anio", "personal"]
    extra = 0


class HorarioAtencionInline(admin.TabularInline):
    model = HorarioAtencion
    fields = ["servicio", "dias", "horas", "descripcion", "orden"]
    extra = 0
    formfield_overrides = {
        # A low textarea keeps the tabular inline readable.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
    }


class InstalacionInline(admin.StackedInline):
    model = Instalacion
    fields = ["nombre", "descripcion", "objetivo", "orden"]
    extra = 0


class FotoCentroInline(admin.TabularInline):
    model = FotoCentro
    fields = ["imagen", "leyenda", "anio", "orden"]
    extra = 0


@admin.register(Centro)
class CentroAdmin(admin.ModelAdmin):
    list_display = [
        "numero",
        "nombre",
        "area",
        "modalidad",
        "linea_servicio",
        "parroquia",
        "capacidad",
        "lleva_registro_nominal",
    ]
    list_display_links = ["numero", "nombre"]
    list_filter = [
        "area",
        "modalidad",
        "linea_servicio",
        "parroquia__tipo",
        "lleva_registro_nominal",
    ]
    list_select_related = ["area", "parroquia"]
    # `numero__exact` compares the number as text, so a search for a name never errors.
    search_fields = ["nombre", "nombre_corto", "numero__exact"]
    autocomplete_fields = ["personal_asignado"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("numero", "nombre"),
                    "nombre_corto",
                    ("area", "modalidad", "linea_servicio"),
                    ("parroquia", "direccion"),
                    "capacidad",
                ]
            },
        ),
        (
            "Registro de cifras",
            {"fields": ["lleva_registro_nominal", "indicador_usuarios", "personal_asignado"]},
        ),
    ]
    inlines = [
        IndicadorCentroInline,
        OperacionAnualInline,
        HorarioAtencionInline,
        InstalacionInline,
        FotoCentroInline,
    ]

    def save_formset(self, request, form, formset, change):
        if formset.model is not FotoCentro:
            return super().save_formset(request, form, formset, change)
        # Photos go through the service so that their print copy is made once, at upload.
        for foto in formset.save(commit=False):
            foto_centro_guardar(foto=foto)
        for foto in formset.deleted_objects:
            foto.delete()


class _DelCentroAdmin(admin.ModelAdmin):
    """Rows that belong to a centre: list them with the centre, without a query per row."""

    list_select_related = ["centro"]
    autocomplete_fields = ["centro"]


@admin.register(OperacionAnual)
class OperacionAnualAdmin(_DelCentroAdmin):
    list_display = ["centro", "anio", "personal"]
    list_filter = ["anio", "centro__area", "centro__modalidad"]
    search_fields = ["centro__nombre", "centro__nombre_corto"]
    ordering = ["-anio", "centro__numero"]


@admin.register(HorarioAtencion)
class HorarioAtencionAdmin(_DelCentroAdmin):
    list_display = ["centro", "servicio", "dias", "horas", "orden"]
    list_filter = ["centro__area"]
    search_fields = ["servicio", "centro__nombre", "centro__nombre_corto"]


@admin.register(Instalacion)
class InstalacionAdmin(_DelCentroAdmin):
    list_display = ["nombre", "centro", "orden"]
    list_filter = ["centro__area"]
    search_fields = ["nombre", "descripcion", "centro__nombre", "centro__nombre_corto"]


@admin.register(FotoCentro)
class FotoCentroAdmin(_DelCentroAdmin):
    list_display = ["__str__", "centro", "anio", "orden"]
    list_filter = ["anio", "centro__area"]
    search_fields = ["leyenda", "centro__nombre", "centro__nombre_corto"]

    def save_model(self, request, obj, form, change):
        foto_centro_guardar(foto=obj)


# --- Indicators ---------------------------------------------------------------------------------


@admin.register(Indicador)
class IndicadorAdmin(admin.ModelAdmin):
    list_display = ["nombre", "codigo", "unidad", "agregacion"]
    list_filter = ["unidad", "agregacion"]
    search_fields = ["nombre", "codigo"]
    prepopulated_fields = {"codigo": ["nombre"]}


@admin.register(IndicadorCentro)
class IndicadorCentroAdmin(_DelCentroAdmin):
    list_display = ["centro", "indicador", "orden"]
    list_filter = ["centro__area", "indicador"]
    list_select_related = ["centro", "indicador"]
    search_fields = ["centro__nombre", "centro__nombre_corto", "indicador__nombre"]


# --- Nominal registry (sensitive personal data) ------------------------------------------------


class InscripcionInline(admin.TabularInline):
    model = Inscripcion
    fields = ["centro", "desde", "hasta"]
    autocomplete_fields = ["centro"]
    extra = 0


@admin.register(Beneficiario)
class BeneficiarioAdmin(admin.ModelAdmin):
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
class InscripcionAdmin(admin.ModelAdmin):
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


# --- Monthly reports ----------------------------------------------------------------------------


class ReporteMensualForm(forms.ModelForm):
    """Carries the version the user loaded, so that an older copy cannot overwrite a newer one."""

    class Meta:
        model = ReporteMensual
        fields = ["centro", "anio", "mes", "estado", "comentario", "version"]
        widgets = {"version": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            # The history's "revert" form starts from an old copy: the version to check against
            # is the one saved now.
            actual = (
                ReporteMensual.objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if actual is not None:
                self.initial["version"] = actual

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk and "version" in cleaned_data:
            # The admin saves inside a transaction: the lock holds until the save is done.
            actual = (
                ReporteMensual.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if actual != cleaned_data["version"]:
                raise forms.ValidationError(
                    "Otra persona guardó este reporte mientras usted lo editaba. "
                    "Recargue la página para ver sus cambios y vuelva a intentarlo.",
                    code="version",
                )
        return cleaned_data


class CifraMensualInline(admin.TabularInline):
    model = CifraMensual
    fields = ["indicador", "valor", "comentario"]
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
    }


@admin.register(ReporteMensual)
class ReporteMensualAdmin(SimpleHistoryAdmin):
    form = ReporteMensualForm
    list_display = ["centro", "anio", "mes", "estado", "version", "actualizado"]
    list_filter = ["estado", "anio", "mes", "centro__area", "centro"]
    list_select_related = ["centro"]
    search_fields = ["centro__nombre", "centro__nombre_corto"]
    ordering = ["-anio", "-mes", "centro__numero"]
    autocomplete_fields = ["centro"]
    readonly_fields = ["actualizado"]
    fields = ["centro", ("anio", "mes"), "estado", "comentario", "version", "actualizado"]
    inlines = [CifraMensualInline]

    def get_queryset(self, request):
        # Also used by the autocomplete of the forms that point to a report (its __str__ needs
        # the centre).
        return super().get_queryset(request).select_related("centro")

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The form locks the report's row while it checks the version, as in the change view.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(CifraMensual)
class CifraMensualAdmin(SimpleHistoryAdmin):
    list_display = ["reporte", "indicador", "valor"]
    list_filter = [
        "reporte__anio",
        "reporte__mes",
        "reporte__estado",
        "indicador",
        "reporte__centro__area",
    ]
    list_select_related = ["reporte__centro", "indicador"]
    search_fields = [
        "reporte__centro__nombre",
        "reporte__centro__nombre_corto",
        "indicador__nombre",
    ]
    ordering = ["-reporte__anio", "-reporte__mes", "reporte__centro__numero", "indicador__nombre"]
    autocomplete_fields = ["reporte"]


# --- Agency-wide activities ---------------------------------------------------------------------


@admin.register(AccionGeneral)
class AccionGeneralAdmin(admin.ModelAdmin):
    list_display = [
        "actividad",
        "anio",
        "cantidad",
        "sector",
        "beneficiarios",
        "unidad_beneficiarios",
        "orden",
    ]
    list_filter = ["anio", "unidad_beneficiarios"]
    search_fields = ["actividad", "sector", "descripcion"]
    ordering = ["-anio", "orden"]
