"""Exports of the report's tables (XLSX and CSV): the rows and totals of each table's
definition (`rendicion.tablas`), which hold the selectors' values and the 2023 report's figures;
formula text neutralised while numbers stay numbers, who may download them, 404s, and a number
of queries that does not grow with the data."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bench.sintetico import anio_multiplicar
from casmul.exportar import a_csv, a_xlsx
from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import AccionGeneral
from convenios.models import Convenio
from rendicion.exportar import TABLAS
from rendicion.selectors import informe_rendicion

pytestmark = pytest.mark.usefixtures("datos_2023")

FORMATOS = ["xlsx", "csv"]
TIPO_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _entrar(client, rol=Rol.COORDINACION, centro_ids=None):
    usuario = usuario_con_rol_guardar(
        username=f"u-{rol.name.lower()}", password="x-clave-1", rol=rol, centro_ids=centro_ids
    )
    client.force_login(usuario)
    return usuario


def _url(slug, formato, anio=2023):
    return reverse("rendicion:tabla_exportar", args=[anio, slug, formato])


# --- Reading the files back -------------------------------------------------------------------


def _hoja(contenido: bytes):
    return load_workbook(io.BytesIO(contenido)).active


def _valor_xlsx(celda):
    """A cell as Python: numbers back to int / Decimal, dates to date, empty to None."""
    valor = celda.value
    if isinstance(valor, float):
        return Decimal(str(valor))
    if isinstance(valor, datetime.datetime):
        return valor.date()
    return None if valor == "" else valor


def _leer_xlsx(contenido: bytes) -> tuple[list, list[list]]:
    filas = [[_valor_xlsx(celda) for celda in fila] for fila in _hoja(contenido).iter_rows()]
    return filas[0], filas[1:]


def _leer_csv(contenido: bytes) -> tuple[list, list[list]]:
    assert contenido.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    filas = list(csv.reader(io.StringIO(contenido.decode("utf-8-sig")), delimiter=";"))
    return filas[0], filas[1:]


def _como_csv(valor) -> str:
    """How a value is written in the CSV for Excel es-EC: decimal comma, ISO dates."""
    if valor is None:
        return ""
    if isinstance(valor, Decimal):
        return f"{valor:f}".replace(".", ",")
    if isinstance(valor, datetime.date):
        return valor.isoformat()
    return str(valor)


def _como_xlsx(valor):
    return None if valor == "" else valor


def _descargar(client, slug, formato) -> tuple[list, list[list]]:
    respuesta = client.get(_url(slug, formato))
    assert respuesta.status_code == 200
    return _leer_xlsx(respuesta.content) if formato == "xlsx" else _leer_csv(respuesta.content)


def _normalizar(formato, filas):
    convertir = _como_xlsx if formato == "xlsx" else _como_csv
    return [[convertir(valor) for valor in fila] for fila in filas]


# --- What each file holds: the definition's rows, read from the selectors ---------------------


def _tabla(slug):
    return TABLAS[slug].tabla(informe_rendicion(anio=2023))


# A column of each numbered table with the selectors' values it holds, row by row (totals last).
COLUMNA_DE_LOS_SELECTORES = {
    "tabla-01": (
        "Nro. usuarios",
        lambda i: [f.usuarios for f in i.desarrollo_infantil.filas] + [i.desarrollo_infantil.total],
    ),
    "tabla-02": (
        "Nro. usuarios",
        lambda i: [i.clinica.total] + [f.pacientes for f in i.clinica.por_servicio],
    ),
    "tabla-03": ("Especialidad", lambda i: [e.nombre for e in i.especialidades]),
    "tabla-04": (
        "Nro. de profesionales",
        lambda i: [f.cantidad for f in i.dotacion.filas] + [i.dotacion.total],
    ),
    "tabla-05": ("Horario", lambda i: [h.horas for h in i.horarios_clinica]),
    "tabla-06": ("Línea", lambda i: [f.linea_nombre for f in i.apoyo_social.filas] + [None]),
    "tabla-07": ("Objetivo", lambda i: [instalacion.objetivo for instalacion in i.instalaciones]),
    "tabla-08": ("Descripción", lambda i: [h.descripcion for h in i.horarios_servicios]),
    "tabla-09": ("Hasta", lambda i: [c.fecha_fin for c in i.convenios]),
    "tabla-10": ("Nro. beneficiarios", lambda i: [a.beneficiarios for a in i.acciones]),
    "tabla-11": (
        "Presupuesto",
        lambda i: [f.codificado for f in i.presupuesto.filas] + [i.presupuesto.total],
    ),
    "tabla-12": (
        "Monto",
        lambda i: [f.monto for f in i.contratacion.filas] + [i.contratacion.total_monto],
    ),
}


def test_every_table_of_the_report_is_exportable():
    assert list(TABLAS) == [*COLUMNA_DE_LOS_SELECTORES] + [
        "cifras-impulso-economico",
        "cifras-servicios-comunidad",
    ]
    assert TABLAS["tabla-01"].titulo == "Tabla 1: Centros/Proyectos del Área de Desarrollo infantil"


@pytest.mark.parametrize("formato", FORMATOS)
@pytest.mark.parametrize("slug", list(TABLAS))
def test_each_file_holds_the_rows_and_totals_of_the_table_definition(client, slug, formato):
    _entrar(client)
    tabla = _tabla(slug)
    # Tabla 2 opens with the clinic's total row; the other tables end with theirs.
    if tabla.total_primero:
        esperadas = tabla.totales_hoja + tabla.filas_hoja
    else:
        esperadas = tabla.filas_hoja + tabla.totales_hoja

    encabezados, filas = _descargar(client, slug, formato)

    assert encabezados == tabla.encabezados_hoja
    assert filas == _normalizar(formato, esperadas)
    assert tabla.filas_hoja, "2023 has rows in every table"


@pytest.mark.parametrize("formato", FORMATOS)
@pytest.mark.parametrize("slug", list(COLUMNA_DE_LOS_SELECTORES))
def test_each_file_holds_the_selectors_values(client, slug, formato):
    _entrar(client)
    encabezado, valores = COLUMNA_DE_LOS_SELECTORES[slug]
    esperados = valores(informe_rendicion(anio=2023))

    encabezados, filas = _descargar(client, slug, formato)

    columna = encabezados.index(encabezado)
    assert [fila[columna] for fila in filas] == _normalizar(formato, [esperados])[0]


@pytest.mark.parametrize(
    ("slug", "cifras"),
    [
        (
            "cifras-impulso-economico",
            [
                ("Artesanos en consignación", 13, None),
                ("Clientes atendidos", 1326, 111),
                ("Ingresos brutos", Decimal("5568.37"), None),
            ],
        ),
        (
            "cifras-servicios-comunidad",
            [
                ("Usuarios atendidos (ingresos)", 30603, 2550),
                ("Ingresos brutos", Decimal("102591.18"), None),
                ("Equipo", 7, None),
            ],
        ),
    ],
)
def test_centre_figures_of_the_2023_report(client, slug, cifras):
    _entrar(client)

    _, filas = _descargar(client, slug, "xlsx")

    assert [(fila[2], fila[4], fila[6]) for fila in filas] == cifras


def test_xlsx_totals_are_the_bold_rows_of_the_definition():
    from rendicion.exportar import archivo_de_tabla

    for slug in TABLAS:
        hoja = _hoja(archivo_de_tabla(anio=2023, slug=slug, formato="xlsx").contenido)
        negritas = [
            [_valor_xlsx(celda) for celda in fila]
            for fila in hoja.iter_rows(min_row=2)
            if fila[0].font.bold
        ]

        assert negritas == _normalizar("xlsx", _tabla(slug).totales_hoja), slug


@pytest.mark.parametrize("formato", FORMATOS)
def test_totals_of_the_2023_report(client, formato):
    _entrar(client)
    numero = int if formato == "csv" else (lambda valor: valor)
    dinero = (lambda texto: Decimal(texto.replace(",", "."))) if formato == "csv" else Decimal

    _, tabla_1 = _descargar(client, "tabla-01", formato)
    _, tabla_2 = _descargar(client, "tabla-02", formato)
    _, tabla_4 = _descargar(client, "tabla-04", formato)
    _, tabla_11 = _descargar(client, "tabla-11", formato)
    _, tabla_12 = _descargar(client, "tabla-12", formato)

    assert len(tabla_1[:-1]) == 12
    assert tabla_1[-1][1] == "Total" and numero(tabla_1[-1][3]) == 523
    assert sum(numero(fila[3]) for fila in tabla_1[:-1]) == 523
    assert numero(tabla_2[0][2]) == 68430
    assert [numero(fila[2]) for fila in tabla_2[1:]] == [59889, 2092, 6449]
    assert tabla_4[-1][0] == "Total" and numero(tabla_4[-1][1]) == 56
    assert tabla_11[-1][0] == "Total"
    assert dinero(tabla_11[-1][1]) == Decimal("1600469.59")
    assert sum(dinero(fila[1]) for fila in tabla_11[:-1]) == Decimal("1600469.59")
    assert len(tabla_12[:-1]) == 6
    assert tabla_12[-1][0] == "Total"
    assert numero(tabla_12[-1][1]) == 190
    assert dinero(tabla_12[-1][2]) == Decimal("746212.05")
    assert sum(numero(fila[1]) for fila in tabla_12[:-1]) == 190


def test_xlsx_cells_are_numbers_and_dates_with_formats():
    from rendicion.exportar import archivo_de_tabla

    hoja_11 = _hoja(archivo_de_tabla(anio=2023, slug="tabla-11", formato="xlsx").contenido)
    hoja_9 = _hoja(archivo_de_tabla(anio=2023, slug="tabla-09", formato="xlsx").contenido)
    hoja_12 = _hoja(archivo_de_tabla(anio=2023, slug="tabla-12", formato="xlsx").contenido)

    total = hoja_11.cell(row=hoja_11.max_row, column=2)
    assert total.data_type == "n" and total.number_format == "#,##0.00"
    assert total.font.bold
    assert hoja_11.title == "Tabla 11"
    procesos = hoja_12.cell(row=hoja_12.max_row, column=2)
    assert procesos.data_type == "n" and procesos.value == 190
    desde = hoja_9.cell(row=2, column=4)
    assert desde.is_date and desde.number_format == "dd/mm/yyyy"
    assert desde.value.date() == datetime.date(2018, 11, 29)


def test_csv_is_semicolon_separated_with_decimal_comma_for_excel_in_spanish():
    from rendicion.exportar import archivo_de_tabla

    contenido = archivo_de_tabla(anio=2023, slug="tabla-11", formato="csv").contenido

    texto = contenido.decode("utf-8-sig")
    assert texto.splitlines()[0] == "Área;Presupuesto;Participación (%)"
    assert texto.splitlines()[-1] == "Total;1600469,59;100,0"


PELIGROSOS = ["=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)", "\tTAB", "\rCR=1+1"]


@pytest.mark.parametrize("formato", FORMATOS)
def test_text_that_looks_like_a_formula_is_neutralised(client, formato):
    _entrar(client)
    convenio = Convenio.objects.del_informe(2023).order_by("orden", "fecha_inicio").first()
    convenio.titulo, convenio.objeto = PELIGROSOS[0], PELIGROSOS[1]
    convenio.save()
    acciones = AccionGeneral.objects.filter(anio=2023).order_by("orden")[:2]
    for accion, (actividad, sector) in zip(
        acciones, [PELIGROSOS[2:4], PELIGROSOS[4:6]], strict=True
    ):
        accion.actividad, accion.sector = actividad, sector
        accion.save()

    _, convenios = _descargar(client, "tabla-09", formato)
    _, acciones_exportadas = _descargar(client, "tabla-10", formato)

    # CSV has no cell types: a quote in front. XLSX: a text cell as typed, quote-prefixed.
    marca = "'" if formato == "csv" else ""
    assert convenios[0][0] == marca + "=cmd|' /C calc'!A0"
    assert convenios[0][6] == marca + "+1"
    assert [acciones_exportadas[0][0], acciones_exportadas[0][2]] == [
        marca + "-1+2",
        marca + "@SUM(A1)",
    ]
    assert acciones_exportadas[1][0] == marca + "\tTAB"
    # csv and openpyxl read "\r" back as a line break inside the cell.
    assert acciones_exportadas[1][2].startswith(marca + "\r") or acciones_exportadas[1][
        2
    ].startswith(marca + "\n")
    assert acciones_exportadas[1][2].endswith("CR=1+1")
    # The numbers of the same rows stay numbers.
    assert acciones_exportadas[0][1] in (1, "1")


def test_no_formula_cell_in_the_xlsx(client):
    _entrar(client)
    AccionGeneral.objects.filter(anio=2023).update(actividad='=HYPERLINK("http://x","y")')

    respuesta = client.get(_url("tabla-10", "xlsx"))

    hoja = _hoja(respuesta.content)
    tipos = {celda.data_type for fila in hoja.iter_rows() for celda in fila}
    assert "f" not in tipos
    celda = hoja.cell(row=2, column=1)
    # Shown as typed (no apostrophe in the cell), never computed: Excel's quote prefix.
    assert (celda.value, celda.data_type, celda.quotePrefix) == (
        '=HYPERLINK("http://x","y")',
        "s",
        True,
    )


def test_negative_numbers_stay_numbers_in_both_formats():
    datos = tablib.Dataset(headers=["Concepto", "Monto", "Cantidad", "Texto"])
    datos.append(["Ajuste", Decimal("-125.50"), -3, "-3"])

    hoja = _hoja(a_xlsx(datos, hoja="Prueba"))
    fila_csv = _leer_csv(a_csv(datos))[1][0]

    monto, cantidad, texto = (hoja.cell(row=2, column=n) for n in (2, 3, 4))
    assert monto.data_type == "n" and monto.value == -125.5
    assert cantidad.data_type == "n" and cantidad.value == -3
    assert (texto.data_type, texto.value, texto.quotePrefix) == ("s", "-3", True)
    assert fila_csv == ["Ajuste", "-125,50", "-3", "'-3"]


def test_characters_xml_forbids_do_not_break_the_xlsx(client):
    _entrar(client)
    AccionGeneral.objects.filter(anio=2023, orden=1).update(descripcion="Pegado\x0bde Word\x1f")

    _, filas = _descargar(client, "tabla-10", "xlsx")

    assert filas[0][3] == "Pegado\ufffdde Word\ufffd"


# --- The view ---------------------------------------------------------------------------------


@pytest.mark.parametrize("formato", FORMATOS)
def test_anonymous_is_sent_to_login(client, formato):
    respuesta = client.get(_url("tabla-01", formato))

    assert respuesta.status_code == 302
    assert respuesta.url.startswith(reverse("login"))


@pytest.mark.parametrize("formato", FORMATOS)
def test_centre_staff_may_not_export(client, formato):
    _entrar(client, Rol.PERSONAL_CENTRO, centro_ids=[1])

    assert client.get(_url("tabla-01", formato)).status_code == 403


@pytest.mark.parametrize(
    ("formato", "tipo"), [("xlsx", TIPO_XLSX), ("csv", "text/csv; charset=utf-8")]
)
@pytest.mark.parametrize("rol", [Rol.COORDINACION, Rol.ADMINISTRACION])
def test_coordination_and_administration_download_the_file(client, rol, formato, tipo):
    _entrar(client, rol)

    respuesta = client.get(_url("tabla-01", formato))

    assert respuesta.status_code == 200
    assert respuesta["Content-Type"] == tipo
    assert respuesta["Content-Disposition"] == (
        f'attachment; filename="rendicion-2023-tabla-01.{formato}"'
    )


@pytest.mark.parametrize(
    ("anio", "slug", "formato"),
    [
        (2023, "tabla-13", "xlsx"),
        (2023, "tabla-1", "csv"),
        (2023, "tabla-01", "pdf"),
        (2023, "tabla-01", "xls"),
        (2023, "tabla-01", "xlsx.csv"),
        (2023, "tabla-01", "XLSX"),
        (2031, "tabla-01", "xlsx"),
        (2031, "tabla-01", "csv"),
    ],
)
def test_unknown_table_format_or_year_is_404(client, anio, slug, formato):
    _entrar(client)

    assert client.get(_url(slug, formato, anio=anio)).status_code == 404


def test_the_report_page_links_every_table_in_both_formats(client):
    _entrar(client)

    contenido = client.get(reverse("rendicion:informe", args=[2023])).content.decode()

    assert "Exportar tablas" in contenido
    for slug, tabla in TABLAS.items():
        assert tabla.titulo in contenido
        for formato in FORMATOS:
            assert f'href="{_url(slug, formato)}"' in contenido
    assert contenido.index("titulo-consistencia") < contenido.index("Exportar tablas")


def _consultas(client, url) -> int:
    with CaptureQueriesContext(connection) as contexto:
        assert client.get(url).status_code == 200
    return len(contexto.captured_queries)


def test_export_queries_do_not_grow_with_three_times_the_data(client):
    _entrar(client)
    urls = [_url(slug, formato) for slug in TABLAS for formato in FORMATOS]
    antes = {url: _consultas(client, url) for url in urls}

    anio_multiplicar(anio=2023, factor=3)

    despues = {url: _consultas(client, url) for url in urls}
    assert despues == antes
    _, filas = _descargar(client, "tabla-01", "xlsx")
    assert filas[-1][3] == 3 * 523
