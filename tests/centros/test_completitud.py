"""The coordination's side of the monthly figures: the completeness matrix, approving many
months at once and reopening one, with the roles that may do it."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import Modalidad, ReporteMensual
from centros.selectors.mensual import historial_de_mes
from tests.factories import (
    AreaFactory,
    CentroFactory,
    CifraMensualFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
)

ANIO = 2023
E = ReporteMensual.Estado
ROLES = [None, Rol.PERSONAL_CENTRO, Rol.COORDINACION, Rol.ADMINISTRACION]
ROLES_IDS = ["anonimo", "personal", "coordinacion", "administracion"]


def _centro(anio=ANIO, mes_inicio=1, mes_fin=12, **kwargs):
    centro = CentroFactory(**kwargs)
    OperacionAnualFactory(centro=centro, anio=anio, mes_inicio=mes_inicio, mes_fin=mes_fin)
    return centro


def _mes(centro, mes, estado=E.BORRADOR, anio=ANIO, **kwargs):
    return ReporteMensualFactory(centro=centro, anio=anio, mes=mes, estado=estado, **kwargs)


def _seleccion(*reportes):
    """The months as the matrix's checkboxes send them: with the version on screen."""
    return [f"{reporte.pk}:{reporte.version}" for reporte in reportes]


def _usuario(rol, nombre=None, centros=()):
    return usuario_con_rol_guardar(
        username=nombre or f"u-{rol.name.lower()}",
        password="clave-de-prueba-1",
        rol=rol,
        centro_ids=[c.pk for c in centros],
    )


def _cliente(rol, centros=()):
    cliente = Client()
    if rol is not None:
        cliente.force_login(_usuario(rol, centros=centros))
    return cliente


def _url_matriz(anio=ANIO):
    return reverse("centros:completitud", args=[anio])


def _url_aprobar(anio=ANIO):
    return reverse("centros:aprobar", args=[anio])


def _url_reabrir(reporte):
    return reverse("centros:reabrir", args=[reporte.pk])


def _mensajes(respuesta):
    return [str(m) for m in get_messages(respuesta.wsgi_request)]


def _estados(*reportes):
    return list(
        ReporteMensual.objects.filter(pk__in=[r.pk for r in reportes])
        .order_by("pk")
        .values_list("estado", flat=True)
    )


def _foto_reportes():
    """Everything a refused request must leave untouched."""
    return (
        list(ReporteMensual.objects.order_by("pk").values_list("pk", "estado", "version")),
        ReporteMensual.history.count(),
    )


def _esperado(rol, permitido):
    return {None: 302, Rol.PERSONAL_CENTRO: 403}.get(rol, permitido)


# --- The matrix --------------------------------------------------------------------------------


@pytest.fixture
def centro(db):
    return _centro(numero=1001, nombre_corto="CDI Las Peñas")


@pytest.mark.parametrize("rol", ROLES, ids=ROLES_IDS)
def test_the_matrix_is_for_the_coordination_and_the_administration(rol, centro):
    respuesta = _cliente(rol, centros=[centro]).get(_url_matriz())

    assert respuesta.status_code == _esperado(rol, 200)
    if rol is None:
        assert respuesta["Location"].startswith(reverse("login"))


def test_each_month_shows_its_state_links_to_its_page_and_marks_warnings(centro):
    aprobado = _mes(centro, 1, E.APROBADO)
    enviado = _mes(centro, 2, E.ENVIADO, advertencias=["Usuarios: 52 supera la capacidad."])
    borrador = _mes(centro, 3, E.BORRADOR)
    limpio = _mes(centro, 5, E.ENVIADO)
    tardio = _centro(numero=1002, mes_inicio=4)

    respuesta = _cliente(Rol.COORDINACION).get(_url_matriz())

    html = respuesta.content.decode()
    filas = {fila.centro.numero: fila for fila in respuesta.context["matriz"].filas}
    assert [c.estado for c in filas[1001].celdas[:4]] == [
        E.APROBADO,
        E.ENVIADO,
        E.BORRADOR,
        "sin_datos",
    ]
    assert [c.estado for c in filas[1002].celdas[:4]] == ["no_opera"] * 3 + ["sin_datos"]
    for mes in (1, 3, 12):
        assert reverse("centros:mes", args=[centro.pk, ANIO, mes]) in html
    # A submitted month opens its review, where it is approved.
    assert reverse("centros:revisar", args=[enviado.pk]) in html
    assert reverse("centros:mes", args=[tardio.pk, ANIO, 4]) in html
    assert "estado-no_opera" in html
    # Only submitted months without warnings can be ticked, each with the version on screen;
    # the one with warnings is approved from its review.
    assert f'name="reportes" value="{limpio.pk}:{limpio.version}"' in html
    for reporte in (enviado, aprobado, borrador):
        assert f'name="reportes" value="{reporte.pk}:' not in html
    assert "1 por revisar" in html
    assert html.count('class="advertencia" aria-hidden="true">⚠') == 1
    assert "1 advertencia" in html


