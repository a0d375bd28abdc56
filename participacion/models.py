"""The records of the rendición de cuentas as a process (CPCCS): the year's institutional data,
the rows of the CPCCS form kept by hand, the phases and their steps, the public deliberation
and the citizens' suggestions followed year after year, and the evidence behind each.

These records are not closed by the year's publication (`casmul.cierres`): the report is
published before it is deliberated, and the process goes on for months after it."""

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


def _carpeta_evidencia(evidencia: "Evidencia", nombre: str) -> str:
    return f"evidencias/{evidencia.anio}/{nombre}"


class Evidencia(models.Model):
    """A «medio de verificación»: a file the portal publishes under /publicaciones/ with its
    SHA-256 (an acta, a report, a contract), or the address of one published elsewhere."""

    anio = models.PositiveSmallIntegerField("año")
    titulo = models.CharField("título", max_length=250)
    archivo = models.FileField(upload_to=_carpeta_evidencia, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, editable=False)
    url = models.URLField(
        "dirección externa",
        max_length=500,
        blank=True,
        help_text="Si el documento está publicado en otro sitio (p. ej. el del GAD).",
    )
    subida_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    subida_en = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-anio", "titulo"]
        verbose_name = "medio de verificación"
        verbose_name_plural = "medios de verificación"
        constraints = [
            models.CheckConstraint(
                condition=(Q(archivo="") & ~Q(url="")) | (~Q(archivo="") & Q(url="")),
                name="evidencia_archivo_o_direccion",
                violation_error_message="Suba el archivo o escriba su dirección, no ambos.",
            ),
        ]

    def __str__(self):
        return self.titulo

    def save(self, *args, **kwargs):
        # The fingerprint is of the stored bytes, taken once: what the link check compares.
        if self.archivo and not self.sha256:
            self.archivo.seek(0)
            self.sha256 = hashlib.sha256(self.archivo.read()).hexdigest()
            self.archivo.seek(0)
        super().save(*args, **kwargs)

    @property
    def enlace(self) -> str:
        """Where it is read: the portal's public address of the file, or the external one."""
        if self.archivo:
            return reverse("evidencia", args=[self.pk])
        return self.url


class DatosInstitucionales(models.Model):
    """The «datos generales» of the year's CPCCS form."""

    anio = models.PositiveSmallIntegerField("año", unique=True)
    institucion = models.CharField("institución", max_length=250)
    ruc = models.CharField("RUC", max_length=13)
    funcion = models.CharField(
        "función o nivel de gobierno",
        max_length=200,
        default="Entidad adscrita al Gobierno Autónomo Descentralizado Municipal de Loja",
    )
    representante_legal = models.CharField("representante legal", max_length=200)
    representante_cargo = models.CharField("cargo del representante", max_length=200)
    representante_correo = models.EmailField("correo del representante", blank=True)
    responsable_proceso = models.CharField(
        "responsable del proceso de rendición de cuentas", max_length=200
    )
    responsable_proceso_cargo = models.CharField(
        "cargo del responsable del proceso", max_length=200
    )
    responsable_proceso_correo = models.EmailField("correo del responsable del proceso", blank=True)
    responsable_registro = models.CharField(
        "responsable del registro en el sistema del CPCCS", max_length=200
    )
    responsable_registro_cargo = models.CharField(
        "cargo del responsable del registro", max_length=200
    )
    responsable_registro_correo = models.EmailField(
        "correo del responsable del registro", blank=True
    )

    class Meta:
        ordering = ["-anio"]
        verbose_name = "datos institucionales del año"
        verbose_name_plural = "datos institucionales por año"
        constraints = [
            models.CheckConstraint(
                condition=Q(ruc__regex=r"^[0-9]{13}$"),
                name="datos_ruc_trece_digitos",
                violation_error_message="El RUC tiene 13 dígitos.",
            ),
        ]

    def __str__(self):
        return f"{self.institucion} ({self.anio})"


class FilaConEvidencia(models.Model):
    """A row of the form kept by hand: its evidence, or «NO APLICA» where the form allows it."""

    anio = models.PositiveSmallIntegerField("año")
    evidencia = models.ForeignKey(
        Evidencia,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="medio de verificación",
    )

    class Meta:
        abstract = True


class Enajenacion(FilaConEvidencia):
    class Tipo(models.TextChoices):
        ENAJENACION = "enajenacion", "Enajenación"
        EXPROPIACION = "expropiacion", "Expropiaciones"
        DONACION_RECIBIDA = "donacion_recibida", "Donaciones recibidas"
        DONACION_REALIZADA = "donacion_realizada", "Donaciones realizadas"

    tipo = models.CharField(max_length=20, choices=Tipo.choices)
    bien = models.CharField(max_length=250)
    valor = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["anio", "tipo", "bien"]
        verbose_name = "enajenación, donación o expropiación"
        verbose_name_plural = "enajenaciones, donaciones y expropiaciones"
        constraints = [
            models.CheckConstraint(condition=Q(valor__gte=0), name="enajenacion_valor_no_negativo")
        ]

    def __str__(self):
        return f"{self.get_tipo_display()}: {self.bien}"


