"""factory_boy factories for every model of the portal's apps.

Defaults build rows that pass `full_clean()`; tests that exercise database constraints pass
the offending values explicitly (`create()` saves without validating).
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory
from stdnum import luhn

from casmul.roles import Rol
from centros.models import (
    AccionGeneral,
    Area,
    Beneficiario,
    Centro,
    CifraMensual,
    FotoCentro,
    HorarioAtencion,
    Indicador,
    IndicadorCentro,
    Inscripcion,
    Instalacion,
    LineaServicio,
    Modalidad,
    OperacionAnual,
    Parroquia,
    ReporteMensual,
)
from convenios.models import Convenio, Institucion
from presupuesto.models import (
    GastoComun,
    LineaPresupuestaria,
    PresupuestoInstitucional,
    ProcesoContratacion,
    TipoContratacion,
)
from rendicion.models import (
    Firmante,
    InformeAnual,
    ObjetivoEstrategico,
    Publicacion,
    SeccionFortalecimiento,
    TerminoGlosario,
    sha256,
)
from salud.models import AtencionClinica, DotacionProfesional, Especialidad, Servicio

ANIO = 2023


# --- Cédulas -------------------------------------------------------------------------------


def cedula_con_verificador(nueve_digitos: str) -> str:
    """Appends the check digit, computed by python-stdnum rather than a copy of the validator.

    The cédula's modulo-10 (coefficients 2,1,2,1,… from the left) is Luhn's algorithm.
    `stdnum.ec.ci` has no check-digit function, and the validator's tests also need check
    digits for province codes and third digits that `stdnum.ec.ci` refuses.
    """
    if len(nueve_digitos) != 9 or not nueve_digitos.isdigit():
        raise ValueError("Se esperan exactamente 9 dígitos.")
    return nueve_digitos + luhn.calc_check_digit(nueve_digitos)


def cedula_valida(n: int) -> str:
    """A distinct valid cédula for every n in 0…999 999: province 01–24, third digit 0–5,
    six digits taken from n and the correct check digit."""
    if not 0 <= n < 10**6:
        raise ValueError("n debe estar entre 0 y 999 999.")
    return cedula_con_verificador(f"{n % 24 + 1:02d}{n % 6}{n:06d}")


# --- Users ---------------------------------------------------------------------------------


class UserFactory(DjangoModelFactory):
    """A portal user. `UserFactory(roles=[Rol.COORDINACION])` puts it in the role's group."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"usuario{n}")
    first_name = factory.Sequence(lambda n: f"Nombre{n}")
    last_name = "Prueba"
    email = factory.LazyAttribute(lambda u: f"{u.username}@casmul.test")
    password = factory.django.Password("clave-de-prueba-123")
    is_active = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for rol in extracted:
            grupo, _ = Group.objects.get_or_create(name=Rol(rol).value)
            self.groups.add(grupo)


# --- centros -------------------------------------------------------------------------------


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area

    codigo = factory.Sequence(lambda n: f"area-{n}")
    nombre = factory.Sequence(lambda n: f"Área de prueba {n}")
    objetivo = "Atender a la población prioritaria del cantón."
    orden = factory.Sequence(lambda n: n)


class ParroquiaFactory(DjangoModelFactory):
    class Meta:
        model = Parroquia

    nombre = factory.Sequence(lambda n: f"Parroquia {n}")
    tipo = Parroquia.Tipo.URBANA


class IndicadorFactory(DjangoModelFactory):
    class Meta:
        model = Indicador

    codigo = factory.Sequence(lambda n: f"indicador-{n}")
    nombre = factory.Sequence(lambda n: f"Indicador {n}")
    unidad = Indicador.Unidad.PERSONAS
    agregacion = Indicador.Agregacion.SUMA