def test_counts_per_row_and_totals(centro):
    for mes in (1, 2):
        _mes(centro, mes, E.APROBADO)
    _mes(centro, 3, E.ENVIADO)
    _mes(centro, 4, E.BORRADOR)
    otro = _centro(numero=1002, mes_inicio=7)
    _mes(otro, 7, E.ENVIADO)

    respuesta = _cliente(Rol.COORDINACION).get(_url_matriz())

    matriz = respuesta.context["matriz"]
    filas = {fila.centro.numero: fila for fila in matriz.filas}
    fila = filas[1001]
    assert (fila.sin_datos, fila.borradores, fila.enviados, fila.aprobados) == (8, 1, 1, 2)
    fila = filas[1002]
    assert (fila.sin_datos, fila.borradores, fila.enviados, fila.aprobados) == (5, 0, 1, 0)
    assert (matriz.sin_datos, matriz.borradores, matriz.enviados, matriz.aprobados) == (13, 1, 2, 2)
    html = respuesta.content.decode()
    assert '<td class="cuenta cuenta-inicio">13</td>' in html
    assert "Sin datos <strong>13</strong>" in html


def test_centres_that_do_not_operate_in_the_year_are_not_listed(centro):
    _centro(numero=1002, anio=ANIO - 1)

    respuesta = _cliente(Rol.COORDINACION).get(_url_matriz())

    assert [fila.centro.numero for fila in respuesta.context["matriz"].filas] == [1001]


def test_the_months_still_to_come_have_no_link_and_no_checkbox(db):
    hoy = timezone.localdate()
    centro = _centro(anio=hoy.year)

    respuesta = _cliente(Rol.COORDINACION).get(_url_matriz(hoy.year))

    celdas = respuesta.context["matriz"].filas[0].celdas
    assert [c.estado for c in celdas[hoy.month :]] == ["futuro"] * (12 - hoy.month)
    html = respuesta.content.decode()
    assert reverse("centros:mes", args=[centro.pk, hoy.year, hoy.month]) in html
    if hoy.month < 12:
        assert reverse("centros:mes", args=[centro.pk, hoy.year, hoy.month + 1]) not in html


def _numeros(respuesta):
    return [fila.centro.numero for fila in respuesta.context["matriz"].filas]


@pytest.fixture
def centros_variados(db):
    salud, infancia = AreaFactory(nombre="Salud"), AreaFactory(nombre="Infancia")
    directo = _centro(numero=1, area=salud, modalidad=Modalidad.DIRECTA)
    mies = _centro(numero=2, area=infancia, modalidad=Modalidad.CONVENIO_MIES)
    completo = _centro(numero=3, area=infancia, modalidad=Modalidad.DIRECTA)
    _mes(directo, 1, E.ENVIADO)
    _mes(mies, 2, E.BORRADOR, advertencias=["Salto respecto del mes anterior."])
    for mes in range(1, 13):
        _mes(completo, mes, E.APROBADO)
    return {"salud": salud, "infancia": infancia}


@pytest.mark.parametrize(
    ("filtros", "esperados"),
    [
        ({}, [1, 2, 3]),
        ({"modalidad": Modalidad.CONVENIO_MIES}, [2]),
        ({"estado": E.ENVIADO}, [1]),
        ({"estado": E.BORRADOR}, [2]),
        ({"estado": E.APROBADO}, [3]),
        ({"estado": "sin_datos"}, [1, 2]),
        ({"estado": "advertencias"}, [2]),
        ({"modalidad": Modalidad.DIRECTA, "estado": "sin_datos"}, [1]),
    ],
)
def test_the_matrix_filters_by_modality_and_by_months_in_a_state(
    centros_variados, filtros, esperados
):
    respuesta = _cliente(Rol.COORDINACION).get(_url_matriz(), filtros)

    assert respuesta.status_code == 200
    assert _numeros(respuesta) == esperados


