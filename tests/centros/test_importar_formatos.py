"""Importing monthly figures through the admin from files as Excel and LibreOffice in Spanish
save them: the same figures as from the plain file, errors naming the spreadsheet's rows, and
refusals in Spanish on the form."""

import io

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl.styles import Font

from casmul import hojas
from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import CifraMensual, Indicador, ReporteMensual
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
)

URL_IMPORTAR = reverse("admin:centros_ciframensual_import")
URL_CONFIRMAR = reverse("admin:centros_ciframensual_process_import")
COLUMNAS = ["centro", "anio", "mes", "indicador", "valor"]
FILAS = [
    (1001, 2023, 1, "usuarios", 2500),
    (1001, 2023, 1, "ingresos", "8.456,25"),
    (1001, 2023, 2, "usuarios", "2600"),
    (1002, 2023, 1, "niños", 12),
]
CIFRAS = {
    (1001, 1, "usuarios"): 2500,
    (1001, 1, "ingresos"): 8456.25,
    (1001, 2, "usuarios"): 2600,
    (1002, 1, "niños"): 12,
}
TITULO = "Cifras mensuales del año 2023 – Dirección de Acción Social"


@pytest.fixture
def cliente(db):
    usuarios = IndicadorFactory(codigo="usuarios", unidad=Indicador.Unidad.PERSONAS)
    ingresos = IndicadorFactory(codigo="ingresos", unidad=Indicador.Unidad.DOLARES)
    ninos = IndicadorFactory(codigo="niños", nombre="Niños atendidos")
    centro = CentroFactory(numero=1001)
    IndicadorCentroFactory(centro=centro, indicador=usuarios, orden=0)
    IndicadorCentroFactory(centro=centro, indicador=ingresos, orden=1)
    otro = CentroFactory(numero=1002)
    IndicadorCentroFactory(centro=otro, indicador=ninos)
    for c in (centro, otro):
        OperacionAnualFactory(centro=c, anio=2023)
    usuario = usuario_con_rol_guardar(
        username="administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
    )
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _cifras():
    return {
        (numero, mes, codigo): float(valor)
        for numero, mes, codigo, valor in CifraMensual.objects.values_list(
            "reporte__centro__numero", "reporte__mes", "indicador__codigo", "valor"
        )
    }


def _subir(cliente, nombre: str, contenido: bytes):
    # The page offers one format (0) for CSV and XLSX alike.
    archivo = SimpleUploadedFile(nombre, contenido)
    return cliente.post(URL_IMPORTAR, {"format": "0", "import_file": archivo})


def _importar(cliente, nombre: str, contenido: bytes):
    vista_previa = _subir(cliente, nombre, contenido)
    assert "confirm_form" in vista_previa.context, vista_previa.context["form"].errors
    respuesta = cliente.post(URL_CONFIRMAR, vista_previa.context["confirm_form"].initial)
    assert respuesta.status_code == 302
    assert respuesta["Location"] == reverse("admin:centros_ciframensual_changelist")


def _csv_plano() -> bytes:
    # What the portal's own export writes (and the import read before): UTF-8, commas.
    return tablib.Dataset(*FILAS, headers=COLUMNAS).export("csv").encode()


def _csv_de_excel(*filas, encabezados="CENTRO;Año;mes;Indicador;VALOR") -> bytes:
    """What Excel in Spanish saves as «CSV (delimitado por comas)»: `;`, Windows-1252, a title
    above the header, and the cleared rows below the data as `;;;;`."""
    lineas = [f"{TITULO};;;;", encabezados]
    lineas += [";".join(str(celda) for celda in fila) for fila in filas]
    lineas += [";;;;"] * 5
    return "\r\n".join(lineas).encode("cp1252") + b"\r\n"


def _xlsx(*filas, encabezados=("Centro", "AÑO", "Mes", "Indicador", "Valor")) -> bytes:
    libro = openpyxl.Workbook()
    hoja = libro.active
    hoja.append([TITULO])
    hoja.append(list(encabezados))
    for fila in filas:
        hoja.append(list(fila))
    for numero in range(hoja.max_row + 1, hoja.max_row + 30):
        for columna in range(1, 6):
            hoja.cell(row=numero, column=columna).font = Font(bold=True)
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


# --- The same figures, however the file was saved ----------------------------------------------