class CentroFactory(DjangoModelFactory):
    """A centre. Pass `personal_asignado=[user, …]` to assign staff."""

    class Meta:
        model = Centro
        skip_postgeneration_save = True

    # Far above the report's 1–30 so that factories can be mixed with the fixtures.
    numero = factory.Sequence(lambda n: 1000 + n)
    nombre = factory.Sequence(lambda n: f"Centro de prueba {n}")
    nombre_corto = factory.Sequence(lambda n: f"Centro {n}")
    area = factory.SubFactory(AreaFactory)
    modalidad = Modalidad.DIRECTA
    linea_servicio = LineaServicio.DESARROLLO_INFANTIL
    parroquia = factory.SubFactory(ParroquiaFactory)
    direccion = "Calle Bolívar y Rocafuerte"
    capacidad = 40

    @factory.post_generation
    def personal_asignado(self, create, extracted, **kwargs):
        if create and extracted:
            self.personal_asignado.add(*extracted)


class OperacionAnualFactory(DjangoModelFactory):
    class Meta:
        model = OperacionAnual

    centro = factory.SubFactory(CentroFactory)
    anio = ANIO
    personal = 5


class IndicadorCentroFactory(DjangoModelFactory):
    class Meta:
        model = IndicadorCentro

    centro = factory.SubFactory(CentroFactory)
    indicador = factory.SubFactory(IndicadorFactory)
    orden = 0


class HorarioAtencionFactory(DjangoModelFactory):
    class Meta:
        model = HorarioAtencion

    centro = factory.SubFactory(CentroFactory)
    servicio = "Atención diurna"
    dias = "Lunes a viernes"
    horas = "08:00 a 16:30"


class InstalacionFactory(DjangoModelFactory):
    class Meta:
        model = Instalacion

    centro = factory.SubFactory(CentroFactory)
    nombre = factory.Sequence(lambda n: f"Instalación {n}")
    descripcion = "Sala equipada."
    objetivo = "Mejorar la calidad del servicio."


class FotoCentroFactory(DjangoModelFactory):
    """A photo row; the image is only a path (no file is written to MEDIA_ROOT)."""

    class Meta:
        model = FotoCentro

    centro = factory.SubFactory(CentroFactory)
    imagen = factory.Sequence(lambda n: f"centros/fotos/foto-{n}.jpg")
    leyenda = "Actividad del centro"
    anio = ANIO


class BeneficiarioFactory(DjangoModelFactory):
    class Meta:
        model = Beneficiario

    cedula = factory.Sequence(cedula_valida)
    nombres = factory.Sequence(lambda n: f"Nombre{n}")
    apellidos = "Prueba"
    fecha_nacimiento = datetime.date(2015, 5, 20)
    sexo = Beneficiario.Sexo.FEMENINO
    tiene_discapacidad = False
    porcentaje_discapacidad = None
    grupo_prioritario = Beneficiario.GrupoPrioritario.NINEZ


class InscripcionFactory(DjangoModelFactory):
    class Meta:
        model = Inscripcion

    beneficiario = factory.SubFactory(BeneficiarioFactory)
    centro = factory.SubFactory(CentroFactory)
    desde = datetime.date(ANIO, 1, 2)
    hasta = None


class ReporteMensualFactory(DjangoModelFactory):
    """A month's report; each gets its own centre unless one is passed."""

    class Meta:
        model = ReporteMensual

    centro = factory.SubFactory(CentroFactory)
    anio = ANIO
    mes = factory.Sequence(lambda n: n % 12 + 1)
    estado = ReporteMensual.Estado.BORRADOR


class CifraMensualFactory(DjangoModelFactory):
    class Meta:
        model = CifraMensual

    reporte = factory.SubFactory(ReporteMensualFactory)
    indicador = factory.SubFactory(IndicadorFactory)
    valor = Decimal("10")


class AccionGeneralFactory(DjangoModelFactory):
    class Meta:
        model = AccionGeneral

    anio = ANIO
    actividad = factory.Sequence(lambda n: f"Actividad {n}")
    cantidad = 3
    sector = "Cantón Loja"
    descripcion = "Jornada comunitaria."
    beneficiarios = 120
    unidad_beneficiarios = AccionGeneral.UnidadBeneficiarios.INDIVIDUOS
    orden = factory.Sequence(lambda n: n)


