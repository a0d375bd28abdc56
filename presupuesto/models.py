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


class TipoContratacion(models.Model):
    """A procurement procedure as the law in force names it: reference data the administration
    keeps, dated, because the law changes (the October 2025 reform of the LOSNCP removed some
    procedures and kept those already begun under their old rules)."""

    codigo = models.SlugField("código", max_length=40, unique=True)
    nombre = models.CharField(max_length=120, help_text="Como lo imprime la Tabla 12.")
    nombre_cpccs = models.CharField(
        "nombre en el formulario del CPCCS",
        max_length=120,
        help_text="Tal como lo ofrece la lista del sistema del CPCCS, p. ej. «ÍNFIMA CUANTÍA».",
    )
    regimen = models.CharField(
        "régimen legal",
        max_length=200,
        help_text="La norma bajo la que se inicia un proceso de este tipo.",
    )
    vigente_desde = models.DateField("vigente desde")
    vigente_hasta = models.DateField(
        "vigente hasta",
        null=True,
        blank=True,
        help_text="Último día en que pudo iniciarse un proceso de este tipo; vacío si sigue.",
    )
    orden = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["orden", "nombre"]
        verbose_name = "tipo de contratación"
        verbose_name_plural = "tipos de contratación"
        constraints = [
            models.CheckConstraint(
                condition=Q(vigente_hasta__isnull=True) | Q(vigente_hasta__gte=F("vigente_desde")),
                name="tipo_contratacion_vigencia_ordenada",
                violation_error_message="La vigencia debe terminar después de empezar.",
            ),
        ]

    def __str__(self):
        return self.nombre

    def vigente_el(self, fecha) -> bool:
        return self.vigente_desde <= fecha and (
            self.vigente_hasta is None or fecha <= self.vigente_hasta
        )


FECHA_FUERA_DEL_ANIO = "La fecha del proceso debe caer dentro de su año: corrija la fecha o el año."


class ProcesoContratacion(DelAnio, models.Model):
    """One public procurement process. Tabla 12 counts and adds the processes begun in the
    year per type; the CPCCS form counts those adjudicated and those finalised in the year."""

    class Estado(models.TextChoices):
        EN_CURSO = "en_curso", "En curso"
        ADJUDICADO = "adjudicado", "Adjudicado"
        FINALIZADO = "finalizado", "Finalizado"
        DESIERTO = "desierto", "Desierto o cancelado"

    anio = models.PositiveSmallIntegerField("año")
    codigo = models.CharField("código del proceso", max_length=80, unique=True)
    # The column keeps the type's code, so the records and files that named types by their
    # code before types became reference data read the same.
    tipo = models.ForeignKey(
        TipoContratacion,
        on_delete=models.PROTECT,
        to_field="codigo",
        db_column="tipo",
        related_name="procesos",
    )
    regimen = models.CharField(
        "régimen legal",
        max_length=200,
        blank=True,
        editable=False,
        help_text="El del tipo el día en que se inició; se conserva aunque la norma cambie.",
    )
    objeto = models.CharField(max_length=300)
    monto = models.DecimalField("monto adjudicado", max_digits=14, decimal_places=2)
    fecha = models.DateField("fecha de inicio", null=True, blank=True)
    estado = models.CharField(max_length=12, choices=Estado.choices, default=Estado.EN_CURSO)
    fecha_adjudicacion = models.DateField("fecha de adjudicación", null=True, blank=True)
    fecha_finalizacion = models.DateField(
        "fecha de finalización",
        null=True,
        blank=True,
        help_text="La del acta de entrega-recepción definitiva o de la liquidación.",
    )
    monto_final = models.DecimalField(
        "monto al finalizar",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Si la liquidación difiere de lo adjudicado; vacío si es el mismo.",
    )

    class Meta:
        ordering = ["anio", "codigo"]
        verbose_name = "proceso de contratación"
        verbose_name_plural = "procesos de contratación"
        constraints = [
            _no_negativo("monto", "proceso_monto_no_negativo"),
            _no_negativo("monto_final", "proceso_monto_final_no_negativo"),
            # A process is counted in Tabla 12 of its `anio`: a date in another year would
            # count it in the wrong report. The database refuses it too, so that no door
            # (import, bulk_create, a script) can store it.
            models.CheckConstraint(
                condition=Q(fecha__isnull=True) | Q(fecha__year=F("anio")),
                name="proceso_fecha_en_su_anio",
                violation_error_message=FECHA_FUERA_DEL_ANIO,
                violation_error_code="fecha_fuera_del_anio",
            ),
            models.CheckConstraint(
                condition=~Q(estado__in=["adjudicado", "finalizado"])
                | Q(fecha_adjudicacion__isnull=False),
                name="proceso_adjudicado_con_fecha",
                violation_error_message="Un proceso adjudicado o finalizado lleva su fecha de "
                "adjudicación.",
            ),
            models.CheckConstraint(
                condition=~Q(estado="finalizado") | Q(fecha_finalizacion__isnull=False),
                name="proceso_finalizado_con_fecha",
                violation_error_message="Un proceso finalizado lleva su fecha de finalización.",
            ),
            models.CheckConstraint(
                condition=Q(fecha_finalizacion__isnull=True)
                | Q(fecha_adjudicacion__isnull=True)
                | Q(fecha_finalizacion__gte=F("fecha_adjudicacion")),
                name="proceso_finaliza_tras_adjudicar",
                violation_error_message="La finalización no puede ser anterior a la adjudicación.",
            ),
        ]

    def __str__(self):
        return self.codigo

    def save(self, *args, **kwargs):
        # The regime under which the process began stays with it when the type's changes.
        if not self.regimen and self.tipo_id:
            self.regimen = self.tipo.regimen
        super().save(*args, **kwargs)

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
        if self.tipo_id and self.fecha and not self.tipo.vigente_el(self.fecha):
            errores.setdefault("tipo", []).append(
                ValidationError(
                    f"El tipo «{self.tipo}» no estaba vigente el {self.fecha:%d/%m/%Y}, cuando "
                    f"se inició el proceso ({self._vigencia_texto()}): elija el tipo de esa fecha.",
                    code="tipo_no_vigente",
                )
            )
        if errores:
            raise ValidationError(errores)

    def _vigencia_texto(self) -> str:
        desde = f"vigente desde el {self.tipo.vigente_desde:%d/%m/%Y}"
        if self.tipo.vigente_hasta is None:
            return desde
        return f"{desde} hasta el {self.tipo.vigente_hasta:%d/%m/%Y}"

    @property
    def monto_finalizado(self):
        return self.monto if self.monto_final is None else self.monto_final
