"""The Content-Security-Policy forbids inline scripts and styles: the main pages of each role
report no violation in Chromium, and the scripts moved to static files still work."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import Centro, LineaServicio
from tests.factories import CentroFactory, EspecialidadFactory, OperacionAnualFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLAVE = "clave-de-prueba-1"


@pytest.fixture
def violaciones(pagina):
    """The CSP errors Chromium writes to the console while the test runs."""
    errores: list[str] = []
    pagina.on(
        "console",
        lambda mensaje: (
            errores.append(f"{pagina.url}: {mensaje.text}")
            if mensaje.type == "error" and "Content Security Policy" in mensaje.text
            else None
        ),
    )
    return errores


def _entrar(pagina, url, usuario):
    pagina.context.clear_cookies()
    pagina.goto(url(reverse("login")))
    pagina.get_by_label("Usuario").fill(usuario)
    pagina.get_by_label("Contraseña").fill(CLAVE)
    pagina.get_by_role("button", name="Ingresar").click()
    pagina.wait_for_load_state()


def _visitar(pagina, url, ruta):
    respuesta = pagina.goto(url(ruta))
    assert respuesta.status < 400, ruta
    pagina.wait_for_load_state("networkidle")


def test_the_main_pages_of_each_role_report_no_csp_violation(datos_2023, pagina, url, violaciones):
    personal = usuario_con_rol_guardar(username="personal", password=CLAVE, rol=Rol.PERSONAL_CENTRO)
    usuario_con_rol_guardar(username="coordinacion", password=CLAVE, rol=Rol.COORDINACION)
    usuario_con_rol_guardar(username="administracion", password=CLAVE, rol=Rol.ADMINISTRACION)
    centro = Centro.objects.order_by("pk").first()
    centro.personal_asignado.add(personal)

    _entrar(pagina, url, "personal")
    _visitar(pagina, url, reverse("inicio"))
    _visitar(pagina, url, reverse("centros:mes", args=[centro.pk, 2023, 1]))

    _entrar(pagina, url, "coordinacion")
    _visitar(pagina, url, reverse("inicio"))
    _visitar(pagina, url, reverse("rendicion:textos_editar", args=[2023]))
    _visitar(pagina, url, reverse("centros:completitud", args=[2023]))

    _entrar(pagina, url, "administracion")
    _visitar(pagina, url, reverse("inicio"))
    _visitar(pagina, url, reverse("centros:beneficiarios"))
    _visitar(pagina, url, reverse("admin:centros_beneficiario_changelist"))
    _visitar(pagina, url, reverse("admin:centros_inscripcion_changelist"))
    _visitar(pagina, url, reverse("admin:centros_beneficiario_import"))
    _visitar(pagina, url, reverse("admin:centros_beneficiario_add"))

    assert violaciones == []


def test_the_clinic_grid_totals_still_update_as_you_type(pagina, url, violaciones):
    personal = usuario_con_rol_guardar(username="medica", password=CLAVE, rol=Rol.PERSONAL_CENTRO)
    clinica = CentroFactory(
        nombre_corto="Clínica", linea_servicio=LineaServicio.SALUD, personal_asignado=[personal]
    )
    OperacionAnualFactory(centro=clinica, anio=2024)
    EspecialidadFactory(nombre="PEDIATRÍA", orden=1)

    _entrar(pagina, url, "medica")
    _visitar(pagina, url, reverse("salud:mes", args=[clinica.pk, 2024, 6]))
    campos = pagina.locator("input.cifra")
    campos.nth(0).fill("3")
    campos.nth(1).fill("1.200")
    expect(pagina.locator('output[data-total="todos"]')).to_have_text("1.203")
    assert violaciones == []


def test_the_new_report_page_still_says_which_texts_are_copied(
    datos_2023, pagina, url, violaciones
):
    usuario_con_rol_guardar(username="coordinacion", password=CLAVE, rol=Rol.COORDINACION)
    _entrar(pagina, url, "coordinacion")
    _visitar(pagina, url, reverse("rendicion:informe_crear"))
    pagina.locator("#id_anio").fill("2030")
    expect(pagina.locator("#aviso-copia")).to_contain_text("copia de los textos de")
    assert violaciones == []


def test_the_text_editor_still_adds_rows(datos_2023, pagina, url, violaciones):
    usuario_con_rol_guardar(username="coordinacion", password=CLAVE, rol=Rol.COORDINACION)
    _entrar(pagina, url, "coordinacion")
    _visitar(pagina, url, reverse("rendicion:textos_editar", args=[2023]))
    boton = pagina.locator("[data-agregar]").first
    expect(boton).to_be_visible()  # shown by the script
    prefijo = boton.get_attribute("data-agregar")
    total = pagina.locator(f"#id_{prefijo}-TOTAL_FORMS")
    antes = int(total.input_value())
    boton.click()
    expect(total).to_have_value(str(antes + 1))
    assert violaciones == []


def test_the_report_page_reports_no_csp_violation(datos_2023, pagina, url, violaciones):
    """Its stylesheet is inline with the request's nonce; it applies (the page is styled)."""
    usuario_con_rol_guardar(username="coordinacion", password=CLAVE, rol=Rol.COORDINACION)
    _entrar(pagina, url, "coordinacion")
    _visitar(pagina, url, reverse("rendicion:informe", args=[2023]))
    assert violaciones == []
    assert pagina.locator("style[nonce]").count() == 1


def test_the_published_html_is_styled_and_reports_no_csp_violation(
    datos_2023, pagina, url, violaciones
):
    """The stored document carries its stylesheet inline (it is a single file, hashed as it
    was published): its download allows exactly that stylesheet, by its hash."""
    from rendicion.services import informe_publicar

    coordinacion = usuario_con_rol_guardar(
        username="coordinacion", password=CLAVE, rol=Rol.COORDINACION
    )
    informe_publicar(anio=2023, usuario=coordinacion)

    _visitar(pagina, url, reverse("publicaciones:descargar", args=[2023, 1, "html"]))

    assert violaciones == []
    # informe.css sets the document's font; unstyled, Chromium would use its default serif.
    fuente = pagina.evaluate("getComputedStyle(document.querySelector('.informe')).fontFamily")
    assert "DejaVu Sans" in fuente