def test_the_matrix_filters_by_area(centros_variados):
    cliente = _cliente(Rol.COORDINACION)

    respuesta = cliente.get(_url_matriz(), {"area": centros_variados["infancia"].pk})

    assert _numeros(respuesta) == [2, 3]


def test_an_unknown_filter_value_is_reported_in_spanish_and_ignored(centros_variados):
    respuesta = _cliente(Rol.COORDINACION).get(_url_matriz(), {"estado": "inventado"})

    assert respuesta.status_code == 200
    assert _numeros(respuesta) == [1, 2, 3]
    assert "Escoja una opción válida" in respuesta.content.decode()


def test_the_filters_are_kept_when_changing_year(centro):
    respuesta = _cliente(Rol.COORDINACION).get(_url_matriz(), {"estado": "enviado"})

    html = respuesta.content.decode()
    assert f'href="{_url_matriz(ANIO - 1)}?estado=enviado"' in html
    assert f'href="{_url_matriz(ANIO + 1)}?estado=enviado"' in html


def test_there_is_no_next_year_after_the_current_one(db):
    hoy = timezone.localdate()

    respuesta = _cliente(Rol.COORDINACION).get(_url_matriz(hoy.year))

    html = respuesta.content.decode()
    assert _url_matriz(hoy.year - 1) in html
    assert _url_matriz(hoy.year + 1) not in html


def _filas_de_la_pagina(respuesta) -> list[int]:
    return [fila.centro.numero for fila in respuesta.context["pagina"]]


def test_a_large_network_is_shown_a_page_of_centres_at_a_time_with_the_totals_of_all(
    centros_variados, monkeypatch
):
    monkeypatch.setattr("centros.views.completitud.CENTROS_POR_PAGINA", 2)
    cliente = _cliente(Rol.COORDINACION)
    filtros = {"area": centros_variados["infancia"].pk}

    primera = cliente.get(_url_matriz())
    segunda = cliente.get(_url_matriz(), {"pagina": 2})
    filtrada = cliente.get(_url_matriz(), filtros)

    assert _filas_de_la_pagina(primera) == [1, 2]
    assert _filas_de_la_pagina(segunda) == [3]
    # The totals and the count are the whole matrix's on every page.
    for respuesta in (primera, segunda):
        html = respuesta.content.decode()
        assert "Aprobado <strong>12</strong>" in html
        assert "Total de los 3 centros" in html
        assert "Página" in html and "de 3)" in html
    # The next page keeps the filters; a matrix of one page has no pages.
    assert 'href="?pagina=2" rel="next"' in primera.content.decode()
    assert _filas_de_la_pagina(filtrada) == [2, 3]
    assert 'class="paginacion"' not in filtrada.content.decode()


def test_approving_from_a_page_returns_to_that_page_and_another_year_to_the_first(
    centros_variados, monkeypatch
):
    monkeypatch.setattr("centros.views.completitud.CENTROS_POR_PAGINA", 2)
    cliente = _cliente(Rol.COORDINACION)

    segunda = cliente.get(_url_matriz(), {"modalidad": Modalidad.DIRECTA, "pagina": 2})

    html = segunda.content.decode()
    assert f'name="filtros" value="modalidad={Modalidad.DIRECTA}&amp;pagina=2"' in html
    assert f'href="{_url_matriz(ANIO - 1)}?modalidad={Modalidad.DIRECTA}"' in html
    assert f"?modalidad={Modalidad.DIRECTA}&amp;formato=xlsx" in html


def test_a_page_out_of_range_shows_the_last_one(centros_variados, monkeypatch):
    monkeypatch.setattr("centros.views.completitud.CENTROS_POR_PAGINA", 2)

    respuesta = _cliente(Rol.COORDINACION).get(_url_matriz(), {"pagina": 99})

    assert _filas_de_la_pagina(respuesta) == [3]


@pytest.mark.parametrize("anio", [1999, 3000])
def test_a_year_out_of_range_is_not_found(db, anio):
    assert _cliente(Rol.COORDINACION).get(_url_matriz(anio)).status_code == 404


