import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from casmul.formato import cifra
from casmul.meses import MESES, PRIMER_ANIO, Mes

from .validators import validar_cedula


class Area(models.Model):
    """One of the five áreas de atención of the report (3.1)."""

    codigo = models.SlugField("código", max_length=40, unique=True)
    nombre = models.CharField(max_length=120, unique=True)
    objetivo = models.TextField(blank=True, help_text="Párrafo que abre la sección del área.")
    orden = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["orden", "nombre"]
        verbose_name = "área de atención"
        verbose_name_plural = "áreas de atención"

    def __str__(self):
        return self.nombre


class Parroquia(models.Model):
    class Tipo(models.TextChoices):
        URBANA = "urbana", "Urbana"
        RURAL = "rural", "Rural"

    nombre = models.CharField(max_length=120, unique=True)
    tipo = models.CharField(max_length=10, choices=Tipo.choices)

    class Meta:
        ordering = ["nombre"]

    def __str__(self):
        return self.nombre


class Modalidad(models.TextChoices):
    DIRECTA = "directa", "Financiado por el CASMUL"
    CONVENIO_MIES = "convenio_mies", "Convenio MIES"


class LineaServicio(models.TextChoices):
    DESARROLLO_INFANTIL = "desarrollo_infantil", "Desarrollo infantil"
    SALUD = "salud", "Salud"
    DISCAPACIDAD = "discapacidad", "Discapacidad"
    ADULTO_MAYOR = "adulto_mayor", "Adulto mayor"
    APOYO_PSICOPEDAGOGICO = "apoyo_psicopedagogico", "Apoyo psicopedagógico"
    APOYO_NUTRICIONAL = "apoyo_nutricional", "Apoyo nutricional"
    PROTECCION_ESPECIAL = "proteccion_especial", "Protección especial"
    PROMOCION_SOCIAL = "promocion_social", "Promoción social"
    IMPULSO_ECONOMICO = "impulso_economico", "Impulso económico"
    SERVICIOS_COMUNIDAD = "servicios_comunidad", "Servicios a la comunidad"


class CentroQuerySet(models.QuerySet):
    def en_operacion(self, anio: int):
        """Centres that operated at some time in the year."""
        return self.filter(operaciones__anio=anio)

    def con_definicion_del_anio(self, anio: int, *campos: str):
        """Annotates `<campo>_del_anio` (ids for the foreign keys) with the centre's value in
        `anio`, for each of `campos` (every field of `CAMPOS_DEL_ANIO` by default): to filter
        or group a year's centres by what they were that year."""
        return self.annotate(
            **{
                f"{campo}_del_anio": campo_del_anio(campo, anio=anio)
                for campo in campos or CAMPOS_DEL_ANIO
            }
        )

    def asignados_a(self, usuario):
        return self.filter(personal_asignado=usuario)


# What defines a centre in a year's report: a year of operation keeps its own values of these
# once they change after it (`OperacionAnual.definicion_propia`).
CAMPOS_DEL_ANIO = (
    "area",
    "modalidad",
    "linea_servicio",
    "parroquia",
    "capacidad",
    "indicador_usuarios",
)


