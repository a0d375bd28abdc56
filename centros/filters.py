"""Filters of the completeness matrix and of the beneficiaries' list (django-filter)."""

import datetime

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

from casmul.meses import PRIMER_ANIO

from .estados import EstadoMes
from .models import Area, Beneficiario, Centro, Inscripcion, Modalidad, ReporteMensual
from .selectors.beneficiarios import GrupoEdad, q_grupo_de_edad
from .selectors.completitud import centros_con_meses_en

CON_ADVERTENCIAS = "advertencias"
ATRASADOS = "atrasados"

# The name box takes no digit: a cédula typed there would travel in the list's URL. The same
# rule for the browser (the input's `pattern`, anchored by the browser) and for the server.
NOMBRE_SIN_DIGITOS = r"[^0-9]*"
AVISO_CEDULA_EN_NOMBRE = (
    "Para buscar por cédula use el buscador de cédula: la cédula no se escribe en la "
    "dirección de la página."
)

ESTADOS_FILTRABLES = [
    (estado.value, estado.label)
    for estado in (
        EstadoMes.SIN_DATOS,
        EstadoMes.BORRADOR,
        EstadoMes.DEVUELTO,
        EstadoMes.ENVIADO,
        EstadoMes.APROBADO,
    )
] + [(CON_ADVERTENCIAS, "Con advertencias"), (ATRASADOS, "Atrasados (plazo vencido)")]


class CentrosCompletitudFilter(django_filters.FilterSet):
    """Rows of the completeness matrix of one year: by the área and modality each centre had
    that year, and "has at least one month in this state"."""

    area = django_filters.ModelChoiceFilter(
        label="Área",
        queryset=Area.objects.order_by("orden", "nombre"),
        empty_label="Todas las áreas",
        method="filtrar_del_anio",
    )
    modalidad = django_filters.ChoiceFilter(
        label="Modalidad",
        choices=Modalidad.choices,
        empty_label="Todas las modalidades",
        method="filtrar_del_anio",
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

    def filtrar_del_anio(self, queryset: QuerySet[Centro], name: str, value):
        return queryset.con_definicion_del_anio(self.anio, name).filter(
            **{f"{name}_del_anio": getattr(value, "pk", value)}
        )

    def filtrar_estado(self, queryset: QuerySet[Centro], name: str, value: str):
        if value == CON_ADVERTENCIAS:
            reportes = ReporteMensual.objects.filter(centro=OuterRef("pk"), anio=self.anio)
            return queryset.filter(Exists(reportes.exclude(advertencias=[])))
        # The matrix's own cells decide: the same rule, not a second one in SQL.
        ids = centros_con_meses_en(
            centros=queryset,
            anio=self.anio,
            hoy=self.hoy,
            estado=None if value == ATRASADOS else EstadoMes(value),
        )
        return queryset.filter(pk__in=ids)


class EstadoInscripcion(models.TextChoices):
    ACTIVA = "activa", "Activa"
    FINALIZADA = "finalizada", "Finalizada"


class BeneficiariosFilter(django_filters.FilterSet):
    """Rows of the beneficiaries' list (one per enrolment) among the user's centres. No
    filter takes a cédula: GET parameters end up in URLs, logs and browser history, so the
    cédula is searched with a POST form instead, and the name box refuses digits (a name with
    digits is invalid, so it filters nothing)."""

    nombre = django_filters.CharFilter(
        label="Nombre o apellido",
        method="filtrar_nombre",
        max_length=120,
        validators=[RegexValidator(rf"\A{NOMBRE_SIN_DIGITOS}\Z", AVISO_CEDULA_EN_NOMBRE)],
        widget=forms.TextInput(
            attrs={
                "pattern": NOMBRE_SIN_DIGITOS,
                "title": f"El nombre o el apellido, sin números. {AVISO_CEDULA_EN_NOMBRE}",
            }
        ),
    )
    centro = django_filters.ModelChoiceFilter(
        label="Centro", queryset=Centro.objects.none(), empty_label="Todos sus centros"
    )
    grupo_edad = django_filters.ChoiceFilter(
        label="Grupo de edad",
        choices=GrupoEdad.choices,
        empty_label="Todas las edades",
        method="filtrar_grupo_edad",
    )
    sexo = django_filters.ChoiceFilter(
        label="Sexo",
        field_name="beneficiario__sexo",
        choices=Beneficiario.Sexo.choices,
        empty_label="Ambos",
    )
    discapacidad = django_filters.ChoiceFilter(
        label="Discapacidad",
        choices=[("si", "Con discapacidad"), ("no", "Sin discapacidad")],
        empty_label="Con y sin discapacidad",
        method="filtrar_discapacidad",
    )
    estado = django_filters.ChoiceFilter(
        label="Inscripción",
        choices=EstadoInscripcion.choices,
        empty_label="Activas y finalizadas",
        method="filtrar_estado",
    )
    anio = django_filters.ChoiceFilter(
        label="Inscritos en el año",
        choices=[],
        empty_label="Cualquier año",
        method="filtrar_anio",
    )

    class Meta:
        model = Inscripcion
        fields = ["nombre", "centro", "grupo_edad", "sexo", "discapacidad", "estado", "anio"]

    def __init__(
        self, data=None, queryset=None, *, centros: QuerySet[Centro], hoy: datetime.date, **kwargs
    ):
        super().__init__(data, queryset, **kwargs)
        self.hoy = hoy
        self.filters["centro"].queryset = centros.order_by("numero")
        anios = [(str(anio), str(anio)) for anio in range(hoy.year, PRIMER_ANIO - 1, -1)]
        self.filters["anio"].extra["choices"] = anios

    def filtrar_nombre(self, queryset: QuerySet[Inscripcion], name: str, value: str):
        # Every word must appear in the names or the surnames, in any order.
        for palabra in value.split():
            queryset = queryset.filter(
                Q(beneficiario__nombres__icontains=palabra)
                | Q(beneficiario__apellidos__icontains=palabra)
            )
        return queryset

    def filtrar_grupo_edad(self, queryset: QuerySet[Inscripcion], name: str, value: str):
        return queryset.filter(q_grupo_de_edad(value, self.hoy, prefijo="beneficiario__"))

    def filtrar_discapacidad(self, queryset: QuerySet[Inscripcion], name: str, value: str):
        return queryset.filter(beneficiario__tiene_discapacidad=value == "si")

    def filtrar_estado(self, queryset: QuerySet[Inscripcion], name: str, value: str):
        if value == EstadoInscripcion.ACTIVA:
            return queryset.activas(self.hoy)
        return queryset.finalizadas(self.hoy)

    def filtrar_anio(self, queryset: QuerySet[Inscripcion], name: str, value: str):
        return queryset.del_anio(int(value))