def _centros_con_meses(cuantos, desde=1):
    indicador = IndicadorFactory()
    for numero in range(desde, desde + cuantos):
        centro = _centro(numero=numero, mes_inicio=1 + numero % 3)
        IndicadorCentroFactory(centro=centro, indicador=indicador)
        for mes, estado in [(4, E.APROBADO), (5, E.ENVIADO), (6, E.BORRADOR)]:
            reporte = _mes(centro, mes, estado, advertencias=["Revise."] if numero % 2 else [])
            CifraMensualFactory(reporte=reporte, indicador=indicador)


@pytest.mark.parametrize("filtros", [{}, {"estado": "sin_datos"}, {"estado": "enviado"}])
def test_the_matrix_takes_the_same_queries_for_3_or_30_centres(
    db, django_assert_max_num_queries, filtros
):
    cliente = _cliente(Rol.COORDINACION)
    _centros_con_meses(3)
    cliente.get(_url_matriz(), filtros)  # warm-up: session, content types
    with CaptureQueriesContext(connection) as con_3:
        assert cliente.get(_url_matriz(), filtros).status_code == 200

    _centros_con_meses(27, desde=4)
    with django_assert_max_num_queries(len(con_3)):
        respuesta = cliente.get(_url_matriz(), filtros)

    assert len(respuesta.context["matriz"].filas) == 30


# --- Approving ---------------------------------------------------------------------------------


@pytest.fixture
def enviados(centro):
    return [_mes(centro, mes, E.ENVIADO) for mes in (1, 2, 3)]


@pytest.mark.parametrize("rol", ROLES, ids=ROLES_IDS)
def test_approving_is_for_the_coordination_and_the_administration(rol, centro, enviados):
    antes = _foto_reportes()

    respuesta = _cliente(rol, centros=[centro]).post(
        _url_aprobar(), {"reportes": _seleccion(*enviados)}
    )

    assert respuesta.status_code == _esperado(rol, 302)
    if respuesta.status_code == 302 and rol is not None:
        assert _estados(*enviados) == [E.APROBADO] * 3
    else:
        assert _foto_reportes() == antes


@pytest.mark.parametrize("rol", ROLES, ids=ROLES_IDS)
def test_approving_by_get_is_refused_and_writes_nothing(rol, centro, enviados):
    antes = _foto_reportes()

    respuesta = _cliente(rol, centros=[centro]).get(
        _url_aprobar(), {"reportes": _seleccion(*enviados)}
    )

    assert respuesta.status_code == _esperado(rol, 405)
    assert _foto_reportes() == antes


def test_many_months_are_approved_at_once_and_drafts_are_skipped(centro, enviados):
    borrador = _mes(centro, 4, E.BORRADOR)
    ya_aprobado = _mes(centro, 5, E.APROBADO)
    coordinador = _usuario(Rol.COORDINACION)
    cliente = Client()
    cliente.force_login(coordinador)

    respuesta = cliente.post(
        _url_aprobar(),
        {
            "reportes": _seleccion(*enviados, borrador, ya_aprobado),
            "filtros": "area=&estado=enviado",
        },
    )

    assert respuesta.status_code == 302
    assert respuesta["Location"] == f"{_url_matriz()}?area=&estado=enviado"
    assert _mensajes(respuesta) == ["3 meses aprobados; 2 omitidos (no estaban enviados)."]
    assert _estados(*enviados, borrador, ya_aprobado) == [E.APROBADO] * 3 + [E.BORRADOR, E.APROBADO]
    for reporte in enviados:
        reporte.refresh_from_db()
        assert reporte.aprobado_por == coordinador
        assert reporte.aprobado_en is not None
        ultimo = reporte.history.latest()
        assert (ultimo.history_change_reason, ultimo.history_user) == ("Aprobado", coordinador)
    assert borrador.history.count() == 1


def test_the_row_button_approves_the_submitted_months_of_that_row_only(centro, enviados):
    otro = _centro(numero=1002)
    enviado_otro = _mes(otro, 1, E.ENVIADO)
    cliente = _cliente(Rol.COORDINACION)
    html = cliente.get(_url_matriz()).content.decode()
    valor_fila = ",".join(_seleccion(*enviados))
    assert f'name="fila" value="{valor_fila}"' in html

    respuesta = cliente.post(
        # A ticked box of another row does not count when a row's button is pressed.
        _url_aprobar(),
        {"fila": valor_fila, "reportes": _seleccion(enviado_otro)},
    )

    assert _mensajes(respuesta) == ["3 meses aprobados."]
    assert _estados(*enviados, enviado_otro) == [E.APROBADO] * 3 + [E.ENVIADO]


