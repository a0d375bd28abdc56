from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from casmul.cierres import anio_abierto_comprobar
from casmul.meses import PRIMER_ANIO
from centros.models import Area, Centro


def _no_negativo(campo: str, nombre: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{campo}__isnull": True}) | Q(**{f"{campo}__gte": 0}), name=nombre
    )


class DelAnio:
    """A record of one year: once the year's report is published it changes only through an
    erratum (`casmul.cierres`), in the year it has and in the one it had."""

    def clean(self):
        super().clean()
        anios = [self.anio] if self.anio else []
        if self.pk:
            anios += type(self).objects.filter(pk=self.pk).values_list("anio", flat=True)
        anio_abierto_comprobar(*anios)


class LineaPresupuestaria(DelAnio, models.Model):
    """An investment budget line of an area (and of a centre where known): Tabla 11."""

    anio = models.PositiveSmallIntegerField("año", validators=[MinValueValidator(PRIMER_ANIO)])
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="lineas_presupuestarias", verbose_name="área"
    )
    centro = models.ForeignKey(
        Centro,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lineas_presupuestarias",
    )
    partida = models.CharField("partida presupuestaria", max_length=60, blank=True)
    descripcion = models.CharField("descripción", max_length=250)
    codificado = models.DecimalField(
        "presupuesto codificado",
        max_digits=14,
        decimal_places=2,
        help_text="Asignado tras reformas.",
    )
    ejecutado = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["anio", "area__orden", "descripcion"]
        verbose_name = "línea presupuestaria"
        verbose_name_plural = "líneas presupuestarias"
        constraints = [
            _no_negativo("codificado", "linea_codificado_no_negativo"),
            _no_negativo("ejecutado", "linea_ejecutado_no_negativo"),
        ]

    def __str__(self):
        return f"{self.anio} {self.area}: {self.descripcion}"

    @property
    def ejecucion(self):
        """Executed over codified (0.39 is 39 %); None when either is missing."""
        if self.ejecutado is None or not self.codificado:
            return None
        return self.ejecutado / self.codificado


class GastoComun(DelAnio, models.Model):
    """An expense shared by several centres and not in their lines (e.g. food of direct centres)."""

    anio = models.PositiveSmallIntegerField("año")
    concepto = models.CharField(max_length=200)
    descripcion = models.TextField("descripción", blank=True)
    monto = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["anio", "concepto"]
        verbose_name = "gasto común"
        verbose_name_plural = "gastos comunes"
        constraints = [_no_negativo("monto", "gasto_comun_monto_no_negativo")]

    def __str__(self):
        return f"{self.concepto} ({self.anio})"


class PresupuestoInstitucional(DelAnio, models.Model):
    """The year's institutional totals: income collected (CPI) and expenditure (CPG)."""

    anio = models.PositiveSmallIntegerField("año", unique=True)
    ingresos_percibidos = models.DecimalField(
        "ingresos percibidos (CPI)", max_digits=14, decimal_places=2
    )
    gasto_codificado = models.DecimalField(
        "presupuesto codificado (CPG)", max_digits=14, decimal_places=2
    )
    gasto_ejecutado = models.DecimalField(
        "presupuesto ejecutado (CPG)", max_digits=14, decimal_places=2
    )

    class Meta:
        ordering = ["anio"]
        verbose_name = "presupuesto institucional"
        verbose_name_plural = "presupuestos institucionales"
        constraints = [
            _no_negativo("ingresos_percibidos", "institucional_ingresos_no_negativo"),
            _no_negativo("gasto_codificado", "institucional_codificado_no_negativo"),
            _no_negativo("gasto_ejecutado", "institucional_ejecutado_no_negativo"),
        ]

    def __str__(self):
        return f"Presupuesto institucional {self.anio}"

    @property
    def ejecucion(self):
        """Executed over codified expenditure (0.39 is 39 %); None when nothing is codified."""
        return self.gasto_ejecutado / self.gasto_codificado if self.gasto_codificado else None


FECHA_FUERA_DEL_ANIO = "La fecha del proceso debe caer dentro de su año: corrija la fecha o el año."


class ProcesoContratacion(DelAnio, models.Model):
    """One public procurement process (Tabla 12 counts and adds them per type)."""

    class Tipo(models.TextChoices):
        INFIMA_CUANTIA = "infima_cuantia", "Ínfima cuantía"
        LICITACION = "licitacion", "Licitación"
        SUBASTA_INVERSA = "subasta_inversa", "Subasta inversa electrónica"
        REGIMEN_ESPECIAL = "regimen_especial", "Régimen especial"
        CATALOGO_ELECTRONICO = "catalogo_electronico", "Catálogo electrónico"
        FERIA_INCLUSIVA = "feria_inclusiva", "Feria inclusiva"
        MENOR_CUANTIA = "menor_cuantia", "Menor cuantía"
        COTIZACION = "cotizacion", "Cotización"

    anio = models.PositiveSmallIntegerField("año")
    codigo = models.CharField("código del proceso", max_length=80, unique=True)
    tipo = models.CharField(max_length=30, choices=Tipo.choices)
    objeto = models.CharField(max_length=300)
    monto = models.DecimalField(max_digits=14, decimal_places=2)
    fecha = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["anio", "codigo"]
        verbose_name = "proceso de contratación"
        verbose_name_plural = "procesos de contratación"
        constraints = [
            _no_negativo("monto", "proceso_monto_no_negativo"),
            # A process is counted in Tabla 12 of its `anio`: a date in another year would
            # count it in the wrong report. The database refuses it too, so that no door
            # (import, bulk_create, a script) can store it.
            models.CheckConstraint(
                condition=Q(fecha__isnull=True) | Q(fecha__year=F("anio")),
                name="proceso_fecha_en_su_anio",
                violation_error_message=FECHA_FUERA_DEL_ANIO,
                violation_error_code="fecha_fuera_del_anio",
            ),
        ]

    def __str__(self):
        return self.codigo

    def clean(self):
        errores = {}
        try:
            super().clean()
        except ValidationError as error:
            errores = error.update_error_dict(errores)
        if self.fecha and self.anio and self.fecha.year != self.anio:
            # On the field, so the form shows it next to the date (and Django then skips the
            # constraint's own, identical check).
            errores.setdefault("fecha", []).append(
                ValidationError(
                    f"{FECHA_FUERA_DEL_ANIO} La fecha {self.fecha:%d/%m/%Y} es de "
                    f"{self.fecha.year}, no de {self.anio}.",
                    code="fecha_fuera_del_anio",
                )
            )
        if errores:
            raise ValidationError(errores)
