"""bench/load.py without running the load (that is a benchmark, not a test:
`.venv/bin/python bench/load.py --segundos 60`): its simulated users request the portal's views
they mean, no two staff users write the same month, and the check after the run counts an
acknowledged save that the database does not hold."""

from decimal import Decimal

from django.urls import resolve

from bench.load import MesAsignado, Plan, base_comprobar, meses_asignar
from casmul.hojas import importable
from casmul.meses import Mes
from casmul.roles import Rol
from tests.factories import CifraMensualFactory, IndicadorFactory, ReporteMensualFactory


def test_each_user_kind_requests_the_view_it_means():
    plan = Plan(personal=[MesAsignado("p", 7, 2026, 11)], anio_matriz=2026)

    vistas = {ruta: resolve(ruta).view_name for rutas in plan.rutas().values() for ruta in rutas}

    assert vistas == {
        "/centros/7/2026/11/": "centros:mes",
        "/centros/completitud/2026/": "centros:completitud",
        "/rendicion/2023/": "rendicion:informe",
        "/rendicion/2023/pdf/": "rendicion:informe_pdf",
        "/importar/cifras/": "importar_tipo",
        "/importar/cifras/confirmar/": "importar_confirmar",
        "/ingresar/": "login",
    }
    # The importer is the administration, which imports every centre's figures.
    assert Rol.ADMINISTRACION in importable("cifras").roles


def test_no_two_staff_users_write_the_same_month():
    asignados = meses_asignar(centros=list(range(1, 30)), usuarios=50, hasta=Mes(2026, 12))

    assert len(set(asignados)) == 50
    assert {mes for _, mes in asignados} == {Mes(2026, 12), Mes(2026, 11)}


def test_an_acknowledged_save_the_database_does_not_hold_is_lost(db):
    indicador = IndicadorFactory(codigo="usuarios")
    reporte = ReporteMensualFactory(anio=2026, mes=11)
    CifraMensualFactory(reporte=reporte, indicador=indicador, valor=Decimal("10"))
    mes = MesAsignado("p", reporte.centro_id, 2026, 11)

    def perdidos(*intentos):
        plan = Plan(personal=[mes], guardados={mes.url: list(intentos)})
        return base_comprobar(plan)["lost"]

    assert perdidos(({"usuarios": "12"}, True), ({"usuarios": "10"}, True)) == 0
    assert perdidos(({"usuarios": "10"}, True), ({"usuarios": "12"}, True)) == 1
    # A later save whose answer the end of the run cut off may have replaced it: not lost.
    assert perdidos(({"usuarios": "12"}, True), ({"usuarios": "10"}, False)) == 0
    assert perdidos(({"usuarios": "12"}, False)) == 0
