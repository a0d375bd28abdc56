"""Admin of `centros`, the base app: it imports nothing from the other apps."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import F
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.results import RowResult
from simple_history.admin import SimpleHistoryAdmin

from casmul.roles import Rol, tiene_rol

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
from .resources import CifraMensualResource
from .services import (
    foto_centro_guardar,
    mes_no_futuro,
    reportes_aprobar,
    reportes_aprobar_mensaje,
    valores_validar,
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

MENSAJE_MES_APROBADO = (
    "Este mes está aprobado y sus cifras no se pueden modificar. Para corregirlas, la "
    "Coordinación de planificación debe reabrirlo primero."
)

# The month's workflow: changed only by the services (submit, approve, reopen), never typed in.
CAMPOS_DEL_FLUJO = [
    "estado",
    "advertencias",
    "motivo_reapertura",
    "actualizado_por",
    "enviado_en",
    "aprobado_por",
    "aprobado_en",
]


def mes_bloqueado(reporte_id: int | None) -> bool:
    """Whether the month is approved, locking its row until the transaction ends (the admin
    saves inside one), so that it cannot be approved between this check and the save."""
    if not reporte_id:
        return False
    return (
        ReporteMensual.objects.select_for_update()
        .filter(pk=reporte_id, estado=ReporteMensual.Estado.APROBADO)
        .exists()
    )


class MesAprobadoSoloLectura:
    """Admin of records that belong to a month: read-only (for everyone, superusers included)
    once the month is approved. The only way to change them is to reopen the month."""

    def reporte_de(self, obj) -> ReporteMensual:
        return obj.reporte

    def mes_aprobado(self, obj) -> bool:
        return obj is not None and obj.pk is not None and self.reporte_de(obj).aprobado

    def has_change_permission(self, request, obj=None):
        return not self.mes_aprobado(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.mes_aprobado(obj) and super().has_delete_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a posted revert after checking only the *view*
        # permission: check the change permission against the record as it is now. The
        # transaction holds the row locks taken by the form's checks until the save is done.
        with transaction.atomic(using=router.db_for_write(self.model)):
            if request.method == "POST":
                actual = self.get_object(request, object_id)
                if actual is None or not self.has_change_permission(request, actual):
                    raise PermissionDenied
            return super().history_form_view(request, object_id, version_id, extra_context)


class ReporteMensualForm(forms.ModelForm):
    """Carries the version the user loaded, so that an older copy cannot overwrite a newer one.
    The workflow fields are shown but never taken from the form."""

    class Meta:
        model = ReporteMensual
        fields = ["centro", "anio", "mes", "comentario", "version", *CAMPOS_DEL_FLUJO]
        widgets = {"version": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for nombre in CAMPOS_DEL_FLUJO:
            if nombre in self.fields:
                # Shown read-only by the admin (`estado_del_mes`, `seguimiento`).
                self.fields[nombre].disabled = True
                self.fields[nombre].required = False
                self.fields[nombre].widget = (
                    forms.SplitHiddenDateTimeWidget()
                    if isinstance(self.fields[nombre], forms.SplitDateTimeField)
                    else forms.HiddenInput()
                )
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
                .values_list("version", "estado")
                .first()
            )
            if actual and actual[1] == ReporteMensual.Estado.APROBADO:
                raise forms.ValidationError(MENSAJE_MES_APROBADO, code="aprobado")
            if actual is None or actual[0] != cleaned_data["version"]:
                raise forms.ValidationError(
                    "Otra persona guardó este reporte mientras usted lo editaba. "
                    "Recargue la página para ver sus cambios y vuelva a intentarlo.",
                    code="version",
                )
        if cleaned_data.get("anio") and cleaned_data.get("mes"):
            try:
                mes_no_futuro(anio=cleaned_data["anio"], mes=cleaned_data["mes"])
            except ValidationError as error:
                self.add_error("mes", error)
        return cleaned_data


class CifraMensualForm(forms.ModelForm):
    """A figure typed in the admin obeys the monthly form's rules: a figure the centre reports,
    not negative, whole unless it is money, and never in an approved month."""

    def __init__(self, *args, reporte_del_mes=None, **kwargs):
        super().__init__(*args, **kwargs)
        # In the month's inline: the month being edited (maybe not saved yet).
        self.reporte_del_mes = reporte_del_mes

    def clean(self):
        cleaned_data = super().clean()
        reporte = cleaned_data.get("reporte", self.reporte_del_mes)
        actual_id = self.instance.reporte_id if self.instance.pk else None
        if mes_bloqueado(actual_id) or (reporte is not None and mes_bloqueado(reporte.pk)):
            raise forms.ValidationError(MENSAJE_MES_APROBADO, code="aprobado")
        indicador, valor = cleaned_data.get("indicador"), cleaned_data.get("valor")
        if reporte is None or not reporte.centro_id or indicador is None:
            return cleaned_data
        centro = reporte.centro
        if not centro.indicadores_centro.filter(indicador=indicador).exists():
            self.add_error("indicador", f"{centro.nombre_corto} no reporta esta cifra.")
        elif valor is not None:
            try:
                valores_validar(centro=centro, valores={indicador.codigo: valor})
            except ValidationError as error:
                self.add_error("valor", error.message_dict[indicador.codigo])
        return cleaned_data


def nueva_version_del_mes(reporte_ids) -> None:
    """A figure changed here: a form opened before cannot overwrite it."""
    ReporteMensual.objects.filter(pk__in=list(reporte_ids)).update(version=F("version") + 1)


class NuevaVersionDelMes:
    """Admin of rows that belong to a month: every save or delete gives the month a new
    version, so that a form opened earlier cannot overwrite them."""

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


class CifrasDelMesFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "reporte_del_mes": self.instance}


class CifraMensualInline(admin.TabularInline):
    model = CifraMensual
    form = CifraMensualForm
    formset = CifrasDelMesFormSet
    fields = ["indicador", "valor", "comentario"]
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
    }

    # `obj` is the month being edited.
    def has_add_permission(self, request, obj=None):
        return not (obj and obj.aprobado) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.aprobado) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.aprobado) and super().has_delete_permission(request, obj)


@admin.register(ReporteMensual)
class ReporteMensualAdmin(MesAprobadoSoloLectura, SimpleHistoryAdmin):
    form = ReporteMensualForm
    list_display = ["centro", "anio", "mes", "estado", "version", "actualizado"]
    list_filter = ["estado", "anio", "mes", "centro__area", "centro"]
    list_select_related = ["centro"]
    search_fields = ["centro__nombre", "centro__nombre_corto"]
    ordering = ["-anio", "-mes", "centro__numero"]
    autocomplete_fields = ["centro"]
    readonly_fields = ["estado_del_mes", "seguimiento", "actualizado"]
    fieldsets = [
        (None, {"fields": ["centro", ("anio", "mes"), "comentario", "version"]}),
        (
            "Seguimiento",
            {
                "description": "El estado cambia solo al enviar el mes (centro), al aprobarlo "
                "(acción «Aprobar» de la lista) o al reabrirlo (con su motivo).",
                "fields": ["estado_del_mes", "seguimiento", "actualizado", *CAMPOS_DEL_FLUJO],
            },
        ),
    ]
    inlines = [CifraMensualInline]
    actions = ["aprobar"]

    def reporte_de(self, obj):
        return obj

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read-only page: the workflow is told by `seguimiento`, not field by field.
        ocultos = {"version", *CAMPOS_DEL_FLUJO}
        return [
            (nombre, {**opciones, "fields": [c for c in opciones["fields"] if c not in ocultos]})
            for nombre, opciones in fieldsets
        ]

    def get_queryset(self, request):
        # Also used by the autocomplete of the forms that point to a report (its __str__ needs
        # the centre).
        return super().get_queryset(request).select_related("centro")

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicados = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "reporte":
            # Choosing the month of a new figure: approved months cannot take one.
            queryset = queryset.exclude(estado=ReporteMensual.Estado.APROBADO)
        return queryset, duplicados

    @admin.display(description="estado")
    def estado_del_mes(self, obj):
        if obj is None or obj.pk is None:
            return ReporteMensual.Estado.BORRADOR.label
        return obj.get_estado_display()

    @admin.display(description="seguimiento")
    def seguimiento(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        lineas = []
        if obj.enviado_en:
            lineas.append(
                format_html(
                    "Enviado el {}",
                    date_format(timezone.localtime(obj.enviado_en), "SHORT_DATETIME_FORMAT"),
                )
            )
        if obj.aprobado_en:
            lineas.append(
                format_html(
                    "Aprobado el {} por {}",
                    date_format(timezone.localtime(obj.aprobado_en), "SHORT_DATETIME_FORMAT"),
                    obj.aprobado_por or "—",
                )
            )
        if obj.actualizado_por:
            lineas.append(format_html("Última edición de {}", obj.actualizado_por))
        for advertencia in obj.advertencias or []:
            lineas.append(format_html("⚠ {}", advertencia))
        if obj.motivo_reapertura:
            lineas.append(format_html("Motivo de la última reapertura: {}", obj.motivo_reapertura))
        if obj.aprobado:
            lineas.append(
                format_html(
                    '<a href="{}">Reabrir este mes…</a>',
                    reverse("centros:reabrir", args=[obj.pk]),
                )
            )
        return format_html_join(mark_safe("<br>"), "{}", ((linea,) for linea in lineas)) or "—"

    def save_model(self, request, obj, form, change):
        if change:
            # The workflow fields are those saved now, not those of the copy in the form (the
            # history's revert form starts from an old one).
            actual = ReporteMensual.objects.get(pk=obj.pk)
            for nombre in CAMPOS_DEL_FLUJO:
                campo = ReporteMensual._meta.get_field(nombre)
                setattr(obj, campo.attname, getattr(actual, campo.attname))
            obj.version += 1
        else:
            for nombre in CAMPOS_DEL_FLUJO:
                campo = ReporteMensual._meta.get_field(nombre)
                setattr(obj, campo.attname, campo.get_default())
        obj.actualizado_por = request.user
        super().save_model(request, obj, form, change)

    def has_aprobar_permission(self, request):
        return tiene_rol(request.user, Rol.COORDINACION, Rol.ADMINISTRACION)

    @admin.action(description="Aprobar los meses enviados seleccionados", permissions=["aprobar"])
    def aprobar(self, request, queryset):
        aprobados, omitidos = reportes_aprobar(
            reporte_ids=list(queryset.values_list("pk", flat=True)), usuario=request.user
        )
        nivel = messages.SUCCESS if aprobados else messages.WARNING
        self.message_user(request, reportes_aprobar_mensaje(aprobados, omitidos), nivel)


@admin.register(CifraMensual)
class CifraMensualAdmin(
    MesAprobadoSoloLectura, NuevaVersionDelMes, ImportExportMixin, SimpleHistoryAdmin
):
    form = CifraMensualForm
    resource_classes = [CifraMensualResource]
    # The two formats the offices use; the template columns are listed on the import page.
    formats = [base_formats.CSV, base_formats.XLSX]
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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reporte__centro", "indicador")

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Between the preview and the confirmation a row became invalid (a month approved
            # meanwhile, for example): the import was rolled back as a whole.
            self.message_user(
                request,
                "No se importó ninguna fila: el archivo tiene filas que ya no son válidas "
                "(por ejemplo, un mes aprobado mientras tanto). Vuelva a subirlo para ver cuáles.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:centros_ciframensual_import"))
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totales = result.totals
        self.message_user(
            request,
            f"Importación terminada: {totales[RowResult.IMPORT_TYPE_NEW]} cifras nuevas y "
            f"{totales[RowResult.IMPORT_TYPE_UPDATE]} actualizadas.",
            messages.SUCCESS,
        )


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
