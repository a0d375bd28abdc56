"""The 2023 fixtures, read through the domain apps' selectors, reproduce the published
report table by table; where the document contradicts itself, the total of the rows."""

from decimal import Decimal

import pytest

from centros.models import Centro, Modalidad
from centros.selectors.anuales import cifras_anuales
from centros.selectors.informe import centros_por_area, personal_por_area, usuarios_por_centro
from convenios.selectors import conteo_convenios, convenios_del_informe
from presupuesto.selectors import (
    contratacion_por_tipo,
    ejecucion_institucional,
    gastos_comunes,
    presupuesto_por_area,
)
from salud.selectors import dotacion_profesional, especialidades_ofertadas, resumen_clinica

pytestmark = pytest.mark.usefixtures("datos_2023")

TABLA_1 = {1: 60, 2: 56, 3: 47, 4: 36, 5: 36, 6: 54, 7: 36, 8: 45, 9: 36, 10: 36, 11: 36, 12: 45}
TABLA_6 = {
    14: 132, 15: 270, 16: 19, 17: 23, 18: 160, 19: 240, 20: 60, 21: 15,
    22: 20, 23: 20, 24: 15, 25: 80, 26: 300, 27: 300, 28: 600,
}  # fmt: skip


def test_thirty_centres_in_2023_per_area_and_seven_more_than_in_2022():
    conteo = centros_por_area(anio=2023)

    assert [fila.centros for fila in conteo.por_area] == [12, 1, 15, 1, 1]
    assert conteo.total == 30
    assert conteo.total_anio_anterior == 23
    assert conteo.variacion == 7


def test_tabla_1_counts_523_children_in_3_direct_and_9_mies_centres():
    tabla = usuarios_por_centro(anio=2023, area_codigo="desarrollo-infantil")

    assert {fila.numero: fila.usuarios for fila in tabla.filas} == TABLA_1
    assert tabla.total == 523
    assert tabla.por_modalidad(Modalidad.DIRECTA) == 3
    assert tabla.por_modalidad(Modalidad.CONVENIO_MIES) == 9


def test_tabla_1_marks_direct_centres_with_one_star_and_mies_with_two():
    tabla = usuarios_por_centro(anio=2023, area_codigo="desarrollo-infantil")

    assert [fila.marca_modalidad for fila in tabla.filas[:4]] == ["*", "*", "*", "**"]


def test_tabla_2_clinic_total_is_the_sum_of_its_three_services_not_the_printed_66338():
    clinica = resumen_clinica(anio=2023)

    assert [(fila.servicio, fila.pacientes) for fila in clinica.por_servicio] == [
        ("consulta_externa", 59889),
        ("emergencia", 2092),
        ("hospitalizacion", 6449),
    ]
    assert clinica.total == 68430
    assert clinica.meses_reportados == 12
    assert round(clinica.promedio_diario) == 187
    assert clinica.promedio_mensual == Decimal("5702.5")


def test_tablas_3_and_4_list_the_clinic_specialties_and_professionals():
    especialidades = list(especialidades_ofertadas().values_list("nombre", flat=True))
    dotacion = dotacion_profesional(anio=2023)

    assert len(especialidades) == 20
    assert especialidades[0] == "GINECO OBSTETRICIA"
    assert especialidades[-1] == "ENFERMERÍA"
    assert len(dotacion.filas) == 22
    assert dotacion.total == 56


def test_tabla_5_and_8_opening_hours_are_recorded():
    clinica = Centro.objects.get(numero=13)
    piscina = Centro.objects.get(numero=30)

    assert list(clinica.horarios.values_list("servicio", flat=True)) == [
        "CONSULTA EXTERNA",
        "ACUPUNTURA",
        "HOSPITALIZACIÓN",
        "EMERGENCIA",
    ]
    assert piscina.horarios.count() == 4
    assert piscina.instalaciones.count() == 2


def test_tabla_6_counts_2254_users_442_older_adults_and_402_with_disability():
    tabla = usuarios_por_centro(anio=2023, area_codigo="apoyo-social")

    assert {fila.numero: fila.usuarios for fila in tabla.filas} == TABLA_6
    assert tabla.total == 2254
    assert tabla.por_linea("adulto_mayor") == 442
    assert tabla.por_linea("discapacidad") == 402


