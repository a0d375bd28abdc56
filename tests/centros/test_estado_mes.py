"""One rule for the state of a centre's month (`centros.estados.estado_del_mes` over
`casmul.meses.Mes`): the completeness matrix, its state filter, the home page, a centre's year
and the consistency panel show the same state for the same month; and a month the centre does
not operate is refused at every door that writes one, with a Spanish message and nothing
written."""

import datetime

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casmul.meses import Mes
from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.estados import EstadoMes, estado_del_mes
from centros.models import CifraMensual, Indicador, LineaServicio, ReporteMensual
from centros.resources import CifraMensualResource
from centros.selectors.consistencia import meses_pendientes
from centros.services import reporte_guardar
from rendicion.consistencia import observaciones
from salud.models import AtencionClinica, Servicio
from salud.services import atenciones_guardar
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    UserFactory,
)

ANIO = 2024
# "Today" of the sample year: July is running, June is the month to report.
HOY = datetime.date(ANIO, 7, 10)
E = EstadoMes
R = ReporteMensual.Estado


# --- The rule, month by month ------------------------------------------------------------------

CASOS_ESTADO = [
    # (mes, estado del reporte, operación, hoy, esperado)
    pytest.param(Mes(ANIO, 9), R.APROBADO, (1, 12), HOY, E.APROBADO, id="reporte-en-mes-futuro"),
    pytest.param(
        Mes(ANIO, 2), R.BORRADOR, (4, 12), HOY, E.BORRADOR, id="reporte-fuera-de-operacion"
    ),
    pytest.param(
        Mes(ANIO, 3), R.BORRADOR, None, HOY, E.BORRADOR, id="reporte-en-anio-sin-operacion"
    ),
    pytest.param(Mes(ANIO, 7), R.ENVIADO, (1, 12), HOY, E.ENVIADO, id="reporte-en-mes-en-curso"),
    pytest.param(Mes(ANIO, 5), R.DEVUELTO, (1, 12), HOY, E.DEVUELTO, id="devuelto-al-centro"),
    pytest.param(Mes(ANIO, 8), None, (1, 12), HOY, E.POR_LLEGAR, id="futuro"),
    pytest.param(
        Mes(ANIO, 9), None, None, HOY, E.POR_LLEGAR, id="futuro-gana-a-anio-sin-operacion"
    ),
    pytest.param(
        Mes(ANIO, 11), None, (1, 6), HOY, E.POR_LLEGAR, id="futuro-gana-a-fin-de-operacion"
    ),
    pytest.param(Mes(ANIO + 1, 1), None, (1, 12), HOY, E.POR_LLEGAR, id="enero-del-anio-siguiente"),
    pytest.param(Mes(ANIO, 3), None, None, HOY, E.NO_OPERA, id="anio-sin-operacion"),
    pytest.param(Mes(ANIO, 3), None, (4, 12), HOY, E.NO_OPERA, id="antes-del-inicio"),
    pytest.param(Mes(ANIO, 6), None, (1, 5), HOY, E.NO_OPERA, id="despues-del-fin"),
    pytest.param(Mes(ANIO, 7), None, (1, 6), HOY, E.NO_OPERA, id="no-opera-gana-a-en-curso"),
    pytest.param(Mes(ANIO, 7), None, (8, 12), HOY, E.NO_OPERA, id="en-curso-antes-del-inicio"),
    pytest.param(Mes(ANIO, 7), None, (1, 12), HOY, E.EN_CURSO, id="en-curso"),
    pytest.param(Mes(ANIO, 7), None, (7, 7), HOY, E.EN_CURSO, id="en-curso-unico-mes-de-operacion"),
    pytest.param(
        Mes(ANIO, 7), None, (1, 12), datetime.date(ANIO, 7, 31), E.EN_CURSO, id="ultimo-dia"
    ),
    pytest.param(
        Mes(ANIO, 7), None, (1, 12), datetime.date(ANIO, 8, 1), E.SIN_DATOS, id="ya-termino"
    ),
    pytest.param(Mes(ANIO, 6), None, (1, 12), HOY, E.SIN_DATOS, id="mes-a-reportar"),
    pytest.param(Mes(ANIO, 4), None, (4, 12), HOY, E.SIN_DATOS, id="primer-mes-de-operacion"),
    pytest.param(Mes(ANIO, 5), None, (1, 5), HOY, E.SIN_DATOS, id="ultimo-mes-de-operacion"),
    pytest.param(Mes(ANIO - 1, 12), None, (1, 12), HOY, E.SIN_DATOS, id="diciembre-anterior"),
]


