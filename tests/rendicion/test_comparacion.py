"""The comparison of a year with the previous one: per área and per centre, approved figures
only, each by its rule, with the difference; a year without approved months has no figure,
not a zero."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.sintetico import anio_multiplicar
from casmul.roles import Rol
from centros.models import Indicador, LineaServicio, ReporteMensual
from rendicion.selectors import comparacion_anual, informe_rendicion
from salud.models import Servicio
from tests.factories import (
    AreaFactory,
    AtencionClinicaFactory,
    CentroFactory,
    CifraMensualFactory,
    IndicadorFactory,
    LineaPresupuestariaFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    UserFactory,
    centro_con_indicador_usuarios,
    cifras_del_anio,
)

HOY = datetime.date(2025, 3, 10)


@pytest.fixture
def coordinacion(client, db):
    client.force_login(UserFactory(roles=[Rol.COORDINACION]))
    return client


@pytest.fixture
def dos_anios(db):
    """An área with a centre that counts users in both years (40 → 50 children), a centre new
    in 2024 and one that closed after 2023."""
    area = AreaFactory(nombre="Área comparada")
    usuarios = IndicadorFactory(agregacion=Indicador.Agregacion.MAXIMO, nombre="Niños")
    ingresos = IndicadorFactory(unidad=Indicador.Unidad.DOLARES, nombre="Ingresos")
    sigue = centro_con_indicador_usuarios(usuarios, area=area, nombre_corto="Sigue")
    sigue.indicadores_centro.create(indicador=ingresos, orden=2)
    cifras_del_anio(sigue, usuarios, [40] * 12, anio=2023)
    cifras_del_anio(sigue, usuarios, [45] * 11 + [50], anio=2024)
    cifras_del_anio(sigue, ingresos, ["100.50"] * 12, anio=2023)
    cifras_del_anio(sigue, ingresos, ["200"] * 12, anio=2024)
    nuevo = centro_con_indicador_usuarios(usuarios, area=area, nombre_corto="Nuevo")
    cifras_del_anio(nuevo, usuarios, [10] * 6, anio=2024)
    cerrado = centro_con_indicador_usuarios(usuarios, area=area, nombre_corto="Cerrado")
    cifras_del_anio(cerrado, usuarios, [7] * 12, anio=2023)
    return {"area": area, "sigue": sigue, "nuevo": nuevo, "cerrado": cerrado}


def _centro(comparacion, centro):
    area = next(a for a in comparacion.centros.areas if a.area_id == centro.area_id)
    return area, next(c for c in area.centros if c.centro_id == centro.pk)


def test_each_figure_is_compared_by_its_rule_with_the_difference(dos_anios):
    comparacion = comparacion_anual(anio=2024, hoy=HOY)
    area, sigue = _centro(comparacion, dos_anios["sigue"])

    assert (sigue.usuarios.anterior, sigue.usuarios.actual) == (40, 50)
    assert sigue.usuarios.diferencia == 10
    assert sigue.usuarios.variacion == Decimal("0.25")
    ingresos = next(c for c in sigue.cifras if c.nombre == "Ingresos")
    assert (ingresos.anterior, ingresos.actual) == (Decimal("1206.00"), Decimal("2400.00"))
    assert ingresos.es_monetaria
    assert (sigue.meses.anterior, sigue.meses.actual) == (12, 12)


def test_new_and_closed_centres_have_no_figure_in_the_year_they_did_not_operate(dos_anios):
    area, nuevo = _centro(comparacion_anual(anio=2024, hoy=HOY), dos_anios["nuevo"])
    _, cerrado = _centro(comparacion_anual(anio=2024, hoy=HOY), dos_anios["cerrado"])

    assert nuevo.nuevo and not nuevo.cerrado
    assert nuevo.usuarios.anterior is None and nuevo.usuarios.diferencia is None
    assert cerrado.cerrado and cerrado.usuarios.actual is None
    # The área adds the centres that operated each year: 40 + 7, then 50 + 10.
    assert (area.conteo.anterior, area.conteo.actual) == (2, 2)
    assert (area.usuarios.anterior, area.usuarios.actual) == (47, 60)


def test_only_approved_months_count_and_a_year_without_them_is_not_a_zero(dos_anios):
    sigue = dos_anios["sigue"]
    ReporteMensual.objects.filter(centro=sigue, anio=2024, mes=12).update(
        estado=ReporteMensual.Estado.ENVIADO
    )
    nuevo = dos_anios["nuevo"]
    ReporteMensual.objects.filter(centro=nuevo, anio=2024).update(
        estado=ReporteMensual.Estado.BORRADOR
    )

    comparacion = comparacion_anual(anio=2024, hoy=HOY)
    _, fila_sigue = _centro(comparacion, sigue)
    _, fila_nuevo = _centro(comparacion, nuevo)

    assert fila_sigue.usuarios.actual == 45  # the submitted December's 50 does not count
    assert fila_sigue.meses.actual == 11
    assert fila_nuevo.meses.actual == 0
    assert fila_nuevo.usuarios.actual is None


def test_a_year_with_no_budget_recorded_has_nothing_to_compare(dos_anios):
    area = dos_anios["area"]
    LineaPresupuestariaFactory(anio=2024, area=area, codificado=Decimal("1000.00"))

    comparacion = comparacion_anual(anio=2024, hoy=HOY)
    fila = next(f for f in comparacion.presupuesto if f.area == area.nombre)

    assert (fila.codificado.anterior, fila.codificado.actual) == (None, Decimal("1000.00"))
    LineaPresupuestariaFactory(anio=2023, area=area, codificado=Decimal("800.00"))
    fila = next(
        f for f in comparacion_anual(anio=2024, hoy=HOY).presupuesto if f.area == area.nombre
    )
    assert fila.codificado.diferencia == Decimal("200.00")


def test_the_page_prints_both_years_the_difference_and_the_variation(coordinacion, dos_anios):
    respuesta = coordinacion.get(reverse("rendicion:comparacion", args=[2024]))

    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    bloque = re.search(
        rf'<tbody class="centro" data-centro="{dos_anios["sigue"].pk}">(.*?)</tbody>', html, re.S
    )[1]
    ingresos = re.search(r"<td>Ingresos</td>(.*?)</tr>", bloque, re.S)[1]
    celdas = re.findall(r'<td class="num">([^<]*)</td>', ingresos)
    assert celdas == ["$1.206,00", "$2.400,00", "+$1.194,00", "+99 %"]
    assert "Nuevo en 2024" in html and "No operó en 2024" in html
    assert reverse("rendicion:centro", args=[dos_anios["sigue"].pk]) in html


@pytest.mark.usefixtures("datos_2023")
def test_the_previous_year_is_the_figure_its_own_report_gave():
    """2024 beside 2023: each centre's 2023 users are Tablas 1 and 6, the 2023 budget is
    Tabla 11, the 2023 clinic Tabla 2."""
    informe = informe_rendicion(anio=2023)
    comparacion = comparacion_anual(anio=2024, hoy=HOY)
    usuarios_2023 = {
        centro.centro_id: centro.usuarios.anterior
        for area in comparacion.centros.areas
        for centro in area.centros
        if centro.usuarios is not None
    }
    tabla = {
        fila.centro_id: fila.usuarios
        for fila in informe.desarrollo_infantil.filas + informe.apoyo_social.filas
    }

    assert {pk: usuarios_2023[pk] for pk in tabla} == tabla
    assert [f.codificado.anterior for f in comparacion.presupuesto] == [
        f.codificado for f in informe.presupuesto.filas
    ]
    assert [f.pacientes.anterior for f in comparacion.clinica] == [
        f.pacientes for f in informe.clinica.por_servicio
    ]
    assert sum(f.pacientes.anterior for f in comparacion.clinica) == informe.clinica.total


@pytest.mark.usefixtures("datos_2023")
def test_the_page_takes_the_same_queries_with_ten_times_the_data(
    coordinacion, django_assert_max_num_queries
):
    url = reverse("rendicion:comparacion", args=[2023])
    with CaptureQueriesContext(connection) as consultas:
        assert coordinacion.get(url).status_code == 200

    anio_multiplicar(anio=2023, factor=10)

    with django_assert_max_num_queries(len(consultas)):
        assert coordinacion.get(url).status_code == 200


def test_the_comparison_is_for_the_coordination_only(client, dos_anios):
    url = reverse("rendicion:comparacion", args=[2024])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(roles=[Rol.PERSONAL_CENTRO]))
    assert client.get(url).status_code == 403


def test_a_year_outside_the_portal_is_not_found(coordinacion):
    assert coordinacion.get(reverse("rendicion:comparacion", args=[1990])).status_code == 404
    siguiente = datetime.date.today().year + 1
    assert coordinacion.get(reverse("rendicion:comparacion", args=[siguiente])).status_code == 404


def test_an_operation_without_months_recorded_counts_as_operating(db):
    """A centre whose year is recorded but whose months are not yet approved still counts
    among the centres of that year."""
    operacion = OperacionAnualFactory(anio=2024)

    comparacion = comparacion_anual(anio=2024, hoy=HOY)
    area = next(a for a in comparacion.centros.areas if a.area_id == operacion.centro.area_id)

    assert (area.conteo.anterior, area.conteo.actual) == (0, 1)


@pytest.fixture
def anio_a_medias(db):
    """A centre whose 2023 is approved and whose 2024 has 7 of its 12 months approved (the
    other 5 submitted): 2024's users read as a fall that is only months not yet approved."""
    area = AreaFactory(nombre="Área a medias")
    usuarios = IndicadorFactory(agregacion=Indicador.Agregacion.SUMA, nombre="Atenciones")
    centro = centro_con_indicador_usuarios(usuarios, area=area, nombre_corto="A medias")
    cifras_del_anio(centro, usuarios, [100] * 12, anio=2023)
    cifras_del_anio(centro, usuarios, [100] * 7, anio=2024)
    _enviados(centro, usuarios, meses=range(8, 13))
    return centro


