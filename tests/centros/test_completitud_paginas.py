"""The completeness matrix a page at a time: a page builds its own centres' rows only, and its
totals (and its filter by state) are counted in the database for every filtered centre, equal
to what the whole matrix's cells add up to."""

import datetime
import random
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casmul.roles import Rol
from centros.estados import EstadoMes
from centros.filters import ATRASADOS, CON_ADVERTENCIAS, CentrosCompletitudFilter
from centros.models import Centro, Modalidad, PlazoDelAnio, ReporteMensual
from centros.selectors.completitud import (
    MatrizCompletitud,
    centros_con_meses_en,
    matriz_completitud,
    pagina_de_la_matriz,
)
from tests.centros.test_completitud import ANIO, _centro, _cliente, _mes, _url_matriz
from tests.factories import AreaFactory, CentroFactory, OperacionAnualFactory

E = ReporteMensual.Estado
POR_PAGINA = 4
# Every kind of day for a month of 2023 (due on the 15th of the next): nothing closed yet; a due
# day itself, and the day after; December closed but not due, then due; every month late.
HOYS = [
    datetime.date(2023, 1, 20),
    datetime.date(2023, 6, 15),
    datetime.date(2023, 6, 16),
    datetime.date(2024, 1, 10),
    datetime.date(2024, 1, 16),
    datetime.date(2025, 3, 1),
]
FILTRABLES = [
    "sin_datos",
    E.BORRADOR,
    E.DEVUELTO,
    E.ENVIADO,
    E.APROBADO,
    CON_ADVERTENCIAS,
    ATRASADOS,
]


@pytest.fixture
def red(db):
    """Eleven centres of two áreas and both modalities, created out of their numbers' order,
    each operating some months of 2023 with reports in every state, some outside its months of
    operation or still to come; one more operating only in 2022, with reports of 2023."""
    azar = random.Random(2023)
    PlazoDelAnio.objects.create(anio=ANIO, dia=15)
    areas = [AreaFactory(nombre="Salud"), AreaFactory(nombre="Infancia")]
    numeros = list(range(101, 112))
    azar.shuffle(numeros)
    for indice, numero in enumerate(numeros):
        inicio = azar.randint(1, 12)
        centro = _centro(
            numero=numero,
            area=areas[indice % 2],
            modalidad=(Modalidad.DIRECTA, Modalidad.CONVENIO_MIES)[numero % 2],
            mes_inicio=inicio,
            mes_fin=azar.randint(inicio, 12),
        )
        for mes in range(1, 13):
            if azar.random() < 0.6:
                advertencias = ["Revise la cifra."] if azar.random() < 0.2 else []
                _mes(centro, mes, azar.choice(list(E)), advertencias=advertencias)
    cerrado = _centro(numero=100, anio=ANIO - 1)
    _mes(cerrado, 1, E.ENVIADO)
    _mes(cerrado, 2, E.BORRADOR)
    return {"salud": areas[0], "infancia": areas[1], "numeros": sorted(numeros)}


def _filtrado(filtros: dict, hoy: datetime.date) -> MatrizCompletitud:
    """The whole matrix as it was computed before it had pages: every centre's twelve cells,
    and the filter by state read from the cells in Python."""
    sin_estado = {clave: valor for clave, valor in filtros.items() if clave != "estado"}
    centros = CentrosCompletitudFilter(
        sin_estado or None, queryset=Centro.objects.all(), anio=ANIO, hoy=hoy
    ).qs
    matriz = matriz_completitud(centros=centros, anio=ANIO, hoy=hoy)
    return MatrizCompletitud(
        anio=ANIO,
        filas=[fila for fila in matriz.filas if _la_muestra(fila, filtros.get("estado"))],
    )


def _la_muestra(fila, estado) -> bool:
    if estado is None:
        return True
    if estado == ATRASADOS:
        return bool(fila.atrasados)
    if estado == CON_ADVERTENCIAS:
        return any(celda.advertencias for celda in fila.celdas)
    return any(celda.estado == estado for celda in fila.celdas)


def _totales(matriz) -> dict:
    return {
        nombre: getattr(matriz, nombre)
        for nombre in (
            "sin_datos",
            "borradores",
            "devueltos",
            "enviados",
            "aprobados",
            "atrasados",
            "debidos",
            "dia_limite",
        )
    }


def _pagina(cliente, hoy, **filtros):
    with mock.patch("django.utils.timezone.localdate", return_value=hoy):
        respuesta = cliente.get(_url_matriz(), filtros)
    assert respuesta.status_code == 200
    return respuesta


@pytest.fixture
def por_pagina(monkeypatch):
    monkeypatch.setattr("centros.views.completitud.CENTROS_POR_PAGINA", POR_PAGINA)
    return POR_PAGINA


def test_page_2_shows_the_next_centres_by_number_with_their_cells(red, por_pagina):
    hoy = datetime.date(2023, 8, 20)
    cliente = _cliente(Rol.COORDINACION)

    segunda = _pagina(cliente, hoy, pagina=2)
    ultima = _pagina(cliente, hoy, pagina=3)

    numeros = red["numeros"]
    assert [fila.centro.numero for fila in segunda.context["pagina"]] == numeros[4:8]
    assert [fila.centro.numero for fila in ultima.context["pagina"]] == numeros[8:]
    # The rows of a page are the whole matrix's rows of those centres, cell by cell.
    todas = {fila.centro.numero: fila.celdas for fila in _filtrado({}, hoy).filas}
    for fila in segunda.context["pagina"]:
        assert fila.celdas == todas[fila.centro.numero]
    html = segunda.content.decode()
    assert "Página 2 de 3 (5–8 de 11)" in html
    assert "Total de los 11 centros" in html
    for numero in numeros[:4] + numeros[8:]:
        assert f'<span class="nro">{numero}</span>' not in html