class Recomendacion(FilaConEvidencia):
    """A recommendation or ruling of a control body and what the institution did with it."""

    class Entidad(models.TextChoices):
        CONTRALORIA = "contraloria", "Contraloría General del Estado"
        PROCURADURIA = "procuraduria", "Procuraduría General del Estado"
        DEFENSORIA = "defensoria", "Defensoría del Pueblo"
        CPCCS = "cpccs", "Consejo de Participación Ciudadana y Control Social"
        SUPERINTENDENCIA = "superintendencia", "Superintendencias"
        OTRA = "otra", "Otra"

    entidad = models.CharField(max_length=20, choices=Entidad.choices)
    informe_entidad = models.CharField("n.º del informe de la entidad", max_length=120)
    informe_cumplimiento = models.CharField(
        "n.º del informe de cumplimiento", max_length=120, blank=True
    )
    observaciones = models.TextField(blank=True)

    class Meta:
        ordering = ["anio", "entidad", "informe_entidad"]
        verbose_name = "recomendación o dictamen"
        verbose_name_plural = "recomendaciones y dictámenes"

    def __str__(self):
        return f"{self.get_entidad_display()}: {self.informe_entidad}"


class Mecanismo(FilaConEvidencia):
    """A mechanism of citizen participation or of social control and its use in the year."""

    class Clase(models.TextChoices):
        PARTICIPACION = "participacion", "Participación ciudadana"
        CONTROL_SOCIAL = "control_social", "Control social"

    clase = models.CharField(max_length=15, choices=Clase.choices)
    nombre = models.CharField(
        max_length=150,
        help_text="P. ej. «Audiencia pública», «Consejo consultivo», «Veeduría», «Comité de "
        "usuarios».",
    )
    implementado = models.BooleanField(default=False)
    veces = models.PositiveSmallIntegerField("veces que se convocó", default=0)
    actores = models.CharField(max_length=300, blank=True)
    resultados = models.TextField("resultados o logros", blank=True)

    class Meta:
        ordering = ["anio", "clase", "nombre"]
        verbose_name = "mecanismo de participación o control social"
        verbose_name_plural = "mecanismos de participación y control social"
        constraints = [
            models.UniqueConstraint(
                fields=["anio", "clase", "nombre"], name="mecanismo_unico_por_anio"
            ),
        ]

    def __str__(self):
        return f"{self.nombre} ({self.anio})"


class EjeIgualdad(models.TextChoices):
    """The five equality agendas of the form, and the service lines whose centres serve each."""

    GENERACIONAL = "generacional", "Generacionales"
    DISCAPACIDADES = "discapacidades", "Discapacidades"
    GENERO = "genero", "Género"
    MOVILIDAD_HUMANA = "movilidad_humana", "Movilidad humana"
    INTERCULTURAL = "intercultural", "Interculturales"


class PoliticaIgualdad(FilaConEvidencia):
    eje = models.CharField(max_length=20, choices=EjeIgualdad.choices)
    implementada = models.BooleanField(default=True)
    descripcion = models.TextField("política, proyecto o acción")
    resultados = models.TextField(blank=True)

    class Meta:
        ordering = ["anio", "eje"]
        verbose_name = "política para la igualdad"
        verbose_name_plural = "políticas para la igualdad"
        constraints = [
            models.UniqueConstraint(fields=["anio", "eje"], name="politica_unica_por_eje"),
        ]

    def __str__(self):
        return f"{self.get_eje_display()} ({self.anio})"


class MedioDifusion(FilaConEvidencia):
    class Medio(models.TextChoices):
        RADIO = "radio", "Radio"
        PRENSA = "prensa", "Prensa"
        TELEVISION = "television", "Televisión"
        DIGITALES = "digitales", "Medios digitales"

    medio = models.CharField(max_length=12, choices=Medio.choices)
    cantidad = models.PositiveSmallIntegerField("n.º de medios")
    detalle = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["anio", "medio"]
        verbose_name = "medio de difusión"
        verbose_name_plural = "medios de difusión"
        constraints = [
            models.UniqueConstraint(fields=["anio", "medio"], name="medio_unico_por_anio"),
        ]

    def __str__(self):
        return f"{self.get_medio_display()} ({self.anio})"


class Fase(models.IntegerChoices):
    PLANIFICACION = 1, "Fase 1: planificación y facilitación con la asamblea ciudadana local"
    EVALUACION = 2, "Fase 2: evaluación de la gestión y redacción del informe"
    DELIBERACION = 3, "Fase 3: deliberación pública y evaluación ciudadana"
    SEGUIMIENTO = 4, "Fase 4: incorporación de la opinión ciudadana y seguimiento"