@pytest.mark.parametrize(
    ("nombre", "contenido"),
    [
        ("cifras.csv", _csv_plano()),
        ("cifras.csv", _csv_de_excel(*FILAS)),
        ("cifras.csv", b"\xef\xbb\xbf" + _csv_de_excel(*FILAS).decode("cp1252").encode()),
        ("cifras.xlsx", _xlsx(*FILAS)),
    ],
    ids=["csv-plano", "csv-excel-cp1252", "csv-excel-utf8-bom", "xlsx-con-titulo"],
)
def test_a_file_as_excel_saves_it_imports_the_same_figures_as_the_plain_file(
    cliente, nombre, contenido
):
    _importar(cliente, nombre, contenido)

    assert _cifras() == CIFRAS


def test_the_same_spanish_file_twice_changes_no_figure(cliente):
    _importar(cliente, "cifras.csv", _csv_de_excel(*FILAS))
    cifras = list(CifraMensual.objects.order_by("pk").values_list("pk", "valor"))

    _importar(cliente, "cifras.csv", _csv_de_excel(*FILAS))

    assert list(CifraMensual.objects.order_by("pk").values_list("pk", "valor")) == cifras


def test_an_xlsx_with_an_empty_row_in_the_middle_imports_every_figure(cliente):
    _importar(cliente, "cifras.xlsx", _xlsx(*FILAS[:2], (None,) * 5, *FILAS[2:]))

    assert _cifras() == CIFRAS


# --- Errors name the spreadsheet's row ---------------------------------------------------------


def _filas_rechazadas(respuesta) -> dict[int, dict]:
    return {fila.number: fila.error_dict for fila in respuesta.context["result"].invalid_rows}


def test_a_refused_row_is_named_by_its_spreadsheet_row_number(cliente):
    # Row 1 the title, 2 the header, 3-4 figures, 5 empty, 6 the refused one.
    contenido = _csv_de_excel(*FILAS[:2], ("", "", "", "", ""), (9999, 2023, 1, "usuarios", 5))

    respuesta = _subir(cliente, "cifras.csv", contenido)

    assert "confirm_form" not in respuesta.context
    assert _filas_rechazadas(respuesta) == {6: {"centro": ["No existe el centro número 9999."]}}
    html = respuesta.content.decode()
    assert "<td>6 </td>" in html  # the preview's «Fila» column
    # The reason in plain sight: the stylesheet that shows it under the row is on the page.
    assert "No existe el centro número 9999." in html
    assert "casmul/admin_importar.css" in html
    assert CifraMensual.objects.count() == 0


def test_a_figure_twice_names_both_spreadsheet_rows(cliente):
    respuesta = _subir(cliente, "cifras.xlsx", _xlsx(FILAS[0], (None,) * 5, FILAS[0]))

    assert _filas_rechazadas(respuesta) == {
        5: {"__all__": ["Esta cifra ya está en la fila 3 del archivo: deje una sola."]}
    }


def test_a_formula_without_a_stored_value_refuses_its_row(cliente):
    respuesta = _subir(cliente, "cifras.xlsx", _xlsx(FILAS[0], (1001, 2023, 2, "usuarios", "=A3")))

    assert _filas_rechazadas(respuesta) == {
        4: {
            "valor": [
                "La celda E4 tiene una fórmula sin valor calculado: abra el archivo en Excel o "
                "LibreOffice y guárdelo de nuevo, o escriba el número."
            ]
        }
    }
    assert CifraMensual.objects.count() == 0


# --- Refusals on the form, in Spanish ----------------------------------------------------------


def _error_del_formulario(respuesta) -> list[str]:
    assert respuesta.status_code == 200
    assert "confirm_form" not in respuesta.context
    assert "result" not in respuesta.context  # nothing was imported, not even as a preview
    html = respuesta.content.decode()
    assert "Traceback" not in html and "InvalidDimensions" not in html
    return respuesta.context["form"].errors["import_file"]


def test_missing_columns_are_named_in_one_spanish_sentence(cliente):
    contenido = _csv_de_excel(FILAS[0][:3], encabezados="Centro;Mes;Cantidad")

    respuesta = _subir(cliente, "cifras.csv", contenido)

    assert _error_del_formulario(respuesta) == [
        "Faltan las columnas «Año», «Indicador», «Valor»; la fila de encabezados tiene: "
        "«Centro», «Mes», «Cantidad»."
    ]


def test_a_file_with_the_headers_only_is_refused_in_spanish(cliente):
    respuesta = _subir(cliente, "cifras.csv", _csv_de_excel())

    assert _error_del_formulario(respuesta) == ["El archivo no tiene filas de datos."]


