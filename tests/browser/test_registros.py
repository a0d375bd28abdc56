"""Records kept as a clerk keeps them, in a real Chromium: the administration imports an
agreements spreadsheet (one bad row refused in the preview, the file fixed, imported, found in
the filtered list); centre staff enrol a person and see the cédula masked in the list."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import Beneficiario
from convenios.models import Convenio
from tests.factories import CentroFactory, InstitucionFactory, cedula_valida, csv_de_excel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLAVE = "clave-de-prueba-1"
ENCABEZADOS = [
    "Número",
    "Título",
    "Tipo",
    "Contrapartes",
    "Fecha de suscripción",
    "Desde",
    "Indefinido",
    "Objeto",
    "Centros",
    "Hasta",
]


def _entrar(pagina, url, usuario):
    pagina.goto(url(reverse("login")))
    pagina.get_by_label("Usuario").fill(usuario)
    pagina.get_by_label("Contraseña").fill(CLAVE)
    pagina.get_by_role("button", name="Ingresar").click()


def _fila(numero, centros, desde="01/02/2025"):
    return (
        numero,
        f"Convenio de cooperación {numero}",
        "Cooperación interinstitucional",
        "UNL",
        "15/01/2025",
        desde,
        "No",
        "Prácticas en los centros",
        centros,
        "31/12/2025",
    )


def test_the_administration_imports_agreements_after_fixing_a_bad_row(pagina, url, tmp_path):
    CentroFactory(numero=3)
    InstitucionFactory(nombre="Universidad Nacional de Loja", siglas="UNL")
    usuario_con_rol_guardar(username="admin", password=CLAVE, rol=Rol.ADMINISTRACION)
    archivo = tmp_path / "convenios.csv"
    titulo = "Convenios 2025"
    archivo.write_bytes(csv_de_excel(titulo, ENCABEZADOS, _fila("C-1", "3"), _fila("C-2", "99")))

    _entrar(pagina, url, "admin")
    pagina.goto(url(reverse("importar_tipo", args=["convenios"])))
    pagina.get_by_label("Archivo").set_input_files(archivo)
    pagina.get_by_role("button", name="Ver la vista previa").click()

    rechazadas = pagina.locator("table.filas-rechazadas")
    expect(rechazadas).to_contain_text("No existe el centro número 99")
    expect(rechazadas.locator("td").first).to_have_text("4")
    expect(pagina.get_by_role("button", name="Confirmar la importación")).to_have_count(0)
    assert Convenio.objects.count() == 0

    archivo.write_bytes(csv_de_excel(titulo, ENCABEZADOS, _fila("C-1", "3"), _fila("C-2", "3")))
    pagina.get_by_label("Archivo").set_input_files(archivo)
    pagina.get_by_role("button", name="Ver la vista previa").click()
    expect(pagina.locator('[data-cuenta="nuevas"]')).to_have_text("2")
    pagina.get_by_role("button", name="Confirmar la importación").click()
    expect(pagina.locator(".aviso-success, .vista-previa")).to_contain_text("2")
    assert Convenio.objects.count() == 2

    pagina.goto(url(reverse("convenios:lista")))
    pagina.get_by_label("Vigente en el año").fill("2025")
    pagina.get_by_role("button", name=re.compile("Filtrar")).click()
    expect(pagina.get_by_role("cell", name="C-1", exact=True)).to_be_visible()
    expect(pagina.get_by_role("cell", name="C-2", exact=True)).to_be_visible()


def test_centre_staff_enrol_a_person_and_see_the_cedula_masked(pagina_en_ingles, url):
    # Dates are typed dd/mm/aaaa even in an English browser, whose date picker would ask for
    # mm/dd/yyyy.
    pagina = pagina_en_ingles
    centro = CentroFactory(numero=3, nombre_corto="CDI Tres")
    usuario_con_rol_guardar(
        username="cdi3", password=CLAVE, rol=Rol.PERSONAL_CENTRO, centro_ids=[centro.pk]
    )
    cedula = cedula_valida(4242)

    _entrar(pagina, url, "cdi3")
    pagina.goto(url(reverse("centros:beneficiario_inscribir")))
    pagina.get_by_label("Cédula").fill(cedula)
    expect(pagina.get_by_label("Inscrito desde")).to_have_attribute("placeholder", "dd/mm/aaaa")
    pagina.get_by_label("Inscrito desde").fill("03/02/2025")
    pagina.get_by_label("Apellidos").fill("Quezada Jaramillo")
    pagina.get_by_label("Nombres").fill("Ana Lucía")
    pagina.get_by_label("Fecha de nacimiento").fill("20/05/2021")
    pagina.get_by_label("Sexo").select_option(label="Femenino")
    pagina.get_by_label("Grupo de atención prioritaria").select_option(index=1)
    pagina.get_by_role("button", name="Inscribir").click()

    persona = Beneficiario.objects.get(cedula=cedula)
    assert persona.fecha_nacimiento == datetime.date(2021, 5, 20)
    assert persona.inscripciones.get().desde == datetime.date(2025, 2, 3)
    pagina.goto(url(reverse("centros:beneficiarios")))
    fila = pagina.get_by_role("row", name=re.compile("Quezada Jaramillo"))
    expect(fila).to_contain_text(Beneficiario(cedula=cedula).cedula_enmascarada)
    expect(pagina.locator("body")).not_to_contain_text(cedula)
