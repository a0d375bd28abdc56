"""Read functions of `rendicion`: the year's report, assembled from the domain apps' selectors.

The page, the PDF and the exports render the same `InformeRendicion`; nothing here is typed
by hand except the year's texts (`InformeAnual`)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from centros.selectors import comparacion as comparacion_centros
from centros.selectors import ficha as ficha_centros
from centros.selectors import informe as centros
from convenios import selectors as convenios
from presupuesto import selectors as presupuesto
from salud import selectors as salud

from .models import FeDeErratas, InformeAnual, Publicacion, sha256

DESARROLLO_INFANTIL = "desarrollo-infantil"
SALUD = "atencion-salud"
APOYO_SOCIAL = "apoyo-social"
IMPULSO_ECONOMICO = "impulso-economico"
SERVICIOS_COMUNIDAD = "servicios-comunidad"


def informe_del_anio(*, anio: int) -> InformeAnual | None:
    """The year's texts with their glossary, objectives, section 4 and signatories."""
    return (
        InformeAnual.objects.filter(anio=anio)
        .prefetch_related("objetivos", "glosario", "fortalecimiento", "firmantes")
        .first()
    )


def anios_con_informe() -> list[int]:
    return list(InformeAnual.objects.order_by("-anio").values_list("anio", flat=True))


@dataclass(frozen=True)
class InformeRendicion:
    anio: int
    # A preview that counts months not yet approved: marked on every page.
    borrador: bool
    completitud: centros.Completitud
    textos: InformeAnual
    areas: list[centros.Area]
    centros: centros.ConteoCentros
    personal: dict[str, int]
    desarrollo_infantil: centros.TablaUsuarios
    desarrollo_infantil_anterior: centros.TablaUsuarios
    salud: list[centros.CifrasCentro]
    clinica: salud.ResumenClinica
    especialidades: list[salud.Especialidad]
    dotacion: salud.Dotacion
    horarios_clinica: list[centros.HorarioAtencion]
    apoyo_social: centros.TablaUsuarios
    apoyo_social_anterior: centros.TablaUsuarios
    impulso_economico: list[centros.CifrasCentro]
    servicios_comunidad: list[centros.CifrasCentro]
    instalaciones: list[centros.Instalacion]
    horarios_servicios: list[centros.HorarioAtencion]
    convenios: list[convenios.Convenio]
    conteo_convenios: convenios.ConteoConvenios
    acciones: list[centros.AccionGeneral]
    presupuesto: presupuesto.TablaPresupuesto
    presupuesto_anterior: presupuesto.TablaPresupuesto
    gastos_comunes: list[presupuesto.GastoComun]
    ejecucion: presupuesto.EjecucionInstitucional | None
    contratacion: presupuesto.TablaContratacion
    fotos: list[centros.FotoCentro]


def completitud_del_informe(*, anio: int) -> centros.Completitud:
    """The approved months of operation the year's report counts, of those due by today."""
    return centros.completitud_del_anio(anio=anio, hoy=timezone.localdate())


