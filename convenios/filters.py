"""Filters of the agreements' list (django-filter). Every filter is a query: the list is
paginated, so a rule applied in Python would have to read every row first."""

import datetime

import django_filters
from django import forms
from django.db.models import QuerySet

from casmul.meses import PRIMER_ANIO

from .models import Convenio, Institucion

# Far enough for a five-year agreement; beyond it the date arithmetic is no longer useful.
DIAS_MAXIMOS = 3660


class EnteroFilter(django_filters.Filter):
    """A whole number (django-filter's NumberFilter reads decimals)."""

    field_class = forms.IntegerField


class ConveniosFilter(django_filters.FilterSet):
    """The agreements by counterpart, type, MIES programme, status on `hoy`, year in force
    and "ends within N days" of `hoy`."""

    institucion = django_filters.ModelChoiceFilter(
        label="Contraparte",
        field_name="instituciones",
        queryset=Institucion.objects.order_by("nombre"),
        empty_label="Todas las contrapartes",
    )
    tipo = django_filters.ChoiceFilter(
        label="Tipo", choices=Convenio.Tipo.choices, empty_label="Todos los tipos"
    )
    programa_mies = django_filters.ChoiceFilter(
        label="Programa MIES",
        choices=Convenio.ProgramaMies.choices,
        empty_label="Todos los programas",
    )
    estado = django_filters.ChoiceFilter(
        label="Estado",
        choices=Convenio.Estado.choices,
        empty_label="Cualquier estado",
        method="filtrar_estado",
    )
    anio = EnteroFilter(
        label="Vigente en el año",
        method="filtrar_anio",
        min_value=PRIMER_ANIO,
        max_value=2100,
        widget=forms.NumberInput(attrs={"placeholder": "aaaa", "class": "campo-anio"}),
    )
    vence_en_dias = EnteroFilter(
        label="Vence en los próximos (días)",
        method="filtrar_vencimiento",
        min_value=0,
        max_value=DIAS_MAXIMOS,
        widget=forms.NumberInput(attrs={"placeholder": "60", "class": "campo-dias"}),
    )

    class Meta:
        model = Convenio
        fields = ["institucion", "tipo", "programa_mies", "estado", "anio", "vence_en_dias"]

    def __init__(self, data=None, queryset=None, *, hoy: datetime.date, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.hoy = hoy

    def filtrar_estado(self, queryset: QuerySet[Convenio], name: str, value: str):
        return queryset.con_estado(value, self.hoy)

    def filtrar_anio(self, queryset: QuerySet[Convenio], name: str, value: int):
        return queryset.vigentes_en(value)

    def filtrar_vencimiento(self, queryset: QuerySet[Convenio], name: str, value: int):
        return queryset.vencen_entre(self.hoy, self.hoy + datetime.timedelta(days=value))
