"""The report's tables, defined once (`rendicion.tablas`): what the page prints from each
definition (captions, cells in es-EC, total rows) and the values the definitions read."""

import datetime
from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test.html import parse_html
from django.urls import reverse

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from rendicion.selectors import informe_rendicion
from rendicion.tablas import TABLAS, Celda, Columna, DefinicionTabla, Tipo, tablas_del_informe

NUMERADAS = [slug for slug in TABLAS if slug.startswith("tabla-")]


@pytest.fixture
def tablas(datos_2023):
    return tablas_del_informe(informe_rendicion(anio=2023))


def _textos(fila: list[Celda]) -> list[str]:
    return [celda.texto for celda in fila]


# --- The page ---------------------------------------------------------------------------------


def _texto(nodo) -> str:
    if isinstance(nodo, str):
        return nodo
    return " ".join(texto for hijo in nodo.children if (texto := _texto(hijo)))


def _elementos(nodo, nombre: str):
    """Every element so named under `nodo`, in document order."""
    for hijo in nodo.children:
        if isinstance(hijo, str):
            continue
        if hijo.name == nombre:
            yield hijo
        yield from _elementos(hijo, nombre)


def _totales_por_tabla(html: str) -> dict[str, list[list[str]]]:
    """The page's tables by caption, each with the cell texts of its total rows: those of its
    footer and those marked as totals in its body."""
    tablas = {}
    for tabla in _elementos(parse_html(html), "table"):
        totales = []
        for parte in tabla.children:
            for fila in _elementos(parte, "tr"):
                clases = dict(fila.attributes).get("class", "").split()
                if parte.name == "tfoot" or "fila-total" in clases:
                    totales.append([_texto(celda) for celda in fila.children])
        tablas[_texto(next(_elementos(tabla, "caption")))] = totales
    return tablas


@pytest.fixture
def pagina(client, datos_2023):
    usuario = usuario_con_rol_guardar(
        username="coordinacion", password="x-clave-1", rol=Rol.COORDINACION
    )
    client.force_login(usuario)
    return client.get(reverse("rendicion:informe", args=[2023])).content.decode()


def test_the_page_shows_each_table_with_its_caption_and_total_rows(pagina, tablas):
    en_la_pagina = _totales_por_tabla(pagina)

    for slug in NUMERADAS:
        tabla = tablas[slug.replace("-", "_")]
        titulo = tabla.definicion.titulo
        assert titulo in en_la_pagina, f"{titulo} is not on the page"
        assert en_la_pagina[titulo] == [_textos(fila) for fila in tabla.totales_pagina], titulo
    assert list(en_la_pagina) == [
        tablas[slug.replace("-", "_")].definicion.titulo for slug in NUMERADAS
    ]


def test_the_page_prints_the_totals_of_the_2023_report(pagina):
    en_la_pagina = _totales_por_tabla(pagina)

    assert en_la_pagina["Tabla 1: Centros/Proyectos del Área de Desarrollo infantil"] == [
        ["", "Total", "523"]
    ]
    assert en_la_pagina["Tabla 2: Centros/Proyectos del Área de Salud"] == [
        ["13.", 'CLÍNICA HOSPITAL MUNICIPAL "JULIA ESTHER GONZÁLEZ DELGADO"', "68.430"]
    ]
    assert en_la_pagina["Tabla 4: Especialidades y número de profesionales de la Clínica"] == [
        ["Total", "56"]
    ]
    assert en_la_pagina["Tabla 6: Centros/Proyectos del Área de Apoyo y Servicio Social"] == [
        ["", "Total", "2.254"]
    ]
    assert en_la_pagina["Tabla 11: Presupuesto por línea de acción"] == [
        ["Total", "$1.600.469,59", "100,0 %"]
    ]
    assert en_la_pagina["Tabla 12: Procesos de contratación"] == [["Total", "190", "$746.212,05"]]


# --- Cells as the page prints them ------------------------------------------------------------


def test_page_cells_print_each_kind_of_value_in_spanish_of_ecuador(tablas):
    centro = tablas["tabla_01"].filas_pagina[0]
    presupuesto = tablas["tabla_11"].filas_pagina[0]

    assert _textos(centro) == [
        "1.",
        'CENTRO INFANTIL MUNICIPAL Nro. 1 "MERCADO CENTRO COMERCIAL" *',
        "60",
    ]
    assert [celda.numerica for celda in centro] == [True, False, True]
    assert _textos(presupuesto) == ["Desarrollo infantil", "$337.482,72", "21,1 %"]
    assert tablas["tabla_10"].filas_pagina[0][-1].texto == "858 individuos"


