"""Read functions of `presupuesto`: budget per área (Tabla 11), procurement per type
(Tabla 12), shared expenses and the institutional execution."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from presupuesto.models import TipoContratacion
from presupuesto.selectors import (
    contratacion_por_tipo,
    ejecucion_institucional,
    gastos_comunes,
    presupuesto_por_area,
)
from tests.factories import (
    AreaFactory,
    CentroFactory,
    CodigoTipo,
    GastoComunFactory,
    LineaPresupuestariaFactory,
    PresupuestoInstitucionalFactory,
    ProcesoContratacionFactory,
)

pytestmark = pytest.mark.django_db

Tipo = CodigoTipo
D = Decimal


def numero_de_consultas(funcion) -> int:
    with CaptureQueriesContext(connection) as consultas:
        funcion()
    return len(consultas)


# --- presupuesto_por_area ------------------------------------------------------------------


def test_budget_per_area_adds_the_years_lines_and_lists_every_area():
    infancia, mayores, sin_lineas = AreaFactory(), AreaFactory(), AreaFactory()
    LineaPresupuestariaFactory(area=infancia, codificado=D("1000.50"), ejecutado=D("900.25"))
    LineaPresupuestariaFactory(
        area=infancia,
        centro=CentroFactory(area=infancia),
        codificado=D("250.00"),
        ejecutado=D("100.00"),
    )
    LineaPresupuestariaFactory(area=mayores, codificado=D("600469.59"), ejecutado=None)
    LineaPresupuestariaFactory(area=sin_lineas, anio=2022, codificado=D("99999.99"))

    tabla = presupuesto_por_area(anio=2023)

    assert tabla.anio == 2023
    assert [(f.area_id, f.area, f.codificado, f.ejecutado) for f in tabla.filas] == [
        (infancia.pk, infancia.nombre, D("1250.50"), D("1000.25")),
        (mayores.pk, mayores.nombre, D("600469.59"), D("0")),
        (sin_lineas.pk, sin_lineas.nombre, D("0"), D("0")),
    ]


def test_budget_totals_are_the_sum_of_the_area_rows():
    for codificado in ["1000000.00", "500000.00", "100469.59"]:
        LineaPresupuestariaFactory(codificado=D(codificado), ejecutado=D("1.10"))
    AreaFactory()
    tabla = presupuesto_por_area(anio=2023)
    assert tabla.total == sum(f.codificado for f in tabla.filas) == D("1600469.59")
    assert tabla.total_ejecutado == sum(f.ejecutado for f in tabla.filas) == D("3.30")


def test_area_share_is_its_budget_over_the_total():
    grande, pequena = AreaFactory(), AreaFactory()
    LineaPresupuestariaFactory(area=grande, codificado=D("750.00"))
    LineaPresupuestariaFactory(area=pequena, codificado=D("250.00"))
    tabla = presupuesto_por_area(anio=2023)
    assert [tabla.participacion(fila) for fila in tabla.filas] == [D("0.75"), D("0.25")]


def test_budget_of_a_year_without_lines_is_zero_for_every_area():
    AreaFactory.create_batch(2)
    tabla = presupuesto_por_area(anio=2023)
    assert [fila.codificado for fila in tabla.filas] == [0, 0]
    assert tabla.total == 0
    assert tabla.participacion(tabla.filas[0]) == 0


def test_budget_per_area_query_count_does_not_grow_with_the_data(
    django_assert_max_num_queries,
):
    def construir(cantidad):
        for _ in range(cantidad):
            area = AreaFactory()
            LineaPresupuestariaFactory.create_batch(3, area=area)
            LineaPresupuestariaFactory(area=area, anio=2022)

    construir(2)
    pequeno = numero_de_consultas(lambda: presupuesto_por_area(anio=2023))
    construir(18)
    with django_assert_max_num_queries(pequeno):
        tabla = presupuesto_por_area(anio=2023)
    assert len(tabla.filas) == 20
    assert tabla.total == D("60000.00")
    assert numero_de_consultas(lambda: presupuesto_por_area(anio=2023)) == pequeno == 1


# --- contratacion_por_tipo -----------------------------------------------------------------


def test_procurement_is_counted_and_added_per_type_in_declared_order():
    ProcesoContratacionFactory(tipo=Tipo.SUBASTA_INVERSA, monto=D("12000.00"))
    ProcesoContratacionFactory(tipo=Tipo.INFIMA_CUANTIA, monto=D("100.25"))
    ProcesoContratacionFactory(tipo=Tipo.INFIMA_CUANTIA, monto=D("200.50"))
    ProcesoContratacionFactory(tipo=Tipo.INFIMA_CUANTIA, monto=D("0.25"))
    ProcesoContratacionFactory(tipo=Tipo.CATALOGO_ELECTRONICO, monto=D("5000.00"), anio=2022)

    tabla = contratacion_por_tipo(anio=2023)

    assert tabla.anio == 2023
    assert [(f.tipo, f.nombre, f.procesos, f.monto) for f in tabla.filas] == [
        ("infima_cuantia", "Ínfima cuantía", 3, D("301.00")),
        ("subasta_inversa", "Subasta inversa electrónica", 1, D("12000.00")),
    ]


def test_procurement_totals_are_the_sum_of_the_type_rows():
    for tipo, monto in [
        (Tipo.INFIMA_CUANTIA, "10.10"),
        (Tipo.INFIMA_CUANTIA, "20.20"),
        (Tipo.REGIMEN_ESPECIAL, "3000.00"),
        (Tipo.FERIA_INCLUSIVA, "450.70"),
    ]:
        ProcesoContratacionFactory(tipo=tipo, monto=D(monto))
    tabla = contratacion_por_tipo(anio=2023)
    assert tabla.total_procesos == sum(f.procesos for f in tabla.filas) == 4
    assert tabla.total_monto == sum(f.monto for f in tabla.filas) == D("3481.00")


def test_year_without_procurement_has_no_rows_and_zero_totals():
    ProcesoContratacionFactory(anio=2022)
    tabla = contratacion_por_tipo(anio=2023)
    assert tabla.filas == []
    assert (tabla.total_procesos, tabla.total_monto) == (0, D("0"))


def test_procurement_per_type_query_count_does_not_grow_with_the_data(
    django_assert_max_num_queries,
):
    tipos = list(TipoContratacion.objects.values_list("codigo", flat=True))

    def construir(cantidad):
        for i in range(cantidad):
            ProcesoContratacionFactory(tipo=tipos[i % len(tipos)], monto=D("10.00"))

    construir(8)
    pequeno = numero_de_consultas(lambda: contratacion_por_tipo(anio=2023))
    construir(72)
    with django_assert_max_num_queries(pequeno):
        tabla = contratacion_por_tipo(anio=2023)
    assert tabla.total_procesos == 80
    assert tabla.total_monto == D("800.00")
    assert numero_de_consultas(lambda: contratacion_por_tipo(anio=2023)) == pequeno == 1


# --- ejecucion_institucional and gastos_comunes --------------------------------------------


def test_institutional_execution_is_executed_over_codified():
    PresupuestoInstitucionalFactory(
        anio=2023,
        ingresos_percibidos=D("2500000.00"),
        gasto_codificado=D("4000000.00"),
        gasto_ejecutado=D("1560000.00"),
    )
    ejecucion = ejecucion_institucional(anio=2023)
    assert ejecucion.anio == 2023
    assert ejecucion.ingresos_percibidos == D("2500000.00")
    assert (ejecucion.codificado, ejecucion.ejecutado) == (D("4000000.00"), D("1560000.00"))
    assert ejecucion.ejecucion == D("0.39")


def test_institutional_execution_is_none_when_nothing_is_codified():
    PresupuestoInstitucionalFactory(
        anio=2023, gasto_codificado=D("0.00"), gasto_ejecutado=D("0.00")
    )
    assert ejecucion_institucional(anio=2023).ejecucion is None


def test_institutional_execution_is_none_for_a_year_not_recorded():
    PresupuestoInstitucionalFactory(anio=2022)
    assert ejecucion_institucional(anio=2023) is None


def test_shared_expenses_are_the_years_in_concept_order():
    segundo = GastoComunFactory(concepto="Transporte")
    primero = GastoComunFactory(concepto="Alimentación de los centros directos")
    GastoComunFactory(concepto="Arriendo", anio=2022)
    assert list(gastos_comunes(anio=2023)) == [primero, segundo]
