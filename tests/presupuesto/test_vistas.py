"""The budget pages: who may see and write them, the budget lines' list (filters, totals,
subtotals per área, export), the institutional budget and shared expenses, the index, and
the query count of every list."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from presupuesto.models import GastoComun, LineaPresupuestaria, PresupuestoInstitucional
from tests.factories import (
    AreaFactory,
    CentroFactory,
    GastoComunFactory,
    LineaPresupuestariaFactory,
    PresupuestoInstitucionalFactory,
    ProcesoContratacionFactory,
    PublicacionFactory,
)

from .conftest import consultas

pytestmark = pytest.mark.django_db

LISTAS = [
    "/presupuesto/",
    "/presupuesto/lineas/",
    "/presupuesto/institucional/",
    "/presupuesto/gastos-comunes/",
    "/presupuesto/contratacion/",
]
NUEVOS = [
    "/presupuesto/lineas/nueva/",
    "/presupuesto/institucional/nuevo/",
    "/presupuesto/gastos-comunes/nuevo/",
    "/presupuesto/contratacion/nuevo/",
]


def _edicion(tipo: str) -> str:
    registro = {
        "lineas": LineaPresupuestariaFactory,
        "institucional": PresupuestoInstitucionalFactory,
        "gastos-comunes": GastoComunFactory,
        "contratacion": ProcesoContratacionFactory,
    }[tipo]()
    return f"/presupuesto/{tipo}/{registro.pk}/"


EDICIONES = ["lineas", "institucional", "gastos-comunes", "contratacion"]


# --- Access --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTAS + NUEVOS)
def test_anonymous_users_are_sent_to_the_login_page(client, url):
    respuesta = client.get(url)

    assert respuesta.status_code == 302
    assert respuesta["Location"].startswith("/ingresar/?next=")


@pytest.mark.parametrize("url", LISTAS + NUEVOS)
def test_centre_staff_get_403(personal, url):
    assert personal.get(url).status_code == 403


@pytest.mark.parametrize("url", LISTAS)
def test_the_coordination_and_the_administration_read_the_lists(coordinacion, administracion, url):
    assert coordinacion.get(url).status_code == 200
    assert administracion.get(url).status_code == 200


@pytest.mark.parametrize("url", NUEVOS)
def test_the_coordination_cannot_create(coordinacion, url):
    assert coordinacion.get(url).status_code == 403
    assert coordinacion.post(url, {"anio": "2023"}).status_code == 403


@pytest.mark.parametrize("tipo", EDICIONES)
def test_the_coordination_cannot_edit_and_centre_staff_neither(coordinacion, personal, tipo):
    url = _edicion(tipo)

    assert coordinacion.get(url).status_code == 403
    assert coordinacion.post(url, {"anio": "2023"}).status_code == 403
    assert personal.post(url, {"anio": "2023"}).status_code == 403


@pytest.mark.parametrize("tipo", EDICIONES)
def test_the_administration_opens_every_edit_form(administracion, tipo):
    assert administracion.get(_edicion(tipo)).status_code == 200


def test_the_write_links_are_shown_only_to_the_administration(coordinacion, administracion):
    LineaPresupuestariaFactory(anio=timezone.localdate().year)

    leida = coordinacion.get("/presupuesto/lineas/").content.decode()
    escrita = administracion.get("/presupuesto/lineas/").content.decode()

    assert "/presupuesto/lineas/nueva/" not in leida and "Editar" not in leida
    assert "/presupuesto/lineas/nueva/" in escrita and "Editar" in escrita


def test_the_site_navigation_links_the_budget_for_those_who_may_see_it(
    coordinacion, administracion, personal
):
    enlace = 'href="/presupuesto/">Presupuesto</a>'

    assert enlace in coordinacion.get("/presupuesto/").content.decode()
    assert enlace in administracion.get("/presupuesto/").content.decode()
    assert enlace not in personal.get("/").content.decode()


# --- Budget lines: filters, totals, subtotals ----------------------------------------------


@pytest.fixture
def lineas():
    """Lines of 2023 in two áreas (one with a centre, one without executed amount) and one
    of 2022."""
    infancia = AreaFactory(nombre="Desarrollo infantil", orden=1)
    salud = AreaFactory(nombre="Atención en salud", orden=2)
    centro = CentroFactory(area=infancia)
    filas = [
        (2023, infancia, centro, "73.08.01", "Alimentación CDI", "10000.10", "8000.05"),
        (2023, infancia, None, "73.08.02", "Material didáctico", "2500.00", "2500.00"),
        (2023, salud, None, "71.01.05", "Honorarios médicos", "50000.00", None),
        (2023, salud, None, "73.08.09", "Medicinas", "12345.67", "9876.54"),
        (2022, salud, None, "73.08.09", "Medicinas", "999.99", "999.99"),
    ]
    for anio, area, centro_linea, partida, descripcion, codificado, ejecutado in filas:
        LineaPresupuestariaFactory(
            anio=anio,
            area=area,
            centro=centro_linea,
            partida=partida,
            descripcion=descripcion,
            codificado=D(codificado),
            ejecutado=D(ejecutado) if ejecutado else None,
        )
    return {"infancia": infancia, "salud": salud, "centro": centro}


def _filtros_lineas(datos):
    return [
        ("anio=2023", lambda linea: linea.anio == 2023),
        ("anio=todos", lambda linea: True),
        (
            f"anio=2023&area={datos['salud'].pk}",
            lambda linea: linea.anio == 2023 and linea.area_id == datos["salud"].pk,
        ),
        (
            f"anio=2023&centro={datos['centro'].pk}",
            lambda linea: linea.anio == 2023 and linea.centro_id == datos["centro"].pk,
        ),
        (
            "anio=todos&texto=medicinas",
            lambda linea: "medicinas" in linea.descripcion.lower(),
        ),
        ("anio=2023&texto=73.08", lambda linea: linea.anio == 2023 and "73.08" in linea.partida),
    ]


@pytest.mark.parametrize("caso", range(6))
def test_line_filters_narrow_the_list_and_totals_are_those_of_the_filtered_rows(
    coordinacion, lineas, caso
):
    consulta, cumple = _filtros_lineas(lineas)[caso]
    esperadas = [linea for linea in LineaPresupuestaria.objects.all() if cumple(linea)]

    respuesta = coordinacion.get(f"/presupuesto/lineas/?{consulta}")

    assert respuesta.status_code == 200
    assert {linea.pk for linea in respuesta.context["pagina"]} == {x.pk for x in esperadas}
    totales = respuesta.context["totales"]
    codificado = sum((x.codificado for x in esperadas), D("0.00"))
    ejecutado = sum((x.ejecutado or D("0") for x in esperadas), D("0.00"))
    assert (totales.lineas, totales.codificado, totales.ejecutado) == (
        len(esperadas),
        codificado,
        ejecutado,
    )
    assert totales.ejecucion == (ejecutado / codificado if codificado else None)
    subtotales = {
        fila.area_id: (fila.lineas, fila.codificado, fila.ejecutado)
        for fila in respuesta.context["por_area"]
    }
    assert subtotales == {
        area_id: (
            sum(1 for x in esperadas if x.area_id == area_id),
            sum((x.codificado for x in esperadas if x.area_id == area_id), D("0.00")),
            sum((x.ejecutado or D("0") for x in esperadas if x.area_id == area_id), D("0.00")),
        )
        for area_id in {x.area_id for x in esperadas}
    }


def test_line_totals_are_shown_the_ecuadorian_way(coordinacion, lineas):
    html = coordinacion.get("/presupuesto/lineas/?anio=2023").content.decode()

    # 10.000,10 + 2.500 + 50.000 + 12.345,67 and 8.000,05 + 2.500 + 9.876,54
    assert "$74.845,77" in html
    assert "$20.376,59" in html
    assert "27,2 %" in html  # 20.376,59 / 74.845,77


def test_the_area_subtotals_follow_the_areas_order(coordinacion, lineas):
    respuesta = coordinacion.get("/presupuesto/lineas/?anio=2023")

    assert [fila.area for fila in respuesta.context["por_area"]] == [
        "Desarrollo infantil",
        "Atención en salud",
    ]


def test_without_a_year_the_lines_list_shows_the_current_year(coordinacion, lineas):
    anio = timezone.localdate().year
    LineaPresupuestariaFactory(anio=anio, area=lineas["salud"], descripcion="Este año")

    respuesta = coordinacion.get("/presupuesto/lineas/")

    assert [linea.descripcion for linea in respuesta.context["pagina"]] == ["Este año"]


def test_the_lines_export_holds_every_filtered_row_with_numbers_as_numbers(coordinacion, lineas):
    LineaPresupuestariaFactory(anio=2023, area=lineas["salud"], descripcion="@SUMA(A1)")
    for _ in range(60):  # more than a page: the export is not paginated
        LineaPresupuestariaFactory(anio=2023, area=lineas["salud"])
    url = f"/presupuesto/lineas/?anio=2023&area={lineas['salud'].pk}"
    esperadas = LineaPresupuestaria.objects.filter(anio=2023, area=lineas["salud"])

    libro = load_workbook(io.BytesIO(coordinacion.get(f"{url}&formato=xlsx").content))
    hoja = libro.active
    filas = list(hoja.iter_rows(min_row=2, values_only=True))
    assert len(filas) == esperadas.count() == 63
    assert all(celda.data_type != "f" for fila in hoja.iter_rows() for celda in fila)
    columna = {celda.value: indice for indice, celda in enumerate(hoja[1])}
    codificado, descripcion = columna["Codificado"], columna["Descripción"]
    assert all(isinstance(fila[codificado], int | float) for fila in filas)
    assert sum(D(str(fila[codificado])) for fila in filas) == sum(x.codificado for x in esperadas)
    assert "@SUMA(A1)" in [fila[descripcion] for fila in filas]  # a text cell, quote-prefixed

    texto = coordinacion.get(f"{url}&formato=csv").content.decode("utf-8-sig")
    filas_csv = list(csv.reader(io.StringIO(texto), delimiter=";"))[1:]
    assert len(filas_csv) == 63
    # The import's columns (the área's code, the centre's number) and, beside them, names.
    assert [
        "2023",
        lineas["salud"].codigo,
        "Atención en salud",
        "",
        "",
        "73.08.09",
        "Medicinas",
        "12345,67",
        "9876,54",
        "80,0",
    ] in filas_csv


def test_the_lines_list_is_paginated(coordinacion, lineas):
    for _ in range(55):
        LineaPresupuestariaFactory(anio=2023, area=lineas["salud"])

    respuesta = coordinacion.get("/presupuesto/lineas/?anio=2023&pagina=2")

    assert len(respuesta.context["pagina"]) == 59 - 50
    assert respuesta.context["totales"].lineas == 59


# --- Budget lines: create and edit ---------------------------------------------------------


def _linea(area, **cambios) -> dict:
    datos = {
        "anio": "2023",
        "area": str(area.pk),
        "centro": "",
        "partida": "73.08.01",
        "descripcion": "Alimentación",
        "codificado": "1.600.469,59",
        "ejecutado": "",
    }
    return {**datos, **cambios}


def test_the_administration_creates_and_edits_a_line(administracion):
    area = AreaFactory()

    creada = administracion.post("/presupuesto/lineas/nueva/", _linea(area))
    linea = LineaPresupuestaria.objects.get()
    editada = administracion.post(
        f"/presupuesto/lineas/{linea.pk}/", _linea(area, ejecutado="623.000,00")
    )

    assert (creada.status_code, editada.status_code) == (302, 302)
    linea.refresh_from_db()
    assert (linea.codificado, linea.ejecutado) == (D("1600469.59"), D("623000.00"))


def test_a_line_with_ambiguous_money_is_not_saved_and_keeps_what_was_typed(administracion):
    area = AreaFactory()

    respuesta = administracion.post(
        "/presupuesto/lineas/nueva/", _linea(area, codificado="1.250", descripcion="<b>x</b>")
    )

    assert respuesta.status_code == 400
    assert not LineaPresupuestaria.objects.exists()
    assert "«1.250» es ambiguo" in respuesta.context["form"].errors["codificado"][0]
    html = respuesta.content.decode()
    assert 'value="1.250"' in html
    assert 'value="&lt;b&gt;x&lt;/b&gt;"' in html  # escaped


def test_a_line_of_a_published_year_is_refused_and_the_page_says_so(administracion):
    linea = LineaPresupuestariaFactory(anio=2023, codificado=D("10.00"))
    PublicacionFactory(anio=2023)
    url = f"/presupuesto/lineas/{linea.pk}/"

    assert "2023 está publicado" in administracion.get(url).content.decode()
    respuesta = administracion.post(url, _linea(linea.area, codificado="20,00"))

    assert respuesta.status_code == 400
    linea.refresh_from_db()
    assert linea.codificado == D("10.00")


# --- Institutional budget and shared expenses ----------------------------------------------


def test_the_administration_records_a_years_institutional_budget(administracion):
    datos = {
        "anio": "2023",
        "ingresos_percibidos": "5.699.944,41",
        "gasto_codificado": "4.000.000,00",
        "gasto_ejecutado": "1.560.000,00",
    }

    assert administracion.post("/presupuesto/institucional/nuevo/", datos).status_code == 302
    segundo = administracion.post("/presupuesto/institucional/nuevo/", datos)

    presupuesto = PresupuestoInstitucional.objects.get()
    assert presupuesto.ingresos_percibidos == D("5699944.41")
    assert segundo.status_code == 400  # one per year
    assert "anio" in segundo.context["form"].errors
    html = administracion.get("/presupuesto/institucional/").content.decode()
    assert "$5.699.944,41" in html and "39,0 %" in html


def test_an_institutional_budget_with_bad_money_keeps_what_was_typed(administracion):
    datos = {
        "anio": "2023",
        "ingresos_percibidos": "5.699.944.41",
        "gasto_codificado": "4.000.000,00",
        "gasto_ejecutado": "-1,00",
    }

    respuesta = administracion.post("/presupuesto/institucional/nuevo/", datos)

    assert respuesta.status_code == 400
    errores = respuesta.context["form"].errors
    assert "El punto solo separa los miles" in errores["ingresos_percibidos"][0]
    assert "no puede ser negativa" in errores["gasto_ejecutado"][0]
    assert 'value="5.699.944.41"' in respuesta.content.decode()
    assert not PresupuestoInstitucional.objects.exists()


def test_the_administration_creates_and_edits_a_shared_expense(administracion):
    datos = {"anio": "2023", "concepto": "Alimentación", "descripcion": "", "monto": "196.758,60"}

    assert administracion.post("/presupuesto/gastos-comunes/nuevo/", datos).status_code == 302
    gasto = GastoComun.objects.get()
    editado = administracion.post(
        f"/presupuesto/gastos-comunes/{gasto.pk}/", {**datos, "monto": "196.758,61"}
    )

    assert editado.status_code == 302
    gasto.refresh_from_db()
    assert gasto.monto == D("196758.61")


def test_the_shared_expenses_list_is_of_a_year_with_its_total(coordinacion):
    GastoComunFactory(anio=2023, monto=D("196758.60"))
    GastoComunFactory(anio=2023, monto=D("1000.00"))
    GastoComunFactory(anio=2022, monto=D("5.00"))

    respuesta = coordinacion.get("/presupuesto/gastos-comunes/?anio=2023")

    assert len(respuesta.context["gastos"]) == 2
    assert respuesta.context["total"] == D("197758.60")
    assert "$197.758,60" in respuesta.content.decode()


def test_a_shared_expense_of_a_published_year_is_refused(administracion):
    PublicacionFactory(anio=2023)
    datos = {"anio": "2023", "concepto": "Alimentación", "descripcion": "", "monto": "1,00"}

    respuesta = administracion.post("/presupuesto/gastos-comunes/nuevo/", datos)

    assert respuesta.status_code == 400
    assert "2023 está publicado" in respuesta.content.decode()
    assert not GastoComun.objects.exists()


# --- Index ---------------------------------------------------------------------------------


def test_the_index_shows_the_current_years_totals_and_links_the_lists(coordinacion):
    anio = timezone.localdate().year
    LineaPresupuestariaFactory(anio=anio, codificado=D("1000.00"), ejecutado=D("250.00"))
    LineaPresupuestariaFactory(anio=anio, codificado=D("234.56"), ejecutado=None)
    LineaPresupuestariaFactory(anio=anio - 1, codificado=D("999.00"))
    GastoComunFactory(anio=anio, monto=D("196758.60"))
    ProcesoContratacionFactory(anio=anio, monto=D("100.00"))
    ProcesoContratacionFactory(anio=anio, monto=D("0.50"))

    respuesta = coordinacion.get("/presupuesto/")

    resumen = respuesta.context["resumen"]
    assert (resumen.lineas.lineas, resumen.lineas.codificado) == (2, D("1234.56"))
    assert (resumen.contratacion.procesos, resumen.contratacion.monto) == (2, D("100.50"))
    assert resumen.gastos_comunes == D("196758.60")
    html = respuesta.content.decode()
    for url in (
        "/presupuesto/lineas/",
        "/presupuesto/institucional/",
        "/presupuesto/gastos-comunes/",
    ):
        assert f'href="{url}' in html
    assert 'href="/presupuesto/contratacion/' in html
    assert "$1.234,56" in html and "$196.758,60" in html and "Sin registrar" in html


# --- Query counts --------------------------------------------------------------------------


def _datos(veces: int) -> None:
    anio = timezone.localdate().year
    areas = [AreaFactory() for _ in range(2)]
    for i in range(veces):
        area = areas[i % 2]
        LineaPresupuestariaFactory(anio=anio, area=area, centro=CentroFactory(area=area))
        GastoComunFactory(anio=anio)
        PresupuestoInstitucionalFactory()
        ProcesoContratacionFactory(anio=anio)


@pytest.mark.parametrize(
    ("url", "maximo"),
    [
        # session, user and groups (the role), the navigation's count of pending work on
        # HTML pages, then the page's own
        ("/presupuesto/", 4 + 5),
        ("/presupuesto/lineas/", 4 + 6),
        ("/presupuesto/institucional/", 4 + 1),
        ("/presupuesto/gastos-comunes/", 4 + 2),
        # (the processes' list also reads the procurement types for its filter)
        ("/presupuesto/contratacion/", 4 + 5),
        ("/presupuesto/lineas/?formato=xlsx", 3 + 1),
        ("/presupuesto/contratacion/?formato=csv", 3 + 1),
    ],
)
def test_every_list_costs_the_same_queries_with_ten_times_the_data(
    coordinacion, django_assert_max_num_queries, url, maximo
):
    _datos(3)
    pocas = consultas(coordinacion, url)
    _datos(27)

    with django_assert_max_num_queries(maximo):
        muchas = consultas(coordinacion, url)
    assert muchas == pocas


def test_the_index_shows_the_year_chosen_and_the_current_one_otherwise(coordinacion, lineas):
    elegido = coordinacion.get(reverse("presupuesto:indice"), {"anio": 2023})
    invalido = coordinacion.get(reverse("presupuesto:indice"), {"anio": 1900})

    assert elegido.context["resumen"].anio == 2023
    assert (
        elegido.context["resumen"].lineas.lineas
        == LineaPresupuestaria.objects.filter(anio=2023).count()
        > 0
    )
    assert '<option value="2023" selected>' in elegido.content.decode()
    assert invalido.context["resumen"].anio == timezone.localdate().year


def test_a_line_executed_above_its_codified_budget_is_saved_with_a_warning(administracion):
    area = AreaFactory()

    normal = administracion.post(
        "/presupuesto/lineas/nueva/", _linea(area, ejecutado="1.000,00"), follow=True
    )
    excedida = administracion.post(
        "/presupuesto/lineas/nueva/",
        _linea(area, descripcion="Combustible", codificado="1.000,00", ejecutado="1.250,50"),
        follow=True,
    )

    assert LineaPresupuestaria.objects.count() == 2
    assert "supera lo codificado" not in normal.content.decode()
    assert (
        "Atención: lo ejecutado ($1.250,50) supera lo codificado ($1.000,00), una ejecución "
        "del 125,1 %" in excedida.content.decode()
    )