# --- salud ---------------------------------------------------------------------------------


class EspecialidadFactory(DjangoModelFactory):
    class Meta:
        model = Especialidad

    nombre = factory.Sequence(lambda n: f"Especialidad {n}")
    activa = True
    orden = factory.Sequence(lambda n: n)


class DotacionProfesionalFactory(DjangoModelFactory):
    class Meta:
        model = DotacionProfesional

    anio = ANIO
    denominacion = factory.Sequence(lambda n: f"Cargo {n}")
    cantidad = 2
    orden = factory.Sequence(lambda n: n)


class AtencionClinicaFactory(DjangoModelFactory):
    class Meta:
        model = AtencionClinica

    reporte = factory.SubFactory(ReporteMensualFactory)
    servicio = Servicio.CONSULTA_EXTERNA
    especialidad = None
    pacientes = 100


# --- convenios -----------------------------------------------------------------------------


class InstitucionFactory(DjangoModelFactory):
    class Meta:
        model = Institucion

    nombre = factory.Sequence(lambda n: f"Institución {n}")
    siglas = factory.Sequence(lambda n: f"INS{n}")


class ConvenioFactory(DjangoModelFactory):
    """An inter-institutional agreement for the whole of 2023. Pass `instituciones=[…]` and
    `centros=[…]` for the many-to-many relations."""

    class Meta:
        model = Convenio
        skip_postgeneration_save = True

    numero = factory.Sequence(lambda n: f"CONV-{n:04d}")
    titulo = factory.Sequence(lambda n: f"Convenio de cooperación {n}")
    tipo = Convenio.Tipo.INTERINSTITUCIONAL
    programa_mies = ""
    fecha_suscripcion = datetime.date(ANIO, 1, 1)
    fecha_inicio = datetime.date(ANIO, 1, 1)
    fecha_fin = datetime.date(ANIO, 12, 31)
    indefinido = False
    objeto = "Cooperación para la atención a grupos prioritarios."
    monto = None

    @factory.post_generation
    def instituciones(self, create, extracted, **kwargs):
        if create and extracted:
            self.instituciones.add(*extracted)

    @factory.post_generation
    def centros(self, create, extracted, **kwargs):
        if create and extracted:
            self.centros.add(*extracted)


# --- presupuesto ---------------------------------------------------------------------------


class LineaPresupuestariaFactory(DjangoModelFactory):
    class Meta:
        model = LineaPresupuestaria

    anio = ANIO
    area = factory.SubFactory(AreaFactory)
    centro = None
    partida = factory.Sequence(lambda n: f"73.08.{n:02d}")
    descripcion = factory.Sequence(lambda n: f"Línea {n}")
    codificado = Decimal("1000.00")
    ejecutado = Decimal("800.00")


class GastoComunFactory(DjangoModelFactory):
    class Meta:
        model = GastoComun

    anio = ANIO
    concepto = factory.Sequence(lambda n: f"Gasto común {n}")
    monto = Decimal("500.00")


class PresupuestoInstitucionalFactory(DjangoModelFactory):
    class Meta:
        model = PresupuestoInstitucional

    anio = factory.Sequence(lambda n: 2100 + n)
    ingresos_percibidos = Decimal("1000000.00")
    gasto_codificado = Decimal("4000000.00")
    gasto_ejecutado = Decimal("1560000.00")


class CodigoTipo:
    """The codes of the procurement types the migration records."""

    INFIMA_CUANTIA = "infima_cuantia"
    LICITACION = "licitacion"
    SUBASTA_INVERSA = "subasta_inversa"
    REGIMEN_ESPECIAL = "regimen_especial"
    CATALOGO_ELECTRONICO = "catalogo_electronico"
    FERIA_INCLUSIVA = "feria_inclusiva"
    MENOR_CUANTIA = "menor_cuantia"
    COTIZACION = "cotizacion"