@pytest.mark.parametrize("hoy", HOYS, ids=str)
@pytest.mark.parametrize(
    "filtros",
    [{}, {"area": "infancia"}, {"modalidad": Modalidad.CONVENIO_MIES}, {"estado": ATRASADOS}],
    ids=["todos", "area", "modalidad", "atrasados"],
)
def test_every_page_shows_the_totals_of_every_filtered_centre(red, por_pagina, hoy, filtros):
    filtros = {clave: red.get(valor, valor) for clave, valor in filtros.items()}
    filtros = {clave: getattr(valor, "pk", valor) for clave, valor in filtros.items()}
    esperada = _filtrado(filtros, hoy)
    cliente = _cliente(Rol.COORDINACION)
    paginas = max(1, -(-len(esperada.filas) // por_pagina))
    if not filtros:
        assert paginas > 1

    for numero in range(1, paginas + 1):
        respuesta = _pagina(cliente, hoy, pagina=numero, **filtros)

        matriz = respuesta.context["matriz"]
        assert _totales(matriz) == _totales(esperada)
        assert matriz.centros == len(esperada.filas)
        desde = (numero - 1) * por_pagina
        assert [fila.centro.numero for fila in matriz.filas] == [
            fila.centro.numero for fila in esperada.filas[desde : desde + por_pagina]
        ]
        html = respuesta.content.decode()
        assert f"Sin datos <strong>{esperada.sin_datos}</strong>" in html
        assert f"Enviado <strong>{esperada.enviados}</strong>" in html
        assert f"Atrasado (plazo vencido, sin enviar) <strong>{esperada.atrasados}</strong>" in html
        assert f'<span class="ayuda">({len(esperada.filas)})</span>' in html
        if paginas > 1:
            assert f"Total de los {len(esperada.filas)} centros" in html


@pytest.mark.parametrize("hoy", HOYS, ids=str)
def test_the_filter_by_state_finds_the_centres_whose_cells_show_it(red, hoy):
    for estado in FILTRABLES:
        if estado == CON_ADVERTENCIAS:
            continue  # not a state: a column of the reports (`CentrosCompletitudFilter`)
        esperados = {fila.centro.pk for fila in _filtrado({"estado": estado}, hoy).filas}

        hallados = centros_con_meses_en(
            centros=Centro.objects.all(),
            anio=ANIO,
            hoy=hoy,
            estado=None if estado == ATRASADOS else estado,
        )

        assert set(hallados) == esperados, estado
        assert len(hallados) == len(esperados), estado


def test_a_filter_that_leaves_no_centre_shows_no_totals(red):
    hoy = datetime.date(2023, 1, 20)  # nothing is due yet, so nothing is missing

    respuesta = _pagina(_cliente(Rol.COORDINACION), hoy, estado="sin_datos")

    matriz = respuesta.context["matriz"]
    assert (matriz.centros, matriz.sin_datos, matriz.dia_limite, matriz.filas) == (0, 0, None, [])
    assert "Ningún centro opera en 2023 con esos filtros." in respuesta.content.decode()


def test_a_page_with_its_totals_is_seven_queries_and_the_filter_by_state_one(
    red, django_assert_num_queries
):
    hoy = datetime.date(2024, 1, 16)
    todos = Centro.objects.all()

    # The count and the centres per month, the page's centres, their definitions of the year,
    # their cells (the due day, reports, operations), the reports by month and state.
    with django_assert_num_queries(7):
        pagina = pagina_de_la_matriz(
            centros=todos, anio=ANIO, hoy=hoy, pagina=2, por_pagina=POR_PAGINA
        )
    with django_assert_num_queries(1):
        centros_con_meses_en(centros=todos, anio=ANIO, hoy=hoy, estado=EstadoMes.SIN_DATOS)
    with django_assert_num_queries(2):  # and the year's due day
        centros_con_meses_en(centros=todos, anio=ANIO, hoy=hoy, estado=None)

    assert len(pagina.filas) == POR_PAGINA


def _red(cuantos: int, desde: int) -> None:
    for numero in range(desde, desde + cuantos):
        centro = CentroFactory(numero=numero)
        OperacionAnualFactory(centro=centro, anio=ANIO, mes_inicio=1 + numero % 4)
        for mes, estado in [(4, E.APROBADO), (5, E.ENVIADO), (6, E.BORRADOR), (7, E.DEVUELTO)]:
            _mes(centro, mes, estado, advertencias=["Revise."] if numero % 3 else [])


@pytest.mark.parametrize(
    "filtros",
    [{}, {"pagina": 2}, {"estado": ATRASADOS, "pagina": 2}, {"estado": E.ENVIADO}],
    ids=["primera", "segunda", "atrasados", "enviados"],
)
def test_a_page_takes_the_same_queries_for_6_or_18_centres(
    db, por_pagina, django_assert_max_num_queries, filtros
):
    # Given: two pages of centres, then six of them (three times as many centres).
    cliente = _cliente(Rol.COORDINACION)
    _red(6, desde=1)
    cliente.get(_url_matriz(), filtros)  # warm-up: session, content types
    with CaptureQueriesContext(connection) as con_6:
        assert cliente.get(_url_matriz(), filtros).status_code == 200
    _red(12, desde=7)

    # When: the same page is asked for again.
    with django_assert_max_num_queries(len(con_6)):
        respuesta = cliente.get(_url_matriz(), filtros)

    # Then: no more queries, the page's rows only, and the totals of the 18 centres.
    assert len(respuesta.context["matriz"].filas) == POR_PAGINA
    assert respuesta.context["matriz"].centros == 18
    assert respuesta.context["matriz"].enviados == 18
