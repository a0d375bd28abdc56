import hashlib

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

# The year's own texts, listed once for the texts page, the admin and the copy to a new year.
CAMPOS_NARRATIVOS = [
    "antecedentes",
    "introduccion",
    "mision",
    "vision",
    "informe_narrativo",
    "convenios_intro",
    "acciones_intro",
]
CAMPOS_CONTACTO = ["direccion", "ciudad", "telefono", "correo", "sitio_web", "redes_sociales"]
CAMPOS_TEXTO = ["dirigido_a", *CAMPOS_NARRATIVOS, *CAMPOS_CONTACTO]


class InformeAnual(models.Model):
    """The editable texts of one year's report; every figure is computed, never stored here."""

    anio = models.PositiveSmallIntegerField("año", unique=True)
    dirigido_a = models.CharField(
        "dirigido a", max_length=200, default="Consejo Cantonal de Planificación"
    )
    antecedentes = models.TextField()
    introduccion = models.TextField("introducción")
    mision = models.TextField("misión")
    vision = models.TextField("visión")
    informe_narrativo = models.TextField(
        "presentación del informe narrativo", blank=True, help_text="Párrafo que abre la sección 3."
    )
    convenios_intro = models.TextField("introducción a convenios", blank=True)
    acciones_intro = models.TextField("introducción a acciones generales", blank=True)
    # Contact block of the cover.
    direccion = models.CharField("dirección", max_length=250)
    ciudad = models.CharField(max_length=120, default="Loja, Ecuador")
    telefono = models.CharField("teléfono", max_length=60, blank=True)
    correo = models.EmailField("correo electrónico", blank=True)
    sitio_web = models.CharField("sitio web", max_length=200, blank=True)
    redes_sociales = models.CharField("redes sociales", max_length=200, blank=True)
    # Optimistic locking for the texts page: every save there raises it by one, and a save
    # that started from an older number is refused instead of overwriting someone else's work.
    version = models.PositiveIntegerField("versión", default=1, editable=False)

    class Meta:
        ordering = ["-anio"]
        verbose_name = "informe anual"
        verbose_name_plural = "informes anuales"

    def __str__(self):
        return f"Informe de rendición de cuentas {self.anio}"

    def get_absolute_url(self):
        return reverse("rendicion:informe", args=[self.anio])


class ObjetivoEstrategico(models.Model):
    informe = models.ForeignKey(InformeAnual, on_delete=models.CASCADE, related_name="objetivos")
    texto = models.TextField()
    orden = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["informe", "orden"]
        verbose_name = "objetivo estratégico"
        verbose_name_plural = "objetivos estratégicos"

    def __str__(self):
        return self.texto[:80]


class TerminoGlosario(models.Model):
    informe = models.ForeignKey(InformeAnual, on_delete=models.CASCADE, related_name="glosario")
    sigla = models.CharField(max_length=30)
    significado = models.CharField(max_length=250)

    class Meta:
        ordering = ["informe", "sigla"]
        verbose_name = "término del glosario"
        verbose_name_plural = "glosario"
        constraints = [
            models.UniqueConstraint(fields=["informe", "sigla"], name="sigla_unica_por_informe"),
        ]

    def __str__(self):
        return self.sigla


class SeccionFortalecimiento(models.Model):
    """A subsection of section 4, "Fortalecimiento institucional"."""

    informe = models.ForeignKey(
        InformeAnual, on_delete=models.CASCADE, related_name="fortalecimiento"
    )
    titulo = models.CharField("título", max_length=200)
    texto = models.TextField(
        help_text="Párrafos separados por una línea en blanco; «- » inicia una viñeta."
    )
    orden = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["informe", "orden"]
        verbose_name = "sección de fortalecimiento institucional"
        verbose_name_plural = "secciones de fortalecimiento institucional"

    def __str__(self):
        return self.titulo

    @property
    def bloques(self) -> list[dict]:
        """Paragraphs separated by blank lines; a block whose lines start with «- » is a list."""
        resultado = []
        for bloque in self.texto.replace("\r\n", "\n").split("\n\n"):
            lineas = [linea.strip() for linea in bloque.strip().splitlines() if linea.strip()]
            if not lineas:
                continue
            if all(linea.startswith("- ") for linea in lineas):
                resultado.append({"vinetas": [linea[2:].strip() for linea in lineas]})
            else:
                resultado.append({"texto": "\n".join(lineas)})
        return resultado

    @property
    def numerada(self) -> bool:
        """«4.1. …» is a subsection of the table of contents; the others are its parts."""
        return self.titulo[:1].isdigit()


class Firmante(models.Model):
    class Rol(models.TextChoices):
        ELABORADO = "elaborado", "Elaborado"
        REVISADO = "revisado", "Revisado"
        APROBADO = "aprobado", "Aprobado"

    informe = models.ForeignKey(InformeAnual, on_delete=models.CASCADE, related_name="firmantes")
    rol = models.CharField(max_length=10, choices=Rol.choices)
    nombre = models.CharField(max_length=200, help_text="Con su título, p. ej. «Mgtr. …».")
    cargo = models.CharField(max_length=250)
    orden = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["informe", "orden"]
        constraints = [
            models.UniqueConstraint(fields=["informe", "rol"], name="firmante_unico_por_rol"),
        ]

    def __str__(self):
        return f"{self.get_rol_display()}: {self.nombre}"


def sha256(contenido: bytes) -> str:
    """The fingerprint a published file is known by."""
    return hashlib.sha256(contenido).hexdigest()


def _carpeta_publicacion(publicacion: "Publicacion", nombre: str) -> str:
    return f"publicaciones/{publicacion.anio}/v{publicacion.version}/{nombre}"


