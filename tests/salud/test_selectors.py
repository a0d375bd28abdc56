"""Read functions of the clinic (Tablas 2–5)."""

from decimal import Decimal

import pytest

from centros.models import ReporteMensual
from salud.models import Servicio
from salud.selectors import (
    dotacion_profesional,
    especialidades_ofertadas,
    pacientes_por_especialidad,
    resumen_clinica,
)
from tests.factories import (
    AtencionClinicaFactory,
    CentroFactory,
    DotacionProfesionalFactory,
    EspecialidadFactory,
    OperacionAnualFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinica():
    clinica = CentroFactory(nombre="Clínica municipal", linea_servicio="salud")
    for anio in (2023, 2024):
        OperacionAnualFactory(centro=clinica, anio=anio)
    return clinica


def atencion(clinica, mes, servicio, pacientes, anio=2023, especialidad=None):
    """Patients of an approved month: the only ones the report counts."""
    reporte, _ = ReporteMensual.objects.get_or_create(
        centro=clinica, anio=anio, mes=mes, defaults={"estado": ReporteMensual.Estado.APROBADO}
    )
    return AtencionClinicaFactory(
        reporte=reporte, servicio=servicio, pacientes=pacientes, especialidad=especialidad
    )


def por_servicio(resumen):
    return {fila.servicio: fila.pacientes for fila in resumen.por_servicio}


def test_patients_are_totalled_per_service_over_the_year(clinica):
    atencion(clinica, 1, Servicio.CONSULTA_EXTERNA, 1000)
    atencion(clinica, 2, Servicio.CONSULTA_EXTERNA, 1200)
    atencion(clinica, 1, Servicio.EMERGENCIA, 150)
    atencion(clinica, 2, Servicio.HOSPITALIZACION, 20)
    assert por_servicio(resumen_clinica(anio=2023)) == {
        Servicio.CONSULTA_EXTERNA: 2200,
        Servicio.EMERGENCIA: 150,
        Servicio.HOSPITALIZACION: 20,
    }


def test_specialty_rows_add_up_into_their_service(clinica):
    pediatria, ginecologia = EspecialidadFactory(), EspecialidadFactory()
    atencion(clinica, 3, Servicio.CONSULTA_EXTERNA, 300, especialidad=pediatria)
    atencion(clinica, 3, Servicio.CONSULTA_EXTERNA, 200, especialidad=ginecologia)
    assert por_servicio(resumen_clinica(anio=2023))[Servicio.CONSULTA_EXTERNA] == 500


def test_every_service_is_listed_in_order_with_zero_when_not_reported(clinica):
    atencion(clinica, 1, Servicio.EMERGENCIA, 7)
    resumen = resumen_clinica(anio=2023)
    assert [(f.servicio, f.nombre, f.pacientes) for f in resumen.por_servicio] == [
        ("consulta_externa", "Consulta externa", 0),
        ("emergencia", "Emergencia", 7),
        ("hospitalizacion", "Hospitalización", 0),
    ]


def test_other_years_are_not_counted(clinica):
    atencion(clinica, 1, Servicio.EMERGENCIA, 10)
    atencion(clinica, 1, Servicio.EMERGENCIA, 999, anio=2022)
    atencion(clinica, 1, Servicio.EMERGENCIA, 999, anio=2024)
    assert resumen_clinica(anio=2023).total == 10


def test_total_is_the_sum_of_the_service_rows(clinica):
    atencion(clinica, 1, Servicio.CONSULTA_EXTERNA, 24000)
    atencion(clinica, 5, Servicio.EMERGENCIA, 3100)
    atencion(clinica, 9, Servicio.HOSPITALIZACION, 450)
    resumen = resumen_clinica(anio=2023)
    assert resumen.total == sum(fila.pacientes for fila in resumen.por_servicio) == 27550


def test_year_without_records_has_zero_total_and_no_months(clinica):
    resumen = resumen_clinica(anio=2023)
    assert resumen.total == 0
    assert resumen.meses_reportados == 0
    assert resumen.promedio_diario == 0
    assert resumen.promedio_mensual == 0


def test_reported_months_are_the_distinct_months_with_records(clinica):
    atencion(clinica, 1, Servicio.CONSULTA_EXTERNA, 1)
    atencion(clinica, 1, Servicio.EMERGENCIA, 1)
    atencion(clinica, 4, Servicio.CONSULTA_EXTERNA, 1)
    atencion(clinica, 12, Servicio.HOSPITALIZACION, 1)
    assert resumen_clinica(anio=2023).meses_reportados == 3


def test_daily_average_divides_by_365_days(clinica):
    atencion(clinica, 1, Servicio.CONSULTA_EXTERNA, 36500, anio=2023)
    resumen = resumen_clinica(anio=2023)
    assert resumen.operacion.dias == 365
    assert resumen.promedio_diario == Decimal("100")


def test_daily_average_divides_by_366_days_in_a_leap_year(clinica):
    atencion(clinica, 2, Servicio.CONSULTA_EXTERNA, 732, anio=2024)
    resumen = resumen_clinica(anio=2024)
    assert resumen.operacion.dias == 366
    assert resumen.promedio_diario == Decimal("2")


def test_the_averages_of_a_clinic_that_opened_in_july_divide_by_its_six_months(clinica):
    clinica.operaciones.filter(anio=2023).update(mes_inicio=7)
    atencion(clinica, 7, Servicio.CONSULTA_EXTERNA, 600)
    atencion(clinica, 8, Servicio.CONSULTA_EXTERNA, 600)

    resumen = resumen_clinica(anio=2023)

    assert (resumen.operacion.cantidad, resumen.operacion.dias) == (6, 184)
    assert resumen.promedio_mensual == Decimal(200)
    assert resumen.promedio_diario == Decimal(1200) / 184


def test_monthly_average_divides_the_total_by_twelve(clinica):
    atencion(clinica, 1, Servicio.CONSULTA_EXTERNA, 1000, anio=2023)
    atencion(clinica, 2, Servicio.CONSULTA_EXTERNA, 200, anio=2023)
    resumen = resumen_clinica(anio=2023)
    assert resumen.promedio_mensual == Decimal("100")
    assert resumen.promedio_diario == Decimal(1200) / 365


def test_patients_per_specialty_follow_the_specialty_order(clinica):
    segunda = EspecialidadFactory(nombre="Pediatría", orden=2)
    primera = EspecialidadFactory(nombre="Medicina general", orden=1)
    atencion(clinica, 1, Servicio.CONSULTA_EXTERNA, 40, especialidad=segunda)
    atencion(clinica, 2, Servicio.CONSULTA_EXTERNA, 60, especialidad=segunda)
    atencion(clinica, 1, Servicio.CONSULTA_EXTERNA, 90, especialidad=primera)
    atencion(clinica, 1, Servicio.EMERGENCIA, 500)
    assert pacientes_por_especialidad(anio=2023) == [
        ("Medicina general", 90),
        ("Pediatría", 100),
    ]


def test_offered_specialties_are_the_active_ones_in_order():
    segunda = EspecialidadFactory(orden=2)
    EspecialidadFactory(orden=0, activa=False)
    primera = EspecialidadFactory(orden=1)
    assert list(especialidades_ofertadas()) == [primera, segunda]


def test_staffing_lists_the_years_posts_and_their_total():
    segunda = DotacionProfesionalFactory(anio=2023, cantidad=3, orden=2)
    primera = DotacionProfesionalFactory(anio=2023, cantidad=5, orden=1)
    DotacionProfesionalFactory(anio=2022, cantidad=40)
    dotacion = dotacion_profesional(anio=2023)
    assert dotacion.filas == [primera, segunda]
    assert dotacion.total == 8
