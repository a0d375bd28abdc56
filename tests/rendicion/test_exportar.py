"""Exports of the report's tables (XLSX and CSV): the same values as the selectors, formula
text neutralised while numbers stay numbers, who may download them, 404s, and a number of
queries that does not grow with the data."""

import csv
import datetime
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from bench.sintetico import anio_multiplicar
from centros.models import AccionGeneral, Indicador, Modalidad
from convenios.models import Convenio
from rendicion.exportar import TABLAS, a_csv, a_xlsx
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


# --- What each table must hold, straight from the selectors -----------------------------------


def _usuarios(tabla, con_linea):
    filas = []
    for fila in tabla.filas:
        linea = [fila.linea_nombre] if con_linea else []
        filas.append(
            [fila.numero, fila.nombre, Modalidad(fila.modalidad).label, *linea, fila.usuarios]
        )
    vacias = [None] if con_linea else []
    return [*filas, [None, "Total", None, *vacias, tabla.total]]


def _redondear(valor, unidad="1"):
    """Half up, as the report prints (Python's round() would give 110 for 110.5)."""
    redondeado = Decimal(valor).quantize(Decimal(unidad), rounding=ROUND_HALF_UP)
    return int(redondeado) if unidad == "1" else redondeado


def _cifras(centros):
    filas = []
    for centro in centros:
        for cifra in centro.cifras:
            unidad = Indicador.Unidad(cifra.unidad).label
            filas.append([centro.numero, centro.nombre_corto, cifra.nombre, unidad])
            if cifra.es_monetaria:
                filas[-1] += [cifra.valor, None, None]
            else:
                promedios = [_redondear(cifra.promedio_diario), _redondear(cifra.promedio_mensual)]
                no_flujo = [None, None]
                filas[-1] += [_redondear(cifra.valor), *(promedios if cifra.es_flujo else no_flujo)]
        if centro.personal:
            filas.append([centro.numero, centro.nombre_corto, "Equipo", "Colaboradores"])
            filas[-1] += [centro.personal, None, None]
    return filas


def _esperado(informe, slug) -> tuple[list[str], list[list]]:
    p, c = informe.presupuesto, informe.contratacion
    tablas = {
        "tabla-01": (
            ["Nro.", "Centro/Proyecto", "Modalidad", "Nro. usuarios"],
            _usuarios(informe.desarrollo_infantil, con_linea=False),
        ),
        "tabla-02": (
            ["Nro.", "Centro/Proyecto", "Nro. usuarios"],
            [[centro.numero, centro.nombre, informe.clinica.total] for centro in informe.salud]
            + [
                [None, f"Pacientes atendidos en {fila.nombre.lower()}", fila.pacientes]
                for fila in informe.clinica.por_servicio
            ],
        ),
        "tabla-03": (["Especialidad"], [[e.nombre] for e in informe.especialidades]),
        "tabla-04": (
            ["Especialidad", "Nro. de profesionales"],
            [[f.denominacion, f.cantidad] for f in informe.dotacion.filas]
            + [["Total", informe.dotacion.total]],
        ),
        "tabla-05": (
            ["Servicio", "Días", "Horario"],
            [[h.servicio, h.dias, h.horas] for h in informe.horarios_clinica],
        ),
        "tabla-06": (
            ["Nro.", "Centro/Proyecto", "Modalidad", "Línea", "Nro. usuarios"],
            _usuarios(informe.apoyo_social, con_linea=True),
        ),
        "tabla-07": (
            ["Instalación", "Descripción", "Objetivo"],
            [[i.nombre, i.descripcion, i.objetivo] for i in informe.instalaciones],
        ),
        "tabla-08": (
            ["Servicio", "Descripción", "Horario"],
            [
                [h.servicio, h.descripcion, " ".join(filter(None, [h.dias, h.horas]))]
                for h in informe.horarios_servicios
            ],
        ),
        "tabla-09": (
            ["Convenio", "Nro.", "Plazo", "Desde", "Hasta", "Nota sobre el plazo", "Descripción"],
            [
                [
                    conv.titulo,
                    conv.numero_mostrado,
                    "Indefinido" if conv.indefinido else conv.duracion_declarada_texto,
                    conv.fecha_inicio,
                    conv.fecha_fin,
                    conv.plazo_nota,
                    conv.objeto,
                ]
                for conv in informe.convenios
            ],
        ),
        "tabla-10": (
            ["Actividad", "Cantidad", "Sector", "Descripción", "Nro. beneficiarios"]
            + ["Beneficiarios"],
            [
                [a.actividad, a.cantidad, a.sector, a.descripcion, a.beneficiarios]
                + [a.get_unidad_beneficiarios_display()]
                for a in informe.acciones
            ],
        ),
        "tabla-11": (
            ["Área", "Presupuesto", "Participación (%)"],
            [[f.area, f.codificado, _redondear(p.participacion(f) * 100, "0.1")] for f in p.filas]
            + [["Total", p.total, Decimal("100.0")]],
        ),
        "tabla-12": (
            ["Tipo de contratación", "Nro. de procesos", "Monto"],
            [[f.nombre, f.procesos, f.monto] for f in c.filas]
            + [["Total", c.total_procesos, c.total_monto]],
        ),
        "cifras-impulso-economico": (
            ["Nro.", "Centro/Proyecto", "Cifra", "Unidad", "Valor anual"]
            + ["Promedio diario", "Promedio mensual"],
            _cifras(informe.impulso_economico),
        ),
        "cifras-servicios-comunidad": (
            ["Nro.", "Centro/Proyecto", "Cifra", "Unidad", "Valor anual"]
            + ["Promedio diario", "Promedio mensual"],
            _cifras(informe.servicios_comunidad),
        ),
    }
    return tablas[slug]