class Centro(models.Model):
    """A centre or project (the report numbers them 1–30).

    Its área, modality, service line, parish, capacity and users figure are its definition in
    force: that of its latest years, and of every year of operation that does not keep its own.
    A year's pages read the centre as defined that year (`centros.selectors.definiciones`);
    `centros.services.centro_definir` changes the definition from a year on."""

    numero = models.PositiveSmallIntegerField("número", unique=True)
    nombre = models.CharField(max_length=200, unique=True)
    nombre_corto = models.CharField(
        "nombre corto", max_length=120, help_text="Como aparece en el anexo de fotos."
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="centros", verbose_name="área"
    )
    modalidad = models.CharField(max_length=20, choices=Modalidad.choices)
    linea_servicio = models.CharField(
        "línea de servicio", max_length=30, choices=LineaServicio.choices
    )
    parroquia = models.ForeignKey(Parroquia, on_delete=models.PROTECT, related_name="centros")
    direccion = models.CharField("dirección", max_length=250, blank=True)
    capacidad = models.PositiveIntegerField(null=True, blank=True)
    lleva_registro_nominal = models.BooleanField(
        "lleva registro nominal",
        default=False,
        help_text="Registra a sus beneficiarios uno por uno (cédula, inscripciones).",
    )
    indicadores = models.ManyToManyField(
        "Indicador", through="IndicadorCentro", related_name="centros", blank=True
    )
    indicador_usuarios = models.ForeignKey(
        "Indicador",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="indicador de usuarios",
        help_text="La cifra que cuenta como «Nro. de usuarios» del centro en el informe.",
    )
    personal_asignado = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="centros_asignados",
        blank=True,
        verbose_name="personal asignado",
    )
    # A year opened before it keeps the previous year's own definition, not this one.
    definicion_desde = models.PositiveSmallIntegerField(
        "definición desde el año",
        null=True,
        blank=True,
        editable=False,
        help_text="El año desde el que rigen el área, la modalidad y demás datos de arriba.",
    )

    objects = CentroQuerySet.as_manager()

    class Meta:
        ordering = ["numero"]

    def __str__(self):
        return f"{self.numero}. {self.nombre}"

    def save(self, *args, **kwargs):
        if getattr(self, "anio_de_la_definicion", None) is not None:
            # It carries a past year's definition: saving it would make that one current.
            raise ValueError(
                f"{self} se leyó con su definición de {self.anio_de_la_definicion}; "
                "cámbielo con centro_definir."
            )
        super().save(*args, **kwargs)

    def clean(self):
        if (
            self.pk
            and self.indicador_usuarios_id
            and not self.indicadores_centro.filter(indicador_id=self.indicador_usuarios_id).exists()
        ):
            raise ValidationError(
                {"indicador_usuarios": "Elija uno de los indicadores que reporta el centro."}
            )

    def definicion_del_anio_aplicar(self, operacion: "OperacionAnual | None") -> "Centro":
        """The centre as defined in `operacion`'s year: its own values when the year keeps
        them, the centre's otherwise. Such a centre is read, not saved."""
        if operacion is not None and operacion.definicion_propia:
            for campo in CAMPOS_DEL_ANIO:
                setattr(self, campo, getattr(operacion, campo))
            self.anio_de_la_definicion = operacion.anio
        return self

    @property
    def es_convenio_mies(self) -> bool:
        """Run under an agreement with the MIES: a month it operates without one is a gap."""
        return self.modalidad == Modalidad.CONVENIO_MIES

    @property
    def marca_modalidad(self) -> str:
        """The report's footnote mark: * CASMUL, ** Convenio MIES."""
        return "**" if self.es_convenio_mies else "*"