def test_each_centre_users_as_in_tablas_1_2_and_6():
    usuarios = {fila.numero: fila.usuarios for fila in usuarios_por_centro(anio=2023).filas}

    assert {numero: usuarios[numero] for numero in TABLA_1} == TABLA_1
    assert {numero: usuarios[numero] for numero in TABLA_6} == TABLA_6
    assert 13 not in usuarios  # the clinic's users are its patients (Tabla 2)
    assert resumen_clinica(anio=2023).total == 68430


def test_craft_shop_has_13_artisans_and_5568_37_of_income():
    almacen = Centro.objects.get(numero=29)
    cifras = cifras_anuales(anio=2023, centro_ids=[almacen.pk])

    assert cifras[(almacen.pk, "artesanos_consignacion")] == 13
    assert cifras[(almacen.pk, "ingresos")] == Decimal("5568.37")
    assert cifras[(almacen.pk, "clientes")] > 1300


def test_pool_has_30603_users_and_102591_18_of_income():
    piscina = Centro.objects.get(numero=30)
    cifras = cifras_anuales(anio=2023, centro_ids=[piscina.pk])

    assert cifras[(piscina.pk, "visitas")] == 30603
    assert cifras[(piscina.pk, "ingresos")] == Decimal("102591.18")
    assert round(cifras[(piscina.pk, "visitas")] / 365) == 84


def test_staff_per_area_as_in_the_report_text():
    personal = personal_por_area(anio=2023)

    assert personal["desarrollo-infantil"] == 58
    assert personal["apoyo-social"] == 90
    assert personal["servicios-comunidad"] == 7


def test_tabla_9_lists_24_agreements_9_with_mies():
    conteo = conteo_convenios(anio=2023)
    convenios = list(convenios_del_informe(anio=2023))

    assert conteo.total == 24
    assert conteo.mies == 9
    assert len(convenios) == 24
    assert convenios[8].numero == "AM-07-11D01-19511-D"
    assert convenios[0].numero_mostrado == "S/N"


def test_mies_child_development_agreements_cover_their_nine_centres():
    centros_mies = set(
        Centro.objects.filter(
            area__codigo="desarrollo-infantil", modalidad=Modalidad.CONVENIO_MIES
        ).values_list("numero", flat=True)
    )
    cubiertos = {
        centro.numero
        for convenio in convenios_del_informe(anio=2023)
        if convenio.programa_mies == "DI"
        for centro in convenio.centros.all()
    }

    assert cubiertos == centros_mies


def test_tabla_11_budget_per_area_adds_up_to_1600469_59_not_the_printed_1488590_20():
    tabla = presupuesto_por_area(anio=2023)

    assert [fila.codificado for fila in tabla.filas] == [
        Decimal("337482.72"),
        Decimal("499992.87"),
        Decimal("744138.27"),
        Decimal("7349.97"),
        Decimal("11505.76"),
    ]
    assert tabla.total == Decimal("1600469.59")


def test_shared_food_expense_and_institutional_income_and_execution():
    ejecucion = ejecucion_institucional(anio=2023)

    assert [gasto.monto for gasto in gastos_comunes(anio=2023)] == [Decimal("196758.60")]
    assert ejecucion.ingresos_percibidos == Decimal("5699944.41")
    assert round(ejecucion.ejecucion * 100) == 39


def test_tabla_12_six_procurement_types_add_up_to_190_processes_and_746212_05():
    tabla = contratacion_por_tipo(anio=2023)

    assert [(fila.nombre, fila.procesos, fila.monto) for fila in tabla.filas] == [
        ("Ínfima cuantía", 45, Decimal("125440.44")),
        ("Licitación", 1, Decimal("10088.21")),
        ("Subasta inversa electrónica", 11, Decimal("379852.56")),
        ("Régimen especial", 2, Decimal("4351.80")),
        ("Catálogo electrónico", 126, Decimal("61255.76")),
        ("Feria inclusiva", 5, Decimal("165223.28")),
    ]
    assert tabla.total_procesos == 190
    assert tabla.total_monto == Decimal("746212.05")