def test_an_agreements_term_is_one_cell_of_several_lines_on_the_page(tablas):
    convenios = tablas["tabla_09"]

    assert _textos(convenios.encabezados) == [
        "Convenio",
        "Nro.",
        "Plazo de ejecución",
        "Descripción",
    ]
    assert convenios.filas_pagina[0][2].lineas == ("5 años", "Desde 29/11/2018", "Hasta 29/11/2023")
    assert convenios.filas_hoja[0][2:6] == [
        "5 años",
        datetime.date(2018, 11, 29),
        datetime.date(2023, 11, 29),
        "",
    ]


def test_columns_only_the_sheets_keep_are_not_printed(tablas):
    centros = tablas["tabla_01"]

    assert _textos(centros.encabezados) == ["Nro.", "Centro/Proyecto", "Nro. usuarios"]
    assert centros.encabezados_hoja == [
        "Nro.",
        "Centro/Proyecto",
        "Modalidad",
        "Nro. usuarios",
        "Regla",
    ]
    assert centros.filas_hoja[0][2] == "Financiado por el CASMUL"
    # The rule that makes one yearly number of the months, beside each centre's users.
    assert {fila[4] for fila in centros.filas_hoja} == {"máximo mensual"}
    assert tablas["tabla_11"].encabezados_hoja == ["Área", "Presupuesto", "Participación (%)"]


def test_a_total_label_spans_the_blank_cells_after_it(tablas):
    (total,) = tablas["tabla_06"].totales_pagina

    assert total == [
        Celda(),
        Celda(lineas=("Total",), columnas=2),
        Celda(lineas=("2.254",), numerica=True),
    ]


def test_a_centres_figures_are_printed_as_counts_or_dollars_row_by_row(tablas):
    cifras = tablas["cifras_servicios_comunidad"]

    assert [fila[4].texto for fila in cifras.filas_pagina] == ["30.603", "$102.591,18", "7"]


# --- Values the definitions read --------------------------------------------------------------


def test_tabla_2_opens_with_the_clinic_whose_total_is_the_sum_of_its_services(tablas):
    clinica = tablas["tabla_02"]

    assert clinica.total_primero
    assert clinica.totales == (
        (13, 'CLÍNICA HOSPITAL MUNICIPAL "JULIA ESTHER GONZÁLEZ DELGADO"', 68430),
    )
    assert [fila[2] for fila in clinica.filas] == [59889, 2092, 6449]
    assert sum(fila[2] for fila in clinica.filas) == 68430


def test_budget_shares_are_rounded_as_printed_and_the_amounts_add_up(tablas):
    presupuesto = tablas["tabla_11"]

    assert [fila[2] for fila in presupuesto.filas] == [
        Decimal("21.1"),
        Decimal("31.2"),
        Decimal("46.5"),
        Decimal("0.5"),
        Decimal("0.7"),
    ]
    assert sum(fila[1] for fila in presupuesto.filas) == presupuesto.totales[0][1]
    assert presupuesto.totales == (("Total", Decimal("1600469.59"), Decimal("100.0")),)


# --- The definition itself --------------------------------------------------------------------


# A table of plain rows, without a report behind it.
PRUEBA = DefinicionTabla(
    slug="prueba",
    etiqueta="Tabla 0",
    nombre="Prueba",
    hoja="Prueba",
    columnas=(
        Columna("Concepto", lambda fila: fila.concepto),
        Columna("Monto", lambda fila: fila.monto, Tipo.DINERO),
        Columna("Participación", lambda fila: None, Tipo.PORCENTAJE),
    ),
    registros=lambda informe: [SimpleNamespace(concepto="Ajuste", monto=None)],
)


def test_a_total_of_a_column_the_table_does_not_have_is_refused():
    definicion = replace(PRUEBA, totales=lambda informe: [{"Concepto": "Total", "Montos": 1}])

    with pytest.raises(ValueError, match="Montos"):
        definicion.tabla(informe=None)


def test_a_missing_value_is_a_blank_cell_and_a_number_does_not_span_the_next_blank():
    definicion = replace(
        PRUEBA, totales=lambda informe: [{"Concepto": "Total", "Monto": Decimal("0.00")}]
    )

    tabla = definicion.tabla(informe=SimpleNamespace(anio=2023))

    assert tabla.filas_pagina == [[Celda(lineas=("Ajuste",)), Celda(), Celda()]]
    assert _textos(tabla.totales_pagina[0]) == ["Total", "$0,00", ""]
