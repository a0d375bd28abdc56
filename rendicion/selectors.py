"""Read functions of `rendicion`: the year's report, assembled from the domain apps' selectors.

The page, the PDF and the exports render the same `InformeRendicion`; nothing here is typed
by hand except the year's texts (`InformeAnual`)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

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
        horarios_clinica=list(centros.horarios_de_area(area_codigo=SALUD)),
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
        instalaciones=list(centros.instalaciones_de_area(area_codigo=SERVICIOS_COMUNIDAD)),
        horarios_servicios=list(centros.horarios_de_area(area_codigo=SERVICIOS_COMUNIDAD)),
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


def publicacion_de_archivo(contenido: bytes) -> Verificacion | None:
    """The published version a file is, by its SHA-256, or None: a copy changed by one byte
    is none."""
    huella = sha256(contenido)
    for publicacion in publicaciones().filter(
        Q(pdf_sha256=huella)
        | Q(html_sha256=huella)
        | Q(libro_sha256=huella)
        | Q(cifras_sha256=huella)
    ):
        for _, nombre, suya in publicacion.archivos:
            if suya == huella:
                return Verificacion(publicacion=publicacion, archivo=nombre)
    return None


def fe_de_erratas_abierta(*, anio: int) -> FeDeErratas | None:
    """The erratum under way for the year, if any."""
    return FeDeErratas.objects.filter(anio=anio, publicacion=None).first()
