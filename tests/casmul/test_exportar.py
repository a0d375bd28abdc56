"""The portal's spreadsheets: no text runs as a formula, however it is disguised, and numbers,
dates and ordinary text stay what they are."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import tablib
from openpyxl import load_workbook

from casmul.exportar import (
    a_csv,
    a_xlsx,
    descarga,
    desneutralizar,
    hoja_de_lista,
    neutralizar,
)
from casmul.hojas import hoja_leer

FORMULAS = [
    "=1+1",
    "+1",
    "-1+2",
    "@SUM(A1)",
    " =1+1",
    "\u00a0=1+1",  # no-break space
    "\u3000=1+1",  # ideographic space
    "\n=1+1",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",  # full-width equals
    "\uff0bcmd",
    "\uff0d1",
    "\uff20SUM(A1)",
    '  \n \uff1dHYPERLINK("http://x")',
]
INOFENSIVOS = ["Centro 1", "1.234,56", "a=b", "correo@loja.gob.ec", "", "Año 2023 – total"]


@pytest.mark.parametrize("texto", FORMULAS)
def test_a_disguised_formula_gets_a_leading_quote(texto):
    assert neutralizar(texto) == "'" + texto


@pytest.mark.parametrize("valor", [*INOFENSIVOS, 12, -3, Decimal("-1.50"), None])
def test_ordinary_values_are_left_as_they_are(valor):
    assert neutralizar(valor) == valor


def _datos() -> tablib.Dataset:
    datos = tablib.Dataset(headers=["Texto", "Monto", "Fecha"], title="Prueba")
    for texto in FORMULAS:
        datos.append([texto, Decimal("-12.50"), datetime.date(2023, 3, 1)])
    return datos


def test_no_cell_of_the_xlsx_is_a_formula_and_numbers_and_dates_stay_typed():
    hoja = load_workbook(io.BytesIO(a_xlsx(_datos()))).active

    celdas = [celda for fila in hoja.iter_rows(min_row=2) for celda in fila]
    assert "f" not in {celda.data_type for celda in celdas}
    # Text cells as typed, with Excel's quote prefix: no apostrophe for the clerk to see.
    textos = [fila[0] for fila in hoja.iter_rows(min_row=2)]
    assert all(celda.data_type == "s" and celda.quotePrefix for celda in textos)
    # XML keeps no bare carriage return: it reads back as a line feed.
    assert [celda.value for celda in textos] == [t.replace("\r", "\n") for t in FORMULAS]
    assert hoja.cell(row=2, column=2).value == -12.5
    assert hoja.cell(row=2, column=3).value == datetime.datetime(2023, 3, 1)


def test_the_csv_quotes_every_disguised_formula():
    contenido = a_csv(_datos()).decode("utf-8-sig")
    filas = list(csv.reader(io.StringIO(contenido), delimiter=";"))

    assert [fila[0] for fila in filas[1:]] == ["'" + texto for texto in FORMULAS]
    assert filas[1][1:] == ["-12,50", "2023-03-01"]


def test_a_list_downloads_as_an_attachment_that_no_cache_keeps():
    archivo = hoja_de_lista(_datos(), formato="csv", nombre="convenios-2023")
    respuesta = descarga(archivo)

    assert respuesta["Content-Disposition"] == 'attachment; filename="convenios-2023.csv"'
    assert respuesta["Cache-Control"] == "no-store"
    assert hoja_de_lista(_datos(), formato="pdf", nombre="x") is None


def test_the_csv_export_reads_back_as_typed():
    datos = tablib.Dataset(headers=["centro", "anio", "mes", "indicador", "valor"])
    for texto in ("-INY-02", "=1+1", "+593 7 257", "@casmul"):
        datos.append([1, 2023, 1, texto, 5])

    tabla = hoja_leer(a_csv(datos), columnas=["centro", "anio", "mes", "indicador", "valor"])

    assert [fila.valores[3] for fila in tabla.filas] == ["-INY-02", "=1+1", "+593 7 257", "@casmul"]


def test_a_text_that_merely_starts_with_a_quote_is_read_as_it_is():
    assert desneutralizar("'Loja'") == "'Loja'"
    assert desneutralizar("'=1+1") == "=1+1"


def test_years_months_and_numbers_of_centres_are_written_without_thousands():
    datos = tablib.Dataset(headers=["Centro", "Año", "Mes", "Nro.", "Valor"])
    datos.append([1001, 2026, 11, 12, 2450])

    hoja = load_workbook(io.BytesIO(a_xlsx(datos))).active

    formatos = [celda.number_format for celda in hoja[2]]
    assert formatos == ["0", "0", "0", "0", "#,##0"]
