"""The CPCCS process in a real Chromium, as the coordination does it: it registers the public
deliberation with two citizens' suggestions and the signed acta, finds them in the form, and
downloads the form for the CPCCS system."""

import io

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from participacion.models import Deliberacion
from rendicion.cpccs import HOJAS
from tests.browser.esperas import ESPERA_DOCUMENTO_MS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("datos_2023")]

CLAVE = "Clave-de-prueba-2024"
ACTA = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def coordinador(transactional_db):
    return usuario_con_rol_guardar(
        username="luis", password=CLAVE, rol=Rol.COORDINACION, first_name="Luis"
    )


def test_the_coordination_registers_the_deliberation_uploads_the_acta_and_exports_the_form(
    pagina: Page, url, coordinador, tmp_path
):
    pagina.goto(url(reverse("rendicion:informe", args=[2023])))
    pagina.get_by_label("Usuario").fill("luis")
    pagina.get_by_label("Contraseña").fill(CLAVE)
    pagina.get_by_role("button", name="Ingresar").click()
    pagina.get_by_role("link", name="Formulario del CPCCS").click()
    expect(
        pagina.get_by_role("heading", name="Formulario de rendición de cuentas 2023 (CPCCS)")
    ).to_be_visible()
    # Before: the deliberation is one of the rows without evidence, listed on top.
    faltan = pagina.get_by_role("status")
    expect(
        faltan.get_by_role("link", name="Deliberación pública y sugerencias ciudadanas")
    ).to_be_visible()

    pagina.get_by_role("link", name="Fases, deliberación y medios de verificación").click()
    pagina.get_by_role("link", name="Registrar la deliberación").click()
    pagina.get_by_label("Fecha").fill("28/05/2024")
    pagina.get_by_label("Lugar").fill("Auditorio del Municipio de Loja")
    pagina.get_by_label("Mujeres").fill("34")
    pagina.get_by_label("Hombres").fill("21")
    pagina.get_by_label("Mestizos").fill("53")
    pagina.get_by_label("Indígenas").fill("2")
    pagina.locator("#sugerencia-1").get_by_label("Sugerencia o demanda").fill(
        "Ampliar el horario del CDI de Carigán"
    )
    pagina.locator("#sugerencia-1").get_by_label("¿Se compromete?").check()
    pagina.locator("#sugerencia-1").get_by_label("Respuesta de la institución").fill(
        "Se ampliará en el segundo semestre."
    )
    pagina.locator("#sugerencia-2").get_by_label("Sugerencia o demanda").fill(
        "Transporte para las personas adultas mayores"
    )
    acta = tmp_path / "acta-deliberacion.pdf"
    acta.write_bytes(ACTA)
    pagina.get_by_label("Acta firmada (PDF)").set_input_files(acta)
    pagina.get_by_role("button", name="Guardar la deliberación").click()

    expect(pagina.get_by_text("Se guardó la deliberación del informe 2023.")).to_be_visible()
    expect(pagina.get_by_role("link", name="Acta firmada")).to_be_visible()
    deliberacion = Deliberacion.objects.get(anio=2023)
    assert [s.texto for s in deliberacion.sugerencias.all()] == [
        "Ampliar el horario del CDI de Carigán",
        "Transporte para las personas adultas mayores",
    ]
    assert deliberacion.participantes == 55 and deliberacion.acta.sha256

    pagina.goto(url(reverse("rendicion:cpccs", args=[2023])))
    seccion = pagina.locator("#deliberacion")
    expect(
        seccion.get_by_text("Sugerencia 1: Ampliar el horario del CDI de Carigán")
    ).to_be_visible()
    expect(seccion.get_by_text("Sugerencia 2: Transporte para las personas")).to_be_visible()
    expect(
        pagina.get_by_role("status").get_by_role(
            "link", name="Deliberación pública y sugerencias ciudadanas"
        )
    ).to_have_count(0)
    expect(seccion.locator('a[href*="/publicaciones/evidencias/"]').first).to_be_visible()

    with pagina.expect_download(timeout=ESPERA_DOCUMENTO_MS) as descarga:
        pagina.get_by_role("link", name="Descargar para el sistema del CPCCS (XLSX)").click()
    assert descarga.value.suggested_filename == "formulario-cpccs-2023.xlsx"
    libro = openpyxl.load_workbook(io.BytesIO(descarga.value.path().read_bytes()))
    hoja = libro[HOJAS["deliberacion"]]
    filas = [[celda.value for celda in fila] for fila in hoja.iter_rows(min_row=2)]
    assert [f[0] for f in filas if f[0].startswith("Sugerencia 1")] == [
        "Sugerencia 1: Ampliar el horario del CDI de Carigán"
    ]
    assert all(f[-1].endswith(f"/publicaciones/evidencias/{deliberacion.acta.pk}/") for f in filas)
