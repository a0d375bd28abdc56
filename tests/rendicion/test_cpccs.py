"""The CPCCS form of a year, filled from the records: for 2023 its procurement, budget and
coverage equal the report's tables, and every row links to its evidence or says «NO APLICA»."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from casmul.roles import Rol
from centros.models import Centro
from centros.selectors.informe import usuarios_por_centro
from participacion.models import (
    DatosInstitucionales,
    Deliberacion,
    Evidencia,
    PasoDelProceso,
    PoliticaIgualdad,
)
from participacion.services import pasos_abrir
from presupuesto.models import ProcesoContratacion
from presupuesto.selectors import contratacion_por_tipo, presupuesto_por_area
from rendicion.cpccs import FALTA, HOJAS, NO_APLICA, formulario_cpccs, libro_cpccs
from rendicion.services import informe_publicar
from tests.factories import (
    BeneficiarioFactory,
    InscripcionFactory,
    ProcesoContratacionFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("datos_2023")

HOY = datetime.date(2024, 3, 1)


def _seccion(formulario, slug):
    return next(s for s in formulario.secciones if s.slug == slug)


def _dinero(texto: str) -> Decimal:
    return Decimal(texto.replace("$", "").replace(".", "").replace(",", ".").strip())


def _entero(texto: str) -> int:
    return int(texto.replace(".", ""))


def test_the_2023_procurement_adds_up_to_190_processes_and_tabla_12_s_total():
    seccion = _seccion(formulario_cpccs(anio=2023), "contratacion")

    adjudicados = sum(_entero(fila.valores[1]) for fila in seccion.filas)
    valor = sum(_dinero(fila.valores[2]) for fila in seccion.filas)
    assert (adjudicados, valor) == (190, Decimal("746212.05"))
    tabla_12 = contratacion_por_tipo(anio=2023)
    assert (tabla_12.total_procesos, tabla_12.total_monto) == (adjudicados, valor)
    # Every 2023 process was carried out in its year: finalised as many as adjudicated.
    assert sum(_entero(fila.valores[3]) for fila in seccion.filas) == 190
    assert [fila.valores[0] for fila in seccion.filas] == [
        "ÍNFIMA CUANTÍA",
        "LICITACIÓN",
        "SUBASTA INVERSA ELECTRÓNICA",
        "RÉGIMEN ESPECIAL (Todos los procesos)",
        "CATÁLOGO ELECTRÓNICO",
        "FERIA INCLUSIVA",
    ]


def test_the_2023_budget_equals_the_report_s_budget_table_with_its_percentages():
    seccion = _seccion(formulario_cpccs(anio=2023), "presupuesto")
    tabla_11 = presupuesto_por_area(anio=2023)

    *areas, total = seccion.filas
    assert [(f.valores[1], _dinero(f.valores[2])) for f in areas] == [
        (fila.area, fila.codificado) for fila in tabla_11.filas
    ]
    assert (_dinero(total.valores[2]), _dinero(total.valores[3])) == (
        tabla_11.total,
        tabla_11.total_ejecutado,
    )
    assert tabla_11.total == Decimal("1600469.59")


def test_the_2023_coverage_counts_the_report_s_centres_and_users_and_says_which_are_visits():
    seccion = _seccion(formulario_cpccs(anio=2023), "cobertura")

    total = next(fila for fila in seccion.filas if fila.valores[0] == "Total")
    usuarios = usuarios_por_centro(anio=2023)
    # The report's users: Tablas 1 and 6, the craft shop's artisans and the pool's entries.
    assert _entero(total.valores[2]) == usuarios.total == 523 + 2254 + 13 + 30603
    # Of them, counted by adding months: the pool's entries and the events' participants.
    assert _entero(total.valores[3]) == sum(f.usuarios for f in usuarios.filas if f.flujo)
    assert 30603 < _entero(total.valores[3]) < usuarios.total
    assert _entero(total.valores[1]) == 30
    assert any("Ningún centro llevó el registro nominal" in nota for nota in seccion.notas)


def test_the_coverage_splits_by_sex_and_group_from_the_registry_where_kept():
    centro = Centro.objects.get(numero=1)
    for i, (sexo, grupo) in enumerate([("F", "ninez"), ("M", "ninez"), ("F", "discapacidad")]):
        InscripcionFactory(
            centro=centro,
            beneficiario=BeneficiarioFactory(sexo=sexo, grupo_prioritario=grupo),
            desde=datetime.date(2023, 2, 1 + i),
        )

    notas = _seccion(formulario_cpccs(anio=2023), "cobertura").notas

    assert any(
        "del registro nominal de 1 centros (3 personas): Femenino: 2, Masculino: 1; "
        "Niñas, niños y adolescentes: 2, Personas con discapacidad: 1" in nota
        for nota in notas
    )


def test_a_year_without_processes_says_no_se_realizaron_contrataciones():
    seccion = _seccion(formulario_cpccs(anio=2030), "contratacion")

    assert [(f.valores, f.enlace.url) for f in seccion.filas] == [
        (("NO SE REALIZARON CONTRATACIONES", "0", "$0,00", "0", "$0,00"), NO_APLICA)
    ]


def test_adjudicated_and_finalised_are_counted_by_their_dates_not_by_the_start_year():
    ProcesoContratacionFactory(
        anio=2030,
        codigo="LIC-2030-1",
        tipo="licitacion",
        monto=Decimal("1000.00"),
        fecha=datetime.date(2030, 11, 1),
        estado=ProcesoContratacion.Estado.FINALIZADO,
        fecha_adjudicacion=datetime.date(2030, 12, 10),
        fecha_finalizacion=datetime.date(2031, 3, 1),
        monto_final=Decimal("950.00"),
    )
    ProcesoContratacionFactory(
        anio=2030,
        codigo="COT-2030-1",
        tipo="cotizacion",
        fecha=datetime.date(2030, 5, 1),
        estado=ProcesoContratacion.Estado.DESIERTO,
        fecha_adjudicacion=None,
        fecha_finalizacion=None,
    )

    de_2030 = _seccion(formulario_cpccs(anio=2030), "contratacion").filas
    de_2031 = _seccion(formulario_cpccs(anio=2031), "contratacion").filas

    assert [f.valores for f in de_2030] == [("LICITACIÓN", "1", "$1.000,00", "0", "$0,00")]
    assert [f.valores for f in de_2031] == [("LICITACIÓN", "0", "$0,00", "1", "$950,00")]


def test_every_computed_or_empty_row_of_2023_links_to_evidence_or_says_no_aplica():
    formulario = formulario_cpccs(anio=2023)

    sin_evidencia = {s.slug for s, _ in formulario.filas_sin_evidencia}
    # Only what a person must still record: the year's institutional data, the phases'
    # steps, the deliberation and the equality policies of the lines with centres.
    assert sin_evidencia == {"datos-generales", "fases", "deliberacion", "igualdad"}
    for slug in ("cobertura", "presupuesto", "contratacion", "enajenaciones", "recomendaciones"):
        for fila in _seccion(formulario, slug).filas:
            assert fila.enlace is not None and fila.enlace.url


def test_after_publishing_the_computed_rows_link_to_the_publication_s_hashed_files():
    usuario = UserFactory(roles=[Rol.COORDINACION])
    publicacion = informe_publicar(anio=2023, usuario=usuario, hoy=HOY)

    formulario = formulario_cpccs(anio=2023)

    presupuesto = _seccion(formulario, "presupuesto").filas[0].enlace
    contratacion = _seccion(formulario, "contratacion").filas[0].enlace
    cobertura = _seccion(formulario, "cobertura").filas[0].enlace
    assert presupuesto.url.endswith("/publicaciones/2023/v1/libro/")
    assert presupuesto.sha256 == publicacion.libro_sha256
    assert contratacion.url.endswith("/publicaciones/2023/v1/cpccs/")
    assert contratacion.sha256 == publicacion.cpccs_sha256 != ""
    assert (cobertura.url.endswith("/publicaciones/2023/v1/pdf/"), cobertura.sha256) == (
        True,
        publicacion.pdf_sha256,
    )


def test_the_publication_freezes_the_form_s_workbook_with_its_processes():
    usuario = UserFactory(roles=[Rol.COORDINACION])
    publicacion = informe_publicar(anio=2023, usuario=usuario, hoy=HOY)

    with publicacion.cpccs.open("rb") as archivo:
        libro = openpyxl.load_workbook(io.BytesIO(archivo.read()))
    assert libro.sheetnames == [*HOJAS.values(), "Procesos"]
    assert libro["Procesos"].max_row == 1 + 190
    assert ("cpccs", "Formulario CPCCS (XLSX)", publicacion.cpccs_sha256) in publicacion.archivos
    respuesta = Client().get(reverse("publicaciones:descargar", args=[2023, 1, "cpccs"]))
    assert respuesta.status_code == 200


def test_the_workbook_has_a_sheet_per_section_with_the_link_last():
    formulario = formulario_cpccs(anio=2023)

    libro = openpyxl.load_workbook(io.BytesIO(libro_cpccs(formulario)))

    hoja = libro[HOJAS["contratacion"]]
    encabezados = [celda.value for celda in hoja[1]]
    assert encabezados == [
        "Tipo de contratación",
        "Número total adjudicados",
        "Valor total adjudicados",
        "Número total finalizados",
        "Valor total finalizados",
        "Link al medio de verificación publicado en la pág. web de la institución",
    ]
    assert hoja.cell(2, 6).value.endswith("/publicaciones/2023/v1/cpccs/")
    fases = libro[HOJAS["fases"]]
    assert fases.cell(2, 5).value == FALTA


@pytest.mark.parametrize("ruta", ["rendicion:cpccs", "rendicion:cpccs_xlsx", "rendicion:cpccs_pdf"])
def test_only_the_coordination_reaches_the_form(ruta):
    url = reverse(ruta, args=[2023])
    personal = Client()
    personal.force_login(UserFactory(roles=[Rol.PERSONAL_CENTRO]))
    coordinacion = Client()
    coordinacion.force_login(UserFactory(roles=[Rol.COORDINACION]))

    assert Client().get(url).status_code == 302
    assert personal.get(url).status_code == 403
    assert coordinacion.get(url).status_code == 200


def test_whoever_asks_for_the_link_check_follows_it_on_the_task_s_page(monkeypatch):
    # No portal answers at PORTAL_URL in this test: every link is refused at once.
    monkeypatch.setattr("rendicion.enlaces._abrir", lambda url: (0, "", "conexión rechazada"))
    coordinacion = Client()
    coordinacion.force_login(UserFactory(roles=[Rol.COORDINACION]))
    otra = Client()
    otra.force_login(UserFactory(roles=[Rol.COORDINACION]))

    respuesta = coordinacion.post(reverse("rendicion:cpccs_enlaces", args=[2023]))

    assert respuesta.status_code == 302
    pagina = coordinacion.get(respuesta["Location"])
    assert pagina.status_code == 200
    assert "Comprobar los enlaces del formulario CPCCS 2023" in pagina.content.decode()
    assert "no responden con su documento" in pagina.content.decode()
    assert otra.get(respuesta["Location"]).status_code == 404


def test_the_page_lists_the_rows_without_evidence_and_the_pdf_is_a_tagged_pdf():
    coordinacion = Client()
    coordinacion.force_login(UserFactory(roles=[Rol.COORDINACION]))

    html = coordinacion.get(reverse("rendicion:cpccs", args=[2023])).content.decode()
    pdf = coordinacion.get(reverse("rendicion:cpccs_pdf", args=[2023])).content

    assert "sin medio de verificación" in html
    assert "NO SE REALIZARON" not in html
    assert "ÍNFIMA CUANTÍA" in html
    raiz = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert "/StructTreeRoot" in raiz and raiz["/Lang"] == "es-EC"


def test_the_form_page_costs_the_same_queries_with_more_records(django_assert_max_num_queries):
    coordinacion = Client()
    coordinacion.force_login(UserFactory(roles=[Rol.COORDINACION]))
    url = reverse("rendicion:cpccs", args=[2023])
    coordinacion.get(url)
    for i in range(20):
        ProcesoContratacionFactory(anio=2023, codigo=f"EXTRA-{i}", tipo="licitacion")

    with django_assert_max_num_queries(40):
        assert coordinacion.get(url).status_code == 200


def test_with_the_process_recorded_every_2023_row_has_its_evidence_or_no_aplica():
    acta = Evidencia.objects.create(anio=2023, titulo="Acta", url="https://gad.test/acta.pdf")
    DatosInstitucionales.objects.create(
        anio=2023,
        institucion="Centro de Apoyo Social Municipal de Loja",
        ruc="1160000000001",
        representante_legal="Mgtr. X",
        representante_cargo="Directora",
        responsable_proceso="Ing. Y",
        responsable_proceso_cargo="Planificación",
        responsable_registro="Ing. Z",
        responsable_registro_cargo="Planificación",
    )
    for eje in ("generacional", "discapacidades", "genero"):
        PoliticaIgualdad.objects.create(anio=2023, eje=eje, descripcion="…", evidencia=acta)
    pasos_abrir(anio=2023)
    PasoDelProceso.objects.filter(anio=2023).update(evidencia=acta)
    Deliberacion.objects.create(
        anio=2023, fecha=datetime.date(2024, 5, 28), lugar="Loja", acta=acta
    )

    formulario = formulario_cpccs(anio=2023)

    assert formulario.filas_sin_evidencia == []
    assert all(
        fila.enlace.no_aplica or fila.enlace.url.startswith(("http://", "https://"))
        for seccion in formulario.secciones
        for fila in seccion.filas
    )