class PasoDelProceso(FilaConEvidencia):
    """A step of a phase, with the date the coordination sets for it and when it was done."""

    fase = models.PositiveSmallIntegerField(choices=Fase.choices)
    orden = models.PositiveSmallIntegerField(default=0)
    descripcion = models.CharField("paso", max_length=300)
    fecha_limite = models.DateField("fecha límite", null=True, blank=True)
    cumplido_el = models.DateField("cumplido el", null=True, blank=True)
    observaciones = models.TextField(blank=True)

    class Meta:
        ordering = ["anio", "fase", "orden"]
        verbose_name = "paso del proceso"
        verbose_name_plural = "pasos del proceso"

    def __str__(self):
        return self.descripcion

    def vencido(self, hoy) -> bool:
        return (
            self.cumplido_el is None and self.fecha_limite is not None and self.fecha_limite < hoy
        )


class Deliberacion(models.Model):
    """The public deliberation of the year's report (held the next year), with who came."""

    anio = models.PositiveSmallIntegerField("año del informe", unique=True)
    fecha = models.DateField()
    lugar = models.CharField(max_length=250)
    mujeres = models.PositiveIntegerField(default=0)
    hombres = models.PositiveIntegerField(default=0)
    glbti = models.PositiveIntegerField("GLBTI", default=0)
    mestizos = models.PositiveIntegerField(default=0)
    indigenas = models.PositiveIntegerField("indígenas", default=0)
    afroecuatorianos = models.PositiveIntegerField(default=0)
    montubios = models.PositiveIntegerField(default=0)
    blancos = models.PositiveIntegerField(default=0)
    otros_pueblos = models.PositiveIntegerField("otros pueblos o nacionalidades", default=0)
    acta = models.ForeignKey(
        Evidencia,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="acta firmada",
    )

    class Meta:
        ordering = ["-anio"]
        verbose_name = "deliberación pública"
        verbose_name_plural = "deliberaciones públicas"

    def __str__(self):
        return f"Deliberación del informe {self.anio}"

    @property
    def participantes(self) -> int:
        return self.mujeres + self.hombres + self.glbti


class Sugerencia(models.Model):
    """A citizen's suggestion of the deliberation and the institution's answer."""

    deliberacion = models.ForeignKey(
        Deliberacion, on_delete=models.CASCADE, related_name="sugerencias"
    )
    orden = models.PositiveSmallIntegerField(default=0)
    texto = models.TextField("sugerencia o demanda")
    compromiso = models.BooleanField("¿se compromete?", default=False)
    respuesta = models.TextField("respuesta de la institución", blank=True)

    class Meta:
        ordering = ["deliberacion", "orden", "pk"]
        verbose_name = "sugerencia ciudadana"
        verbose_name_plural = "sugerencias ciudadanas"

    def __str__(self):
        return self.texto[:80]


class AccionDelPlan(models.Model):
    """An action of the plan de trabajo that answers a suggestion."""

    sugerencia = models.ForeignKey(Sugerencia, on_delete=models.CASCADE, related_name="acciones")
    descripcion = models.CharField("acción", max_length=300)
    responsable = models.CharField(max_length=200)
    fecha_inicio = models.DateField("inicio")
    fecha_fin = models.DateField("fin previsto")

    class Meta:
        ordering = ["sugerencia", "fecha_inicio", "pk"]
        verbose_name = "acción del plan de trabajo"
        verbose_name_plural = "acciones del plan de trabajo"
        constraints = [
            models.CheckConstraint(
                condition=Q(fecha_fin__gte=models.F("fecha_inicio")),
                name="accion_termina_tras_empezar",
                violation_error_message="El fin previsto no puede ser anterior al inicio.",
            ),
        ]

    def __str__(self):
        return self.descripcion


class AvanceDeAccion(models.Model):
    """A follow-up of an action: its progress on a date, with its evidence."""

    accion = models.ForeignKey(AccionDelPlan, on_delete=models.CASCADE, related_name="avances")
    fecha = models.DateField()
    porcentaje = models.PositiveSmallIntegerField("avance (%)", validators=[MaxValueValidator(100)])
    descripcion = models.TextField("resultados", blank=True)
    evidencia = models.ForeignKey(
        Evidencia,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="medio de verificación",
    )

    class Meta:
        ordering = ["accion", "fecha", "pk"]
        verbose_name = "avance de una acción"
        verbose_name_plural = "avances de las acciones"
        constraints = [
            models.CheckConstraint(
                condition=Q(porcentaje__lte=100), name="avance_porcentaje_hasta_cien"
            ),
        ]

    def __str__(self):
        return f"{self.accion}: {self.porcentaje} %"
