"""Pending work in front of the person who must act: staff see the months of any year sent
back to them, the coordination the months to review of any year, oldest first, and those it
sent back; the navigation counts them; in January the home page is December's year."""

import datetime
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from casmul.meses import Mes
from casmul.roles import Rol
from centros.models import Devolucion, PlazoDelAnio, ReporteMensual
from tests.factories import (
    CentroFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    UserFactory,
)

E = ReporteMensual.Estado
HOY = datetime.date(2025, 2, 20)


@pytest.fixture
def mundo(db):
    propio = CentroFactory(nombre_corto="CDI Propio")
    ajeno = CentroFactory(nombre_corto="CDI Ajeno")
    for centro in (propio, ajeno):
        for anio in (2024, 2025):
            OperacionAnualFactory(centro=centro, anio=anio)
    personal = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    propio.personal_asignado.add(personal)
    coordinacion = UserFactory(roles=[Rol.COORDINACION])
    devuelto = ReporteMensualFactory(centro=propio, anio=2024, mes=11, estado=E.DEVUELTO)
    Devolucion.objects.create(
        reporte=devuelto,
        version=1,
        motivo="Las raciones no cuadran con los días de atención",
        devuelto_por=coordinacion,
    )
    reabierto = ReporteMensualFactory(
        centro=propio, anio=2023, mes=5, estado=E.BORRADOR, motivo_reapertura="Falta un niño"
    )
    ReporteMensualFactory(centro=ajeno, anio=2024, mes=10, estado=E.DEVUELTO)
    enviados = [
        ReporteMensualFactory(centro=ajeno, anio=2025, mes=1, estado=E.ENVIADO),
        ReporteMensualFactory(centro=propio, anio=2024, mes=12, estado=E.ENVIADO),
        ReporteMensualFactory(centro=ajeno, anio=2024, mes=12, estado=E.ENVIADO),
    ]
    return {
        "propio": propio,
        "ajeno": ajeno,
        "personal": personal,
        "coordinacion": coordinacion,
        "devuelto": devuelto,
        "reabierto": reabierto,
        "enviados": enviados,
    }


def _inicio(usuario, hoy=HOY):
    cliente = Client()
    cliente.force_login(usuario)
    with mock.patch("django.utils.timezone.localdate", return_value=hoy):
        return cliente.get(reverse("inicio"))


def test_staff_see_every_month_sent_back_to_them_of_any_year_with_its_reason_and_link(mundo):
    respuesta = _inicio(mundo["personal"])
    contenido = respuesta.content.decode()

    esperan = [espera.reporte for espera in respuesta.context["esperan"]]
    assert esperan == [mundo["reabierto"], mundo["devuelto"]]  # oldest first, their centre only
    assert "«Las raciones no cuadran con los días de atención»" in contenido
    assert "«Falta un niño»" in contenido
    assert reverse("centros:mes", args=[mundo["devuelto"].centro_id, 2024, 11]) in contenido
    assert 'Pendientes <span class="insignia">2</span>' in contenido


def test_the_coordination_sees_the_months_to_review_of_any_year_oldest_first(mundo):
    respuesta = _inicio(mundo["coordinacion"])
    contenido = respuesta.content.decode()

    enviado_2025, propio_diciembre, ajeno_diciembre = mundo["enviados"]
    # December 2024 is reviewed in 2025: it heads the queue, centre by centre.
    por_revisar = respuesta.context["por_revisar"]
    assert [r.pk for r in por_revisar][:2] == sorted(
        [propio_diciembre.pk, ajeno_diciembre.pk],
        key=lambda pk: ReporteMensual.objects.get(pk=pk).centro.numero,
    )
    assert por_revisar[-1] == enviado_2025
    assert "Por revisar (3), los más antiguos primero" in contenido
    assert reverse("centros:revisar", args=[enviado_2025.pk]) in contenido
    # What it sent back, of every centre, until the centre submits it again.
    assert len(respuesta.context["esperan"]) == 3
    assert "Devueltos o reabiertos, sin reenviar (3)" in contenido
    assert 'Pendientes <span class="insignia">3</span>' in contenido


def test_a_submitted_month_leaves_the_staff_count_and_joins_the_coordination_s(mundo):
    devuelto = mundo["devuelto"]
    devuelto.estado = E.ENVIADO
    devuelto.save()

    personal = _inicio(mundo["personal"]).content.decode()
    coordinacion = _inicio(mundo["coordinacion"]).content.decode()

    assert 'Pendientes <span class="insignia">1</span>' in personal
    assert 'Pendientes <span class="insignia">4</span>' in coordinacion


def test_in_january_the_home_page_is_about_the_year_whose_december_is_reported(mundo):
    enero = _inicio(mundo["coordinacion"], hoy=datetime.date(2025, 1, 20))
    marzo = _inicio(mundo["coordinacion"], hoy=datetime.date(2025, 3, 20))

    assert enero.context["anio"] == 2024
    assert "Cifras mensuales de 2024" in enero.content.decode()
    assert marzo.context["anio"] == 2025


def test_nobody_without_a_role_gets_a_count(db):
    cliente = Client()
    cliente.force_login(UserFactory())

    assert "insignia" not in cliente.get(reverse("inicio")).content.decode()


def test_the_admin_pages_pay_no_query_for_the_count(mundo, django_assert_max_num_queries):
    administracion = UserFactory(roles=[Rol.ADMINISTRACION], is_staff=True)
    cliente = Client()
    cliente.force_login(administracion)
    cliente.get(reverse("admin:index"))

    with django_assert_max_num_queries(20) as consultas:
        cliente.get(reverse("admin:index"))

    assert not any(
        "COUNT(*)" in c["sql"] and "centros_reportemensual" in c["sql"]
        for c in consultas.captured_queries
    )


def test_staff_see_their_drafts_of_earlier_years_past_their_due_day(mundo):
    olvidado = ReporteMensualFactory(centro=mundo["propio"], anio=2023, mes=8, estado=E.BORRADOR)
    PlazoDelAnio.objects.create(anio=2023, dia=5)
    ReporteMensualFactory(centro=mundo["ajeno"], anio=2023, mes=9, estado=E.BORRADOR)

    respuesta = _inicio(mundo["personal"])
    contenido = respuesta.content.decode()

    atrasados = [(centro.pk, celda.mes) for centro, celda in respuesta.context["atrasados"]]
    assert atrasados[0] == (olvidado.centro_id, Mes(2023, 8))  # the oldest first
    assert all(centro_id == mundo["propio"].pk for centro_id, _ in atrasados)
    seccion = contenido.split('id="titulo-atrasados"')[1].split("</section>")[0]
    assert "CDI Propio: agosto de 2023" in seccion
    assert "vencía el 05/09/2023" in seccion  # the year's own due day
    # The reopened one of 2023 waits with its reason, not here.
    assert "mayo de 2023" not in seccion
