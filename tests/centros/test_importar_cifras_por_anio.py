"""Importing monthly figures with indicators reported from or to a year
(`IndicadorCentro.desde_anio`/`hasta_anio`): a row carries only a figure its centre reports in
the row's year, and the template and the reference list only those of their year."""

import io

import openpyxl
import pytest
import tablib
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casmul.meses import Mes
from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import CifraMensual
from centros.resources import CifraMensualResource, cifras_referencia
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
)

COLUMNAS = ["centro", "anio", "mes", "indicador", "valor"]


class Datos:
    pass


@pytest.fixture
def datos(db):
    """Centre 1001 reports its users always, meals from 2025 and visits until 2024."""
    d = Datos()
    d.centro = CentroFactory(numero=1001)
    d.usuarios = IndicadorFactory(codigo="usuarios", nombre="Usuarios atendidos")
    d.comidas = IndicadorFactory(codigo="comidas", nombre="Raciones servidas")
    d.visitas = IndicadorFactory(codigo="visitas", nombre="Visitas domiciliarias")
    IndicadorCentroFactory(centro=d.centro, indicador=d.usuarios, orden=0)
    IndicadorCentroFactory(centro=d.centro, indicador=d.comidas, orden=1, desde_anio=2025)
    IndicadorCentroFactory(centro=d.centro, indicador=d.visitas, orden=2, hasta_anio=2024)
    for anio in (2024, 2025):
        OperacionAnualFactory(centro=d.centro, anio=anio)
    return d


def _importar(*filas):
    return CifraMensualResource().import_data(
        tablib.Dataset(*filas, headers=COLUMNAS), dry_run=False
    )


def _errores(resultado):
    return {fila.number: fila.error_dict for fila in resultado.invalid_rows}


def test_a_figure_reported_from_2025_is_refused_in_a_2024_row_naming_the_years(datos):
    resultado = _importar((1001, 2024, 3, "usuarios", 40), (1001, 2024, 3, "comidas", 800))

    assert _errores(resultado) == {
        2: {
            "indicador": [
                "El centro 1001 no reporta «Raciones servidas» en 2024 (lo reporta desde 2025)."
            ]
        }
    }
    assert not CifraMensual.objects.exists()


def test_a_figure_reported_until_2024_is_refused_in_a_2025_row(datos):
    resultado = _importar((1001, 2025, 3, "visitas", 4))

    assert _errores(resultado) == {
        1: {
            "indicador": [
                "El centro 1001 no reporta «Visitas domiciliarias» en 2025 (lo reportó hasta 2024)."
            ]
        }
    }


def test_each_figure_is_accepted_in_a_year_it_is_reported(datos):
    resultado = _importar(
        (1001, 2024, 3, "visitas", 4),
        (1001, 2025, 3, "comidas", 800),
        (1001, 2025, 3, "usuarios", 40),
    )

    assert not resultado.has_validation_errors() and not resultado.has_errors()
    assert sorted(
        CifraMensual.objects.values_list("reporte__anio", "indicador__codigo", "valor")
    ) == [(2024, "visitas", 4), (2025, "comidas", 800), (2025, "usuarios", 40)]


def test_the_years_each_figure_is_reported_in_are_read_once_for_the_whole_file(datos):
    filas = [
        (1001, 2024, 3, "usuarios", 40),
        (1001, 2024, 3, "visitas", 4),
        (1001, 2025, 3, "usuarios", 41),
        (1001, 2025, 3, "comidas", 800),
    ]

    with CaptureQueriesContext(connection) as consultas:
        resultado = CifraMensualResource().import_data(
            tablib.Dataset(*filas, headers=COLUMNAS), dry_run=True
        )

    assert not resultado.has_validation_errors()
    leidas = [c for c in consultas.captured_queries if "centros_indicadorcentro" in c["sql"]]
    assert len(leidas) == 1


# --- Template and reference --------------------------------------------------------------------


def _reportados(anio: int):
    """Centre 501, operating in `anio`, with a figure reported always, one from `anio`, one
    from the next year and one until the year before."""
    centro = CentroFactory(numero=501)
    OperacionAnualFactory(centro=centro, anio=anio)
    for orden, (codigo, desde, hasta) in enumerate(
        [
            ("siempre", None, None),
            ("desde_este", anio, None),
            ("desde_el_proximo", anio + 1, None),
            ("hasta_el_anterior", None, anio - 1),
        ]
    ):
        IndicadorCentroFactory(
            centro=centro,
            indicador=IndicadorFactory(codigo=codigo),
            orden=orden,
            desde_anio=desde,
            hasta_anio=hasta,
        )


@pytest.fixture
def administracion(db):
    return usuario_con_rol_guardar(
        username="administracion", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
    )


def test_the_template_lists_the_figures_reported_in_its_month_s_year(administracion):
    mes = Mes.de_fecha(timezone.localdate()).anterior
    _reportados(mes.anio)
    cliente = Client()
    cliente.force_login(administracion)

    respuesta = cliente.get(reverse("importar_plantilla", args=["cifras"]))

    hoja = openpyxl.load_workbook(io.BytesIO(respuesta.content)).active
    assert list(hoja.iter_rows(values_only=True))[1:] == [
        (501, mes.anio, mes.numero, "siempre", None),
        (501, mes.anio, mes.numero, "desde_este", None),
    ]


def test_the_reference_lists_the_figures_reported_in_the_year_in_course(administracion):
    _reportados(timezone.localdate().year)

    referencia = cifras_referencia(administracion)

    assert [(fila[0], fila[2]) for fila in referencia] == [(501, "siempre"), (501, "desde_este")]