def _enviados(centro, indicador, *, meses):
    """Months of 2024 submitted, not approved: due, and not counted."""
    for mes in meses:
        reporte = ReporteMensualFactory(
            centro=centro, anio=2024, mes=mes, estado=ReporteMensual.Estado.ENVIADO
        )
        CifraMensualFactory(reporte=reporte, indicador=indicador, valor=Decimal(100))


def test_a_year_with_too_few_approved_months_prints_no_variation(anio_a_medias):
    area, centro = _centro(comparacion_anual(anio=2024, hoy=HOY), anio_a_medias)

    for comparada in (centro.usuarios, centro.cifras[0], area.usuarios):
        assert (comparada.anterior, comparada.actual) == (1200, 700)
        assert comparada.variacion is None and not comparada.comparable
        assert [(c.anio, c.aprobados, c.debidos) for c in comparada.insuficientes] == [
            (2024, 7, 12)
        ]


def test_the_page_says_why_instead_of_a_variation(coordinacion, anio_a_medias):
    html = coordinacion.get(reverse("rendicion:comparacion", args=[2024])).content.decode()

    bloque = re.search(
        rf'<tbody class="centro" data-centro="{anio_a_medias.pk}">(.*?)</tbody>', html, re.S
    )[1]
    assert "no comparable aún (7 de 12 meses aprobados en 2024)" in re.sub(r"\s+", " ", bloque)
    assert "−42 %" not in html and "-42 %" not in html


