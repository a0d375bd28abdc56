"""A centre's year: the twelve months with their status and values, and each figure's
yearly value by its rule."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from casmul.roles import Rol
from centros.models import Indicador, LineaServicio, ReporteMensual
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    UserFactory,
    centro_con_indicador_usuarios,
    cifras_del_anio,
)

ANIO = 2024


@pytest.fixture
def personal(db):
    return UserFactory(roles=[Rol.PERSONAL_CENTRO])


@pytest.fixture
def centro(personal):
    centro = centro_con_indicador_usuarios(
        IndicadorFactory(
            codigo="usuarios", nombre="Usuarios inscritos", agregacion=Indicador.Agregacion.MAXIMO
        ),
        personal_asignado=[personal],
    )
    ingresos = IndicadorFactory(
        codigo="ingresos", nombre="Ingresos brutos", unidad=Indicador.Unidad.DOLARES
    )
    IndicadorCentroFactory(centro=centro, indicador=ingresos, orden=1)
    OperacionAnualFactory(centro=centro, anio=ANIO, mes_inicio=1, mes_fin=10)
    return centro


@pytest.fixture
def cliente(client, personal):
    client.force_login(personal)
    return client


def _url(centro, anio=ANIO):
    return reverse("centros:anio", args=[centro.pk, anio])


def test_each_month_shows_its_status(cliente, centro):
    estados = {1: "aprobado", 2: "enviado", 3: "borrador"}
    for mes, estado in estados.items():
        ReporteMensualFactory(centro=centro, anio=ANIO, mes=mes, estado=estado)

    respuesta = cliente.get(_url(centro))

    meses = {
        fila["mes"].mes.numero: fila["mes"].nombre_estado for fila in respuesta.context["filas"]
    }
    assert meses[1] == "Aprobado"
    assert meses[2] == "Enviado"
    assert meses[3] == "Borrador"
    assert meses[4] == "Sin datos"
    assert meses[11] == meses[12] == "No opera"  # the centre operated January to October


def test_months_not_yet_come_are_por_llegar(cliente, centro):
    hoy = timezone.localdate()
    OperacionAnualFactory(centro=centro, anio=hoy.year)

    respuesta = cliente.get(_url(centro, hoy.year))

    if hoy.month < 12:
        ultimo = respuesta.context["filas"][-1]
        assert ultimo["mes"].nombre_estado == "Por llegar"
        assert not ultimo["enlace"]
    assert respuesta.context["siguiente"] is None


def test_values_per_month_and_the_year_by_each_rule(cliente, centro):
    cifras_del_anio(centro, centro.indicador_usuarios, [30, 36, 34], anio=ANIO)
    ingresos = Indicador.objects.get(codigo="ingresos")
    cifras_del_anio(centro, ingresos, ["100.50", "200.25", "0"], anio=ANIO)

    contenido = cliente.get(_url(centro)).content.decode()

    assert "$100,50" in contenido
    assert "$300,75" in contenido  # income adds up
    filas = contenido[contenido.index("<tfoot>") :]
    assert ">36<" in filas  # users: the highest month, not 100
    assert "máximo mensual" in contenido
    assert "suma de los meses" in contenido


def test_every_month_links_to_its_form_and_the_years_link_to_each_other(cliente, centro):
    contenido = cliente.get(_url(centro)).content.decode()

    assert reverse("centros:mes", args=[centro.pk, ANIO, 1]) in contenido
    assert reverse("centros:mes", args=[centro.pk, ANIO, 10]) in contenido
    assert reverse("centros:mes", args=[centro.pk, ANIO, 12]) not in contenido  # no opera
    assert _url(centro, ANIO - 1) in contenido
    assert _url(centro, ANIO + 1) in contenido


def test_the_clinic_year_links_to_the_clinic_months(client, db):
    admin = UserFactory(roles=[Rol.ADMINISTRACION])
    clinica = CentroFactory(linea_servicio=LineaServicio.SALUD)
    OperacionAnualFactory(centro=clinica, anio=ANIO)
    client.force_login(admin)

    contenido = client.get(_url(clinica)).content.decode()

    assert reverse("salud:mes", args=[clinica.pk, ANIO, 5]) in contenido


def test_the_year_page_queries_do_not_grow_with_the_data(
    cliente, centro, django_assert_max_num_queries
):
    cifras_del_anio(centro, centro.indicador_usuarios, [30], anio=ANIO)
    with django_assert_max_num_queries(12) as pocas:
        cliente.get(_url(centro))

    for _ in range(10):
        IndicadorCentroFactory(centro=centro)
    for indicador in Indicador.objects.exclude(codigo="usuarios"):
        cifras_del_anio(centro, indicador, [Decimal(10)] * 12, anio=ANIO)
    ReporteMensual.objects.filter(centro=centro).update(estado="enviado")
    with django_assert_max_num_queries(len(pocas.captured_queries)):
        respuesta = cliente.get(_url(centro))
    assert len(respuesta.context["columnas"]) == 12
