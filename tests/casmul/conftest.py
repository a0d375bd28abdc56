from types import SimpleNamespace

import pytest

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import Indicador
from tests.factories import (
    CentroFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    OperacionAnualFactory,
)


@pytest.fixture
def datos(db):
    """For the portal's import of monthly figures: a centre's staff (centre 1001, which
    reports «usuarios» and «ingresos» in 2023) and another centre (1002, «visitas»)."""
    d = SimpleNamespace()
    d.usuarios = IndicadorFactory(
        codigo="usuarios", nombre="Usuarios atendidos", unidad=Indicador.Unidad.PERSONAS
    )
    d.ingresos = IndicadorFactory(
        codigo="ingresos", nombre="Ingresos", unidad=Indicador.Unidad.DOLARES
    )
    d.visitas = IndicadorFactory(codigo="visitas", nombre="Visitas domiciliarias")
    d.propio = CentroFactory(numero=1001, nombre_corto="Piscina")
    for orden, indicador in enumerate([d.usuarios, d.ingresos]):
        IndicadorCentroFactory(centro=d.propio, indicador=indicador, orden=orden)
    d.ajeno = CentroFactory(numero=1002, nombre_corto="Casa ajena")
    IndicadorCentroFactory(centro=d.ajeno, indicador=d.visitas)
    for centro in (d.propio, d.ajeno):
        OperacionAnualFactory(centro=centro, anio=2023)
    d.personal = usuario_con_rol_guardar(
        username="personal",
        password="clave-de-prueba-1",
        rol=Rol.PERSONAL_CENTRO,
        centro_ids=[d.propio.pk],
    )
    return d
