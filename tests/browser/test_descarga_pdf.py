"""In Chromium: the report's PDF, built on request, is fetched by descarga.js with a status
text meanwhile and saved under the server's name; an error says so and lets the user try
again; without JavaScript the link is a plain download; a published year offers its stored
PDF at once; and the page runs no inline script, so that a Content-Security-Policy without
'unsafe-inline' will not break it."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.management.commands.demo import FIXTURES_2023
from rendicion.models import Publicacion, sha256
from tests.browser.esperas import ESPERA_DOCUMENTO_MS

pytestmark = pytest.mark.browser

CLAVE = "clave-de-prueba-1"
PREPARANDO = "Preparando el PDF… puede tardar hasta un minuto."


@pytest.fixture
def coordinador(transactional_db):
    call_command("loaddata", *FIXTURES_2023, verbosity=0)
    return usuario_con_rol_guardar(
        username="luis",
        password=CLAVE,
        rol=Rol.COORDINACION,
        first_name="Luis",
        last_name="Armijos",
    )


def _abrir_informe(pagina: Page, url, anio: int = 2023) -> None:
    """Opens the year's report, logging in as the coordination on the way."""
    pagina.goto(url(reverse("rendicion:informe", args=[anio])))
    pagina.get_by_label("Usuario").fill("luis")
    pagina.get_by_label("Contraseña").fill(CLAVE)
    pagina.get_by_role("button", name="Ingresar").click()
    titulo = pagina.get_by_role("heading", name=f"Informe de rendición de cuentas {anio}")
    expect(titulo).to_be_visible()


def test_the_pdf_is_fetched_with_a_status_text_and_saved_under_its_name(pagina, url, coordinador):
    _abrir_informe(pagina, url)
    enlace = pagina.get_by_role("link", name="Descargar PDF")
    estado = pagina.get_by_role("status")

    with pagina.expect_download(timeout=ESPERA_DOCUMENTO_MS) as descarga:
        enlace.click()
        # While the server builds it: the link is off and the status says to wait.
        expect(estado).to_have_text(PREPARANDO)
        expect(enlace).to_have_attribute("aria-disabled", "true")

    assert descarga.value.suggested_filename == "informe-rendicion-2023.pdf"
    assert descarga.value.path().read_bytes().startswith(b"%PDF")
    expect(estado).to_have_text("PDF descargado.")
    expect(enlace).not_to_have_attribute("aria-disabled", "true")


def test_an_error_is_said_and_the_link_works_again(pagina, url, coordinador):
    _abrir_informe(pagina, url)
    pagina.route(re.compile(r"/rendicion/2023/pdf/"), lambda ruta: ruta.fulfill(status=500))
    enlace = pagina.get_by_role("link", name="Descargar PDF")

    enlace.click()

    expect(pagina.get_by_role("status")).to_have_text(
        "No se pudo generar el PDF (error 500). Intente de nuevo."
    )
    expect(enlace).not_to_have_attribute("aria-disabled", "true")
    expect(enlace).to_have_attribute("href", re.compile(r"/rendicion/2023/pdf/$"))


def test_without_javascript_the_link_is_a_plain_download(navegador: Browser, url, coordinador):
    contexto = navegador.new_context(java_script_enabled=False, locale="es-EC")
    try:
        pagina = contexto.new_page()
        _abrir_informe(pagina, url)

        with pagina.expect_download(timeout=ESPERA_DOCUMENTO_MS) as descarga:
            pagina.get_by_role("link", name="Descargar PDF").click()

        assert descarga.value.suggested_filename == "informe-rendicion-2023.pdf"
        assert descarga.value.path().read_bytes().startswith(b"%PDF")
    finally:
        contexto.close()


def test_a_published_year_offers_its_stored_pdf_at_once(pagina, url, coordinador):
    # Given: version 2 of 2023 published (its files stand in for the real ones).
    guardado = b"%PDF-1.7 version 2 publicada"
    for version in (1, 2):
        archivos = {
            campo: ContentFile(f"{campo} v{version}".encode(), name=f"{campo}.bin")
            for campo in ("html", "libro", "cifras")
        }
        Publicacion.objects.create(
            anio=2023,
            version=version,
            publicado_por=coordinador,
            pdf=ContentFile(guardado if version == 2 else b"%PDF v1", name="informe.pdf"),
            pdf_sha256=sha256(guardado if version == 2 else b"%PDF v1"),
            **archivos,
            **{f"{campo}_sha256": "0" * 64 for campo in archivos},
        )

    _abrir_informe(pagina, url)
    publicada = pagina.get_by_role("link", name="Descargar la versión publicada (v2)")
    expect(publicada).not_to_have_attribute("data-descarga", re.compile(".*"))

    with pagina.expect_download() as descarga:
        publicada.click()

    assert descarga.value.path().read_bytes() == guardado
    assert descarga.value.suggested_filename == "rendicion-2023-v2.pdf"


def test_the_report_page_runs_no_inline_script(pagina, url, coordinador):
    _abrir_informe(pagina, url)

    expect(pagina.locator("script:not([src])")).to_have_count(0)
    expect(pagina.locator('script[src$="/casmul/descarga.js"]')).to_have_count(1)
    manejadores = pagina.evaluate(
        """() => [...document.querySelectorAll("*")].flatMap((elemento) =>
            [...elemento.attributes]
                .filter((atributo) => atributo.name.startsWith("on"))
                .map((atributo) => `${elemento.tagName}[${atributo.name}]`))"""
    )
    assert manejadores == []
    assert not pagina.locator('a[href^="javascript:"]').count()
