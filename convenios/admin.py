import datetime

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from casmul.admin_montos import MontosEnDolares
from casmul.cierres import CierreDelAnioAdmin
from casmul.hojas import ImportacionDeHojaMixin

from .models import DIAS_POR_VENCER, Convenio, Institucion


@admin.register(Institucion)
class InstitucionAdmin(admin.ModelAdmin):
    list_display = ["nombre", "siglas"]
    search_fields = ["nombre", "siglas"]


class EstadoFilter(admin.SimpleListFilter):
    """Filters by the status of today, the same rules as `Convenio.estado` written as queries."""

    title = "estado"
    parameter_name = "estado"

    def lookups(self, request, model_admin):
        return Convenio.Estado.choices

    def queryset(self, request, queryset):
        hoy = timezone.localdate()
        limite = hoy + datetime.timedelta(days=DIAS_POR_VENCER)
        iniciado = Q(fecha_inicio__isnull=True) | Q(fecha_inicio__lte=hoy)
        condiciones = {
            Convenio.Estado.NO_INICIADO: Q(fecha_inicio__gt=hoy),
            Convenio.Estado.VENCIDO: iniciado & Q(fecha_fin__lt=hoy),
            Convenio.Estado.POR_VENCER: iniciado & Q(fecha_fin__gte=hoy, fecha_fin__lte=limite),
            Convenio.Estado.VIGENTE: iniciado
            & (Q(fecha_fin__isnull=True) | Q(fecha_fin__gt=limite)),
        }
        condicion = condiciones.get(self.value())
        return queryset if condicion is None else queryset.filter(condicion)


@admin.register(Convenio)
class ConvenioAdmin(ImportacionDeHojaMixin, CierreDelAnioAdmin, MontosEnDolares, admin.ModelAdmin):
    # From a spreadsheet too (`casmul.hojas`, kind registered in `convenios.apps`).
    tipo_importable = "convenios"
    list_display = [
        "numero_mostrado",
        "titulo_corto",
        "tipo",
        "programa_mies",
        "fecha_inicio",
        "fecha_fin",
        "estado",
    ]
    list_filter = [EstadoFilter, "tipo", "programa_mies", "indefinido", "centros__area"]
    search_fields = ["numero", "titulo", "objeto", "instituciones__nombre", "instituciones__siglas"]
    filter_horizontal = ["instituciones", "centros"]
    date_hierarchy = "fecha_inicio"
    readonly_fields = ["meses_segun_fechas"]
    autocomplete_fields = ["renueva_a"]
    fieldsets = [
        (None, {"fields": ["numero", "titulo", ("tipo", "programa_mies"), "instituciones"]}),
        (
            "Plazo",
            {
                "fields": [
                    "fecha_suscripcion",
                    ("fecha_inicio", "fecha_fin", "indefinido"),
                    ("duracion_declarada_meses", "meses_segun_fechas"),
                    "plazo_nota",
                ]
            },
        ),
        ("Contenido", {"fields": ["objeto", "centros", "monto", "documento", "orden"]}),
        ("Renovación", {"fields": ["renueva_a"]}),
    ]

    def anios_de(self, obj) -> list[int]:
        return obj.anios_de_vigencia()

    @admin.display(description="número", ordering="numero")
    def numero_mostrado(self, obj):
        return obj.numero_mostrado

    @admin.display(description="título")
    def titulo_corto(self, obj):
        return Truncator(obj.titulo).chars(80)

    @admin.display(description="estado")
    def estado(self, obj):
        return obj.estado(timezone.localdate()).label

    @admin.display(description="meses según las fechas")
    def meses_segun_fechas(self, obj):
        meses = obj.meses_segun_fechas
        if meses is None:
            return "—"
        if obj.duracion_contradice_fechas:
            return f"{meses} (no coincide con la duración declarada)"
        return meses
