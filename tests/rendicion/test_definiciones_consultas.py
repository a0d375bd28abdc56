"""The pages of a year read each centre's definition of that year in a fixed number of
queries: the report, the comparison and a centre's page take as many with ten times the
centres, every one of them with a year that keeps its own definition."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.sintetico import anio_multiplicar
from casmul.roles import Rol
from centros.models import CAMPOS_DEL_ANIO, Area, Centro, OperacionAnual
from rendicion.selectors import comparacion_anual, informe_rendicion
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("datos_2023")


def _consultas(funcion) -> int:
    with CaptureQueriesContext(connection) as contexto:
        funcion()
    return len(contexto.captured_queries)


def _2022_con_su_propia_definicion(otra_area: Area) -> None:
    """Every centre's 2022 keeps its own definition, with the capacity it had, and those of
    2023's first área were in another área in 2022: both paths of every reader run."""
    primera = Area.objects.order_by("orden").first()
    for operacion in OperacionAnual.objects.filter(anio=2022).select_related("centro"):
        operacion.definicion_propia = True
        for campo in CAMPOS_DEL_ANIO:
            setattr(operacion, campo, getattr(operacion.centro, campo))
        if operacion.centro.area_id == primera.pk:
            operacion.area = otra_area
        operacion.capacidad = (operacion.centro.capacidad or 0) + 5
        operacion.save()


def test_the_year_s_pages_take_the_same_queries_with_ten_times_the_centres(client):
    client.force_login(UserFactory(roles=[Rol.COORDINACION]))
    _2022_con_su_propia_definicion(Area.objects.order_by("orden").last())
    assert OperacionAnual.objects.filter(anio=2022, definicion_propia=True).exists()
    centro = Centro.objects.get(numero=4)
    urls = [
        reverse("rendicion:informe", args=[2023]),
        reverse("rendicion:comparacion", args=[2023]),
        reverse("rendicion:centro", args=[centro.pk]),
    ]
    antes = {url: _consultas(lambda url=url: client.get(url)) for url in urls}
    informe_1x = informe_rendicion(anio=2023).centros.total_anio_anterior

    # The copies of 2023's centres bring their years of operation, 2022's own definitions too.
    anio_multiplicar(anio=2023, factor=10)

    assert {url: _consultas(lambda url=url: client.get(url)) for url in urls} == antes
    # The copies are counted, each in the área it had that year.
    assert informe_rendicion(anio=2023).centros.total_anio_anterior == 10 * informe_1x
    comparacion = comparacion_anual(anio=2023, hoy=datetime.date(2024, 3, 1))
    assert any(area.entraron for area in comparacion.centros.areas)