def informe_rendicion(
    *, anio: int, borrador: bool = False, hoy: datetime.date | None = None
) -> InformeRendicion | None:
    """Everything the year's report shows, or None when the year has no texts yet. Its
    monthly figures come from approved months only; a `borrador` (the coordination's preview)
    counts every month entered and says so. The number of queries does not depend on the
    amount of data."""
    textos = informe_del_anio(anio=anio)
    if textos is None:
        return None
    mensuales = {"con_sin_aprobar": borrador}
    return InformeRendicion(
        anio=anio,
        borrador=borrador,
        completitud=centros.completitud_del_anio(anio=anio, hoy=hoy or timezone.localdate()),
        textos=textos,
        areas=list(centros.areas()),
        centros=centros.centros_por_area(anio=anio),
        personal=centros.personal_por_area(anio=anio),
        desarrollo_infantil=centros.usuarios_por_centro(
            anio=anio, area_codigo=DESARROLLO_INFANTIL, **mensuales
        ),
        desarrollo_infantil_anterior=centros.usuarios_por_centro(
            anio=anio - 1, area_codigo=DESARROLLO_INFANTIL, **mensuales
        ),
        salud=centros.cifras_de_area(anio=anio, area_codigo=SALUD, **mensuales),
        clinica=salud.resumen_clinica(anio=anio, **mensuales),
        especialidades=list(salud.especialidades_ofertadas()),
        dotacion=salud.dotacion_profesional(anio=anio),
        horarios_clinica=list(centros.horarios_de_area(anio=anio, area_codigo=SALUD)),
        apoyo_social=centros.usuarios_por_centro(anio=anio, area_codigo=APOYO_SOCIAL, **mensuales),
        apoyo_social_anterior=centros.usuarios_por_centro(
            anio=anio - 1, area_codigo=APOYO_SOCIAL, **mensuales
        ),
        impulso_economico=centros.cifras_de_area(
            anio=anio, area_codigo=IMPULSO_ECONOMICO, **mensuales
        ),
        servicios_comunidad=centros.cifras_de_area(
            anio=anio, area_codigo=SERVICIOS_COMUNIDAD, **mensuales
        ),
        instalaciones=list(
            centros.instalaciones_de_area(anio=anio, area_codigo=SERVICIOS_COMUNIDAD)
        ),
        horarios_servicios=list(
            centros.horarios_de_area(anio=anio, area_codigo=SERVICIOS_COMUNIDAD)
        ),
        convenios=list(convenios.convenios_del_informe(anio=anio)),
        conteo_convenios=convenios.conteo_convenios(anio=anio),
        acciones=list(centros.acciones_generales(anio=anio)),
        presupuesto=presupuesto.presupuesto_por_area(anio=anio),
        presupuesto_anterior=presupuesto.presupuesto_por_area(anio=anio - 1),
        gastos_comunes=list(presupuesto.gastos_comunes(anio=anio)),
        ejecucion=presupuesto.ejecucion_institucional(anio=anio),
        contratacion=presupuesto.contratacion_por_tipo(anio=anio),
        fotos=list(centros.fotos_del_anio(anio=anio)),
    )


def publicaciones() -> QuerySet[Publicacion]:
    """Every published version of every year, newest first: the public archive."""
    return Publicacion.objects.select_related("publicado_por").order_by("-anio", "-version")


@dataclass(frozen=True)
class Verificacion:
    publicacion: Publicacion
    archivo: str  # which of its files: "PDF", "HTML", …
    ultima_version: int  # the year's latest version

    @property
    def reemplazada_por(self) -> int | None:
        """The version that replaces it, when an erratum was published after it."""
        return self.ultima_version if self.ultima_version > self.publicacion.version else None


def publicacion_de_archivo(contenido: bytes) -> Verificacion | None:
    """The published version a file is, by its SHA-256, and whether a later version replaced
    it; or None: a copy changed by one byte is none."""
    huella = sha256(contenido)
    for publicacion in (
        publicaciones()
        .filter(
            Q(pdf_sha256=huella)
            | Q(html_sha256=huella)
            | Q(libro_sha256=huella)
            | Q(cifras_sha256=huella)
            | Q(cpccs_sha256=huella)
        )
        .annotate(
            ultima_version=Subquery(
                Publicacion.objects.filter(anio=OuterRef("anio"))
                .order_by("-version")
                .values("version")[:1]
            )
        )
    ):
        for _, nombre, suya in publicacion.archivos:
            if suya == huella:
                return Verificacion(
                    publicacion=publicacion,
                    archivo=nombre,
                    ultima_version=publicacion.ultima_version,
                )
    return None


def fe_de_erratas_abierta(*, anio: int) -> FeDeErratas | None:
    """The erratum under way for the year, if any."""
    return FeDeErratas.objects.filter(anio=anio, publicacion=None).first()


@dataclass(frozen=True)
class PresupuestoComparado:
    area: str
    codificado: comparacion_centros.Comparada
    ejecutado: comparacion_centros.Comparada


@dataclass(frozen=True)
class PacientesComparados:
    servicio: str
    pacientes: comparacion_centros.Comparada


@dataclass(frozen=True)
class ComparacionAnual:
    """A year beside the previous one, approved figures only as in each year's report: the
    centres' figures per área, the budget per área and the clinic's patients per service."""

    centros: comparacion_centros.Comparacion
    presupuesto: list[PresupuestoComparado]
    clinica: list[PacientesComparados]

    @property
    def anio(self) -> int:
        return self.centros.anio


