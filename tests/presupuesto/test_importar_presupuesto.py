"""Importing budget lines and procurement processes through the admin from spreadsheets as Excel
in Spanish saves them: money the Ecuadorian way, dates dd/mm/aaaa, a published year refused, all
rows or none, and the same file twice changes nothing."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from presupuesto.models import LineaPresupuestaria, ProcesoContratacion
from tests.factories import (
    AreaFactory,
    CentroFactory,
    PublicacionFactory,
    admin_importar,
    admin_subir,
    csv_de_excel,
    filas_rechazadas,
)

LINEAS = "presupuesto_lineapresupuestaria"
PROCESOS = "presupuesto_procesocontratacion"
ENCABEZADOS_LINEAS = [
    "Año",
    "Código del área",
    "Partida",
    "Descripción",
    "Codificado",
    "Centro",
    "Ejecutado",
]
ENCABEZADOS_PROCESOS = [
    "Año",
    "Tipo",
    "Código",
    "Objeto",
    "Monto",
    "Fecha",
    "Estado",
    "Fecha de adjudicación",
    "Fecha de finalización",
    "Monto al finalizar",
]
TITULO = "Cédula presupuestaria de inversión 2024"
FILAS_LINEAS = [
    (2024, "infancia", "73.08.11", "Material didáctico", "12.500,00", 810, "8.300,50"),
    (2024, "infancia", "73.08.01", "Alimentos", "$ 45.000,00", "", ""),
]
FILAS_PROCESOS = [
    (2024, "Ínfima cuantía", "IC-CASMUL-001-2024", "Material de aseo", "1.250,50", "15/03/2024"),
    (2024, "subasta_inversa", "SIE-CASMUL-002-2024", "Alimentos", "45.000,00", "2024-05-02"),
]


@pytest.fixture
def cliente(db):
    AreaFactory(codigo="infancia")
    CentroFactory(numero=810)
    cliente = Client()
    cliente.force_login(
        usuario_con_rol_guardar(
            username="administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
        )
    )
    return cliente


def _lineas():
    return {
        ln.descripcion: (
            ln.anio,
            ln.partida,
            ln.codificado,
            ln.ejecutado,
            ln.centro and ln.centro.numero,
        )
        for ln in LineaPresupuestaria.objects.select_related("centro")
    }


def test_budget_lines_import_from_a_windows_1252_csv(cliente):
    admin_importar(
        cliente, LINEAS, "lineas.csv", csv_de_excel(TITULO, ENCABEZADOS_LINEAS, *FILAS_LINEAS)
    )

    assert _lineas() == {
        "Material didáctico": (2024, "73.08.11", Decimal("12500"), Decimal("8300.50"), 810),
        "Alimentos": (2024, "73.08.01", Decimal("45000"), None, None),
    }


def test_a_line_found_by_year_area_partida_and_description_is_updated(cliente):
    contenido = csv_de_excel(TITULO, ENCABEZADOS_LINEAS, *FILAS_LINEAS)
    admin_importar(cliente, LINEAS, "lineas.csv", contenido)
    cambiada = (2024, "infancia", "73.08.01", "Alimentos", "45.000,00", "", "40.100,25")

    admin_importar(
        cliente,
        LINEAS,
        "lineas.csv",
        csv_de_excel(TITULO, ENCABEZADOS_LINEAS, FILAS_LINEAS[0], cambiada),
    )

    assert LineaPresupuestaria.objects.count() == 2
    assert _lineas()["Alimentos"][3] == Decimal("40100.25")


@pytest.mark.parametrize(
    ("modelo", "encabezados", "filas"),
    [(LINEAS, ENCABEZADOS_LINEAS, FILAS_LINEAS), (PROCESOS, ENCABEZADOS_PROCESOS, FILAS_PROCESOS)],
    ids=["lineas", "procesos"],
)
def test_the_same_file_twice_changes_nothing_the_second_time(cliente, modelo, encabezados, filas):
    contenido = csv_de_excel(TITULO, encabezados, *filas)
    admin_importar(cliente, modelo, "archivo.csv", contenido)
    Modelo = LineaPresupuestaria if modelo == LINEAS else ProcesoContratacion
    antes = list(Modelo.objects.order_by("pk").values())

    vista_previa = admin_subir(cliente, modelo, "archivo.csv", contenido)
    admin_importar(cliente, modelo, "archivo.csv", contenido)

    totales = vista_previa.context["result"].totals
    assert (totales["new"], totales["update"], totales["skip"]) == (0, 0, 2)
    assert list(Modelo.objects.order_by("pk").values()) == antes


@pytest.mark.parametrize(
    ("escrito", "mensaje"),
    [
        (
            "1.250",
            "«1.250» es ambiguo: escriba 1250 o 1.250,00 si el punto separa los miles, o 1,25 "
            "si separa los decimales.",
        ),
        (
            "1,250",
            "«1,250» es ambiguo: escriba 1,25 si la coma separa los decimales, o 1.250,00 si "
            "separa los miles.",
        ),
    ],
)
def test_ambiguous_money_refuses_the_whole_file_naming_its_row(cliente, escrito, mensaje):
    mala = (2024, "infancia", "73.08.04", "Combustible", escrito, "", "")
    respuesta = admin_subir(
        cliente,
        LINEAS,
        "lineas.csv",
        csv_de_excel(TITULO, ENCABEZADOS_LINEAS, *FILAS_LINEAS, mala),
    )

    assert "confirm_form" not in respuesta.context
    assert filas_rechazadas(respuesta) == {5: {"codificado": [mensaje]}}
    assert LineaPresupuestaria.objects.count() == 0


def test_processes_import_with_dates_as_clerks_write_them(cliente):
    admin_importar(
        cliente,
        PROCESOS,
        "procesos.csv",
        csv_de_excel(TITULO, ENCABEZADOS_PROCESOS, *FILAS_PROCESOS),
    )

    assert dict(ProcesoContratacion.objects.values_list("codigo", "fecha")) == {
        "IC-CASMUL-001-2024": datetime.date(2024, 3, 15),
        "SIE-CASMUL-002-2024": datetime.date(2024, 5, 2),
    }
    assert ProcesoContratacion.objects.get(codigo="IC-CASMUL-001-2024").tipo_id == "infima_cuantia"


def test_a_published_year_refuses_the_whole_file(cliente):
    PublicacionFactory(anio=2023)
    del_2023 = (2023, "Licitación", "LIC-CASMUL-001-2023", "Obra", "90.000,00", "01/07/2023")

    respuesta = admin_subir(
        cliente,
        PROCESOS,
        "procesos.csv",
        csv_de_excel(TITULO, ENCABEZADOS_PROCESOS, *FILAS_PROCESOS, del_2023),
    )

    rechazadas = filas_rechazadas(respuesta)
    assert list(rechazadas) == [5]
    assert "El informe de 2023 está publicado" in rechazadas[5]["__all__"][0]
    assert ProcesoContratacion.objects.count() == 0


def test_a_date_that_is_no_date_names_its_row(cliente):
    mala = (2024, "Licitación", "LIC-1", "Obra", "90.000,00", "31/02/2024")

    respuesta = admin_subir(
        cliente, PROCESOS, "procesos.csv", csv_de_excel(TITULO, ENCABEZADOS_PROCESOS, mala)
    )

    assert filas_rechazadas(respuesta) == {3: {"fecha": ["La fecha «31/02/2024» no existe."]}}


@pytest.mark.parametrize(
    ("tipo", "encabezados"),
    [("lineas", ENCABEZADOS_LINEAS), ("procesos", ENCABEZADOS_PROCESOS)],
)
def test_the_templates_have_the_headers_and_an_example_row(cliente, tipo, encabezados):
    respuesta = cliente.get(reverse("importar_plantilla", args=[tipo]))

    filas = list(openpyxl.load_workbook(io.BytesIO(respuesta.content)).active.values)
    assert filas[0] == tuple(encabezados)
    assert len(filas) == 2
