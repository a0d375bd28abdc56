"""Filters of the completeness matrix (django-filter)."""

import datetime

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from .estados import EstadoMes
from .models import Area, Centro, Modalidad, ReporteMensual
from .selectors.completitud import centros_con_meses_en

CON_ADVERTENCIAS = "advertencias"

ESTADOS_FILTRABLES = [
    (estado.value, estado.label)
    for estado in (
        EstadoMes.SIN_DATOS,
        EstadoMes.BORRADOR,
        EstadoMes.ENVIADO,
        EstadoMes.APROBADO,
    )
] + [(CON_ADVERTENCIAS, "Con advertencias")]


class CentrosCompletitudFilter(django_filters.FilterSet):
    """Rows of the completeness matrix of one year: by área, modality and "has at least one
    month in this state"."""

    area = django_filters.ModelChoiceFilter(
        label="Área",
        queryset=Area.objects.order_by("orden", "nombre"),
        empty_label="Todas las áreas",
    )
    modalidad = django_filters.ChoiceFilter(
        label="Modalidad", choices=Modalidad.choices, empty_label="Todas las modalidades"
    )
    estado = django_filters.ChoiceFilter(
        label="Con meses en estado",
        choices=ESTADOS_FILTRABLES,
        empty_label="Cualquier estado",
        method="filtrar_estado",
    )

    class Meta:
        model = Centro
        fields = ["area", "modalidad", "estado"]

    def __init__(self, data=None, queryset=None, *, anio: int, hoy: datetime.date, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.anio = anio
        self.hoy = hoy

    def filtrar_estado(self, queryset: QuerySet[Centro], name: str, value: str):
        if value == CON_ADVERTENCIAS:
            reportes = ReporteMensual.objects.filter(centro=OuterRef("pk"), anio=self.anio)
            return queryset.filter(Exists(reportes.exclude(advertencias=[])))
        # The matrix's own cells decide: the same rule, not a second one in SQL.
        ids = centros_con_meses_en(
            centros=queryset, anio=self.anio, hoy=self.hoy, estado=EstadoMes(value)
        )
        return queryset.filter(pk__in=ids)