@pytest.mark.parametrize(("mes", "reporte", "operacion", "hoy", "esperado"), CASOS_ESTADO)
def test_a_month_is_in_its_reports_state_else_to_come_not_operated_running_or_missing(
    mes, reporte, operacion, hoy, esperado
):
    assert estado_del_mes(mes=mes, estado_reporte=reporte, operacion=operacion, hoy=hoy) == esperado


def test_every_month_state_is_reachable_by_the_rule():
    alcanzados = {
        estado_del_mes(mes=mes, estado_reporte=reporte, operacion=operacion, hoy=hoy)
        for mes, reporte, operacion, hoy, _ in (caso.values for caso in CASOS_ESTADO)
    }

    assert alcanzados == set(EstadoMes)


@pytest.mark.parametrize("estado", list(R), ids=str)
def test_each_report_state_is_a_month_state_with_the_same_name(estado):
    como_mes = estado_del_mes(mes=Mes(ANIO, 3), estado_reporte=estado, operacion=None, hoy=HOY)

    assert (como_mes.value, como_mes.label) == (estado.value, estado.label)


def test_the_states_are_named_in_spanish():
    assert {estado.value: estado.label for estado in EstadoMes} == {
        "sin_datos": "Sin datos",
        "borrador": "Borrador",
        "devuelto": "Devuelto",
        "enviado": "Enviado",
        "aprobado": "Aprobado",
        "en_curso": "En curso",
        "no_opera": "No opera",
        "futuro": "Por llegar",
    }


def test_only_drafts_returned_and_submitted_months_are_entered_but_not_approved():
    assert {estado for estado in EstadoMes if estado.sin_aprobar} == {
        E.BORRADOR,
        E.DEVUELTO,
        E.ENVIADO,
    }


def test_only_months_to_come_and_months_not_operated_have_no_page_to_open():
    assert {estado for estado in EstadoMes if not estado.se_puede_abrir} == {
        E.POR_LLEGAR,
        E.NO_OPERA,
    }


# --- Mes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mes", "anterior", "siguiente"),
    [
        (Mes(2024, 1), Mes(2023, 12), Mes(2024, 2)),
        (Mes(2023, 12), Mes(2023, 11), Mes(2024, 1)),
        (Mes(2024, 6), Mes(2024, 5), Mes(2024, 7)),
    ],
    ids=["enero", "diciembre", "junio"],
)
def test_a_months_neighbours_cross_the_year_boundary(mes, anterior, siguiente):
    assert (mes.anterior, mes.siguiente) == (anterior, siguiente)


@pytest.mark.parametrize(
    ("meses", "esperado"),
    [
        (0, Mes(2024, 3)),
        (9, Mes(2024, 12)),
        (10, Mes(2025, 1)),
        (12, Mes(2025, 3)),
        (-2, Mes(2024, 1)),
        (-3, Mes(2023, 12)),
        (-6, Mes(2023, 9)),
        (-27, Mes(2021, 12)),
    ],
)
def test_mas_moves_by_whole_months_across_years(meses, esperado):
    assert Mes(2024, 3).mas(meses) == esperado


def test_months_are_ordered_in_time_not_by_number():
    desordenados = [Mes(2024, 2), Mes(2023, 12), Mes(2024, 1), Mes(2022, 11)]

    assert sorted(desordenados) == [Mes(2022, 11), Mes(2023, 12), Mes(2024, 1), Mes(2024, 2)]
    assert Mes(2023, 12) < Mes(2024, 1)
    assert Mes(2024, 1) > Mes(2023, 11)