class Publicacion(models.Model):
    """A published version of a year's report: the files handed to the council, fixed with
    their SHA-256 and never rendered again. Version 1 is the report; each later one is an
    erratum, with its reason and the figures it changed."""

    anio = models.PositiveSmallIntegerField("año")
    version = models.PositiveSmallIntegerField("versión")
    publicado_en = models.DateTimeField("publicado el", default=timezone.now)
    publicado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="publicado por",
    )
    motivo = models.TextField(
        blank=True, help_text="Por qué se publica una fe de erratas (desde la versión 2)."
    )
    # Each changed figure since the previous version: {"cifra", "antes", "despues"}.
    erratas = models.JSONField(default=list, blank=True)
    pdf = models.FileField(upload_to=_carpeta_publicacion)
    html = models.FileField(upload_to=_carpeta_publicacion)
    libro = models.FileField("libro de tablas (XLSX)", upload_to=_carpeta_publicacion)
    cifras = models.FileField("cifras (JSON)", upload_to=_carpeta_publicacion)
    # Versions published before the form existed have none.
    cpccs = models.FileField(
        "formulario del CPCCS (XLSX)", upload_to=_carpeta_publicacion, blank=True
    )
    pdf_sha256 = models.CharField("SHA-256 del PDF", max_length=64)
    html_sha256 = models.CharField("SHA-256 del HTML", max_length=64)
    libro_sha256 = models.CharField("SHA-256 del libro", max_length=64)
    cifras_sha256 = models.CharField("SHA-256 de las cifras", max_length=64)
    cpccs_sha256 = models.CharField("SHA-256 del formulario", max_length=64, blank=True)

    class Meta:
        ordering = ["-anio", "-version"]
        verbose_name = "publicación"
        verbose_name_plural = "publicaciones"
        constraints = [
            models.UniqueConstraint(fields=["anio", "version"], name="publicacion_unica"),
        ]

    def __str__(self):
        return f"Rendición de cuentas {self.anio}, versión {self.version}"

    @property
    def archivos(self) -> list[tuple[str, str, str]]:
        """(kind, its Spanish name, SHA-256) of each stored file."""
        archivos = [
            ("pdf", "PDF", self.pdf_sha256),
            ("html", "HTML", self.html_sha256),
            ("libro", "Tablas (XLSX)", self.libro_sha256),
            ("cifras", "Cifras (JSON)", self.cifras_sha256),
        ]
        if self.cpccs:
            archivos.append(("cpccs", "Formulario CPCCS (XLSX)", self.cpccs_sha256))
        return archivos


class FeDeErratas(models.Model):
    """An erratum under way: while it is open, the year's agreements, budget and procurement
    can be corrected; publishing the next version closes it with its reason."""

    anio = models.PositiveSmallIntegerField("año")
    motivo = models.TextField()
    abierta_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    abierta_en = models.DateTimeField(default=timezone.now)
    publicacion = models.OneToOneField(
        Publicacion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fe_de_erratas",
        help_text="La versión que la cerró.",
    )

    class Meta:
        ordering = ["-abierta_en"]
        verbose_name = "fe de erratas"
        # Invariable in use: «las fe de erratas» of a report.
        verbose_name_plural = "fe de erratas"
        constraints = [
            models.UniqueConstraint(
                fields=["anio"],
                condition=models.Q(publicacion__isnull=True),
                name="una_fe_de_erratas_abierta_por_anio",
            ),
        ]

    def __str__(self):
        return f"Fe de erratas {self.anio}: {self.motivo[:60]}"


def anio_cerrado(anio: int) -> str | None:
    """Why the year's records are closed (its report is published and no erratum is open),
    or None."""
    publicada = Publicacion.objects.filter(anio=anio).order_by("-version").first()
    if publicada is None or FeDeErratas.objects.filter(anio=anio, publicacion=None).exists():
        return None
    return (
        f"El informe de {anio} está publicado (versión {publicada.version}): sus registros solo "
        "cambian con una fe de erratas. La Coordinación la abre con su motivo en «Publicar» del "
        "informe, o al reabrir uno de sus meses; al publicar la nueva versión se cierra."
    )


class ComprobacionDeEnlace(models.Model):
    """The last check of one link of a year's CPCCS form: whether it answered 200 with the
    document recorded for it (its SHA-256). The CPCCS opens every link; this one opens them
    first."""

    anio = models.PositiveSmallIntegerField("año")
    url = models.CharField(max_length=500)
    fila = models.CharField("fila del formulario", max_length=500)
    sha256_esperado = models.CharField("SHA-256 registrado", max_length=64, blank=True)
    estado_http = models.PositiveSmallIntegerField("respuesta HTTP", null=True, blank=True)
    sha256_obtenido = models.CharField("SHA-256 recibido", max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)
    comprobado_en = models.DateTimeField("comprobado el", default=timezone.now)

    class Meta:
        ordering = ["anio", "fila"]
        verbose_name = "comprobación de enlace"
        verbose_name_plural = "comprobaciones de enlaces"
        constraints = [
            models.UniqueConstraint(fields=["anio", "url"], name="comprobacion_unica_por_enlace"),
        ]

    def __str__(self):
        return self.url

    @property
    def correcto(self) -> bool:
        return (
            self.estado_http == 200
            and not self.error
            and (not self.sha256_esperado or self.sha256_esperado == self.sha256_obtenido)
        )

    @property
    def problema(self) -> str:
        if self.error:
            return self.error
        if self.estado_http != 200:
            return f"respondió {self.estado_http}"
        return "responde con otro documento que el registrado (su SHA-256 cambió)"
