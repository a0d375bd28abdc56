from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from centros.models import ReporteMensual


class Servicio(models.TextChoices):
    CONSULTA_EXTERNA = "consulta_externa", "Consulta externa"
    EMERGENCIA = "emergencia", "Emergencia"
    HOSPITALIZACION = "hospitalizacion", "Hospitalización"


class Especialidad(models.Model):
    """A specialty of the clinic's service portfolio (Tabla 3)."""

    nombre = models.CharField(max_length=120, unique=True)
    activa = models.BooleanField(default=True, help_text="Forma parte de la cartera de servicios.")
    orden = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["orden", "nombre"]
        verbose_name_plural = "especialidades"

    def __str__(self):
        return self.nombre


class DotacionProfesional(models.Model):
    """How many professionals of one kind the clinic has in a year (Tabla 4)."""

    anio = models.PositiveSmallIntegerField("año")
    denominacion = models.CharField("especialidad o cargo", max_length=120)
    cantidad = models.PositiveIntegerField()
    orden = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["anio", "orden"]
        verbose_name = "dotación de profesionales"
        verbose_name_plural = "dotación de profesionales"
        constraints = [
            models.UniqueConstraint(
                fields=["anio", "denominacion"], name="dotacion_unica_por_anio"
            ),
        ]

    def __str__(self):
        return f"{self.denominacion} ({self.anio}): {self.cantidad}"


class AtencionClinica(models.Model):
    """Patients attended in one month by one service, optionally by specialty."""

    reporte = models.ForeignKey(
        ReporteMensual, on_delete=models.CASCADE, related_name="atenciones_clinicas"
    )
    servicio = models.CharField(max_length=20, choices=Servicio.choices)
    especialidad = models.ForeignKey(
        Especialidad,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="atenciones",
        help_text="Vacío cuando el servicio no se desagrega por especialidad.",
    )
    pacientes = models.PositiveIntegerField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["reporte", "servicio", "especialidad__orden"]
        verbose_name = "atención clínica"
        verbose_name_plural = "atenciones clínicas"
        constraints = [
            models.UniqueConstraint(
                fields=["reporte", "servicio", "especialidad"],
                condition=Q(especialidad__isnull=False),
                name="atencion_unica_por_especialidad",
            ),
            models.UniqueConstraint(
                fields=["reporte", "servicio"],
                condition=Q(especialidad__isnull=True),
                name="atencion_unica_sin_especialidad",
            ),
        ]

    def __str__(self):
        return f"{self.reporte}: {self.get_servicio_display()} = {self.pacientes}"