class OperacionAnual(models.Model):
    """A year in which a centre operated, with its staff that year and, once the centre's
    definition changed after it, the definition it had that year (`definicion_propia`):
    one row per centre and year, so one definition per centre and year."""

    centro = models.ForeignKey(Centro, on_delete=models.CASCADE, related_name="operaciones")
    anio = models.PositiveSmallIntegerField("año", validators=[MinValueValidator(PRIMER_ANIO)])
    personal = models.PositiveIntegerField(
        "personal", null=True, blank=True, help_text="Profesionales y colaboradores ese año."
    )
    # A centre that opens or closes during the year is expected to report only those months.
    mes_inicio = models.PositiveSmallIntegerField("desde el mes", choices=MESES, default=1)
    mes_fin = models.PositiveSmallIntegerField("hasta el mes", choices=MESES, default=12)
    # False: the year follows the centre's definition in force. True: the centre changed from
    # a later year on, and the fields below keep what defined it this year.
    definicion_propia = models.BooleanField(
        "definición propia",
        default=False,
        help_text="El año conserva el área, la modalidad y demás datos que tenía entonces.",
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="área"
    )
    modalidad = models.CharField(max_length=20, choices=Modalidad.choices, blank=True)
    linea_servicio = models.CharField(
        "línea de servicio", max_length=30, choices=LineaServicio.choices, blank=True
    )
    parroquia = models.ForeignKey(
        Parroquia, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    capacidad = models.PositiveIntegerField(null=True, blank=True)
    indicador_usuarios = models.ForeignKey(
        "Indicador",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="indicador de usuarios",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["anio", "centro__numero"]
        verbose_name = "operación anual"
        verbose_name_plural = "operaciones anuales"
        constraints = [
            models.UniqueConstraint(fields=["centro", "anio"], name="operacion_unica_por_anio"),
            models.CheckConstraint(
                condition=Q(mes_inicio__gte=1, mes_inicio__lte=F("mes_fin"), mes_fin__lte=12),
                name="operacion_meses_en_orden",
            ),
            models.CheckConstraint(
                condition=Q(definicion_propia=False)
                | (
                    Q(area__isnull=False, parroquia__isnull=False)
                    & ~Q(modalidad="")
                    & ~Q(linea_servicio="")
                ),
                name="operacion_definicion_propia_completa",
            ),
        ]

    def __str__(self):
        return f"{self.centro.nombre_corto} — {self.anio}"


class HorarioAtencion(models.Model):
    """Opening hours of a service of a centre (Tablas 5 and 8)."""

    centro = models.ForeignKey(Centro, on_delete=models.CASCADE, related_name="horarios")
    servicio = models.CharField(max_length=120)
    descripcion = models.TextField("descripción", blank=True)
    dias = models.CharField("días", max_length=120, blank=True)
    horas = models.CharField(max_length=200, blank=True)
    orden = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["centro__numero", "orden"]
        verbose_name = "horario de atención"
        verbose_name_plural = "horarios de atención"

    def __str__(self):
        return f"{self.centro.nombre_corto}: {self.servicio}"


class Instalacion(models.Model):
    """Equipment that supports a centre's quality of service (Tabla 7)."""

    centro = models.ForeignKey(Centro, on_delete=models.CASCADE, related_name="instalaciones")
    nombre = models.CharField(max_length=120)
    descripcion = models.TextField("descripción")
    objetivo = models.TextField()
    orden = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["centro__numero", "orden"]
        verbose_name = "instalación"
        verbose_name_plural = "instalaciones"

    def __str__(self):
        return self.nombre


class FotoCentro(models.Model):
    centro = models.ForeignKey(Centro, on_delete=models.CASCADE, related_name="fotos")
    imagen = models.ImageField(upload_to="centros/fotos/")
    # Prepared once at upload (resized JPEG): re-encoding a PNG at every PDF doubles its time.
    imagen_impresion = models.ImageField(
        "imagen para impresión", upload_to="centros/fotos/impresion/", blank=True, editable=False
    )
    leyenda = models.CharField(max_length=200, blank=True)
    anio = models.PositiveSmallIntegerField("año")
    orden = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["centro__numero", "orden"]
        verbose_name = "foto de centro"
        verbose_name_plural = "fotos de centros"

    def __str__(self):
        return self.leyenda or f"Foto de {self.centro.nombre_corto}"

    @property
    def url_impresion(self) -> str:
        return (self.imagen_impresion or self.imagen).url


# What a year's report prints and counts of an indicator: a new value from a year on is a new
# indicator that takes its place in the centres from that year (`indicador_definir`).
CAMPOS_DEL_INDICADOR = ("nombre", "agregacion", "unidad")


class Indicador(models.Model):
    """A kind of monthly figure, and how it adds up over a year. Its rule and unit are what
    a year's totals were counted with: a year with approved months keeps them, and a new one
    from a year on is a new indicator that takes its place in the centres from that year
    (`centros.services.indicador_definir`)."""

    class Agregacion(models.TextChoices):
        # Flows (attendances, visits, income) add up; stocks (enrolled users, artisans in
        # consignment) do not: a year with 36 children each month had 36 users, not 432.
        SUMA = "suma", "Suma de los meses (flujo)"
        MAXIMO = "maximo", "Máximo mensual (existencia)"
        PROMEDIO = "promedio", "Promedio mensual (existencia)"

        # The rule computed: `centros.selectors.anuales` (in SQL and on values read).
        @property
        def regla(self) -> str:
            """The rule as the pages, the report and its exports write it beside a figure."""
            return REGLAS_DE_AGREGACION[self][0]

        @property
        def explicacion(self) -> str:
            """The rule and why, as a centre's year explains each of its figures."""
            return REGLAS_DE_AGREGACION[self][1]

    class Unidad(models.TextChoices):
        PERSONAS = "personas", "Personas"
        SERVICIOS = "servicios", "Servicios"
        DOLARES = "dolares", "Dólares"

    codigo = models.SlugField("código", max_length=60, unique=True)
    nombre = models.CharField(max_length=120)
    descripcion = models.TextField("descripción", blank=True)
    unidad = models.CharField(max_length=20, choices=Unidad.choices)
    agregacion = models.CharField("agregación anual", max_length=20, choices=Agregacion.choices)

    class Meta:
        ordering = ["nombre"]
        verbose_name_plural = "indicadores"

    def __str__(self):
        return self.nombre

    def clean(self):
        guardado = Indicador.objects.filter(pk=self.pk).values("agregacion", "unidad").first()
        if guardado is None or (guardado["agregacion"], guardado["unidad"]) == (
            self.agregacion,
            self.unidad,
        ):
            return
        if ReporteMensual.objects.filter(
            estado=ReporteMensual.Estado.APROBADO, cifras__indicador=self
        ).exists():
            raise ValidationError(
                "Tiene cifras en meses aprobados, contadas con esta regla: cámbiela desde un "
                "año posterior (indicador_definir)."
            )

    @property
    def es_monetario(self) -> bool:
        return self.unidad == self.Unidad.DOLARES

    @property
    def regla(self) -> str:
        """Its yearly rule, as written beside it: "suma de los meses"."""
        return self.Agregacion(self.agregacion).regla


# How each rule is written: (beside a figure, explained).
REGLAS_DE_AGREGACION = {
    Indicador.Agregacion.SUMA: (
        "suma de los meses",
        "suma de los meses: cada mes aporta lo suyo (es un flujo).",
    ),
    Indicador.Agregacion.MAXIMO: (
        "máximo mensual",
        "máximo mensual: las mismas personas siguen mes a mes y no se suman (es una existencia).",
    ),
    Indicador.Agregacion.PROMEDIO: (
        "promedio mensual",
        "promedio de los meses reportados (es una existencia).",
    ),
}


class IndicadorCentroQuerySet(models.QuerySet):
    def del_anio(self, anio: int):
        """The figures reported in `anio`."""
        return self.filter(
            Q(desde_anio__isnull=True) | Q(desde_anio__lte=anio),
            Q(hasta_anio__isnull=True) | Q(hasta_anio__gte=anio),
        )


class IndicadorCentro(models.Model):
    """A figure that a centre reports every month, in the order its form shows them, from
    one year to another (both open by default): an indicator MIES adds from 2025 is reported
    from 2025, one retired after 2024 stays in 2024's months and report."""

    centro = models.ForeignKey(Centro, on_delete=models.CASCADE, related_name="indicadores_centro")
    indicador = models.ForeignKey(Indicador, on_delete=models.PROTECT, related_name="+")
    orden = models.PositiveSmallIntegerField(default=0)
    desde_anio = models.PositiveSmallIntegerField(
        "desde el año", null=True, blank=True, help_text="Vacío: desde siempre."
    )
    hasta_anio = models.PositiveSmallIntegerField(
        "hasta el año", null=True, blank=True, help_text="Vacío: lo sigue reportando."
    )

    objects = IndicadorCentroQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["centro__numero", "orden"]
        verbose_name = "indicador del centro"
        verbose_name_plural = "indicadores de los centros"
        constraints = [
            models.UniqueConstraint(
                fields=["centro", "indicador"], name="indicador_unico_por_centro"
            ),
            models.CheckConstraint(
                condition=Q(desde_anio__isnull=True)
                | Q(hasta_anio__isnull=True)
                | Q(hasta_anio__gte=F("desde_anio")),
                name="indicador_centro_anios_en_orden",
            ),
        ]

    def __str__(self):
        return f"{self.centro.nombre_corto}: {self.indicador}"

    def reportado_en(self, anio: int) -> bool:
        return (self.desde_anio is None or self.desde_anio <= anio) and (
            self.hasta_anio is None or anio <= self.hasta_anio
        )


class Beneficiario(models.Model):
    """A person in the nominal registry. Sensitive personal data (LOPDP)."""

    # Who the person is, besides the cédula that finds them: what a form or a file gives,
    # what an export on request lists.
    DATOS = (
        "apellidos",
        "nombres",
        "fecha_nacimiento",
        "sexo",
        "tiene_discapacidad",
        "porcentaje_discapacidad",
        "grupo_prioritario",
    )

    class Sexo(models.TextChoices):
        FEMENINO = "F", "Femenino"
        MASCULINO = "M", "Masculino"

    class GrupoPrioritario(models.TextChoices):
        NINEZ = "ninez", "Niñas, niños y adolescentes"
        ADULTO_MAYOR = "adulto_mayor", "Personas adultas mayores"
        DISCAPACIDAD = "discapacidad", "Personas con discapacidad"
        MUJERES = "mujeres", "Mujeres embarazadas o víctimas de violencia"
        ADICCIONES = "adicciones", "Personas con consumo problemático"
        POBREZA = "pobreza", "Personas en situación de pobreza"
        NINGUNO = "ninguno", "Ninguno"

    cedula = models.CharField("cédula", max_length=10, unique=True, validators=[validar_cedula])
    nombres = models.CharField(max_length=120)
    apellidos = models.CharField(max_length=120)
    fecha_nacimiento = models.DateField("fecha de nacimiento")
    sexo = models.CharField(max_length=1, choices=Sexo.choices)
    tiene_discapacidad = models.BooleanField("tiene discapacidad", default=False)
    porcentaje_discapacidad = models.PositiveSmallIntegerField(
        "porcentaje de discapacidad",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    grupo_prioritario = models.CharField(
        "grupo de atención prioritaria", max_length=20, choices=GrupoPrioritario.choices
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["apellidos", "nombres"]
        constraints = [
            models.CheckConstraint(
                condition=Q(porcentaje_discapacidad__isnull=True)
                | Q(porcentaje_discapacidad__gte=1, porcentaje_discapacidad__lte=100),
                name="porcentaje_discapacidad_1_a_100",
            ),
            models.CheckConstraint(
                condition=Q(tiene_discapacidad=True) | Q(porcentaje_discapacidad__isnull=True),
                name="porcentaje_solo_con_discapacidad",
            ),
        ]

    def __str__(self):
        return f"{self.apellidos} {self.nombres}"

    @property
    def cedula_enmascarada(self) -> str:
        return f"******{self.cedula[-4:]}"


class InscripcionQuerySet(models.QuerySet):
    def activas(self, hoy: datetime.date):
        """Enrolments not closed before `hoy` (open, or closing today or later)."""
        return self.filter(Q(hasta__isnull=True) | Q(hasta__gte=hoy))

    def finalizadas(self, hoy: datetime.date):
        """Enrolments whose exit date has passed."""
        return self.filter(hasta__lt=hoy)

    def entre(self, inicio: datetime.date, fin: datetime.date):
        """Enrolments in force some day from `inicio` to `fin` (both included)."""
        return self.filter(desde__lte=fin).filter(Q(hasta__isnull=True) | Q(hasta__gte=inicio))

    def del_anio(self, anio: int):
        """Enrolments in force some day of the year."""
        return self.entre(datetime.date(anio, 1, 1), datetime.date(anio, 12, 31))


class Inscripcion(models.Model):
    """A beneficiary's enrolment in a centre, from one date to another (or still open)."""

    beneficiario = models.ForeignKey(
        Beneficiario, on_delete=models.PROTECT, related_name="inscripciones"
    )
    centro = models.ForeignKey(Centro, on_delete=models.PROTECT, related_name="inscripciones")
    desde = models.DateField()
    hasta = models.DateField(null=True, blank=True)
    # Why the person left (finished the programme, moved, another service): the registry's
    # own record of it, not a guess from the date.
    motivo_salida = models.CharField("motivo de la salida", max_length=300, blank=True)

    objects = InscripcionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-desde"]
        verbose_name = "inscripción"
        verbose_name_plural = "inscripciones"
        constraints = [
            models.CheckConstraint(
                condition=Q(hasta__isnull=True) | Q(hasta__gte=models.F("desde")),
                name="inscripcion_hasta_no_antes_de_desde",
            ),
        ]

    def __str__(self):
        return f"{self.beneficiario} en {self.centro.nombre_corto}"


class ReporteMensual(models.Model):
    """A centre's report for one month: the unit that is entered, submitted and approved."""

    class Estado(models.TextChoices):
        BORRADOR = "borrador", "Borrador"
        # Sent back by the coordination with remarks: the centre corrects it and answers.
        DEVUELTO = "devuelto", "Devuelto"
        ENVIADO = "enviado", "Enviado"
        APROBADO = "aprobado", "Aprobado"

    centro = models.ForeignKey(Centro, on_delete=models.PROTECT, related_name="reportes")
    anio = models.PositiveSmallIntegerField("año", validators=[MinValueValidator(PRIMER_ANIO)])
    mes = models.PositiveSmallIntegerField(choices=MESES)
    estado = models.CharField(max_length=10, choices=Estado.choices, default=Estado.BORRADOR)
    comentario = models.TextField(
        blank=True, help_text="Explica las cifras; obligatorio para enviar un mes con advertencias."
    )
    advertencias = models.JSONField(
        default=list, blank=True, help_text="Advertencias de las cifras al último guardado."
    )
    motivo_reapertura = models.TextField("motivo de la reapertura", blank=True)
    # Optimistic locking: a save is refused when someone else saved first.
    version = models.PositiveIntegerField(default=1)
    actualizado = models.DateTimeField(auto_now=True)
    actualizado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="actualizado por",
    )
    enviado_en = models.DateTimeField("enviado el", null=True, blank=True)
    aprobado_en = models.DateTimeField("aprobado el", null=True, blank=True)
    aprobado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="aprobado por",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["centro__numero", "anio", "mes"]
        verbose_name = "reporte mensual"
        verbose_name_plural = "reportes mensuales"
        constraints = [
            models.UniqueConstraint(
                fields=["centro", "anio", "mes"], name="reporte_unico_por_centro_y_mes"
            ),
            models.CheckConstraint(condition=Q(mes__gte=1, mes__lte=12), name="reporte_mes_1_a_12"),
        ]

    def __str__(self):
        return f"{self.centro.nombre_corto} — {self.get_mes_display()} {self.anio}"

    def get_absolute_url(self):
        return reverse("centros:mes", args=[self.centro_id, self.anio, self.mes])

    @property
    def aprobado(self) -> bool:
        """An approved month is read-only until the coordination reopens it."""
        return self.estado == self.Estado.APROBADO

    @property
    def mes_del_anio(self) -> Mes:
        return Mes(self.anio, self.mes)


def del_informe(anio: int | None, *, con_sin_aprobar: bool = False, via: str = "") -> Q:
    """The months a year's report counts: the approved ones inside the centre's operation;
    every month entered only in a preview (`con_sin_aprobar`), which says so on every page.
    `anio` None: the months every year's report counts, each by its own year's operation (a
    centre's history). `via` reaches the month from another model ("reporte__")."""
    en_operacion = OperacionAnual.objects.filter(
        centro=OuterRef(f"{via}centro"),
        anio=OuterRef(f"{via}anio") if anio is None else anio,
        mes_inicio__lte=OuterRef(f"{via}mes"),
        mes_fin__gte=OuterRef(f"{via}mes"),
    )
    condicion = Q(Exists(en_operacion))
    if anio is not None:
        condicion &= Q(**{f"{via}anio": anio})
    if not con_sin_aprobar:
        condicion &= Q(**{f"{via}estado": ReporteMensual.Estado.APROBADO})
    return condicion


def campo_del_anio(campo: str, *, anio: int | str, centro: str = ""):
    """SQL for a centre's `campo` (one of `CAMPOS_DEL_ANIO`; the id for a foreign key) in a
    year: the year's own value when it keeps one, the centre's otherwise. `centro` reaches the
    centre from the query's model ("" from Centro, "reporte__centro" from a figure); `anio` is
    the year, or the path of the field that holds it ("reporte__anio")."""
    columna = OperacionAnual._meta.get_field(campo).attname
    propia = OperacionAnual.objects.filter(
        centro=OuterRef(centro or "pk"),
        anio=OuterRef(anio) if isinstance(anio, str) else anio,
        definicion_propia=True,
    )
    del_centro = F(f"{centro}__{columna}" if centro else columna)
    propio = Subquery(propia.values(columna)[:1])
    definido = Centro._meta.get_field(campo)
    tipo = definido.target_field if definido.is_relation else definido
    if not OperacionAnual._meta.get_field(campo).null or campo in _NUNCA_NULOS_SI_PROPIOS:
        # A year's own value is never empty (`operacion_definicion_propia_completa`): one
        # subquery, not an EXISTS and a subquery.
        return Coalesce(propio, del_centro, output_field=tipo)
    return Case(When(Exists(propia), then=propio), default=del_centro, output_field=tipo)


# Nullable on a year that follows the centre, never empty on one that keeps its own.
_NUNCA_NULOS_SI_PROPIOS = ("area", "parroquia")


class SinAtencionQuerySet(models.QuerySet):
    def en_meses(self, desde: Mes, hasta: Mes):
        """Periods that touch some day from `desde`'s first to `hasta`'s last."""
        return self.filter(desde__lte=hasta.ultimo_dia, hasta__gte=desde.primer_dia)


class SinAtencion(models.Model):
    """Days a centre did not serve, and why (an emergency closure, repairs, holidays): its
    months' low figures are explained once, not month by month."""

    centro = models.ForeignKey(Centro, on_delete=models.CASCADE, related_name="sin_atencion")
    desde = models.DateField()
    hasta = models.DateField()
    motivo = models.CharField(max_length=300)
    registrado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    registrado = models.DateTimeField(auto_now_add=True)

    objects = SinAtencionQuerySet.as_manager()

    class Meta:
        ordering = ["centro__numero", "desde"]
        verbose_name = "período sin atención"
        verbose_name_plural = "períodos sin atención"
        constraints = [
            models.CheckConstraint(
                condition=Q(hasta__gte=F("desde")), name="sin_atencion_hasta_no_antes_de_desde"
            )
        ]

    def __str__(self):
        return f"{self.centro.nombre_corto}: {self.desde:%d/%m/%Y}–{self.hasta:%d/%m/%Y}"

    def cubre(self, mes: Mes) -> bool:
        """Some day of the month falls in it."""
        return self.desde <= mes.ultimo_dia and self.hasta >= mes.primer_dia


class PlazoDelAnio(models.Model):
    """The day of the following month by which each month of the year is due, as the
    coordination sets it for the year (`settings.PLAZO_DIA_POR_DEFECTO` for a year it did
    not set)."""

    anio = models.PositiveSmallIntegerField("año", unique=True)
    dia = models.PositiveSmallIntegerField(
        "día del mes siguiente",
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="Cada mes se entrega hasta este día del mes siguiente (1 a 28).",
    )
    actualizado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    actualizado = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "plazo del año"
        verbose_name_plural = "plazos de los años"
        constraints = [
            models.CheckConstraint(condition=Q(dia__gte=1, dia__lte=28), name="plazo_dia_1_a_28")
        ]

    def __str__(self):
        return f"{self.anio}: día {self.dia} del mes siguiente"


class TipoDeAviso(models.TextChoices):
    """The e-mails the portal sends about the monthly work (`services.avisos`)."""

    DEVUELTO = "devuelto", "Un mes de mis centros fue devuelto o reabierto"
    RECORDATORIO = "recordatorio", "Recordatorio antes del plazo de entrega"
    RESUMEN = "resumen", "Resumen diario de los meses enviados para revisar"


class AvisoDesactivado(models.Model):
    """A kind of notice a person turned off on their page (every kind is on by default)."""

    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="avisos_desactivados"
    )
    tipo = models.CharField(max_length=12, choices=TipoDeAviso.choices)

    class Meta:
        verbose_name = "aviso desactivado"
        verbose_name_plural = "avisos desactivados"
        constraints = [
            models.UniqueConstraint(fields=["usuario", "tipo"], name="aviso_desactivado_unico")
        ]

    def __str__(self):
        return f"{self.usuario}: sin «{self.get_tipo_display()}»"


class AvisoEnviado(models.Model):
    """A notice sent, one per person and occasion (`clave`: the return, the day, the month
    due), so that a retried task or a second run of the day sends nothing twice."""

    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="avisos_enviados"
    )
    tipo = models.CharField(max_length=12, choices=TipoDeAviso.choices)
    clave = models.CharField(max_length=60)
    asunto = models.CharField(max_length=200)
    enviado = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-enviado", "-pk"]
        verbose_name = "aviso enviado"
        verbose_name_plural = "avisos enviados"
        constraints = [
            models.UniqueConstraint(
                fields=["usuario", "tipo", "clave"], name="aviso_enviado_una_vez"
            )
        ]

    def __str__(self):
        return f"{self.usuario}: {self.asunto}"


class Devolucion(models.Model):
    """The coordination sent a submitted month back to the centre: why, the remarks on its
    figures, the figures as they were, and the centre's answer when it submitted again."""

    reporte = models.ForeignKey(
        ReporteMensual, on_delete=models.CASCADE, related_name="devoluciones"
    )
    # The version the coordination read and returned.
    version = models.PositiveIntegerField()
    motivo = models.TextField()
    # {indicator code: remark} on the figures it concerns.
    observaciones = models.JSONField(default=dict, blank=True)
    # {indicator code: value as text} and the centre's comment when it was returned: what the
    # answer is compared with.
    cifras = models.JSONField(default=dict, blank=True)
    comentario = models.TextField(blank=True)
    devuelto_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    devuelto_en = models.DateTimeField(auto_now_add=True)
    respuesta = models.TextField(blank=True)
    respondido_en = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-devuelto_en", "-pk"]
        verbose_name = "devolución"
        verbose_name_plural = "devoluciones"

    def __str__(self):
        return f"{self.reporte}: devuelto el {self.devuelto_en:%d/%m/%Y}"

    @property
    def respondida(self) -> bool:
        return self.respondido_en is not None


class CifraMensual(models.Model):
    """The value of one figure (indicador) in one centre's month."""

    reporte = models.ForeignKey(ReporteMensual, on_delete=models.CASCADE, related_name="cifras")
    indicador = models.ForeignKey(Indicador, on_delete=models.PROTECT, related_name="cifras")
    valor = models.DecimalField(max_digits=14, decimal_places=2)
    comentario = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["reporte", "indicador"]
        verbose_name = "cifra mensual"
        verbose_name_plural = "cifras mensuales"
        constraints = [
            models.UniqueConstraint(
                fields=["reporte", "indicador"], name="cifra_unica_por_mes_e_indicador"
            ),
            models.CheckConstraint(condition=Q(valor__gte=0), name="cifra_no_negativa"),
        ]

    def __str__(self):
        # As the month form shows it: an import's preview lists rows by it.
        return (
            f"{self.reporte}: {self.indicador} = {cifra(self.valor, self.indicador.es_monetario)}"
        )


class AccionGeneral(models.Model):
    """An agency-wide activity of the year (Tabla 10)."""

    class UnidadBeneficiarios(models.TextChoices):
        INDIVIDUOS = "individuos", "individuos"
        FAMILIAS = "familias", "familias"
        NINOS = "ninos", "niños y niñas"
        ARTESANOS = "artesanos", "artesanos"
        MUJERES = "mujeres", "mujeres"

    anio = models.PositiveSmallIntegerField("año")
    actividad = models.CharField(max_length=200)
    cantidad = models.PositiveIntegerField(help_text="Veces que se realizó.")
    sector = models.CharField(max_length=200)
    descripcion = models.TextField("descripción")
    beneficiarios = models.PositiveIntegerField()
    unidad_beneficiarios = models.CharField(
        "unidad de beneficiarios", max_length=20, choices=UnidadBeneficiarios.choices
    )
    orden = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["anio", "orden"]
        verbose_name = "acción general"
        verbose_name_plural = "acciones generales"

    def __str__(self):
        return f"{self.actividad} ({self.anio})"