def test_the_threshold_is_a_setting(anio_a_medias, settings):
    settings.COMPARACION_MESES_APROBADOS_MINIMO = 0.5

    _, centro = _centro(comparacion_anual(anio=2024, hoy=HOY), anio_a_medias)

    assert centro.usuarios.comparable
    assert centro.usuarios.variacion == Decimal(-500) / Decimal(1200)


def test_a_year_with_enough_months_approved_is_compared(db):
    """11 of 12 approved is above the 90 % threshold: the variation is printed."""
    usuarios = IndicadorFactory(agregacion=Indicador.Agregacion.SUMA)
    centro = centro_con_indicador_usuarios(usuarios)
    cifras_del_anio(centro, usuarios, [100] * 12, anio=2023)
    cifras_del_anio(centro, usuarios, [100] * 11, anio=2024)
    _enviados(centro, usuarios, meses=[12])

    _, comparado = _centro(comparacion_anual(anio=2024, hoy=HOY), centro)

    assert comparado.usuarios.comparable
    assert comparado.usuarios.variacion == Decimal(-100) / Decimal(1200)


def test_the_clinic_is_compared_only_on_enough_approved_months(db):
    clinica = CentroFactory(linea_servicio=LineaServicio.SALUD)
    for anio, aprobados in ((2023, 12), (2024, 6)):
        OperacionAnualFactory(centro=clinica, anio=anio)
        for mes in range(1, 13):
            estado = ReporteMensual.Estado.APROBADO if mes <= aprobados else "enviado"
            reporte = ReporteMensualFactory(centro=clinica, anio=anio, mes=mes, estado=estado)
            AtencionClinicaFactory(reporte=reporte, servicio=Servicio.EMERGENCIA, pacientes=10)

    comparacion = comparacion_anual(anio=2024, hoy=HOY)

    emergencia = next(f for f in comparacion.clinica if f.servicio == "Emergencia").pacientes
    assert (emergencia.anterior, emergencia.actual) == (120, 60)
    assert emergencia.variacion is None
    assert [(c.anio, c.aprobados, c.debidos) for c in emergencia.insuficientes] == [(2024, 6, 12)]
