"""Importing the clinic's patients through the admin from a spreadsheet as Excel in Spanish
saves it: through the clinic's one write path (month rules, lock, history), all rows or none,
and the same file twice changes nothing."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import LineaServicio, ReporteMensual
from salud.models import AtencionClinica, Servicio
from tests.factories import (
    CentroFactory,
    EspecialidadFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    admin_importar,
    admin_subir,
    csv_de_excel,
    filas_rechazadas,
)

MODELO = "salud_atencionclinica"
ENCABEZADOS = ["Centro", "Año", "Mes", "Servicio", "Pacientes", "Especialidad"]
TITULO = "Atenciones de la clínica municipal 2024"
FILAS = [
    (700, 2024, 6, "Consulta externa", "1.234", "Pediatría"),
    (700, 2024, 6, "EMERGENCIA", 80, ""),
    (700, 2024, 7, "Hospitalización", 12, ""),
]


@pytest.fixture
def usuario(db):
    return usuario_con_rol_guardar(
        username="administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
    )


@pytest.fixture
def clinica(db):
    clinica = CentroFactory(numero=700, linea_servicio=LineaServicio.SALUD)
    OperacionAnualFactory(centro=clinica, anio=2024)
    EspecialidadFactory(nombre="Pediatría")
    return clinica


@pytest.fixture
def cliente(usuario, clinica):
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _atenciones():
    return {
        (a.reporte.mes, a.servicio, a.especialidad.nombre if a.especialidad else None): a.pacientes
        for a in AtencionClinica.objects.select_related("reporte", "especialidad")
    }


def test_a_windows_1252_csv_writes_the_months_through_the_clinics_write(cliente, usuario):
    admin_importar(cliente, MODELO, "clinica.csv", csv_de_excel(TITULO, ENCABEZADOS, *FILAS))

    assert _atenciones() == {
        (6, Servicio.CONSULTA_EXTERNA, "Pediatría"): 1234,
        (6, Servicio.EMERGENCIA, None): 80,
        (7, Servicio.HOSPITALIZACION, None): 12,
    }
    junio = ReporteMensual.objects.get(mes=6)
    # Closed as every write closes a month: who, a new version, a history entry.
    assert junio.actualizado_por == usuario
    assert junio.version == 1
    assert junio.history.latest().history_user == usuario


def test_the_same_file_twice_changes_nothing_the_second_time(cliente):
    contenido = csv_de_excel(TITULO, ENCABEZADOS, *FILAS)
    admin_importar(cliente, MODELO, "clinica.csv", contenido)
    versiones = dict(ReporteMensual.objects.values_list("mes", "version"))
    historial = ReporteMensual.history.count()

    vista_previa = admin_subir(cliente, MODELO, "clinica.csv", contenido)
    admin_importar(cliente, MODELO, "clinica.csv", contenido)

    totales = vista_previa.context["result"].totals
    assert (totales["new"], totales["update"], totales["skip"]) == (0, 0, 3)
    assert dict(ReporteMensual.objects.values_list("mes", "version")) == versiones
    assert ReporteMensual.history.count() == historial


def test_a_changed_figure_updates_only_its_month(cliente):
    admin_importar(cliente, MODELO, "clinica.csv", csv_de_excel(TITULO, ENCABEZADOS, *FILAS))

    cambiadas = [FILAS[0], FILAS[1], (700, 2024, 7, "Hospitalización", 15, "")]
    admin_importar(cliente, MODELO, "clinica.csv", csv_de_excel(TITULO, ENCABEZADOS, *cambiadas))

    assert _atenciones()[(7, Servicio.HOSPITALIZACION, None)] == 15
    assert dict(ReporteMensual.objects.values_list("mes", "version")) == {6: 1, 7: 2}


def test_an_unknown_centre_refuses_the_whole_file_naming_its_row(cliente):
    mala = (9999, 2024, 6, "Emergencia", 3, "")
    respuesta = admin_subir(
        cliente, MODELO, "clinica.csv", csv_de_excel(TITULO, ENCABEZADOS, *FILAS, mala)
    )

    assert "confirm_form" not in respuesta.context
    assert filas_rechazadas(respuesta) == {6: {"centro": ["No existe el centro número 9999."]}}
    assert AtencionClinica.objects.count() == 0
    assert ReporteMensual.objects.count() == 0


def test_an_approved_month_is_refused_as_on_the_clinics_page(cliente, clinica):
    ReporteMensualFactory(centro=clinica, anio=2024, mes=7, estado=ReporteMensual.Estado.APROBADO)

    respuesta = admin_subir(
        cliente, MODELO, "clinica.csv", csv_de_excel(TITULO, ENCABEZADOS, *FILAS)
    )

    assert filas_rechazadas(respuesta) == {
        5: {
            "mes": [
                "Este mes está aprobado y no se puede modificar. Pida a la Coordinación de "
                "planificación que lo reabra."
            ]
        }
    }
    assert AtencionClinica.objects.count() == 0


def test_the_template_has_the_headers_and_an_example_row(cliente):
    respuesta = cliente.get(reverse("importar_plantilla", args=["atenciones"]))

    filas = list(openpyxl.load_workbook(io.BytesIO(respuesta.content)).active.values)
    assert filas[0] == tuple(ENCABEZADOS)
    assert len(filas) == 2
    assert filas[1][0] == 700
