"""Figures in messages as people write them in Ecuador: money as $1.250,50 and counts as
1.250, in the month's warnings and in an import's preview, never as Python writes numbers."""

from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from casmul.meses import Mes
from casmul.roles import Rol
from centros.models import Indicador
from centros.services import advertencias_de_cifras
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    UserFactory,
    cifras_del_anio,
)

ANIO = 2024


@pytest.fixture
def centro(db):
    centro = CentroFactory(numero=1001, nombre_corto="Piscina")
    ingresos = IndicadorFactory(
        codigo="ingresos", nombre="Ingresos brutos", unidad=Indicador.Unidad.DOLARES
    )
    usuarios = IndicadorFactory(
        codigo="usuarios", nombre="Usuarios atendidos", unidad=Indicador.Unidad.PERSONAS
    )
    for orden, indicador in enumerate((usuarios, ingresos)):
        IndicadorCentroFactory(centro=centro, indicador=indicador, orden=orden)
    cifras_del_anio(centro, ingresos, ["400.10", "410.20", "405.30"], anio=ANIO)
    cifras_del_anio(centro, usuarios, [300, 310, 305], anio=ANIO)
    return centro


def test_a_money_warning_writes_dollars_and_cents_the_ecuadorian_way(centro):
    advertencias = advertencias_de_cifras(
        centro=centro,
        mes=Mes(ANIO, 4),
        valores={"ingresos": Decimal("1250.50"), "usuarios": Decimal(1250)},
    )

    assert advertencias == [
        "Ingresos brutos: $1.250,50 está muy lejos del promedio de los últimos meses ($405,20).",
        "Usuarios atendidos: 1.250 está muy lejos del promedio de los últimos meses (305).",
    ]


def test_the_import_preview_lists_each_row_s_figure_as_written(centro):
    personal = UserFactory(roles=[Rol.PERSONAL_CENTRO])
    centro.personal_asignado.add(personal)
    cliente = Client()
    cliente.force_login(personal)
    archivo = tablib.Dataset(
        (1001, ANIO, 5, "usuarios", "2.450"),
        (1001, ANIO, 5, "ingresos", "8.450,75"),
        headers=["Centro", "Año", "Mes", "Indicador", "Valor"],
    ).export("csv", delimiter=";")

    respuesta = cliente.post(
        reverse("importar_tipo", args=["cifras"]),
        {"archivo": SimpleUploadedFile("cifras.csv", archivo.encode("cp1252"))},
    )

    descripciones = [fila.descripcion for fila in respuesta.context["resumen"].filas]
    assert descripciones == [
        f"Piscina — Mayo {ANIO}: Usuarios atendidos = 2.450",
        f"Piscina — Mayo {ANIO}: Ingresos brutos = $8.450,75",
    ]