def tipo_de_contratacion(codigo: str) -> TipoContratacion:
    """The migration's row of that code, or the same created again where a test of a running
    portal emptied the tables (`flush` removes what migrations wrote)."""
    tipo, _ = TipoContratacion.objects.get_or_create(
        codigo=codigo,
        defaults={
            "nombre": codigo.replace("_", " ").capitalize(),
            "nombre_cpccs": codigo.replace("_", " ").upper(),
            "regimen": "LOSNCP (R.O. Suplemento 395, 04/08/2008) y su Reglamento General",
            "vigente_desde": datetime.date(2008, 8, 4),
        },
    )
    return tipo


class ProcesoContratacionFactory(DjangoModelFactory):
    class Meta:
        model = ProcesoContratacion

    anio = ANIO
    codigo = factory.Sequence(lambda n: f"IC-CASMUL-{n:05d}")
    # A type by its code (the migration's reference data), as the sheets name it.
    tipo = CodigoTipo.INFIMA_CUANTIA
    objeto = "Adquisición de materiales."
    monto = Decimal("100.00")
    # Inside its year: the database refuses a process dated in another one.
    fecha = factory.LazyAttribute(lambda proceso: datetime.date(proceso.anio, 6, 1))
    # Carried out on its date, as the 2023 records are; undated, nothing is known of it.
    estado = factory.LazyAttribute(
        lambda proceso: (
            ProcesoContratacion.Estado.FINALIZADO
            if proceso.fecha
            else ProcesoContratacion.Estado.EN_CURSO
        )
    )
    fecha_adjudicacion = factory.LazyAttribute(lambda proceso: proceso.fecha)
    fecha_finalizacion = factory.LazyAttribute(lambda proceso: proceso.fecha)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("tipo"), str):
            kwargs["tipo"] = tipo_de_contratacion(kwargs["tipo"])
        return kwargs


# --- rendicion -----------------------------------------------------------------------------


class InformeAnualFactory(DjangoModelFactory):
    class Meta:
        model = InformeAnual

    anio = factory.Sequence(lambda n: 2100 + n)
    antecedentes = "Antecedentes."
    introduccion = "Introducción."
    mision = "Misión."
    vision = "Visión."
    direccion = "Av. Universitaria y 10 de Agosto"


class ObjetivoEstrategicoFactory(DjangoModelFactory):
    class Meta:
        model = ObjetivoEstrategico

    informe = factory.SubFactory(InformeAnualFactory)
    texto = factory.Sequence(lambda n: f"Objetivo estratégico {n}")
    orden = factory.Sequence(lambda n: n)


class TerminoGlosarioFactory(DjangoModelFactory):
    class Meta:
        model = TerminoGlosario

    informe = factory.SubFactory(InformeAnualFactory)
    sigla = factory.Sequence(lambda n: f"SIG{n}")
    significado = "Significado de la sigla"


class SeccionFortalecimientoFactory(DjangoModelFactory):
    class Meta:
        model = SeccionFortalecimiento

    informe = factory.SubFactory(InformeAnualFactory)
    titulo = factory.Sequence(lambda n: f"Sección {n}")
    texto = "Primer párrafo.\n\n- Una viñeta"
    orden = factory.Sequence(lambda n: n)


class FirmanteFactory(DjangoModelFactory):
    class Meta:
        model = Firmante

    informe = factory.SubFactory(InformeAnualFactory)
    rol = Firmante.Rol.ELABORADO
    nombre = factory.Sequence(lambda n: f"Mgtr. Firmante {n}")
    cargo = "Técnico de planificación"
    orden = 0