def test_every_table_of_the_report_is_exportable():
    assert list(TABLAS) == [f"tabla-{n:02d}" for n in range(1, 13)] + [
        "cifras-impulso-economico",
        "cifras-servicios-comunidad",
    ]
    assert TABLAS["tabla-01"].titulo == "Tabla 1: Centros/Proyectos del Área de Desarrollo infantil"


@pytest.mark.parametrize("formato", FORMATOS)
@pytest.mark.parametrize("slug", list(TABLAS))
def test_each_file_holds_the_selectors_values(client, slug, formato):
    _entrar(client)
    encabezados, esperadas = _esperado(informe_rendicion(anio=2023), slug)

    leidos, filas = _descargar(client, slug, formato)

    assert leidos == encabezados
    assert filas == _normalizar(formato, esperadas)
    assert filas, "2023 has rows in every table"


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

    assert tabla_1[-1][1] == "Total" and numero(tabla_1[-1][3]) == 523
    assert numero(tabla_2[0][2]) == 68430
    assert sum(numero(fila[2]) for fila in tabla_2[1:]) == 68430
    assert tabla_4[-1][0] == "Total" and numero(tabla_4[-1][1]) == 56
    assert tabla_11[-1][0] == "Total"
    assert dinero(tabla_11[-1][1]) == Decimal("1600469.59")
    assert sum(dinero(fila[1]) for fila in tabla_11[:-1]) == Decimal("1600469.59")
    assert tabla_12[-1][0] == "Total"
    assert numero(tabla_12[-1][1]) == 190
    assert dinero(tabla_12[-1][2]) == Decimal("746212.05")


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

    assert convenios[0][0] == "'=cmd|' /C calc'!A0"
    assert convenios[0][6] == "'+1"
    assert [acciones_exportadas[0][0], acciones_exportadas[0][2]] == ["'-1+2", "'@SUM(A1)"]
    assert acciones_exportadas[1][0] == "'\tTAB"
    # csv and openpyxl read "\r" back as a line break inside the cell.
    assert acciones_exportadas[1][2].startswith("'") and acciones_exportadas[1][2].endswith(
        "CR=1+1"
    )
    # The numbers of the same rows stay numbers.
    assert acciones_exportadas[0][1] in (1, "1")


def test_no_formula_cell_in_the_xlsx(client):
    _entrar(client)
    AccionGeneral.objects.filter(anio=2023).update(actividad='=HYPERLINK("http://x","y")')

    respuesta = client.get(_url("tabla-10", "xlsx"))

    hoja = _hoja(respuesta.content)
    tipos = {celda.data_type for fila in hoja.iter_rows() for celda in fila}
    assert "f" not in tipos
    assert hoja.cell(row=2, column=1).value == '\'=HYPERLINK("http://x","y")'


def test_negative_numbers_stay_numbers_in_both_formats():
    datos = tablib.Dataset(headers=["Concepto", "Monto", "Cantidad", "Texto"])
    datos.append(["Ajuste", Decimal("-125.50"), -3, "-3"])

    hoja = _hoja(a_xlsx(datos, hoja="Prueba"))
    fila_csv = _leer_csv(a_csv(datos))[1][0]

    monto, cantidad, texto = (hoja.cell(row=2, column=n) for n in (2, 3, 4))
    assert monto.data_type == "n" and monto.value == -125.5
    assert cantidad.data_type == "n" and cantidad.value == -3
    assert texto.data_type == "s" and texto.value == "'-3"
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
