import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from casmul.cierres import anio_abierto_comprobar
from casmul.meses import Mes
from centros.models import Centro

# An agreement that ends within this many days is shown as "por vencer".
DIAS_POR_VENCER = 60


class Institucion(models.Model):
    """A counterpart institution of an agreement."""

    nombre = models.CharField(max_length=250, unique=True)
    siglas = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["nombre"]
        verbose_name = "institución"
        verbose_name_plural = "instituciones"

    def __str__(self):
        return f"{self.nombre} ({self.siglas})" if self.siglas else self.nombre


class ConvenioQuerySet(models.QuerySet):
    def vigentes_en(self, anio: int):
        """Agreements whose period overlaps the year (an open start or end overlaps)."""
        inicio, fin = datetime.date(anio, 1, 1), datetime.date(anio, 12, 31)
        return self.filter(
            Q(fecha_inicio__isnull=True) | Q(fecha_inicio__lte=fin),
            Q(fecha_fin__isnull=True) | Q(fecha_fin__gte=inicio),
        )

    def del_informe(self, anio: int):
        """Agreements the year's report lists: in force some time in the year, or signed in it."""
        return self.filter(
            Q(pk__in=self.vigentes_en(anio).values("pk")) | Q(fecha_suscripcion__year=anio)
        )

    def mies(self):
        return self.filter(tipo=Convenio.Tipo.MIES)

    def iniciados_en(self, fecha: datetime.date):
        """Begun by the date (an open start has always begun)."""
        return self.filter(Q(fecha_inicio__isnull=True) | Q(fecha_inicio__lte=fecha))

    def en_vigor_el(self, fecha: datetime.date):
        """In force on the date: begun and not ended (an open end never ends)."""
        return self.iniciados_en(fecha).filter(Q(fecha_fin__isnull=True) | Q(fecha_fin__gte=fecha))

    def vencen_entre(self, desde: datetime.date, hasta: datetime.date):
        """Ending on a day between the two dates, both included."""
        return self.filter(fecha_fin__gte=desde, fecha_fin__lte=hasta)

    def con_estado(self, estado: str, fecha: datetime.date):
        """Those whose `Convenio.estado(fecha)` is `estado`, decided by the database with the
        same rules, so that a filtered and paginated list never reads every row."""
        limite = fecha + datetime.timedelta(days=DIAS_POR_VENCER)
        if estado == Convenio.Estado.NO_INICIADO:
            return self.filter(fecha_inicio__gt=fecha)
        iniciados = self.iniciados_en(fecha)
        if estado == Convenio.Estado.VENCIDO:
            return iniciados.filter(fecha_fin__lt=fecha)
        if estado == Convenio.Estado.POR_VENCER:
            return iniciados.vencen_entre(fecha, limite)
        if estado == Convenio.Estado.VIGENTE:
            return iniciados.filter(Q(fecha_fin__isnull=True) | Q(fecha_fin__gt=limite))
        raise ValueError(f"Estado de convenio desconocido: {estado}")


