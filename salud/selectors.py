"""Read functions of the clinic: Tablas 2–5 of the report."""

import calendar
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from .models import AtencionClinica, DotacionProfesional, Especialidad, Servicio


@dataclass(frozen=True)
class PacientesServicio:
    servicio: str
    nombre: str
    pacientes: int


@dataclass(frozen=True)
class ResumenClinica:
    anio: int
    por_servicio: list[PacientesServicio]
    meses_reportados: int

    @property
    def total(self) -> int:
        """Always the sum of the service rows (the 2023 document printed another number)."""
        return sum(fila.pacientes for fila in self.por_servicio)

    @property
    def dias_del_anio(self) -> int:
        return 366 if calendar.isleap(self.anio) else 365

    @property
    def promedio_diario(self) -> Decimal:
        return Decimal(self.total) / self.dias_del_anio

    @property
    def promedio_mensual(self) -> Decimal:
        return Decimal(self.total) / 12


def resumen_clinica(*, anio: int) -> ResumenClinica:
    """Patients per service in the year (every service listed) and their averages."""
    atenciones = AtencionClinica.objects.filter(reporte__anio=anio)
    totales = dict(atenciones.values_list("servicio").annotate(total=Sum("pacientes")).order_by())
    meses = atenciones.aggregate(meses=Count("reporte__mes", distinct=True))["meses"]
    return ResumenClinica(
        anio=anio,
        por_servicio=[
            PacientesServicio(servicio=valor, nombre=nombre, pacientes=totales.get(valor) or 0)
            for valor, nombre in Servicio.choices
        ],
        meses_reportados=meses,
    )


def pacientes_por_especialidad(*, anio: int) -> list[tuple[str, int]]:
    """Patients per specialty in the year, where the months were broken down by specialty."""
    return list(
        AtencionClinica.objects.filter(reporte__anio=anio, especialidad__isnull=False)
        .values_list("especialidad__nombre")
        .annotate(total=Sum("pacientes"))
        .order_by("especialidad__orden")
    )


def especialidades_ofertadas() -> QuerySet[Especialidad]:
    """The clinic's service portfolio (Tabla 3)."""
    return Especialidad.objects.filter(activa=True).order_by("orden")


@dataclass(frozen=True)
class Dotacion:
    filas: list[DotacionProfesional]

    @property
    def total(self) -> int:
        return sum(fila.cantidad for fila in self.filas)


def dotacion_profesional(*, anio: int) -> Dotacion:
    """Professionals per specialty or post in the year (Tabla 4)."""
    return Dotacion(filas=list(DotacionProfesional.objects.filter(anio=anio).order_by("orden")))
