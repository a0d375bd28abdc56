"""Database constraints of `centros` (and of the clinic's rows, which hang from a centre's
monthly report). Rows are saved through factories, which never call `full_clean()`, so each
test proves that the database itself refuses the row."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from salud.models import Servicio
from tests.factories import (
    AccionGeneralFactory,
    AtencionClinicaFactory,
    BeneficiarioFactory,
    CentroFactory,
    CifraMensualFactory,
    DotacionProfesionalFactory,
    EspecialidadFactory,
    IndicadorCentroFactory,
    InscripcionFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
)

pytestmark = pytest.mark.django_db


def rechaza(factory, **kwargs):
    """Assert that the database refuses the row (inside a savepoint, so the test goes on)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


# --- ReporteMensual ------------------------------------------------------------------------


def test_second_report_for_same_centre_year_and_month_is_rejected():
    reporte = ReporteMensualFactory(anio=2023, mes=3)
    rechaza(ReporteMensualFactory, centro=reporte.centro, anio=2023, mes=3)


def test_reports_of_same_centre_in_other_month_or_year_are_saved():
    reporte = ReporteMensualFactory(anio=2023, mes=3)
    ReporteMensualFactory(centro=reporte.centro, anio=2023, mes=4)
    ReporteMensualFactory(centro=reporte.centro, anio=2024, mes=3)
    assert reporte.centro.reportes.count() == 3


@pytest.mark.parametrize("mes", [0, 13])
def test_report_month_outside_1_to_12_is_rejected(mes):
    rechaza(ReporteMensualFactory, mes=mes)


@pytest.mark.parametrize("mes", [1, 12])
def test_report_months_1_and_12_are_saved(mes):
    assert ReporteMensualFactory(mes=mes).pk


# --- CifraMensual --------------------------------------------------------------------------


def test_second_figure_for_same_report_and_indicator_is_rejected():
    cifra = CifraMensualFactory()
    rechaza(CifraMensualFactory, reporte=cifra.reporte, indicador=cifra.indicador)


def test_figures_of_other_indicators_in_same_report_are_saved():
    cifra = CifraMensualFactory()
    CifraMensualFactory(reporte=cifra.reporte)
    assert cifra.reporte.cifras.count() == 2


def test_negative_figure_value_is_rejected():
    rechaza(CifraMensualFactory, valor=Decimal("-0.01"))


def test_zero_figure_value_is_saved():
    assert CifraMensualFactory(valor=Decimal("0")).pk


# --- OperacionAnual and IndicadorCentro ----------------------------------------------------


def test_second_operation_of_same_centre_in_same_year_is_rejected():
    operacion = OperacionAnualFactory(anio=2023)
    rechaza(OperacionAnualFactory, centro=operacion.centro, anio=2023)


def test_operations_of_same_centre_in_other_years_are_saved():
    operacion = OperacionAnualFactory(anio=2023)
    OperacionAnualFactory(centro=operacion.centro, anio=2022)
    assert operacion.centro.operaciones.count() == 2


def test_same_indicator_twice_for_a_centre_is_rejected():
    fila = IndicadorCentroFactory()
    rechaza(IndicadorCentroFactory, centro=fila.centro, indicador=fila.indicador)


# --- Beneficiario and Inscripcion ----------------------------------------------------------


@pytest.mark.parametrize("porcentaje", [0, 101])
def test_disability_percentage_outside_1_to_100_is_rejected(porcentaje):
    rechaza(BeneficiarioFactory, tiene_discapacidad=True, porcentaje_discapacidad=porcentaje)


@pytest.mark.parametrize("porcentaje", [1, 100])
def test_disability_percentage_within_1_to_100_is_saved(porcentaje):
    beneficiario = BeneficiarioFactory(tiene_discapacidad=True, porcentaje_discapacidad=porcentaje)
    assert beneficiario.pk


def test_disability_percentage_without_disability_is_rejected():
    rechaza(BeneficiarioFactory, tiene_discapacidad=False, porcentaje_discapacidad=40)


def test_disability_without_percentage_is_saved():
    assert BeneficiarioFactory(tiene_discapacidad=True, porcentaje_discapacidad=None).pk


def test_duplicate_cedula_is_rejected():
    beneficiario = BeneficiarioFactory()
    rechaza(BeneficiarioFactory, cedula=beneficiario.cedula)


def test_enrolment_ending_before_it_starts_is_rejected():
    rechaza(
        InscripcionFactory,
        desde=datetime.date(2023, 5, 10),
        hasta=datetime.date(2023, 5, 9),
    )


@pytest.mark.parametrize(
    "hasta", [None, datetime.date(2023, 5, 10), datetime.date(2023, 12, 31)], ids=str
)
def test_enrolment_open_or_ending_on_or_after_its_start_is_saved(hasta):
    assert InscripcionFactory(desde=datetime.date(2023, 5, 10), hasta=hasta).pk


# --- AtencionClinica (salud): partial unique constraints ---------------


def test_two_clinic_rows_same_report_and_service_without_specialty_are_rejected():
    fila = AtencionClinicaFactory(servicio=Servicio.EMERGENCIA, especialidad=None)
    rechaza(
        AtencionClinicaFactory,
        reporte=fila.reporte,
        servicio=Servicio.EMERGENCIA,
        especialidad=None,
    )


def test_two_clinic_rows_same_report_service_and_specialty_are_rejected():
    especialidad = EspecialidadFactory()
    fila = AtencionClinicaFactory(servicio=Servicio.CONSULTA_EXTERNA, especialidad=especialidad)
    rechaza(
        AtencionClinicaFactory,
        reporte=fila.reporte,
        servicio=Servicio.CONSULTA_EXTERNA,
        especialidad=especialidad,
    )


def test_clinic_rows_of_other_specialties_or_services_in_same_report_are_saved():
    reporte = ReporteMensualFactory()
    pediatria, ginecologia = EspecialidadFactory(), EspecialidadFactory()
    AtencionClinicaFactory(
        reporte=reporte, servicio=Servicio.CONSULTA_EXTERNA, especialidad=pediatria
    )
    AtencionClinicaFactory(
        reporte=reporte, servicio=Servicio.CONSULTA_EXTERNA, especialidad=ginecologia
    )
    AtencionClinicaFactory(reporte=reporte, servicio=Servicio.EMERGENCIA, especialidad=None)
    AtencionClinicaFactory(reporte=reporte, servicio=Servicio.HOSPITALIZACION, especialidad=None)
    AtencionClinicaFactory(reporte=reporte, servicio=Servicio.EMERGENCIA, especialidad=pediatria)
    assert reporte.atenciones_clinicas.count() == 5


# --- Counts on PositiveIntegerFields -------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "campo"),
    [
        (AtencionClinicaFactory, "pacientes"),
        (DotacionProfesionalFactory, "cantidad"),
        (AccionGeneralFactory, "cantidad"),
        (AccionGeneralFactory, "beneficiarios"),
        (OperacionAnualFactory, "personal"),
        (CentroFactory, "capacidad"),
    ],
    ids=lambda valor: valor if isinstance(valor, str) else valor._meta.model.__name__,
)
def test_negative_count_on_positive_integer_field_is_rejected(factory, campo):
    rechaza(factory, **{campo: -1})


def test_zero_patients_is_saved():
    assert AtencionClinicaFactory(pacientes=0).pk
