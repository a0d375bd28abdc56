"""Each month is due by a day of the following month that the coordination sets per year;
a month past it and not submitted is late, in the matrix, its filter and the home pages."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from casmul.meses import Mes
from casmul.roles import Rol
from centros.estados import EstadoMes, mes_atrasado
from centros.models import PlazoDelAnio, ReporteMensual
from centros.selectors.estados import estados_del_anio
from centros.services import reporte_guardar
from rendicion.consistencia import observaciones
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    UserFactory,
)

E = EstadoMes
MARZO = Mes(2024, 3)


@pytest.mark.parametrize(
    ("hoy", "estado", "atrasado"),
    [
        (datetime.date(2024, 4, 10), E.SIN_DATOS, False),  # the due day itself
        (datetime.date(2024, 4, 11), E.SIN_DATOS, True),
        (datetime.date(2024, 4, 11), E.BORRADOR, True),
        (datetime.date(2024, 4, 11), E.DEVUELTO, True),
        (datetime.date(2024, 4, 11), E.ENVIADO, False),
        (datetime.date(2024, 4, 11), E.APROBADO, False),
        (datetime.date(2024, 4, 11), E.NO_OPERA, False),
        (datetime.date(2025, 1, 1), E.BORRADOR, True),
    ],
)
def test_a_month_is_late_the_day_after_its_due_day_until_it_is_submitted(hoy, estado, atrasado):
    assert mes_atrasado(mes=MARZO, estado=estado, dia_limite=10, hoy=hoy) is atrasado


def test_december_is_due_in_january_of_the_next_year():
    assert Mes(2024, 12).vence(10) == datetime.date(2025, 1, 10)


@pytest.fixture
def centros(db):
    atrasado, al_dia = CentroFactory(nombre_corto="CDI Atrasado"), CentroFactory()
    for centro in (atrasado, al_dia):
        OperacionAnualFactory(centro=centro, anio=2024)
    ReporteMensualFactory(centro=atrasado, anio=2024, mes=3, estado=ReporteMensual.Estado.BORRADOR)
    ReporteMensualFactory(centro=al_dia, anio=2024, mes=3, estado=ReporteMensual.Estado.ENVIADO)
    return atrasado, al_dia


def test_the_year_s_due_day_set_by_the_coordination_decides(centros):
    atrasado, _ = centros
    hoy = datetime.date(2024, 4, 7)

    def marzo_atrasado():
        return estados_del_anio(centro_ids=[atrasado.pk], anio=2024, hoy=hoy)[atrasado.pk][2]

    antes = marzo_atrasado()
    PlazoDelAnio.objects.create(anio=2024, dia=5)
    despues = marzo_atrasado()

    assert (antes.atrasado, antes.vence) == (False, datetime.date(2024, 4, 10))
    assert (despues.atrasado, despues.vence) == (True, datetime.date(2024, 4, 5))


@pytest.fixture
def coordinacion(db):
    cliente = Client()
    cliente.force_login(UserFactory(roles=[Rol.COORDINACION]))
    return cliente


def test_the_matrix_marks_late_months_and_filters_the_late_centres(centros, coordinacion):
    atrasado, al_dia = centros
    url = reverse("centros:completitud", args=[2024])

    todos = coordinacion.get(url)
    solo = coordinacion.get(url, {"estado": "atrasados"})

    filas = {fila.centro.pk: fila for fila in todos.context["matriz"].filas}
    # 2024 is over: every month of the centre with only March is late but March's draft
    # and the submitted month of the other.
    assert filas[atrasado.pk].atrasados == 12
    assert filas[al_dia.pk].atrasados == 11
    assert "celda-atrasada" in todos.content.decode()
    assert "atrasado: vencía el 10/04/2024" in todos.content.decode()
    ReporteMensual.objects.filter(centro=al_dia).delete()
    for mes in range(1, 13):
        ReporteMensualFactory(
            centro=al_dia, anio=2024, mes=mes, estado=ReporteMensual.Estado.APROBADO
        )
    solo = coordinacion.get(url, {"estado": "atrasados"})
    assert [fila.centro.pk for fila in solo.context["matriz"].filas] == [atrasado.pk]


def test_the_coordination_changes_the_due_day_and_a_day_no_month_has_is_refused(db, coordinacion):
    url = reverse("centros:plazo", args=[2024])

    cambiado = coordinacion.post(url, {"dia": "15"})
    rechazado = coordinacion.post(url, {"dia": "31"})

    assert cambiado.status_code == rechazado.status_code == 302
    assert PlazoDelAnio.objects.get(anio=2024).dia == 15
    mensajes = [str(m) for m in get_messages(rechazado.wsgi_request)]
    assert any("No se cambió el plazo: Escriba un día del 1 al 28" in m for m in mensajes)


def test_the_home_pages_list_the_late_months_and_centres(centros, coordinacion):
    # Given: 20 June 2024; the centre with a March draft has March, April and May late.
    atrasado, al_dia = centros
    personal = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    atrasado.personal_asignado.add(personal)
    cliente = Client()
    cliente.force_login(personal)

    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2024, 6, 20)):
        del_personal = cliente.get(reverse("inicio")).content.decode()
        de_coordinacion = coordinacion.get(reverse("inicio"))

    seccion = del_personal.split('id="titulo-atrasados"')[1].split("</section>")[0]
    assert "CDI Atrasado: marzo de 2024" in seccion
    assert "vencía el 10/04/2024" in seccion
    assert "CDI Atrasado: mayo de 2024" in seccion
    assert "junio" not in seccion  # due on 10 July
    atrasadas = de_coordinacion.context["matriz"].filas_atrasadas
    assert {fila.centro.pk: fila.atrasados for fila in atrasadas} == {
        atrasado.pk: 5,  # January to May
        al_dia.pk: 4,  # the same, but March was submitted
    }
    assert "Centros atrasados (2)" in de_coordinacion.content.decode()


def test_the_panel_names_the_late_months_among_the_pending_ones(centros):
    atrasado, _ = centros

    textos = [
        o.texto
        for o in observaciones(anio=2024, hoy=datetime.date(2024, 5, 20))
        if o.texto.startswith(f"{atrasado.numero}. ")
    ]

    # April is due on 10 May, May is running: January, February and April have no data and
    # are late; March is a late draft.
    assert textos == [
        f"{atrasado.numero}. CDI Atrasado: sin datos en enero, febrero, abril. Con el plazo "
        "vencido: enero, febrero, abril.",
        f"{atrasado.numero}. CDI Atrasado: sin aprobar marzo. Con el plazo vencido: marzo.",
    ]


def test_a_late_month_stays_open_to_its_staff_no_expiry_closes_it(centros):
    # Decided against DHIS2's expiry days: closing a late month would stop the very
    # correction that is missing; lateness is shown (matrix, home pages, panel) instead.
    atrasado, _ = centros
    personal = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    atrasado.personal_asignado.add(personal)
    indicador = IndicadorFactory(codigo="raciones")
    IndicadorCentroFactory(centro=atrasado, indicador=indicador)
    un_anio_despues = datetime.date(2025, 4, 11)

    reporte = reporte_guardar(
        centro=atrasado,
        mes=Mes(2024, 1),
        valores={"raciones": Decimal(800)},
        version=0,
        usuario=personal,
        enviar=True,
        hoy=un_anio_despues,
    )

    assert reporte.estado == ReporteMensual.Estado.ENVIADO
