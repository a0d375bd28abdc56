"""Admin of the monthly reports and their figures, with the spreadsheet import. Every write
goes through the month write (`centros.services.mes`, see `centros.admin_del_mes`)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm
from import_export.results import RowResult
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import is_historic

from casmul.admin_sitio import SoloLecturaAdmin
from casmul.formato import cifra
from casmul.hojas import HojaImportForm, ImportacionDeHojaMixin
from casmul.meses import Mes
from casmul.numeros import Clase, numero_leer
from casmul.permisos import puede_registrar_cifras

from ..admin_del_mes import (
    MOTIVO_ADMIN,
    EdicionDelMesAdmin,
    FilaDelMesForm,
    MesCerradoSoloLectura,
)
from ..forms import cifra_mostrar
from ..models import (
    AvisoDesactivado,
    AvisoEnviado,
    CifraMensual,
    Devolucion,
    PlazoDelAnio,
    ReporteMensual,
    SinAtencion,
)
from ..resources import CifraMensualResource
from ..services import (
    ConflictoDeVersion,
    MesEnEdicion,
    mes_abierto_a_registro,
    reporte_bloquear,
    valores_validar,
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
        """Opens the month (`centros.services.mes`): the save writes and closes it."""
        cleaned_data = super().clean()
        try:
            if self.instance.pk and "version" in cleaned_data:
                # The admin saves inside a transaction: the lock holds until the save is done.
                reporte_bloquear(reporte_id=self.instance.pk, version=cleaned_data["version"])
            if cleaned_data.get("centro") and cleaned_data.get("anio") and cleaned_data.get("mes"):
                mes_abierto_a_registro(
                    centro=cleaned_data["centro"],
                    mes=Mes(cleaned_data["anio"], cleaned_data["mes"]),
                )
        except ConflictoDeVersion:
            raise forms.ValidationError(
                "Otra persona guardó este reporte mientras usted lo editaba. "
                "Recargue la página para ver sus cambios y vuelva a intentarlo.",
                code="version",
            ) from None
        except ValidationError as error:
            raise forms.ValidationError(error.messages, code=error.code) from None
        return cleaned_data


class CifraMensualForm(FilaDelMesForm):
    """A figure typed in the admin obeys the monthly form's rules: a figure the centre reports,
    the number rules of its kind, and never in an approved month or one not operated. The value
    is typed the Ecuadorian way ("4.321", "1.234,56") and read by `casmul.numeros` as a count
    or as money, as its indicator says."""

    # Text, not a number input: the browser would read it by its own locale. Read in `clean`,
    # once the indicator (the kind of figure) is known.
    valor = forms.CharField(
        label="Valor",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args, reporte_del_mes=None, **kwargs):
        super().__init__(*args, **kwargs)
        # In the month's inline: the month being edited (maybe not saved yet).
        self.reporte_del_mes = reporte_del_mes
        guardado = self.initial.get("valor")
        if guardado is not None and not isinstance(guardado, str):
            indicador = self.instance.indicador if self.instance.indicador_id else None
            monetario = indicador is not None and indicador.es_monetario
            # A count stored with decimals (never through these doors) shows them, to be fixed
            # rather than rounded unseen.
            decimales = 2 if monetario or guardado != int(guardado) else 0
            self.initial["valor"] = cifra_mostrar(guardado, decimales)

    def reporte_destino(self, cleaned_data):
        reporte = cleaned_data.get("reporte", self.reporte_del_mes)
        # A month created in this same form has no row to lock yet: the month's form checks it.
        return reporte if reporte is not None and reporte.pk else None

    def _valor_leer(self) -> None:
        """Replaces the typed text by the figure it writes, or puts the refusal on "valor"."""
        if "valor" not in self.cleaned_data:
            return
        texto = self.cleaned_data.pop("valor")
        indicador = self.cleaned_data.get("indicador")
        if indicador is None:
            # Unread without its kind: the indicator's own error says what is missing.
            return
        try:
            valor = numero_leer(texto, clase=Clase.de_unidad(indicador.unidad))
        except ValidationError as error:
            self.add_error("valor", error)
            return
        if valor is None:
            self.add_error(
                "valor",
                ValidationError(forms.Field.default_error_messages["required"], code="required"),
            )
            return
        self.cleaned_data["valor"] = valor

    def clean(self):
        # Read before the month checks, so that a refused month leaves a number (not text) for
        # the model's own validation.
        self._valor_leer()
        cleaned_data = super().clean()
        reporte = cleaned_data.get("reporte", self.reporte_del_mes)
        indicador, valor = cleaned_data.get("indicador"), cleaned_data.get("valor")
        if reporte is None or not reporte.centro_id or indicador is None:
            return cleaned_data
        centro = reporte.centro
        reportadas = centro.indicadores_centro.del_anio(reporte.anio)
        if not reportadas.filter(indicador=indicador).exists():
            self.add_error(
                "indicador", f"{centro.nombre_corto} no reporta esta cifra en {reporte.anio}."
            )
        elif valor is not None:
            try:
                valores_validar(centro=centro, anio=reporte.anio, valores={indicador.codigo: valor})
            except ValidationError as error:
                self.add_error("valor", error.message_dict[indicador.codigo])
        return cleaned_data


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
class ReporteMensualAdmin(MesCerradoSoloLectura, SimpleHistoryAdmin):
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
                "(matriz de completitud, con la versión revisada) o al reabrirlo (con su "
                "motivo).",
                "fields": ["estado_del_mes", "seguimiento", "actualizado", *CAMPOS_DEL_FLUJO],
            },
        ),
    ]
    inlines = [CifraMensualInline]

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
            obj.version = actual.version
        else:
            for nombre in CAMPOS_DEL_FLUJO:
                campo = ReporteMensual._meta.get_field(nombre)
                setattr(obj, campo.attname, campo.get_default())
            obj.version = 0
            # The history starts when the edit closes (`save_related`).
            obj.skip_history_when_saving = True
            super().save_model(request, obj, form, change)
            del obj.skip_history_when_saving
        # Opened by the form's clean; its own fields are saved when it closes, after its figures
        # (`save_related`).
        form.edicion = MesEnEdicion(reporte=obj, usuario=request.user, motivo=MOTIVO_ADMIN)
        if is_historic(obj):
            # The history's revert form saves the month alone: no `save_related` follows.
            form.edicion.cerrar()

    def save_formset(self, request, form, formset, change):
        for fila in formset.save(commit=False):
            form.edicion.fila_guardar(fila)
        for fila in formset.deleted_objects:
            fila.delete()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.edicion.cerrar()


def _campo_enviar() -> forms.BooleanField:
    return forms.BooleanField(
        label="Enviar a revisión los meses importados que estén completos y sin advertencias",
        required=False,
        help_text="Los meses con advertencias o a los que les falten cifras quedan en borrador: "
        "se envían desde su mes, con un comentario.",
    )


class ImportarCifrasForm(HojaImportForm):
    enviar = _campo_enviar()


class ConfirmarCifrasForm(ConfirmImportForm):
    # Shown again with the preview: what the confirmation will do, still open to change.
    enviar = _campo_enviar()


@admin.register(CifraMensual)
class CifraMensualAdmin(
    MesCerradoSoloLectura,
    EdicionDelMesAdmin,
    ImportacionDeHojaMixin,
    ImportExportMixin,
    SimpleHistoryAdmin,
):
    form = CifraMensualForm
    resource_classes = [CifraMensualResource]
    # Exports in the two formats the offices use.
    formats = [base_formats.CSV, base_formats.XLSX]
    # Imports take both as one format: the file's content says which it is, and how Excel or
    # LibreOffice in Spanish wrote it (`casmul.hojas`, kind registered in `centros.apps`).
    tipo_importable = "cifras"
    list_display = ["reporte", "indicador", "valor_mostrado"]
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

    @admin.display(description="valor", ordering="valor")
    def valor_mostrado(self, obj):
        return cifra(obj.valor, obj.indicador.es_monetario)

    # --- Import ----------------------------------------------------------------------------

    def get_import_form_class(self, request):
        # The option is offered only to those who may submit months (as on the year page).
        if puede_registrar_cifras(request.user):
            return ImportarCifrasForm
        return HojaImportForm

    def get_confirm_form_class(self, request):
        if puede_registrar_cifras(request.user):
            return ConfirmarCifrasForm
        return super().get_confirm_form_class(request)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["enviar"] = import_form.cleaned_data.get("enviar", False)
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        # Only the forms of those who may submit have the option (`get_import_form_class`).
        # The preview gets it too: the resource never submits in a dry run.
        form = kwargs.get("form")
        return {
            **super().get_import_resource_kwargs(request, **kwargs),
            "enviar": bool(getattr(form, "cleaned_data", {}).get("enviar")),
        }

    def add_success_message(self, result, request):
        totales = result.totals
        self.message_user(
            request,
            f"Importación terminada: {totales[RowResult.IMPORT_TYPE_NEW]} cifras nuevas y "
            f"{totales[RowResult.IMPORT_TYPE_UPDATE]} actualizadas.",
            messages.SUCCESS,
        )
        envio = result.envio
        if envio is not None:
            quedan = envio.con_advertencias or envio.incompletos
            self.message_user(
                request, envio.mensaje, messages.WARNING if quedan else messages.SUCCESS
            )


@admin.register(Devolucion)
class DevolucionAdmin(SoloLecturaAdmin):
    """Returns are made from a month's review (`reporte_devolver`) and answered by the centre
    submitting it again: read-only here."""

    list_display = ["reporte", "devuelto_en", "devuelto_por", "motivo", "respondido_en"]
    list_filter = ["devuelto_en"]
    list_select_related = ["reporte__centro", "devuelto_por"]
    ordering = ["-devuelto_en"]


@admin.register(PlazoDelAnio)
class PlazoDelAnioAdmin(admin.ModelAdmin):
    list_display = ["anio", "dia", "actualizado_por", "actualizado"]
    fields = ["anio", "dia"]
    ordering = ["-anio"]

    def save_model(self, request, obj, form, change):
        obj.actualizado_por = request.user
        super().save_model(request, obj, form, change)


@admin.register(SinAtencion)
class SinAtencionAdmin(admin.ModelAdmin):
    """Recorded by staff from their centre's year (`sin_atencion_registrar`, which computes
    the months' warnings again): read-only here, as a change would leave them stale."""

    list_display = ["centro", "desde", "hasta", "motivo", "registrado_por"]
    list_filter = ["centro"]
    list_select_related = ["centro", "registrado_por"]
    ordering = ["-desde"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AvisoEnviado)
class AvisoEnviadoAdmin(SoloLecturaAdmin):
    """What the portal sent by e-mail and to whom: read-only, to answer «¿me avisaron?»."""

    list_display = ["enviado", "usuario", "tipo", "asunto"]
    list_filter = ["tipo", "enviado"]
    list_select_related = ["usuario"]
    search_fields = ["usuario__username", "usuario__email", "asunto"]


@admin.register(AvisoDesactivado)
class AvisoDesactivadoAdmin(admin.ModelAdmin):
    """The notices each person turned off on «Mis avisos» (every kind is on by default)."""

    list_display = ["usuario", "tipo"]
    list_filter = ["tipo"]
    list_select_related = ["usuario"]
    search_fields = ["usuario__username", "usuario__email"]