class Convenio(models.Model):
    class Tipo(models.TextChoices):
        MIES = "mies", "Técnico-económico MIES"
        INTERINSTITUCIONAL = "interinstitucional", "Cooperación interinstitucional"
        ESPECIFICO = "especifico", "Específico de cooperación"
        TRIPARTITO = "tripartito", "Tripartito"
        PRACTICA_ACADEMICA = "practica_academica", "Práctica académica"
        DONACION = "donacion", "Donación"

    class ProgramaMies(models.TextChoices):
        DI = "DI", "DI — Desarrollo infantil"
        AM = "AM", "AM — Adultos mayores"
        PD = "PD", "PD — Personas con discapacidad"
        PE = "PE", "PE — Protección especial"

    class Estado(models.TextChoices):
        NO_INICIADO = "no_iniciado", "No iniciado"
        VIGENTE = "vigente", "Vigente"
        POR_VENCER = "por_vencer", "Por vencer"
        VENCIDO = "vencido", "Vencido"

    numero = models.CharField("número", max_length=120, blank=True, help_text="Vacío si es S/N.")
    titulo = models.TextField("título")
    tipo = models.CharField(max_length=30, choices=Tipo.choices)
    programa_mies = models.CharField(
        "programa MIES", max_length=2, choices=ProgramaMies.choices, blank=True
    )
    instituciones = models.ManyToManyField(
        Institucion, related_name="convenios", blank=True, verbose_name="contrapartes"
    )
    fecha_suscripcion = models.DateField("fecha de suscripción", null=True, blank=True)
    fecha_inicio = models.DateField("desde", null=True, blank=True)
    fecha_fin = models.DateField("hasta", null=True, blank=True)
    indefinido = models.BooleanField(default=False, help_text="Sin fecha de terminación.")
    duracion_declarada_meses = models.PositiveSmallIntegerField(
        "duración declarada (meses)",
        null=True,
        blank=True,
        help_text="Plazo que dice el convenio («2 años» = 24), para contrastarlo con las fechas.",
    )
    plazo_nota = models.CharField(
        "nota sobre el plazo",
        max_length=250,
        blank=True,
        help_text="Condiciones del plazo, p. ej. aviso de terminación.",
    )
    objeto = models.TextField()
    centros = models.ManyToManyField(
        Centro, related_name="convenios", blank=True, verbose_name="centros que financia o atiende"
    )
    monto = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    documento = models.FileField("documento firmado", upload_to="convenios/", blank=True)
    orden = models.PositiveSmallIntegerField(default=0)
    # PROTECT: deleting the old agreement would silently cut the chain the new one continues.
    renueva_a = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renovaciones",
        verbose_name="renueva a",
    )

    objects = ConvenioQuerySet.as_manager()

    class Meta:
        ordering = ["orden", "fecha_inicio"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fecha_inicio__isnull=True)
                | Q(fecha_fin__isnull=True)
                | Q(fecha_fin__gte=F("fecha_inicio")),
                name="convenio_fin_no_antes_de_inicio",
            ),
            models.CheckConstraint(
                condition=Q(indefinido=False) | Q(fecha_fin__isnull=True),
                name="convenio_indefinido_sin_fin",
            ),
            models.CheckConstraint(
                condition=Q(monto__isnull=True) | Q(monto__gte=0), name="convenio_monto_no_negativo"
            ),
            models.CheckConstraint(
                condition=Q(tipo="mies") | Q(programa_mies=""), name="convenio_programa_solo_mies"
            ),
            models.CheckConstraint(
                condition=Q(renueva_a__isnull=True) | ~Q(renueva_a=F("pk")),
                name="convenio_no_se_renueva_a_si_mismo",
            ),
        ]

    def __str__(self):
        return f"{self.numero_mostrado} — {self.titulo[:80]}"

    def clean(self):
        # An agreement counted in a published year's report changes only through an erratum.
        anio_abierto_comprobar(*self.anios_de_vigencia())
        if self.pk:
            anio_abierto_comprobar(*Convenio.objects.get(pk=self.pk).anios_de_vigencia())
        if self.fecha_inicio and self.fecha_fin and self.fecha_fin < self.fecha_inicio:
            raise ValidationError(
                {"fecha_fin": "La fecha de terminación no puede ser anterior al inicio."}
            )
        if self.indefinido and self.fecha_fin:
            raise ValidationError(
                {"fecha_fin": "Un convenio indefinido no tiene fecha de terminación."}
            )
        if self.programa_mies and self.tipo != self.Tipo.MIES:
            raise ValidationError(
                {"programa_mies": "Solo los convenios MIES tienen programa MIES."}
            )
        if self.pk and self.renueva_a_id == self.pk:
            raise ValidationError({"renueva_a": "Un convenio no puede renovarse a sí mismo."})

    def anios_de_vigencia(self) -> list[int]:
        """The years the agreement is in force (up to this one when it has no end)."""
        if not self.fecha_inicio:
            return []
        hasta = self.fecha_fin or timezone.localdate()
        return list(range(self.fecha_inicio.year, max(hasta.year, self.fecha_inicio.year) + 1))

    def vigente_en_mes(self, mes: Mes) -> bool:
        """In force some day of the month (an open start or end reaches it), as `vigentes_en`
        reads a year."""
        return (self.fecha_inicio is None or self.fecha_inicio <= mes.ultimo_dia) and (
            self.fecha_fin is None or self.fecha_fin >= mes.primer_dia
        )

    @property
    def numero_mostrado(self) -> str:
        return self.numero or "S/N"

    def estado(self, fecha: datetime.date) -> "Convenio.Estado":
        """Status on a date, computed from the agreement's dates."""
        if self.fecha_inicio and fecha < self.fecha_inicio:
            return self.Estado.NO_INICIADO
        if self.fecha_fin is None:
            return self.Estado.VIGENTE
        if fecha > self.fecha_fin:
            return self.Estado.VENCIDO
        if (self.fecha_fin - fecha).days <= DIAS_POR_VENCER:
            return self.Estado.POR_VENCER
        return self.Estado.VIGENTE

    def periodo_de_renovacion(self) -> tuple[datetime.date | None, datetime.date | None]:
        """The dates a renewal would have: from the day after this one ends, as long as this
        one. A period of whole months (01/01–31/12) is renewed by months, so that 2023's
        year is followed by 2024's whole year, leap day included; any other by days."""
        if self.fecha_fin is None:
            return None, None
        inicio = self.fecha_fin + datetime.timedelta(days=1)
        if self.fecha_inicio is None:
            return inicio, None
        meses = self.meses_segun_fechas
        if meses and _sumar_meses(self.fecha_inicio, meses) == inicio:
            return inicio, _sumar_meses(inicio, meses) - datetime.timedelta(days=1)
        return inicio, inicio + (self.fecha_fin - self.fecha_inicio)

    @property
    def duracion_declarada_texto(self) -> str:
        """24 -> '2 años', 3 -> '3 meses', 12 -> '1 año', 18 -> '18 meses'."""
        meses = self.duracion_declarada_meses
        if not meses:
            return ""
        if meses % 12 == 0:
            anios = meses // 12
            return f"{anios} año" if anios == 1 else f"{anios} años"
        return f"{meses} mes" if meses == 1 else f"{meses} meses"

    @property
    def meses_segun_fechas(self) -> int | None:
        """Whole months the period lasts, counting its last day: 01/01–31/07 is 7,
        10/01/2023–10/01/2024 is 12, 26/04–25/07 is 3."""
        if not (self.fecha_inicio and self.fecha_fin):
            return None
        despues_del_fin = self.fecha_fin + datetime.timedelta(days=1)
        meses = (despues_del_fin.year - self.fecha_inicio.year) * 12
        meses += despues_del_fin.month - self.fecha_inicio.month
        if despues_del_fin.day < self.fecha_inicio.day:
            meses -= 1
        return meses

    @property
    def duracion_contradice_fechas(self) -> bool:
        meses = self.meses_segun_fechas
        return (
            self.duracion_declarada_meses is not None
            and meses is not None
            and meses != self.duracion_declarada_meses
        )


def _sumar_meses(fecha: datetime.date, meses: int) -> datetime.date:
    """The same day `meses` months later, or that month's last day when it is shorter."""
    indice = fecha.year * 12 + fecha.month - 1 + meses
    anio, mes = divmod(indice, 12)
    return fecha.replace(year=anio, month=mes + 1, day=min(fecha.day, Mes(anio, mes + 1).dias))
