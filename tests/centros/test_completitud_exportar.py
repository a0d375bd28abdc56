"""The completeness matrix downloads as it is filtered, for the roles that see it."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from casmul.roles import Rol
from centros.models import Modalidad, ReporteMensual
from tests.centros.test_completitud import _centro, _mes
from tests.factories import AreaFactory, UserFactory

E = ReporteMensual.Estado
URL = reverse("centros:completitud", args=[2023])


@pytest.fixture
def coordinacion(client, db):
    client.force_login(UserFactory(roles=[Rol.COORDINACION]))
    return client


@pytest.fixture
def centros(db):
    area = AreaFactory(nombre="Infancia")
    directo = _centro(numero=1, area=area, modalidad=Modalidad.DIRECTA, nombre_corto="=HOLA()")
    mies = _centro(numero=2, area=area, modalidad=Modalidad.CONVENIO_MIES, nombre_corto="MIES")
    _mes(directo, 1, E.ENVIADO)
    for mes in range(1, 13):
        _mes(mies, mes, E.APROBADO)


def test_the_filtered_matrix_downloads_as_csv_with_each_month_s_state(coordinacion, centros):
    respuesta = coordinacion.get(URL, {"modalidad": Modalidad.DIRECTA, "formato": "csv"})

    filas = list(csv.reader(io.StringIO(respuesta.content.decode("utf-8-sig")), delimiter=";"))
    assert respuesta["Content-Disposition"] == 'attachment; filename="completitud-2023.csv"'
    assert filas[0][:5] == ["Nro.", "Centro", "Área", "Enero", "Febrero"]
    assert [fila[0] for fila in filas[1:]] == ["1"]
    assert filas[1][1] == "'=HOLA()"  # a name that looks like a formula stays text
    assert filas[1][3:5] == ["Enviado", "Sin datos"]
    assert filas[1][-4:] == ["11", "0", "1", "0"]


def test_the_whole_matrix_downloads_as_xlsx(coordinacion, centros):
    respuesta = coordinacion.get(URL, {"formato": "xlsx"})

    hoja = load_workbook(io.BytesIO(respuesta.content)).active
    assert [fila[0] for fila in hoja.iter_rows(min_row=2, values_only=True)] == [1, 2]
    assert hoja.cell(row=3, column=15).value == "Aprobado"
    assert hoja.cell(row=3, column=19).value == 12


def test_an_unknown_format_is_not_found_and_staff_cannot_download(client, coordinacion, centros):
    assert coordinacion.get(URL, {"formato": "pdf"}).status_code == 404
    client.force_login(UserFactory(roles=[Rol.PERSONAL_CENTRO]))
    assert client.get(URL, {"formato": "csv"}).status_code == 403