class PublicacionFactory(DjangoModelFactory):
    """A published version with small stand-in files (publishing itself is tested through
    `rendicion.services.informe_publicar`)."""

    class Meta:
        model = Publicacion

    anio = ANIO
    version = factory.Sequence(lambda n: n + 1)
    publicado_por = factory.SubFactory(UserFactory)
    pdf = factory.django.FileField(filename="informe.pdf", data=b"%PDF-1.7")
    html = factory.django.FileField(filename="informe.html", data=b"<html></html>")
    libro = factory.django.FileField(filename="tablas.xlsx", data=b"PK")
    cifras = factory.django.FileField(filename="cifras.json", data=b"{}")
    pdf_sha256 = factory.LazyAttribute(lambda p: sha256(b"%PDF-1.7"))
    html_sha256 = factory.LazyAttribute(lambda p: sha256(b"<html></html>"))
    libro_sha256 = factory.LazyAttribute(lambda p: sha256(b"PK"))
    cifras_sha256 = factory.LazyAttribute(lambda p: sha256(b"{}"))


# --- Helpers -------------------------------------------------------------------------------


def centro_con_indicador_usuarios(indicador: Indicador | None = None, **kwargs) -> Centro:
    """A centre that reports `indicador` and counts it as its «Nro. de usuarios»."""
    centro = CentroFactory(**kwargs)
    indicador = indicador or IndicadorFactory()
    IndicadorCentroFactory(centro=centro, indicador=indicador)
    centro.indicador_usuarios = indicador
    centro.save(update_fields=["indicador_usuarios"])
    return centro


def cifras_del_anio(
    centro: Centro,
    indicador: Indicador,
    valores,
    anio: int = ANIO,
    estado: str = ReporteMensual.Estado.APROBADO,
) -> None:
    """One report per month (January onwards) with one figure each: `valores[i]` in month i+1,
    approved unless told otherwise (the months a report counts), in a year the centre operates
    (recorded when missing). Reuses a month's report when the centre already has one."""
    OperacionAnual.objects.get_or_create(centro=centro, anio=anio)
    for mes, valor in enumerate(valores, start=1):
        reporte, _ = ReporteMensual.objects.get_or_create(
            centro=centro, anio=anio, mes=mes, defaults={"estado": estado}
        )
        CifraMensualFactory(reporte=reporte, indicador=indicador, valor=Decimal(valor))


# --- Spreadsheets for the import tests -----------------------------------------------------


def csv_de_excel(titulo: str, encabezados: list[str], *filas) -> bytes:
    """What Excel in Spanish saves as «CSV (delimitado por comas)»: `;`, Windows-1252, a title
    above the header, and the cleared rows below the data as `;;;;`."""
    vacia = ";" * (len(encabezados) - 1)
    lineas = [titulo + vacia, ";".join(encabezados)]
    lineas += [";".join("" if celda is None else str(celda) for celda in fila) for fila in filas]
    lineas += [vacia] * 3
    return "\r\n".join(lineas).encode("cp1252") + b"\r\n"


def admin_subir(cliente, modelo: str, nombre: str, contenido: bytes):
    """The admin's import preview of `modelo` ("centros_centro") for the file."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    # The page offers one format (0) for CSV and XLSX alike.
    archivo = SimpleUploadedFile(nombre, contenido)
    return cliente.post(reverse(f"admin:{modelo}_import"), {"format": "0", "import_file": archivo})


def admin_importar(cliente, modelo: str, nombre: str, contenido: bytes):
    """Preview and confirmation through the admin, as a clerk does it; the final response."""
    from django.urls import reverse

    vista_previa = admin_subir(cliente, modelo, nombre, contenido)
    assert "confirm_form" in vista_previa.context, (
        vista_previa.context.get("form") and vista_previa.context["form"].errors,
        [(f.number, f.error_dict) for f in vista_previa.context["result"].invalid_rows]
        if "result" in vista_previa.context
        else None,
    )
    respuesta = cliente.post(
        reverse(f"admin:{modelo}_process_import"), vista_previa.context["confirm_form"].initial
    )
    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]
    assert respuesta["Location"] == reverse(f"admin:{modelo}_changelist")
    return respuesta


def filas_rechazadas(respuesta) -> dict[int, dict]:
    """The refused rows of an admin import preview, by spreadsheet row number."""
    return {fila.number: fila.error_dict for fila in respuesta.context["result"].invalid_rows}