@pytest.mark.parametrize(
    ("mes", "hoy", "futuro", "en_curso"),
    [
        (Mes(2024, 7), datetime.date(2024, 7, 1), False, True),
        (Mes(2024, 7), datetime.date(2024, 7, 31), False, True),
        (Mes(2024, 8), datetime.date(2024, 7, 31), True, False),
        (Mes(2024, 6), datetime.date(2024, 7, 1), False, False),
        (Mes(2025, 1), datetime.date(2024, 12, 31), True, False),
        (Mes(2024, 12), datetime.date(2025, 1, 1), False, False),
        (Mes(2025, 1), datetime.date(2025, 1, 15), False, True),
    ],
)
def test_a_month_is_to_come_or_running_relative_to_today(mes, hoy, futuro, en_curso):
    assert (mes.es_futuro(hoy), mes.en_curso(hoy)) == (futuro, en_curso)


@pytest.mark.parametrize(
    ("numero", "nombre"), [(1, "Enero"), (3, "Marzo"), (9, "Septiembre"), (12, "Diciembre")]
)
def test_a_month_has_its_spanish_name(numero, nombre):
    assert Mes(2024, numero).nombre == nombre


def test_a_month_reads_as_a_sentence():
    assert str(Mes(2024, 3)) == "marzo de 2024"


@pytest.mark.parametrize(
    ("numero", "desde", "hasta", "dentro"),
    [
        (4, 4, 12, True),
        (3, 4, 12, False),
        (12, 1, 12, True),
        (6, 1, 5, False),
        (5, 1, 5, True),
        (7, 7, 7, True),
    ],
)
def test_dentro_de_includes_both_ends_of_the_operation(numero, desde, hasta, dentro):
    assert Mes(2024, numero).dentro_de(desde, hasta) is dentro


@pytest.mark.parametrize("numero", [0, 13, -1])
def test_there_is_no_month_outside_1_to_12(numero):
    with pytest.raises(ValueError, match=str(numero)):
        Mes(2024, numero)


def test_a_year_has_its_twelve_months_and_a_date_its_month():
    assert Mes.del_anio(2024) == [Mes(2024, n) for n in range(1, 13)]
    assert Mes.de_fecha(datetime.date(2024, 2, 29)) == Mes(2024, 2)


# --- A sample year, read by every consumer -----------------------------------------------------

# Reports of the sample year, created only for months that ended before "today".
PLAN_TODO_EL_ANIO = {1: R.APROBADO, 2: R.ENVIADO, 4: R.APROBADO, 5: R.APROBADO}
PLAN_DESDE_ABRIL = {4: R.BORRADOR, 5: R.ENVIADO, 6: R.BORRADOR}
TODO, ABRIL = 801, 802  # the centres' numbers

HOYS = [
    pytest.param(HOY, id="julio"),
    # The first day of a month: the month that just ended is now missing.
    pytest.param(datetime.date(ANIO, 8, 1), id="1-agosto"),
    # The late centre's first month is running; the month to report it did not operate.
    pytest.param(datetime.date(ANIO, 4, 15), id="abril"),
    # The month to report is in the previous year.
    pytest.param(datetime.date(ANIO, 1, 20), id="enero"),
    # The year is over: the month to report is its December, nothing is running.
    pytest.param(datetime.date(ANIO + 1, 1, 15), id="anio-siguiente"),
]


@pytest.fixture
def hoy(request, monkeypatch):
    """Fixes "today" for the views and services (they read `timezone.localdate()`)."""
    fecha = getattr(request, "param", HOY)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: fecha)
    return fecha


class Muestra:
    pass


@pytest.fixture
def muestra(db, hoy, client):
    """A centre operating the whole year (and the year before) and one from April, with the
    reports of the plans that are due by `hoy`; a coordination user logged in."""
    m = Muestra()
    m.hoy = hoy
    m.todo = CentroFactory(numero=TODO, nombre_corto="CDI Todo el año")
    m.abril = CentroFactory(numero=ABRIL, nombre_corto="CDI Desde abril")
    OperacionAnualFactory(centro=m.todo, anio=ANIO - 1)
    OperacionAnualFactory(centro=m.todo, anio=ANIO)
    OperacionAnualFactory(centro=m.abril, anio=ANIO, mes_inicio=4)
    for centro, plan in ((m.todo, PLAN_TODO_EL_ANIO), (m.abril, PLAN_DESDE_ABRIL)):
        for numero, estado in plan.items():
            if Mes(ANIO, numero) < Mes.de_fecha(hoy):
                ReporteMensualFactory(centro=centro, anio=ANIO, mes=numero, estado=estado)
    client.force_login(UserFactory(roles=[Rol.COORDINACION]))
    m.cliente = client
    return m