def test_a_file_that_is_no_spreadsheet_is_refused_before_it_is_read(cliente, monkeypatch):
    def _no_leer(*args, **kwargs):
        raise AssertionError("the file was read")

    # Where the formats read the file (casmul.hojas.resources.FormatoHoja).
    monkeypatch.setattr(hojas.resources, "hoja_leer", _no_leer)

    grande = _subir(cliente, "cifras.csv", b"a" * (hojas.TAMANO_MAXIMO + 1))
    pdf = _subir(cliente, "cifras.pdf", b"%PDF-1.7")

    assert _error_del_formulario(grande) == [
        "El archivo pesa 10,0 MB y el máximo es 10 MB: quite las hojas y filas que no sean "
        "datos, o divídalo en varios archivos."
    ]
    assert _error_del_formulario(pdf) == [
        "«cifras.pdf» no es una hoja de cálculo CSV ni XLSX: suba un archivo .csv o .xlsx (en "
        "Excel o LibreOffice, guárdelo como «Libro de Excel (.xlsx)» o «CSV UTF-8»)."
    ]


def test_a_file_in_another_encoding_is_refused_in_spanish(cliente):
    respuesta = _subir(cliente, "cifras.csv", "centro;año\r\n1001;2023\r\n".encode("utf-16"))

    assert _error_del_formulario(respuesta) == [
        "El archivo no está en UTF-8 ni en Windows-1252; guárdelo como «CSV UTF-8»."
    ]
    assert ReporteMensual.objects.count() == 0


# --- The confirmation: a file gone or a name altered is said on the import page ----------------

_VOLVER = "Vuelva a subir el archivo para ver la vista previa de nuevo."


def _confirmacion(cliente) -> dict:
    vista_previa = _subir(cliente, "cifras.csv", _csv_de_excel(*FILAS))
    return dict(vista_previa.context["confirm_form"].initial)


def _mensajes(respuesta) -> list[str]:
    return [str(m) for m in respuesta.context["messages"]]


def test_a_confirmation_whose_file_is_gone_says_so_on_the_import_page(cliente):
    confirmacion = _confirmacion(cliente)
    importada = cliente.post(URL_CONFIRMAR, confirmacion, follow=True)
    assert importada.redirect_chain == [(reverse("admin:centros_ciframensual_changelist"), 302)]

    # The same confirmation again (a double click, the back button): its file was imported.
    otra_vez = cliente.post(URL_CONFIRMAR, confirmacion, follow=True)

    assert otra_vez.redirect_chain == [(URL_IMPORTAR, 302)]
    assert _mensajes(otra_vez) == [
        "El archivo de la vista previa ya no está en el servidor (quizá ya se importó) y no se "
        f"importó nada. {_VOLVER}"
    ]
    assert len(_cifras()) == len(CIFRAS)


@pytest.mark.parametrize(
    "nombre",
    ["", "tmpabcdefgh", "../../etc/passwd", "/etc/passwd"],
    ids=["sin-nombre", "otro-temporal", "ruta-relativa", "ruta-absoluta"],
)
def test_a_confirmation_with_a_missing_or_altered_file_name_imports_nothing(cliente, nombre):
    confirmacion = _confirmacion(cliente) | {"import_file_name": nombre}

    respuesta = cliente.post(URL_CONFIRMAR, confirmacion, follow=True)

    assert respuesta.redirect_chain == [(URL_IMPORTAR, 302)]
    assert _mensajes(respuesta) == [
        "La confirmación no corresponde a una vista previa suya de cifras mensuales y no se "
        f"importó nada. {_VOLVER}"
    ]
    assert CifraMensual.objects.count() == 0


def test_a_confirmation_is_bound_to_the_user_who_saw_the_preview(cliente):
    confirmacion = _confirmacion(cliente)
    otro = usuario_con_rol_guardar(
        username="otra-administracion", password="clave-de-prueba-2", rol=Rol.ADMINISTRACION
    )
    ajeno = Client()
    ajeno.force_login(otro)

    respuesta = ajeno.post(URL_CONFIRMAR, confirmacion, follow=True)

    assert "no corresponde a una vista previa suya" in _mensajes(respuesta)[0]
    assert CifraMensual.objects.count() == 0
    # Its owner can still confirm it.
    assert cliente.post(URL_CONFIRMAR, confirmacion).status_code == 302
    assert _cifras() == CIFRAS
