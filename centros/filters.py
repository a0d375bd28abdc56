"""Filters of the completeness matrix (django-filter)."""

import datetime

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from .models import Area, Centro, Modalidad, ReporteMensual
from .selectors import NOMBRES_ESTADO, SIN_DATOS, meses_pendientes

CON_ADVERTENCIAS = "advertencias"

ESTADOS_FILTRABLES = [
    (SIN_DATOS, NOMBRES_ESTADO[SIN_DATOS]),
    *ReporteMensual.Estado.choices,
    (CON_ADVERTENCIAS, "Con advertencias"),
]


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
        if value == SIN_DATOS:
            return queryset.filter(pk__in=self._centros_con_meses_sin_datos())
        reportes = ReporteMensual.objects.filter(centro=OuterRef("pk"), anio=self.anio)
        if value == CON_ADVERTENCIAS:
            reportes = reportes.exclude(advertencias=[])
        else:
            reportes = reportes.filter(estado=value)
        return queryset.filter(Exists(reportes))

    def _centros_con_meses_sin_datos(self) -> list[int]:
        # The same rule as the matrix's cells: a month of operation that has already started
        # (the current one included) and has no report.
        if self.anio < self.hoy.year:
            hasta_mes = 12
        elif self.anio == self.hoy.year:
            hasta_mes = self.hoy.month
        else:
            return []
        return [
            pendiente.centro_id
            for pendiente in meses_pendientes(anio=self.anio, hasta_mes=hasta_mes)
            if pendiente.sin_datos
        ]