def _matriz(cliente, anio=ANIO, **filtros):
    respuesta = cliente.get(reverse("centros:completitud", args=[anio]), filtros)
    assert respuesta.status_code == 200
    return respuesta.context["matriz"]


def _celdas(matriz) -> dict[int, list[EstadoMes]]:
    """{centre number: its twelve states} as the matrix shows them."""
    return {fila.centro.numero: [celda.estado for celda in fila.celdas] for fila in matriz.filas}


def _anio(cliente, centro, anio=ANIO) -> list[EstadoMes]:
    respuesta = cliente.get(reverse("centros:anio", args=[centro.pk, anio]))
    assert respuesta.status_code == 200
    return [mes.estado for mes in respuesta.context["datos"].meses]


FUTUROS = [E.POR_LLEGAR] * 5
ESPERADO_EN_JULIO = {
    TODO: [E.APROBADO, E.ENVIADO, E.SIN_DATOS, E.APROBADO, E.APROBADO, E.SIN_DATOS, E.EN_CURSO]
    + FUTUROS,
    ABRIL: [E.NO_OPERA] * 3 + [E.BORRADOR, E.ENVIADO, E.BORRADOR, E.EN_CURSO] + FUTUROS,
}


def test_the_sample_year_shows_each_month_in_its_state(muestra):
    matriz = _matriz(muestra.cliente)

    assert _celdas(matriz) == ESPERADO_EN_JULIO
    # Done months only: the running month and the months not operated are not missing.
    assert (matriz.sin_datos, matriz.borradores, matriz.enviados, matriz.aprobados) == (2, 2, 2, 3)
    assert matriz.debidos == 9


@pytest.mark.parametrize("hoy", HOYS, indirect=True)
def test_the_matrix_and_the_year_view_show_the_same_state_for_every_month(muestra):
    celdas = _celdas(_matriz(muestra.cliente))

    assert set(celdas) == {TODO, ABRIL}
    assert {
        TODO: _anio(muestra.cliente, muestra.todo),
        ABRIL: _anio(muestra.cliente, muestra.abril),
    } == celdas


FILTRABLES = [E.SIN_DATOS, E.BORRADOR, E.ENVIADO, E.APROBADO]


@pytest.mark.parametrize("estado", FILTRABLES, ids=str)
@pytest.mark.parametrize("hoy", HOYS, indirect=True)
def test_the_state_filter_returns_exactly_the_centres_with_a_cell_in_that_state(muestra, estado):
    celdas = _celdas(_matriz(muestra.cliente))

    filtrada = _matriz(muestra.cliente, estado=estado.value)

    con_celda = {numero for numero, estados in celdas.items() if estado in estados}
    assert {fila.centro.numero for fila in filtrada.filas} == con_celda
    # The rows it keeps are the same rows, cell for cell.
    assert _celdas(filtrada) == {numero: celdas[numero] for numero in con_celda}


def test_the_state_filter_of_the_sample_year(muestra):
    filtradas = {
        estado: {fila.centro.numero for fila in _matriz(muestra.cliente, estado=estado).filas}
        for estado in FILTRABLES
    }

    assert filtradas == {
        # The late centre's only month without data is the running one: it is not missing.
        E.SIN_DATOS: {TODO},
        E.BORRADOR: {ABRIL},
        E.ENVIADO: {TODO, ABRIL},
        E.APROBADO: {TODO},
    }


