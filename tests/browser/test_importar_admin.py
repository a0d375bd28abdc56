"""In the admin's import, a refused row's reason is in plain sight, not behind a badge that
shows it only while the mouse is over it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLAVE = "clave-de-prueba-1"


def test_the_reason_of_a_refused_row_is_shown_without_hovering(pagina, url, tmp_path):
    centro = CentroFactory(numero=1001)
    IndicadorCentroFactory(centro=centro, indicador=IndicadorFactory(codigo="usuarios"))
    OperacionAnualFactory(centro=centro, anio=2023)
    usuario_con_rol_guardar(username="admin", password=CLAVE, rol=Rol.ADMINISTRACION)
    archivo = tmp_path / "cifras.csv"
    archivo.write_bytes(
        "centro;anio;mes;indicador;valor\r\n1001;2023;1;usuarios;25\r\n9999;2023;1;usuarios;5\r\n".encode(
            "cp1252"
        )
    )

    pagina.goto(url(reverse("admin:centros_ciframensual_import")))
    pagina.get_by_label("Usuario").fill("admin")
    pagina.get_by_label("Contraseña").fill(CLAVE)
    pagina.get_by_role("button", name="Iniciar sesión").click()
    pagina.locator('input[name="import_file"]').set_input_files(archivo)
    pagina.locator('input[type="submit"], button[type="submit"]').last.click()

    motivo = pagina.get_by_text("No existe el centro número 9999.")
    expect(motivo).to_be_visible()
    expect(pagina.locator(".validation-error-container").first).to_have_css("opacity", "1")
