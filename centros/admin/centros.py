"""Admin of the centres, their years of operation, hours, equipment, photos, indicators and
the agency-wide activities."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models

from casmul.admin_montos import CifrasContadas
from casmul.hojas import ImportacionDeHojaMixin
from casmul.numeros import Clase

from ..models import (
    CAMPOS_DEL_ANIO,
    CAMPOS_DEL_INDICADOR,
    AccionGeneral,
    Area,
    Centro,
    FotoCentro,
    HorarioAtencion,
    Indicador,
    IndicadorCentro,
    Instalacion,
    OperacionAnual,
    Parroquia,
)
from ..services import (
    anio_de_los_cambios,
    centro_definicion_comprobar,
    centro_definir,
    foto_centro_guardar,
    indicador_definicion_comprobar,
    indicador_definir,
)


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
    fields = ["indicador", "orden", "desde_anio", "hasta_anio"]
    extra = 0


class OperacionAnualInline(CifrasContadas, admin.TabularInline):
    model = OperacionAnual
    fields = ["anio", "mes_inicio", "mes_fin", "personal", "definicion_del_anio"]
    readonly_fields = ["definicion_del_anio"]
    cifras_contadas = {"personal": Clase.PERSONAS}
    extra = 0

    @admin.display(description="definición del año")
    def definicion_del_anio(self, operacion):
        if not operacion.pk or not operacion.definicion_propia:
            return "La del centro (abajo)"
        return (
            f"{operacion.area} · {operacion.get_modalidad_display()} · "
            f"{operacion.get_linea_servicio_display()} · {operacion.parroquia}"
            + (f" · capacidad {operacion.capacidad}" if operacion.capacidad else "")
        )


class CentroForm(forms.ModelForm):
    """The centre, and from which year on a change of what defines it applies: the years
    before keep theirs (`centros.services.centro_definir`)."""

    desde_anio = forms.IntegerField(
        label="Desde el año",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="El año desde el que rigen el área, la modalidad, la línea de servicio, la "
        "parroquia, la capacidad y el indicador de usuarios que se cambien; los años anteriores "
        "conservan los suyos. Vacío: el año en curso.",
    )
    motivo = forms.CharField(
        label="Motivo de la corrección",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Solo si el cambio alcanza un año con meses aprobados o con el informe "
        "publicado: se reabren sus meses aprobados y, si está publicado, entra en su fe de "
        "erratas.",
    )

    # No Meta: the admin builds the form for Centro with its fieldsets.

    def clean(self):
        datos = super().clean()
        if self.instance.pk is None or self.errors:
            return datos
        cambios = {
            campo: datos[campo]
            for campo in self.changed_data
            if campo in CAMPOS_DEL_ANIO and campo in datos
        }
        desde = datos.get("desde_anio") or anio_de_los_cambios()
        guardado = Centro.objects.get(pk=self.instance.pk)
        try:
            centro_definicion_comprobar(
                centro=guardado, cambios=cambios, desde_anio=desde, motivo=datos.get("motivo", "")
            )
        except ValidationError as error:
            self.add_error(next(iter(cambios)), error)
        return datos


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
class CentroAdmin(ImportacionDeHojaMixin, CifrasContadas, admin.ModelAdmin):
    form = CentroForm
    cifras_contadas = {"capacidad": Clase.PERSONAS}
    # From a spreadsheet too (`casmul.hojas`, kind registered in `centros.apps`).
    tipo_importable = "centros"
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
                    ("desde_anio", "motivo"),
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

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        concretos = {campo.name for campo in Centro._meta.concrete_fields}
        cambios = {
            campo: form.cleaned_data[campo] for campo in form.changed_data if campo in concretos
        }
        form.instance = centro_definir(
            centro=obj,
            cambios=cambios,
            desde_anio=form.cleaned_data.get("desde_anio") or anio_de_los_cambios(),
            usuario=request.user,
            motivo=form.cleaned_data.get("motivo", ""),
        )

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
class OperacionAnualAdmin(CifrasContadas, _DelCentroAdmin):
    cifras_contadas = {"personal": Clase.PERSONAS}
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


class IndicadorForm(forms.ModelForm):
    """The indicator, and from which year on a new name, rule or unit applies: the years
    before keep theirs (`centros.services.indicador_definir`)."""

    desde_anio = forms.IntegerField(
        label="Desde el año",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="El año desde el que rigen el nombre, la agregación o la unidad nuevos; los "
        "años anteriores conservan los suyos y sus totales. Vacío: un cambio de nombre corrige "
        "todos los años, y la regla o la unidad solo cambian si ningún mes está aprobado.",
    )

    # No Meta: the admin builds the form for Indicador with its fields.

    def clean(self):
        datos = super().clean()
        self.definicion_nueva = {}
        if self.instance.pk is None or self.errors:
            return datos
        guardado = Indicador.objects.get(pk=self.instance.pk)
        cambios = {
            campo: datos[campo]
            for campo in CAMPOS_DEL_INDICADOR
            if campo in datos and datos[campo] != getattr(guardado, campo)
        }
        try:
            indicador_definicion_comprobar(
                indicador=guardado, cambios=cambios, desde_anio=datos.get("desde_anio")
            )
        except ValidationError as error:
            self.add_error(next(iter(cambios)), error)
            return datos
        # The service writes them (in place, or in the indicator that takes over from that
        # year); the indicator saved here keeps its own.
        self.definicion_nueva = cambios
        datos.update({campo: getattr(guardado, campo) for campo in cambios})
        return datos


@admin.register(Indicador)
class IndicadorAdmin(admin.ModelAdmin):
    form = IndicadorForm
    list_display = ["nombre", "codigo", "unidad", "agregacion"]
    list_filter = ["unidad", "agregacion"]
    search_fields = ["nombre", "codigo"]
    prepopulated_fields = {"codigo": ["nombre"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not getattr(form, "definicion_nueva", None):
            return
        nuevo = indicador_definir(
            indicador=obj,
            cambios=form.definicion_nueva,
            desde_anio=form.cleaned_data.get("desde_anio"),
            usuario=request.user,
        )
        if nuevo.pk != obj.pk:
            self.message_user(
                request,
                f"Desde {form.cleaned_data['desde_anio']}, «{nuevo.nombre}» ({nuevo.regla}) es "
                f"el indicador {nuevo.codigo}, que reemplaza a «{obj.nombre}» en los centros que "
                "lo reportan; los años anteriores conservan el suyo.",
            )


@admin.register(IndicadorCentro)
class IndicadorCentroAdmin(_DelCentroAdmin):
    list_display = ["centro", "indicador", "orden", "desde_anio", "hasta_anio"]
    list_filter = ["centro__area", "indicador"]
    list_select_related = ["centro", "indicador"]
    search_fields = ["centro__nombre", "centro__nombre_corto", "indicador__nombre"]


# --- Agency-wide activities ---------------------------------------------------------------------


@admin.register(AccionGeneral)
class AccionGeneralAdmin(CifrasContadas, admin.ModelAdmin):
    # `cantidad` is how many times the activity was held.
    cifras_contadas = {"cantidad": Clase.SERVICIOS, "beneficiarios": Clase.PERSONAS}
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