@pytest.mark.parametrize("hoy", HOYS, indirect=True)
def test_the_home_pages_month_to_report_is_in_the_state_of_its_cell(muestra):
    respuesta = muestra.cliente.get(reverse("inicio"))
    a_reportar = Mes.de_fecha(muestra.hoy).anterior

    assert respuesta.status_code == 200
    items = {item["pendiente"].centro.numero: item for item in respuesta.context["centros"]}
    assert set(items) == {TODO, ABRIL}
    del_anio = _celdas(_matriz(muestra.cliente, a_reportar.anio))
    for centro in (muestra.todo, muestra.abril):
        pendiente = items[centro.numero]["pendiente"]
        en_la_matriz = (
            del_anio[centro.numero][a_reportar.numero - 1]
            if centro.numero in del_anio
            else E.NO_OPERA  # no row: the centre did not operate that year
        )
        assert pendiente.mes == a_reportar
        assert pendiente.estado == en_la_matriz, centro.nombre_corto
        assert (
            pendiente.estado
            == _anio(muestra.cliente, centro, a_reportar.anio)[a_reportar.numero - 1]
        )
        # The year summary beside it is the matrix's row of the month's year: in January,
        # the year whose December is reported.
        fila = items[centro.numero]["anio"]
        resumen = [celda.estado for celda in fila.celdas] if fila else None
        assert resumen == del_anio.get(centro.numero)


@pytest.mark.parametrize(
    ("hoy", "esperado"),
    [
        pytest.param(HOY, {TODO: E.SIN_DATOS, ABRIL: E.BORRADOR}, id="junio"),
        pytest.param(
            datetime.date(ANIO, 8, 1), {TODO: E.SIN_DATOS, ABRIL: E.SIN_DATOS}, id="julio"
        ),
        pytest.param(
            datetime.date(ANIO, 4, 15), {TODO: E.SIN_DATOS, ABRIL: E.NO_OPERA}, id="marzo"
        ),
        pytest.param(
            datetime.date(ANIO, 1, 20), {TODO: E.SIN_DATOS, ABRIL: E.NO_OPERA}, id="diciembre-2023"
        ),
    ],
    indirect=["hoy"],
)
def test_the_home_pages_month_to_report_of_the_sample_year(muestra, esperado):
    respuesta = muestra.cliente.get(reverse("inicio"))

    assert {
        item["pendiente"].centro.numero: item["pendiente"].estado
        for item in respuesta.context["centros"]
    } == esperado


@pytest.mark.parametrize("hoy", HOYS, indirect=True)
def test_the_panel_lists_exactly_the_missing_and_the_unapproved_cells(muestra):
    celdas = {fila.centro.numero: fila.celdas for fila in _matriz(muestra.cliente).filas}

    panel = {
        p.numero: (p.sin_datos, p.sin_aprobar) for p in meses_pendientes(anio=ANIO, hoy=muestra.hoy)
    }

    esperado = {}
    for numero, meses in celdas.items():
        sin_datos = [c.mes for c in meses if c.estado == E.SIN_DATOS]
        sin_aprobar = [c.mes for c in meses if c.estado in (E.BORRADOR, E.ENVIADO)]
        if sin_datos or sin_aprobar:
            esperado[numero] = (sin_datos, sin_aprobar)
    assert panel == esperado


def test_the_panel_of_the_sample_year(muestra):
    textos = [
        (o.categoria, o.texto)
        for o in observaciones(anio=ANIO, hoy=HOY)
        if o.categoria in ("Meses sin reportar", "Meses sin aprobar")
    ]

    # July is running and the late centre's first months were not operated: neither is missing.
    # On 10 July June is due today, not late; a submitted month is never late.
    assert textos == [
        (
            "Meses sin reportar",
            "801. CDI Todo el año: sin datos en marzo, junio. Con el plazo vencido: marzo.",
        ),
        ("Meses sin aprobar", "801. CDI Todo el año: sin aprobar febrero."),
        (
            "Meses sin aprobar",
            "802. CDI Desde abril: sin aprobar abril, mayo, junio. Con el plazo vencido: abril.",
        ),
    ]