def test_one_month_approved_is_said_in_singular(centro, enviados):
    borrador = _mes(centro, 4, E.BORRADOR)

    respuesta = _cliente(Rol.COORDINACION).post(
        _url_aprobar(), {"reportes": _seleccion(enviados[0], borrador)}
    )

    assert _mensajes(respuesta) == ["1 mes aprobado; 1 omitido (no estaba enviado)."]


@pytest.mark.parametrize("datos", [{}, {"reportes": ["abc"]}, {"fila": "1,x"}])
def test_approving_nothing_or_garbage_writes_nothing(centro, enviados, datos):
    antes = _foto_reportes()

    respuesta = _cliente(Rol.COORDINACION).post(_url_aprobar(), datos)

    assert respuesta.status_code == 302
    assert respuesta["Location"] == _url_matriz()
    assert _mensajes(respuesta) in (
        ["Seleccione al menos un mes enviado para aprobar."],
        ["Selección no válida."],
    )
    assert _foto_reportes() == antes


# --- Reopening ---------------------------------------------------------------------------------


@pytest.fixture
def aprobado(centro):
    indicador = IndicadorFactory(nombre="Niñas y niños atendidos")
    IndicadorCentroFactory(centro=centro, indicador=indicador)
    reporte = _mes(centro, 3, E.APROBADO, comentario="Mes normal.")
    CifraMensualFactory(reporte=reporte, indicador=indicador, valor=1234)
    return reporte


@pytest.mark.parametrize("rol", ROLES, ids=ROLES_IDS)
def test_the_reopen_page_is_for_the_coordination_and_the_administration(rol, centro, aprobado):
    respuesta = _cliente(rol, centros=[centro]).get(_url_reabrir(aprobado))

    assert respuesta.status_code == _esperado(rol, 200)


@pytest.mark.parametrize("rol", ROLES, ids=ROLES_IDS)
def test_reopening_is_for_the_coordination_and_the_administration(rol, centro, aprobado):
    antes = _foto_reportes()

    respuesta = _cliente(rol, centros=[centro]).post(
        _url_reabrir(aprobado), {"motivo": "Cifra de usuarios mal digitada."}
    )

    assert respuesta.status_code == _esperado(rol, 302)
    aprobado.refresh_from_db()
    if respuesta.status_code == 302 and rol is not None:
        assert aprobado.estado == E.BORRADOR
    else:
        assert _foto_reportes() == antes
        assert aprobado.estado == E.APROBADO


def test_the_reopen_page_shows_the_month_and_asks_for_a_reason(aprobado):
    respuesta = _cliente(Rol.COORDINACION).get(_url_reabrir(aprobado))

    html = respuesta.content.decode()
    assert "Reabrir marzo de 2023" in html
    assert aprobado.centro.nombre in html
    assert "Niñas y niños atendidos" in html
    assert "1.234" in html
    assert '<textarea name="motivo"' in html
    assert reverse("centros:mes", args=[aprobado.centro_id, ANIO, 3]) in html


@pytest.mark.parametrize("motivo", ["", "   \n  "])
def test_reopening_without_a_reason_is_refused_in_spanish_and_keeps_the_page(aprobado, motivo):
    antes = _foto_reportes()

    respuesta = _cliente(Rol.COORDINACION).post(_url_reabrir(aprobado), {"motivo": motivo})

    assert respuesta.status_code == 200
    assert "Indique por qué se reabre el mes." in respuesta.content.decode()
    assert respuesta.context["reporte"] == aprobado
    assert _foto_reportes() == antes