def comparacion_anual(*, anio: int, hoy: datetime.date) -> ComparacionAnual:
    """The comparison of the year with the previous one. A year with no budget recorded, or
    no approved month of the clinic, has nothing to compare rather than zeros. A fixed number
    of queries."""
    Comparada = comparacion_centros.Comparada
    presupuestos = [presupuesto.presupuesto_por_area(anio=a) for a in (anio - 1, anio)]
    clinicas = [salud.resumen_clinica(anio=a) for a in (anio - 1, anio)]

    def montos(tabla, campo):
        registrado = any(getattr(fila, campo) for fila in tabla.filas)
        return [getattr(fila, campo) if registrado else None for fila in tabla.filas]

    def pacientes(clinica):
        return [
            fila.pacientes if clinica.meses_reportados else None for fila in clinica.por_servicio
        ]

    centros = comparacion_centros.comparacion_de_centros(anio=anio, hoy=hoy)
    return ComparacionAnual(
        centros=centros,
        presupuesto=[
            PresupuestoComparado(
                area=fila.area,
                codificado=Comparada(*codificado),
                ejecutado=Comparada(*ejecutado),
            )
            for fila, codificado, ejecutado in zip(
                presupuestos[1].filas,
                zip(*(montos(tabla, "codificado") for tabla in presupuestos), strict=True),
                zip(*(montos(tabla, "ejecutado") for tabla in presupuestos), strict=True),
                strict=True,
            )
        ],
        clinica=[
            PacientesComparados(
                servicio=fila.nombre,
                pacientes=Comparada(*valores, coberturas=centros.coberturas_clinica),
            )
            for fila, valores in zip(
                clinicas[1].por_servicio,
                zip(*(pacientes(clinica) for clinica in clinicas), strict=True),
                strict=True,
            )
        ],
    )


@dataclass(frozen=True)
class CoberturaDelAnio:
    anio: int
    meses: list[convenios.MesCubierto]


@dataclass(frozen=True)
class PresupuestoDelAnio:
    anio: int
    lineas: list[presupuesto.LineaPresupuestaria]

    @property
    def codificado(self) -> Decimal:
        return sum((linea.codificado for linea in self.lineas), Decimal("0.00"))

    @property
    def ejecutado(self) -> Decimal:
        return sum((linea.ejecutado or 0 for linea in self.lineas), Decimal("0.00"))


@dataclass(frozen=True)
class PaginaDelCentro:
    """A centre across the years: its figures as each year's report counts them, the
    clinic's patients where it is the clinic, its agreements and the months they cover, its
    budget lines and its photos."""

    ficha: ficha_centros.FichaDelCentro
    pacientes: list[salud.PacientesPorAnio]
    convenios: list[convenios.Convenio]
    cobertura: list[CoberturaDelAnio]
    presupuesto: list[PresupuestoDelAnio]

    @property
    def centro(self):
        return self.ficha.centro


def centro_visible(*, centro_id: int, usuario) -> bool:
    """Whether the user may see the centre's page (staff: their own centres)."""
    return ficha_centros.centro_visible(centro_id=centro_id, usuario=usuario)


def pagina_del_centro(*, centro_id: int, usuario) -> PaginaDelCentro | None:
    """The centre's page for a user who may see the centre, else None. A fixed number of
    queries whatever the years behind it."""
    ficha = ficha_centros.ficha_del_centro(centro_id=centro_id, usuario=usuario)
    if ficha is None:
        return None
    anios = [anio.anio for anio in ficha.anios]
    del_centro = convenios.convenios_del_centro(centro_id=centro_id)
    lineas = list(presupuesto.lineas_del_centro(centro_id=centro_id))
    return PaginaDelCentro(
        ficha=ficha,
        pacientes=salud.pacientes_del_centro_por_anio(centro_id=centro_id, anios=anios),
        convenios=del_centro,
        cobertura=[
            CoberturaDelAnio(
                anio=anio.anio,
                meses=convenios.cobertura_por_mes(
                    del_centro, anio=anio.anio, operacion=anio.operacion.meses
                ),
            )
            for anio in reversed(ficha.anios)
        ],
        presupuesto=[
            PresupuestoDelAnio(anio=anio, lineas=[linea for linea in lineas if linea.anio == anio])
            for anio in sorted({linea.anio for linea in lineas}, reverse=True)
        ],
    )


def publicacion_vigente(*, anio: int) -> Publicacion | None:
    """The year's latest published version (the one in force), or None: one query."""
    return Publicacion.objects.filter(anio=anio).order_by("-version").first()