def test_the_running_month_is_en_curso_everywhere_and_missing_nowhere(muestra):
    julio = HOY.month - 1
    matriz = _celdas(_matriz(muestra.cliente))
    sin_datos = _matriz(muestra.cliente, estado=E.SIN_DATOS.value)
    panel = {p.numero: p.sin_datos for p in meses_pendientes(anio=ANIO, hoy=HOY)}

    assert [matriz[TODO][julio], matriz[ABRIL][julio]] == [E.EN_CURSO, E.EN_CURSO]
    assert _anio(muestra.cliente, muestra.abril)[julio] == E.EN_CURSO
    assert ABRIL not in {fila.centro.numero for fila in sin_datos.filas}
    assert Mes(ANIO, 7) not in panel[TODO]
    assert panel[ABRIL] == []


def test_months_before_the_operation_are_no_opera_everywhere_and_never_in_the_panel(muestra):
    antes = slice(0, 3)
    pendientes = {p.numero: p for p in meses_pendientes(anio=ANIO, hoy=HOY)}

    assert _celdas(_matriz(muestra.cliente))[ABRIL][antes] == [E.NO_OPERA] * 3
    assert _anio(muestra.cliente, muestra.abril)[antes] == [E.NO_OPERA] * 3
    assert pendientes[ABRIL].sin_datos == []
    assert pendientes[ABRIL].sin_aprobar == [Mes(ANIO, 4), Mes(ANIO, 5), Mes(ANIO, 6)]


def test_the_month_page_shows_the_same_state_as_the_year_view(muestra):
    for centro in (muestra.todo, muestra.abril):
        del_anio = _anio(muestra.cliente, centro)
        pagina = [
            muestra.cliente.get(reverse("centros:mes", args=[centro.pk, ANIO, numero]))
            .context["formulario"]
            .estado
            for numero in range(1, 13)
        ]

        assert pagina == del_anio, centro.nombre_corto


# --- Non-operating months are refused at every door --------------------------------------------

CERRADOS = [
    # (mes_inicio, mes_fin, year operated, month written): all before HOY.
    pytest.param((4, 12, ANIO, 3), id="antes-del-inicio"),
    pytest.param((1, 5, ANIO, 6), id="despues-del-fin"),
    pytest.param((1, 12, ANIO - 1, 3), id="anio-sin-operacion"),
]


class Cerrado:
    pass


@pytest.fixture(params=CERRADOS)
def cerrado(request, db, hoy):
    """A centre (with its staff and a figure) and a past month of ANIO it does not operate."""
    mes_inicio, mes_fin, anio_operado, mes = request.param
    c = Cerrado()
    c.personal = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    c.indicador = IndicadorFactory(codigo="usuarios", unidad=Indicador.Unidad.PERSONAS)

    def centro(**kwargs):
        nuevo = CentroFactory(personal_asignado=[c.personal], **kwargs)
        IndicadorCentroFactory(centro=nuevo, indicador=c.indicador)
        OperacionAnualFactory(
            centro=nuevo, anio=anio_operado, mes_inicio=mes_inicio, mes_fin=mes_fin
        )
        return nuevo

    c.centro = centro(numero=811, nombre_corto="CDI Cerrado")
    c.clinica = centro(numero=812, nombre_corto="Clínica", linea_servicio=LineaServicio.SALUD)
    c.mes = mes
    c.periodo = str(Mes(ANIO, mes))
    return c


def _mensaje(centro, periodo):
    return f"{centro.nombre_corto} no opera en {periodo}: no se registran cifras de ese mes."


def _foto():
    """Everything a refused write must leave untouched."""
    return (
        list(ReporteMensual.objects.order_by("pk").values_list("pk", "estado", "version")),
        list(CifraMensual.objects.order_by("pk").values_list("pk", "valor")),
        list(AtencionClinica.objects.order_by("pk").values_list("pk", "pacientes")),
        ReporteMensual.history.count(),
        CifraMensual.history.count(),
        AtencionClinica.history.count(),
    )


def test_the_service_refuses_a_month_the_centre_does_not_operate(cerrado):
    antes = _foto()

    with pytest.raises(ValidationError) as refusal:
        reporte_guardar(
            centro=cerrado.centro,
            mes=Mes(ANIO, cerrado.mes),
            valores={"usuarios": 12},
            version=0,
            usuario=cerrado.personal,
            hoy=HOY,
        )

    assert refusal.value.code == "no_opera"
    assert _mensaje(cerrado.centro, cerrado.periodo) in refusal.value.messages[0]
    assert _foto() == antes


