"""Reading an uploaded spreadsheet as clerks write it: CSV in either encoding and separator,
XLSX, Spanish headers, a title above the header, blank rows, and Spanish refusals."""

import csv
import io
import re
import zipfile

import openpyxl
import pytest
import tablib
from import_export.results import Error, Result, RowResult
from openpyxl.styles import Font, PatternFill

from casmul.hojas import (
    TAMANO_MAXIMO,
    Fila,
    HojaRechazada,
    archivo_comprobar,
    columna_normalizar,
    hoja_dataset,
    hoja_leer,
    importable,
    importables,
)

COLUMNAS = ["centro", "anio", "mes", "indicador", "valor"]
ENCABEZADOS = ["Centro", "Año", "Mes", "Indicador", "Valor"]
DATOS = [
    ["1001", "2023", "1", "niños_atendidos", "1.234,56"],
    ["1002", "2023", "2", "visitas", "12"],
]
TITULO = ["Cifras del año 2023 – Señoría de Loja"]


def _csv(*filas, delimitador=";", codificacion="utf-8", bom=False) -> bytes:
    texto = io.StringIO(newline="")
    escritor = csv.writer(texto, delimiter=delimitador, lineterminator="\r\n")
    for fila in filas:
        escritor.writerow(fila)
    contenido = texto.getvalue().encode(codificacion)
    return b"\xef\xbb\xbf" + contenido if bom else contenido


def _xlsx(*filas, formateadas_al_final=0, hojas_antes=()) -> bytes:
    libro = openpyxl.Workbook()
    primera = libro.active
    for titulo, texto in hojas_antes:
        hoja = libro.create_sheet(titulo, 0)
        hoja.append([texto])
    hoja = primera
    for fila in filas:
        hoja.append(list(fila))
    # What LibreOffice and Excel keep after a clerk formats or clears rows below the data.
    for numero in range(hoja.max_row + 1, hoja.max_row + 1 + formateadas_al_final):
        for columna in range(1, 6):
            celda = hoja.cell(row=numero, column=columna)
            celda.font = Font(bold=True)
            celda.fill = PatternFill("solid", fgColor="FFFF00")
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def _leer(contenido: bytes):
    return hoja_leer(contenido, columnas=COLUMNAS)


def _rechazo(contenido: bytes) -> str:
    with pytest.raises(HojaRechazada) as error:
        _leer(contenido)
    return error.value.mensaje


# --- Encodings, separators, BOM ----------------------------------------------------------------


@pytest.mark.parametrize("delimitador", [";", ",", "\t"], ids=["punto-y-coma", "coma", "tab"])
@pytest.mark.parametrize(
    ("codificacion", "bom"),
    [("utf-8", False), ("utf-8", True), ("cp1252", False)],
    ids=["utf8", "utf8-bom", "cp1252"],
)
def test_a_csv_is_read_in_any_encoding_and_separator_excel_saves(codificacion, bom, delimitador):
    contenido = _csv(
        TITULO, ENCABEZADOS, *DATOS, delimitador=delimitador, codificacion=codificacion, bom=bom
    )

    tabla = _leer(contenido)

    assert tabla.columnas == tuple(COLUMNAS)
    assert list(tabla.filas) == [
        Fila(numero=3, valores=tuple(DATOS[0])),
        Fila(numero=4, valores=tuple(DATOS[1])),
    ]


def test_windows_1252_is_read_as_such_not_as_utf8():
    # `ñ` is a single byte (0xF1) in Windows-1252: an invalid UTF-8 sequence.
    contenido = _csv(ENCABEZADOS, DATOS[0], codificacion="cp1252")
    assert b"ni\xf1os" in contenido

    assert _leer(contenido).filas[0].valores[3] == "niños_atendidos"


@pytest.mark.parametrize(
    "contenido",
    [
        "centro;año\n1001;2023\n".encode("utf-16"),  # Excel's «Texto Unicode»
        b"centro;anio;mes;indicador;valor\n1001;2023;1;\x81\x8d;5\n",  # undefined in cp1252
    ],
    ids=["utf16", "ni-utf8-ni-cp1252"],
)
def test_a_file_in_another_encoding_is_refused_in_spanish(contenido):
    assert _rechazo(contenido) == (
        "El archivo no está en UTF-8 ni en Windows-1252; guárdelo como «CSV UTF-8»."
    )


