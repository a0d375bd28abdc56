"""Admin of the nominal registry: sensitive personal data (LOPDP).

A cédula never travels in a URL: the changelists search by names through the GET `q` (it is
in the address, hence in the server's access log and the browser's history) and by cédula
through a POST form whose answer is a redirect to the person's page by id. Opening a person's
or an enrolment's page, or its history, is one line of the `casmul.datos_personales` log."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from casmul.hojas import ImportacionDeHojaMixin

from ..datos_personales import registrar_acceso
from ..forms_beneficiarios import BusquedaCedulaForm
from ..models import Beneficiario, Inscripcion

# Both changelists print the "Buscar por cédula" form beside the search box by names.
LISTA_CON_BUSQUEDA_POR_CEDULA = "admin/centros/change_list_busqueda_cedula.html"


class InscripcionInline(admin.TabularInline):
    model = Inscripcion
    fields = ["centro", "desde", "hasta"]
    autocomplete_fields = ["centro"]
    extra = 0


class AccesosRegistradosMixin:
    """Logs the change page (GET: opened; POST: changes sent) and the history page of one
    record: who, when and which record by id, never its content."""

    nombre_en_registro = ""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        respuesta = super().change_view(request, object_id, form_url, extra_context)
        if respuesta.status_code == 200 or request.method == "POST":
            accion = "abrió" if request.method == "GET" else "envió cambios a"
            registrar_acceso(
                request,
                f"{accion} en la administración la ficha de {self.nombre_en_registro} id "
                f"{object_id}",
            )
        return respuesta

    def history_view(self, request, object_id, extra_context=None):
        respuesta = super().history_view(request, object_id, extra_context)
        if respuesta.status_code == 200:
            registrar_acceso(
                request,
                f"vio en la administración el historial de {self.nombre_en_registro} id "
                f"{object_id}",
            )
        return respuesta


@admin.register(Beneficiario)
class BeneficiarioAdmin(AccesosRegistradosMixin, ImportacionDeHojaMixin, SimpleHistoryAdmin):
    # People with their enrolments from a spreadsheet (`casmul.hojas`, kind registered in
    # `centros.apps`).
    tipo_importable = "beneficiarios"
    nombre_en_registro = "beneficiario"
    # import-export keeps this one as the base of its own changelist template.
    change_list_template = LISTA_CON_BUSQUEDA_POR_CEDULA
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
    # Names only: a GET search puts its text in the URL. The cédula has its POST form
    # (`buscar_por_cedula`); these fields also serve the autocomplete of enrolments.
    search_fields = ["apellidos", "nombres"]
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

    def get_urls(self):
        opciones = self.opts
        propias = [
            path(
                "buscar-cedula/",
                self.admin_site.admin_view(self.buscar_por_cedula),
                name=f"{opciones.app_label}_{opciones.model_name}_buscar_cedula",
            ),
        ]
        return propias + super().get_urls()

    @method_decorator(require_POST)
    def buscar_por_cedula(self, request):
        """The cédula comes in the POST body and goes nowhere else: the answer is the
        person's page by id, or back to the list with a message that does not repeat it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = BusquedaCedulaForm(request.POST)
        persona = None
        if form.is_valid():
            persona = (
                Beneficiario.objects.filter(cedula=form.cleaned_data["cedula"]).only("pk").first()
            )
        hallado = f"halló al beneficiario id {persona.pk}" if persona else "sin resultado"
        registrar_acceso(request, f"buscó por cédula en la administración ({hallado})")
        if persona is not None:
            return redirect("admin:centros_beneficiario_change", persona.pk)
        if form.is_valid():
            self.message_user(request, "No hay nadie con esa cédula.", messages.WARNING)
        else:
            self.message_user(
                request,
                "La cédula escrita no es válida: revise sus 10 dígitos.",
                messages.ERROR,
            )
        volver = "inscripcion" if request.POST.get("volver") == "inscripcion" else "beneficiario"
        return redirect(f"admin:centros_{volver}_changelist")


@admin.register(Inscripcion)
class InscripcionAdmin(AccesosRegistradosMixin, SimpleHistoryAdmin):
    nombre_en_registro = "inscripción"
    change_list_template = LISTA_CON_BUSQUEDA_POR_CEDULA
    list_display = ["beneficiario", "centro", "desde", "hasta", "vigente"]
    list_filter = ["centro__area", "centro"]
    list_select_related = ["beneficiario", "centro"]
    # Names only, as for the people (see BeneficiarioAdmin.search_fields).
    search_fields = ["beneficiario__apellidos", "beneficiario__nombres"]
    autocomplete_fields = ["beneficiario", "centro"]
    date_hierarchy = "desde"

    @admin.display(description="vigente", boolean=True)
    def vigente(self, obj):
        hoy = timezone.localdate()
        return obj.desde <= hoy and (obj.hasta is None or obj.hasta >= hoy)