def test_the_month_page_refuses_a_month_the_centre_does_not_operate(client, cerrado):
    client.force_login(cerrado.personal)
    antes = _foto()

    respuesta = client.post(
        reverse("centros:mes", args=[cerrado.centro.pk, ANIO, cerrado.mes]),
        {"version": "0", "accion": "borrador", "cifra_usuarios": "12"},
    )

    assert respuesta.status_code == 400
    assert _mensaje(cerrado.centro, cerrado.periodo) in respuesta.content.decode()
    assert not ReporteMensual.objects.filter(centro=cerrado.centro).exists()
    assert _foto() == antes


def test_the_clinic_grid_refuses_a_month_the_clinic_does_not_operate(cerrado):
    antes = _foto()

    with pytest.raises(ValidationError) as refusal:
        atenciones_guardar(
            centro=cerrado.clinica,
            mes=Mes(ANIO, cerrado.mes),
            pacientes={(Servicio.CONSULTA_EXTERNA, None): 150},
            version=0,
            usuario=cerrado.personal,
            hoy=HOY,
        )

    assert refusal.value.code == "no_opera"
    assert _mensaje(cerrado.clinica, cerrado.periodo) in refusal.value.messages[0]
    assert _foto() == antes


def test_the_import_refuses_a_row_of_a_month_the_centre_does_not_operate(cerrado):
    operado = OperacionAnualFactory(anio=ANIO)
    IndicadorCentroFactory(centro=operado.centro, indicador=cerrado.indicador)
    antes = _foto()

    resultado = CifraMensualResource().import_data(
        tablib.Dataset(
            (operado.centro.numero, ANIO, 2, "usuarios", 30),  # valid, undone with the rest
            (cerrado.centro.numero, ANIO, cerrado.mes, "usuarios", 12),
            headers=["centro", "anio", "mes", "indicador", "valor"],
        ),
        dry_run=False,
    )

    assert resultado.has_validation_errors()
    errores = {fila.number: fila.error_dict for fila in resultado.invalid_rows}
    assert list(errores) == [2]
    assert list(errores[2]) == ["mes"]
    assert _mensaje(cerrado.centro, cerrado.periodo) in errores[2]["mes"][0]
    assert _foto() == antes


def _cliente_admin(client):
    client.force_login(
        usuario_con_rol_guardar(
            username="u-administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
        )
    )
    return client


def test_the_admin_refuses_to_add_a_month_the_centre_does_not_operate(client, cerrado):
    antes = _foto()

    respuesta = _cliente_admin(client).post(
        reverse("admin:centros_reportemensual_add"),
        {
            "centro": cerrado.centro.pk,
            "anio": ANIO,
            "mes": cerrado.mes,
            "comentario": "",
            "version": 1,
            "cifras-TOTAL_FORMS": 0,
            "cifras-INITIAL_FORMS": 0,
            "cifras-MIN_NUM_FORMS": 0,
            "cifras-MAX_NUM_FORMS": 1000,
        },
    )

    assert respuesta.status_code == 200
    errores = respuesta.context["adminform"].form.non_field_errors()
    assert any(_mensaje(cerrado.centro, cerrado.periodo) in error for error in errores)
    assert not ReporteMensual.objects.filter(centro=cerrado.centro).exists()
    assert _foto() == antes


def test_the_admin_refuses_a_figure_for_a_month_the_centre_does_not_operate(client, cerrado):
    # A month left from before its centre's months of operation were corrected.
    reporte = ReporteMensualFactory(centro=cerrado.centro, anio=ANIO, mes=cerrado.mes)
    antes = _foto()

    respuesta = _cliente_admin(client).post(
        reverse("admin:centros_ciframensual_add"),
        {"reporte": reporte.pk, "indicador": cerrado.indicador.pk, "valor": "12"},
    )

    assert respuesta.status_code == 200
    errores = respuesta.context["adminform"].form.non_field_errors()
    assert any(_mensaje(cerrado.centro, cerrado.periodo) in error for error in errores)
    assert _foto() == antes