def test_a_quoted_cell_over_two_lines_is_one_spreadsheet_row():
    contenido = _csv(COLUMNAS, ["1001", "2023", "1", "usuarios\nmás texto", "5"], DATOS[1])

    assert [fila.numero for fila in _leer(contenido).filas] == [2, 3]


# --- Headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encabezados",
    [
        ["centro", "anio", "mes", "indicador", "valor"],
        ["Centro", "Año", "Mes", "Indicador", "Valor"],
        ["CENTRO", "AÑO", "MES", "INDICADOR", "VALOR"],
        [" centro ", " año", "mes ", "\tIndicador", "Valor\xa0"],
        ["Centro", "ANIO", "Mes", "Indicador", "Valor"],
        ["Centro", "An\u0303o", "Mes", "Indicador", "Valor"],  # ñ as n + combining tilde
    ],
    ids=["canonicos", "espanol", "mayusculas", "espacios", "anio-mayusculas", "tilde-combinada"],
)
def test_headers_are_matched_normalised(encabezados):
    tabla = _leer(_csv(encabezados, DATOS[0]))

    assert tabla.columnas == tuple(COLUMNAS)
    assert tabla.filas[0].valores == tuple(DATOS[0])


def test_columns_in_another_order_or_with_extra_ones_are_read_by_name():
    contenido = _csv(
        ["Valor", "Nombre del centro", "Indicador", "Mes", "Año", "Centro"],
        ["12", "Casa 4", "visitas", "2", "2023", "1002"],
    )

    assert _leer(contenido).filas[0].valores == ("1002", "2023", "2", "visitas", "12")


def test_normalising_a_header():
    assert columna_normalizar("  Código del   Indicador ") == "codigo_del_indicador"
    assert columna_normalizar("AÑO") == "anio"
    assert columna_normalizar(None) == ""


def test_rows_above_the_header_are_skipped_and_rows_keep_the_spreadsheet_s_number():
    contenido = _csv(TITULO, ["Centro de Loja", "", "", "", ""], [], ENCABEZADOS, *DATOS)

    assert [fila.numero for fila in _leer(contenido).filas] == [5, 6]


# --- Blank rows --------------------------------------------------------------------------------


def test_blank_rows_at_the_end_and_in_the_middle_are_ignored_in_a_csv():
    contenido = (
        _csv(ENCABEZADOS, DATOS[0], ["", "", "", "", ""], ["  ", " ", "", "\xa0", ""], DATOS[1])
        + b";;;;\r\n" * 3
        + b"\r\n"
    )

    tabla = _leer(contenido)

    assert [(fila.numero, fila.valores[0]) for fila in tabla.filas] == [(2, "1001"), (5, "1002")]


def test_formatted_empty_rows_at_the_end_of_an_xlsx_are_ignored():
    contenido = _xlsx(
        TITULO,
        ENCABEZADOS,
        (1001, 2023, 1, "usuarios", 2500),
        (None, None, None, None, None),
        (1002, 2023.0, 2, "visitas", 12),
        formateadas_al_final=40,
    )

    tabla = _leer(contenido)

    assert list(tabla.filas) == [
        Fila(numero=3, valores=(1001, 2023, 1, "usuarios", 2500)),
        Fila(numero=5, valores=(1002, 2023.0, 2, "visitas", 12)),
    ]


def test_the_first_sheet_with_the_header_is_read():
    contenido = _xlsx(
        ENCABEZADOS, (1001, 2023, 1, "usuarios", 5), hojas_antes=[("Instrucciones", "Lea esto")]
    )

    assert _leer(contenido).filas == (Fila(numero=2, valores=(1001, 2023, 1, "usuarios", 5)),)


