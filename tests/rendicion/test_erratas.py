"""An erratum lists every figure a reader would name that differs from the previous version:
changed (old → new), appeared («—» before) and disappeared («—» after), none left out."""

import datetime
from decimal import Decimal

import pytest

from casmul.roles import Rol
from centros.models import ReporteMensual
from centros.services import reporte_reabrir, reportes_aprobar
from rendicion.instantanea import erratas
from rendicion.services import informe_publicar
from tests.factories import (
    CifraMensualFactory,
    IndicadorFactory,
    InformeAnualFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    UserFactory,
    centro_con_indicador_usuarios,
)

ANIO = 2024
HOY = datetime.date(2025, 3, 1)


def _instantanea(cifras=(), clinica=None, totales=None) -> dict:
    """A snapshot as `rendicion.instantanea.instantanea` writes it, with only what is named."""
    return {
        "cifras": [
            {"centro": numero, "nombre_centro": centro, "nombre": nombre, "valor": valor}
            for numero, centro, nombre, valor in cifras
        ],
        "clinica": {"pacientes": clinica or {}},
        "tablas": {
            "tabla-1": {
                "titulo": "Tabla 1",
                "encabezados": ["Centro", "Usuarios"],
                "filas": [],
                "totales": [["Total", valor] for valor in (totales or [])],
            }
        },
    }


CDI = (1, "CDI Estrellitas", "Usuarios")
PISCINA = (2, "Piscina", "Ingresos")


@pytest.mark.parametrize(
    ("antes", "despues", "esperadas"),
    [
        pytest.param(
            _instantanea([(*CDI, "36")]),
            _instantanea([(*CDI, "36")]),
            [],
            id="nothing changed",
        ),
        pytest.param(
            _instantanea([(*CDI, "36")]),
            _instantanea([(*CDI, "38")]),
            [("1. CDI Estrellitas: Usuarios", "36", "38")],
            id="changed",
        ),
        pytest.param(
            _instantanea([(*CDI, "36")]),
            _instantanea([(*CDI, "36"), (*PISCINA, "102591.18")]),
            [("2. Piscina: Ingresos", "—", "102591.18")],
            id="appears",
        ),
        pytest.param(
            _instantanea([(*CDI, "36"), (*PISCINA, "102591.18")]),
            _instantanea([(*CDI, "36")]),
            [("2. Piscina: Ingresos", "102591.18", "—")],
            id="disappears",
        ),
        pytest.param(
            _instantanea(clinica={"Emergencia": 2092}),
            _instantanea(clinica={"Emergencia": 2100, "Hospitalización": 6449}),
            [("Clínica: Emergencia", "2092", "2100"), ("Clínica: Hospitalización", "—", "6449")],
            id="clinic changed and appeared",
        ),
        pytest.param(
            _instantanea(totales=["523"]),
            _instantanea(totales=[]),
            [("Tabla 1 — total, Usuarios", "523", "—")],
            id="table total disappears",
        ),
    ],
)
def test_errata_list_changed_appeared_and_disappeared_figures(antes, despues, esperadas):
    assert [(e["cifra"], e["antes"], e["despues"]) for e in erratas(antes, despues)] == esperadas


@pytest.fixture
def coordinacion(db):
    return UserFactory(roles=[Rol.COORDINACION])


def test_a_figure_whose_only_approved_month_is_reopened_is_listed_as_gone(coordinacion):
    """End to end: a centre's figure counted in version 1 from one approved month; the month
    is reopened (which opens the erratum) and left as a draft; version 2 names the figure
    with «—», and a figure approved meanwhile with «—» before."""
    InformeAnualFactory(anio=ANIO)
    indicador = IndicadorFactory(codigo="usuarios", nombre="Usuarios atendidos")
    quitado = centro_con_indicador_usuarios(indicador, numero=41, nombre_corto="Quitado")
    nuevo = centro_con_indicador_usuarios(indicador, numero=42, nombre_corto="Nuevo")
    for centro in (quitado, nuevo):
        OperacionAnualFactory(centro=centro, anio=ANIO)
    reporte = ReporteMensualFactory(
        centro=quitado, anio=ANIO, mes=3, estado=ReporteMensual.Estado.APROBADO
    )
    CifraMensualFactory(reporte=reporte, indicador=indicador, valor=Decimal(30))
    informe_publicar(anio=ANIO, usuario=coordinacion, hoy=HOY)

    reporte_reabrir(reporte=reporte, motivo="No era de este centro", usuario=coordinacion)
    enviado = ReporteMensualFactory(
        centro=nuevo, anio=ANIO, mes=3, estado=ReporteMensual.Estado.ENVIADO, version=1
    )
    CifraMensualFactory(reporte=enviado, indicador=indicador, valor=Decimal(30))
    reportes_aprobar(versiones={enviado.pk: 1}, usuario=coordinacion, advertencias_vistas=True)
    segunda = informe_publicar(anio=ANIO, usuario=coordinacion, hoy=HOY)

    de_los_centros = {
        e["cifra"]: (e["antes"], e["despues"])
        for e in segunda.erratas
        if e["cifra"].startswith(("41.", "42."))
    }
    assert de_los_centros == {
        "41. Quitado: Usuarios atendidos": ("30.00", "—"),
        "42. Nuevo: Usuarios atendidos": ("—", "30.00"),
    }
    assert segunda.motivo == "No era de este centro"
