"""In Chromium: the coordinator approves the last submitted month of 2023, publishes the year,
downloads the PDF from the public archive and verifies it."""

import hashlib
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.management.commands.demo import FIXTURES_2023
from centros.models import ReporteMensual
from rendicion.models import Publicacion
from tests.browser.esperas import ESPERA_DOCUMENTO_MS

pytestmark = pytest.mark.browser

CLAVE = "clave-de-prueba-1"


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


def test_the_coordinator_approves_publishes_downloads_and_verifies(
    pagina, url, coordinador, capturar, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Given: one month of 2023 sent back to review, without warnings.
    enviado = ReporteMensual.objects.filter(anio=2023, advertencias=[]).order_by("pk").first()
    enviado.estado = ReporteMensual.Estado.ENVIADO
    enviado.save()

    # The coordinator logs in and approves it on the matrix.
    pagina.goto(url(reverse("centros:completitud", args=[2023])))
    pagina.get_by_label("Usuario").fill("luis")
    pagina.get_by_label("Contraseña").fill(CLAVE)
    pagina.get_by_role("button", name="Ingresar").click()
    expect(pagina.get_by_role("heading", name="Cifras mensuales 2023")).to_be_visible()
    pagina.locator(f'input[name="reportes"][value^="{enviado.pk}:"]').check()
    pagina.get_by_role("button", name="Aprobar seleccionados").click()
    expect(pagina.locator(".aviso-success")).to_have_text("1 mes aprobado.")

    # Publishes the year from its report.
    pagina.goto(url(reverse("rendicion:informe", args=[2023])))
    pagina.get_by_role("link", name="Publicar").click()
    expect(pagina.get_by_text(re.compile(r"Se publicarán las cifras aprobadas de"))).to_be_visible()
    pagina.get_by_label(re.compile(r"Revisé las \d+ observaciones del panel")).check()
    pagina.get_by_role("button", name="Publicar la versión 1").click()
    # Publishing runs as a task: its page says when it is done and links the archive.
    expect(pagina.locator("#tarea-estado")).to_have_text(
        re.compile("terminad", re.IGNORECASE), timeout=ESPERA_DOCUMENTO_MS
    )
    expect(pagina.get_by_text(re.compile(r"Se publicó .*versión 1"))).to_be_visible()
    pagina.get_by_role("link", name="Ver el resultado").click()
    publicacion = Publicacion.objects.get()
    expect(pagina.get_by_text(publicacion.pdf_sha256)).to_be_visible()
    capturar(pagina, "informes-publicados.png")

    # Downloads the PDF from the archive: its fingerprint is the one shown.
    with pagina.expect_download() as descarga:
        pagina.get_by_role("link", name="PDF").click()
    pdf = descarga.value.path().read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == publicacion.pdf_sha256

    # And verifies it.
    pagina.get_by_role("link", name="Verificar un archivo").click()
    pagina.get_by_label("Archivo a verificar").set_input_files(descarga.value.path())
    pagina.get_by_role("button", name="Verificar", exact=True).click()
    expect(pagina.locator(".aviso-success")).to_contain_text(
        "Es Rendición de cuentas 2023, versión 1 (PDF)"
    )