def _con_dimension_a1(contenido: bytes) -> bytes:
    """The workbook as some programs write it: a stored dimension of "A1" whatever the data."""
    origen, salida = zipfile.ZipFile(io.BytesIO(contenido)), io.BytesIO()
    with zipfile.ZipFile(salida, "w") as destino:
        for entrada in origen.infolist():
            datos = origen.read(entrada.filename)
            if entrada.filename == "xl/worksheets/sheet1.xml":
                datos = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1"/>', datos)
            destino.writestr(entrada, datos)
    return salida.getvalue()


def test_an_xlsx_is_read_whole_even_when_its_stored_dimension_is_wrong():
    contenido = _con_dimension_a1(_xlsx(TITULO, ENCABEZADOS, (1001, 2023, 1, "usuarios", 5)))

    assert _leer(contenido).filas == (Fila(numero=3, valores=(1001, 2023, 1, "usuarios", 5)),)


# --- Cells a spreadsheet could not compute ------------------------------------------------------


def test_a_formula_without_a_stored_value_is_an_error_of_its_row():
    # openpyxl stores formulas without computing them, as some programs do.
    contenido = _xlsx(ENCABEZADOS, (1001, 2023, 1, "usuarios", "=2000+500"), DATOS[1])

    tabla = _leer(contenido)

    assert tabla.filas[0].numero == 2
    assert tabla.filas[0].errores == {
        "valor": "La celda E2 tiene una fórmula sin valor calculado: abra el archivo en Excel o "
        "LibreOffice y guárdelo de nuevo, o escriba el número."
    }
    assert tabla.filas[1].errores == {}


def test_a_row_whose_only_content_is_an_uncomputed_formula_is_not_skipped():
    contenido = _xlsx(ENCABEZADOS, DATOS[0], (None, None, None, None, "=A2*2"))

    assert [(fila.numero, list(fila.errores)) for fila in _leer(contenido).filas] == [
        (2, []),
        (3, ["valor"]),
    ]


def test_a_cell_showing_a_formula_error_is_an_error_of_its_row():
    contenido = _xlsx(ENCABEZADOS, (1001, 2023, 1, "usuarios", "#DIV/0!"))

    assert _leer(contenido).filas[0].errores == {
        "valor": "La celda E2 muestra el error #DIV/0!: corrija su fórmula o escriba el número."
    }


# --- Refusals ----------------------------------------------------------------------------------


def test_missing_columns_are_named_with_what_the_header_row_has():
    contenido = _csv(TITULO, ["Centro", "Mes", "Código", "Valor"], ["1001", "1", "x", "5"])

    assert _rechazo(contenido) == (
        "Faltan las columnas «anio», «indicador»; la fila de encabezados tiene: «Centro», "
        "«Mes», «Código», «Valor»."
    )


def test_one_missing_column_is_named_in_the_singular():
    contenido = _xlsx(["centro", "anio", "mes", "valor"], (1001, 2023, 1, 5))

    assert _rechazo(contenido) == (
        "Falta la columna «indicador»; la fila de encabezados tiene: «centro», «anio», «mes», "
        "«valor»."
    )


def test_a_repeated_column_is_refused():
    contenido = _csv(TITULO, [*ENCABEZADOS, "valor"], [*DATOS[0], "3"])

    assert _rechazo(contenido) == (
        "La columna «valor» aparece dos veces en la fila de encabezados (fila 2): deje una sola."
    )


@pytest.mark.parametrize(
    "contenido",
    [
        _csv(ENCABEZADOS),
        _csv(TITULO, ENCABEZADOS) + b";;;;\r\n;;;;\r\n",
        _xlsx(TITULO, ENCABEZADOS, formateadas_al_final=10),
    ],
    ids=["csv", "csv-con-filas-vacias", "xlsx"],
)
def test_a_file_with_the_headers_only_has_no_data_rows(contenido):
    assert _rechazo(contenido) == "El archivo no tiene filas de datos."


@pytest.mark.parametrize("contenido", [b"", b" \r\n", b";;;;\r\n;;;;\r\n"])
def test_an_empty_file_is_refused(contenido):
    assert _rechazo(contenido) == "El archivo está vacío."


