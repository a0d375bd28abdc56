"""Filters of the budget lines' and procurement processes' lists (django-filter). Every filter
is a query: the lists are paginated and their totals are added in the database, so a rule
applied in Python would have to read every row first."""

import datetime

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from casmul.admin_montos import MontoField
from casmul.meses import PRIMER_ANIO
from casmul.widgets import FechaInput
from centros.models import Area, Centro

from .models import GastoComun, LineaPresupuestaria, ProcesoContratacion, TipoContratacion

TODOS_LOS_ANIOS = "todos"


def anios_elegibles(hoy: datetime.date) -> list[tuple[str, str]]:
    """The years a list can show, the latest first (next year too: a budget is prepared
    ahead), and «all years»."""
    return [(str(anio), str(anio)) for anio in range(hoy.year + 1, PRIMER_ANIO - 1, -1)] + [
        (TODOS_LOS_ANIOS, "Todos los años")
    ]


class MontoFilter(django_filters.NumberFilter):
    """An amount typed the Ecuadorian way (1.234,56), read by the portal's one reader."""

    field_class = MontoField


class FechaFilter(django_filters.DateFilter):
    """A date typed dd/mm/aaaa (ISO is accepted too)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FechaInput())
        super().__init__(*args, **kwargs)


class DelAnioFilterSet(django_filters.FilterSet):
    """A list of a year: without a year in the query string it shows the current one; the
    choice «Todos los años» shows every year."""

    anio = django_filters.ChoiceFilter(label="Año", method="filtrar_anio", empty_label=None)

    def __init__(self, data=None, queryset=None, *, hoy: datetime.date, **kwargs):
        datos = data.copy() if data is not None else {}
        if not datos.get("anio"):
            datos["anio"] = str(hoy.year)
        # Always bound: the default year is a filter like any other.
        super().__init__(datos, queryset, **kwargs)
        self.filters["anio"].extra["choices"] = anios_elegibles(hoy)

    def filtrar_anio(self, queryset: QuerySet, name: str, value: str):
        return queryset if value == TODOS_LOS_ANIOS else queryset.filter(anio=int(value))

    @property
    def qs(self):
        # A filter typed wrong is not silently ignored: the list (its totals, its export)
        # stays empty until it is fixed, rather than adding up rows the user meant to leave out.
        if not self.form.is_valid():
            return self.queryset.none()
        return super().qs

    @property
    def anio_elegido(self) -> int | None:
        """The year shown, or None for every year (or while the filters have errors)."""
        valor = self.form.cleaned_data.get("anio") if self.form.is_valid() else None
        return int(valor) if valor and valor != TODOS_LOS_ANIOS else None


class LineasFilter(DelAnioFilterSet):
    """Budget lines by year, área, centre and a text in their description or partida."""

    area = django_filters.ModelChoiceFilter(
        label="Área",
        queryset=Area.objects.order_by("orden", "nombre"),
        empty_label="Todas las áreas",
    )
    centro = django_filters.ModelChoiceFilter(
        label="Centro",
        queryset=Centro.objects.order_by("numero", "nombre"),
        empty_label="Todos los centros",
    )
    texto = django_filters.CharFilter(
        label="Descripción o partida",
        method="filtrar_texto",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    class Meta:
        model = LineaPresupuestaria
        fields = ["anio", "area", "centro", "texto"]

    def filtrar_texto(self, queryset: QuerySet[LineaPresupuestaria], name: str, value: str):
        texto = value.strip()
        if not texto:
            return queryset
        return queryset.filter(Q(descripcion__icontains=texto) | Q(partida__icontains=texto))


class ProcesosFilter(DelAnioFilterSet):
    """Procurement processes by year, type, a text in their code or object, an amount range
    (es-EC) and a date range."""

    tipo = django_filters.ModelChoiceFilter(
        label="Tipo",
        queryset=TipoContratacion.objects.all(),
        to_field_name="codigo",
        empty_label="Todos los tipos",
    )
    estado = django_filters.ChoiceFilter(
        label="Estado", choices=ProcesoContratacion.Estado.choices, empty_label="Todos los estados"
    )
    texto = django_filters.CharFilter(
        label="Código u objeto",
        method="filtrar_texto",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    monto_desde = MontoFilter(label="Monto desde", field_name="monto", lookup_expr="gte")
    monto_hasta = MontoFilter(label="Monto hasta", field_name="monto", lookup_expr="lte")
    fecha_desde = FechaFilter(label="Fecha desde", field_name="fecha", lookup_expr="gte")
    fecha_hasta = FechaFilter(label="Fecha hasta", field_name="fecha", lookup_expr="lte")

    class Meta:
        model = ProcesoContratacion
        fields = [
            "anio",
            "tipo",
            "estado",
            "texto",
            "monto_desde",
            "monto_hasta",
            "fecha_desde",
            "fecha_hasta",
        ]

    def filtrar_texto(self, queryset: QuerySet[ProcesoContratacion], name: str, value: str):
        texto = value.strip()
        if not texto:
            return queryset
        return queryset.filter(Q(codigo__icontains=texto) | Q(objeto__icontains=texto))


class GastosFilter(DelAnioFilterSet):
    """Shared expenses by year."""

    class Meta:
        model = GastoComun
        fields = ["anio"]