def test_reopening_with_a_reason_leaves_a_draft_with_the_reason_in_its_history(aprobado):
    coordinador = _usuario(Rol.COORDINACION)
    cliente = Client()
    cliente.force_login(coordinador)
    version = aprobado.version

    respuesta = cliente.post(
        _url_reabrir(aprobado), {"motivo": "  El centro digitó 1.234 en vez de 123.  "}
    )

    assert respuesta.status_code == 302
    assert respuesta["Location"] == _url_matriz()
    assert "Se reabrió CDI Las Peñas — Marzo 2023" in _mensajes(respuesta)[0]
    aprobado.refresh_from_db()
    assert aprobado.estado == E.BORRADOR
    assert aprobado.motivo_reapertura == "El centro digitó 1.234 en vez de 123."
    assert (aprobado.aprobado_por, aprobado.aprobado_en) == (None, None)
    assert aprobado.version == version + 1
    ultimo = aprobado.history.latest()
    assert ultimo.history_change_reason == "Reabierto: El centro digitó 1.234 en vez de 123."
    assert ultimo.history_user == coordinador
    cambio = next(c for c in historial_de_mes(reporte=aprobado) if c.que == "Estado del mes")
    assert (cambio.antes, cambio.despues) == ("Aprobado", "Borrador")
    assert cambio.motivo == "Reabierto: El centro digitó 1.234 en vez de 123."


@pytest.mark.parametrize("estado", [E.BORRADOR, E.ENVIADO])
def test_a_month_that_is_not_approved_cannot_be_reopened(centro, estado):
    reporte = _mes(centro, 6, estado)
    cliente = _cliente(Rol.COORDINACION)
    antes = _foto_reportes()

    pagina = cliente.get(_url_reabrir(reporte))
    respuesta = cliente.post(_url_reabrir(reporte), {"motivo": "Por si acaso."})

    assert "Solo se puede reabrir un mes aprobado" in pagina.content.decode()
    assert "<textarea" not in pagina.content.decode()
    assert respuesta.status_code == 200
    assert _foto_reportes() == antes


def test_reopening_an_unknown_month_is_not_found(db):
    url = reverse("centros:reabrir", args=[999999])

    assert _cliente(Rol.COORDINACION).get(url).status_code == 404


# --- Two coordinators at the same time (row locks: PostgreSQL) ---------------------------------

SOLO_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="select_for_update does not lock rows on SQLite: run with DATABASE_URL=postgres://…",
)


def _a_la_vez(*peticiones):
    """Runs each request in its own thread (own connection), all starting together."""
    salida = threading.Barrier(len(peticiones))
    respuestas = [None] * len(peticiones)

    def correr(indice, peticion):
        try:
            salida.wait()
            respuestas[indice] = peticion()
        finally:
            connection.close()

    hilos = [threading.Thread(target=correr, args=item) for item in enumerate(peticiones)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    return respuestas


@SOLO_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_approve_each_month_once():
    centro = _centro()
    enviados = [_mes(centro, mes, E.ENVIADO) for mes in (1, 2, 3)]
    clientes = [Client(), Client()]
    for cliente, nombre in zip(clientes, ["coord-a", "coord-b"], strict=True):
        cliente.force_login(_usuario(Rol.COORDINACION, nombre=nombre))
    datos = {"reportes": _seleccion(*enviados)}

    respuestas = _a_la_vez(*(lambda c=c: c.post(_url_aprobar(), datos) for c in clientes))

    assert sorted(_mensajes(r)[0] for r in respuestas) == [
        "3 meses aprobados.",
        "Ningún mes aprobado; 3 omitidos (no estaban enviados).",
    ]
    for reporte in enviados:
        assert reporte.history.filter(history_change_reason="Aprobado").count() == 1
        reporte.refresh_from_db()
        assert reporte.version == 2


@SOLO_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_reopens_reopen_the_month_once():
    reporte = _mes(_centro(), 3, E.APROBADO)
    clientes = [Client(), Client()]
    for cliente, nombre in zip(clientes, ["coord-a", "coord-b"], strict=True):
        cliente.force_login(_usuario(Rol.COORDINACION, nombre=nombre))

    respuestas = _a_la_vez(
        *(
            lambda c=c, m=motivo: c.post(_url_reabrir(reporte), {"motivo": m})
            for c, motivo in zip(clientes, ["Motivo A", "Motivo B"], strict=True)
        )
    )

    assert sorted(r.status_code for r in respuestas) == [200, 302]
    rechazada = next(r for r in respuestas if r.status_code == 200)
    assert "Solo se puede reabrir un mes aprobado" in rechazada.content.decode()
    assert reporte.history.filter(history_change_reason__startswith="Reabierto").count() == 1
    reporte.refresh_from_db()
    assert reporte.estado == E.BORRADOR
    assert reporte.version == 2