def test_a_file_over_10_mb_is_refused_before_it_is_parsed():
    mensaje = (
        "El archivo pesa 10,0 MB y el máximo es 10 MB: quite las hojas y filas que no sean "
        "datos, o divídalo en varios archivos."
    )
    # Not even a CSV: refused for its size, before anything is read.
    assert _rechazo(b"\x00" * (TAMANO_MAXIMO + 1)) == mensaje
    with pytest.raises(HojaRechazada, match="máximo es 10 MB"):
        archivo_comprobar(nombre="cifras.csv", tamano=TAMANO_MAXIMO + 1)
    archivo_comprobar(nombre="cifras.csv", tamano=TAMANO_MAXIMO)


@pytest.mark.parametrize("nombre", ["cifras.pdf", "cifras.xls", "cifras.ods", "cifras"])
def test_a_file_not_named_csv_or_xlsx_is_refused(nombre):
    with pytest.raises(HojaRechazada) as error:
        archivo_comprobar(nombre=nombre, tamano=100)

    assert error.value.mensaje == (
        f"«{nombre}» no es una hoja de cálculo CSV ni XLSX: suba un archivo .csv o .xlsx (en "
        "Excel o LibreOffice, guárdelo como «Libro de Excel (.xlsx)» o «CSV UTF-8»)."
    )


@pytest.mark.parametrize("nombre", ["cifras.csv", "CIFRAS.XLSX", "mis cifras.enero.xlsx"])
def test_a_csv_or_xlsx_name_is_accepted(nombre):
    archivo_comprobar(nombre=nombre, tamano=100)


def _zip_que_no_es_libro() -> bytes:
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w") as archivo:
        archivo.writestr("content.xml", "<office:document/>")  # an OpenDocument, say
    return salida.getvalue()


NO_ES_HOJA = (
    "El archivo no es una hoja de cálculo CSV ni XLSX: ábralo en Excel o LibreOffice y "
    "guárdelo como «Libro de Excel (.xlsx)» o «CSV UTF-8»."
)


@pytest.mark.parametrize(
    ("contenido", "mensaje"),
    [
        (b"%PDF-1.7\n\x00\x01\x02binario", NO_ES_HOJA),
        (_zip_que_no_es_libro(), NO_ES_HOJA),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "El archivo es de Excel 97-2003 (.xls): guárdelo como «Libro de Excel (.xlsx)» o "
            "«CSV UTF-8».",
        ),
    ],
    ids=["pdf", "zip", "xls"],
)
def test_content_that_is_not_csv_or_xlsx_is_refused(contenido, mensaje):
    assert _rechazo(contenido) == mensaje


def test_the_dataset_for_import_export_carries_the_table():
    tabla = _leer(_csv(TITULO, ENCABEZADOS, *DATOS))

    dataset = hoja_dataset(tabla)

    assert dataset.headers == COLUMNAS
    assert [tuple(fila) for fila in dataset] == [tuple(DATOS[0]), tuple(DATOS[1])]
    assert dataset.hoja is tabla


@pytest.mark.django_db
@pytest.mark.parametrize("tipo", [tipo.slug for tipo in importables()])
def test_no_import_resets_the_id_sequence_of_its_table(tipo, monkeypatch):
    """import-export's ModelResource resets a table's id sequence after an import that creates
    rows (`SELECT setval(…, max(id))`): on PostgreSQL, while another transaction inserts, that
    hands an id out twice. Every kind of the portal leaves the sequence alone."""
    from django.db import connection

    def _no_reiniciar(*args, **kwargs):
        raise AssertionError("the import reset the id sequence")

    monkeypatch.setattr(connection.ops, "sequence_reset_sql", _no_reiniciar)
    # A confirmed import that created a row (what triggers the library's reset); with an
    # error besides, so that each kind's own `after_import` writes nothing of its own.
    resultado = Result()
    fila = RowResult()
    fila.import_type = RowResult.IMPORT_TYPE_NEW
    resultado.rows.append(fila)
    resultado.append_base_error(Error(RuntimeError("otra fila falló")))

    recurso = importable(tipo).recurso()
    recurso._prueba = False  # a confirmed import, as `before_import` would have noted it
    recurso.after_import(tablib.Dataset(), resultado, dry_run=False)
