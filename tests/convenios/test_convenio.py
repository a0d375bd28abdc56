"""The Convenio model: database constraints, validation, status on a date and the check of
the declared duration against the dates."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from convenios.models import Convenio
from tests.factories import ConvenioFactory

Estado = Convenio.Estado
fecha = datetime.date


def rechaza(**kwargs):
    """Assert that the database refuses the agreement (saved without full_clean)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        ConvenioFactory(**kwargs)


# --- Database constraints ------------------------------------------------------------------


@pytest.mark.django_db
def test_end_before_start_is_rejected_by_the_database():
    rechaza(fecha_inicio=fecha(2023, 6, 1), fecha_fin=fecha(2023, 5, 31))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("inicio", "fin"),
    [
        (fecha(2023, 6, 1), fecha(2023, 6, 1)),
        (fecha(2023, 6, 1), None),
        (None, fecha(2023, 6, 1)),
        (None, None),
    ],
    ids=["mismo-dia", "sin-fin", "sin-inicio", "sin-fechas"],
)
def test_end_on_start_day_or_open_dates_are_saved(inicio, fin):
    assert ConvenioFactory(fecha_inicio=inicio, fecha_fin=fin).pk


@pytest.mark.django_db
def test_indefinite_agreement_with_end_date_is_rejected_by_the_database():
    rechaza(indefinido=True, fecha_fin=fecha(2025, 1, 1))


@pytest.mark.django_db
def test_indefinite_agreement_without_end_date_is_saved():
    assert ConvenioFactory(indefinido=True, fecha_fin=None).pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tipo",
    [tipo for tipo in Convenio.Tipo.values if tipo != Convenio.Tipo.MIES],
)
def test_mies_programme_on_non_mies_agreement_is_rejected_by_the_database(tipo):
    rechaza(tipo=tipo, programa_mies=Convenio.ProgramaMies.DI)


@pytest.mark.django_db
@pytest.mark.parametrize("programa", Convenio.ProgramaMies.values + [""])
def test_mies_agreement_with_or_without_programme_is_saved(programa):
    assert ConvenioFactory(tipo=Convenio.Tipo.MIES, programa_mies=programa).pk


@pytest.mark.django_db
def test_negative_amount_is_rejected_by_the_database():
    rechaza(monto=Decimal("-0.01"))


@pytest.mark.django_db
@pytest.mark.parametrize("monto", [None, Decimal("0"), Decimal("125000.50")], ids=str)
def test_empty_zero_or_positive_amount_is_saved(monto):
    assert ConvenioFactory(monto=monto).pk


# --- Validation (full_clean) ---------------------------------------------------------------


@pytest.mark.django_db
def test_factory_default_passes_validation():
    ConvenioFactory.build().full_clean()


@pytest.mark.parametrize(
    ("valores", "campo", "mensaje"),
    [
        (
            {"fecha_inicio": fecha(2023, 6, 1), "fecha_fin": fecha(2023, 5, 31)},
            "fecha_fin",
            "La fecha de terminación no puede ser anterior al inicio.",
        ),
        (
            {"indefinido": True, "fecha_fin": fecha(2025, 1, 1)},
            "fecha_fin",
            "Un convenio indefinido no tiene fecha de terminación.",
        ),
        (
            {"tipo": Convenio.Tipo.DONACION, "programa_mies": Convenio.ProgramaMies.AM},
            "programa_mies",
            "Solo los convenios MIES tienen programa MIES.",
        ),
    ],
    ids=["fin-antes-de-inicio", "indefinido-con-fin", "programa-sin-mies"],
)
@pytest.mark.django_db
def test_full_clean_explains_each_rule_in_spanish(valores, campo, mensaje):
    convenio = ConvenioFactory.build(**valores)
    with pytest.raises(ValidationError) as error:
        convenio.full_clean()
    assert mensaje in error.value.message_dict[campo]


# --- estado(fecha) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dia", "estado"),
    [
        (fecha(2022, 12, 31), Estado.NO_INICIADO),
        (fecha(2023, 1, 1), Estado.VIGENTE),
        (fecha(2023, 6, 30), Estado.VIGENTE),
        (fecha(2023, 10, 31), Estado.VIGENTE),  # 61 days left
        (fecha(2023, 11, 1), Estado.POR_VENCER),  # 60 days left
        (fecha(2023, 12, 31), Estado.POR_VENCER),  # last day
        (fecha(2024, 1, 1), Estado.VENCIDO),
    ],
    ids=str,
)
def test_status_on_a_date_follows_the_agreements_dates(dia, estado):
    convenio = ConvenioFactory.build(fecha_inicio=fecha(2023, 1, 1), fecha_fin=fecha(2023, 12, 31))
    assert convenio.estado(dia) == estado


def test_indefinite_agreement_is_in_force_forever_once_started():
    convenio = ConvenioFactory.build(
        fecha_inicio=fecha(2020, 3, 1), fecha_fin=None, indefinido=True
    )
    assert convenio.estado(fecha(2020, 2, 29)) == Estado.NO_INICIADO
    assert convenio.estado(fecha(2020, 3, 1)) == Estado.VIGENTE
    assert convenio.estado(fecha(2040, 1, 1)) == Estado.VIGENTE


def test_agreement_without_start_date_is_in_force_until_its_end():
    convenio = ConvenioFactory.build(fecha_inicio=None, fecha_fin=fecha(2023, 12, 31))
    assert convenio.estado(fecha(1990, 1, 1)) == Estado.VIGENTE
    assert convenio.estado(fecha(2024, 1, 1)) == Estado.VENCIDO


# --- meses_segun_fechas and duracion_contradice_fechas -------------------------------------


@pytest.mark.parametrize(
    ("inicio", "fin", "meses"),
    [
        (fecha(2023, 1, 10), fecha(2024, 1, 10), 12),
        (fecha(2023, 4, 26), fecha(2023, 7, 25), 3),  # ends the day before: whole months
        (fecha(2023, 4, 26), fecha(2023, 7, 26), 3),
        (fecha(2023, 4, 26), fecha(2023, 7, 24), 2),  # two days short of the third month
        (fecha(2023, 3, 15), fecha(2023, 3, 31), 0),
        (fecha(2021, 6, 1), fecha(2024, 6, 1), 36),
    ],
    ids=str,
)
def test_months_between_dates_count_whole_months(inicio, fin, meses):
    assert ConvenioFactory.build(fecha_inicio=inicio, fecha_fin=fin).meses_segun_fechas == meses


@pytest.mark.parametrize(
    ("inicio", "fin", "meses"),
    [
        (fecha(2023, 1, 1), fecha(2023, 12, 31), 12),
        (fecha(2023, 3, 1), fecha(2025, 2, 28), 24),
        (fecha(2023, 5, 1), fecha(2023, 7, 31), 3),
    ],
    ids=str,
)
def test_period_from_first_day_to_last_day_of_a_month_is_whole_months(inicio, fin, meses):
    # 01/01/2023 → 31/12/2023 ends the day before the start's day-of-month, like
    # 26/04 → 25/07: it is a whole year, the typical January–December MIES agreement.
    assert ConvenioFactory.build(fecha_inicio=inicio, fecha_fin=fin).meses_segun_fechas == meses


@pytest.mark.parametrize(
    ("inicio", "fin"),
    [(None, fecha(2023, 12, 31)), (fecha(2023, 1, 1), None), (None, None)],
    ids=["sin-inicio", "sin-fin", "sin-fechas"],
)
def test_months_between_dates_is_none_without_both_dates(inicio, fin):
    assert ConvenioFactory.build(fecha_inicio=inicio, fecha_fin=fin).meses_segun_fechas is None


def test_declared_36_months_contradicts_one_year_of_dates():
    convenio = ConvenioFactory.build(
        fecha_inicio=fecha(2023, 1, 10),
        fecha_fin=fecha(2024, 1, 10),
        duracion_declarada_meses=36,
    )
    assert convenio.duracion_contradice_fechas is True


def test_declared_3_months_matches_26_april_to_25_july():
    convenio = ConvenioFactory.build(
        fecha_inicio=fecha(2023, 4, 26),
        fecha_fin=fecha(2023, 7, 25),
        duracion_declarada_meses=3,
    )
    assert convenio.duracion_contradice_fechas is False


def test_declared_12_months_matches_january_to_december():
    convenio = ConvenioFactory.build(
        fecha_inicio=fecha(2023, 1, 1),
        fecha_fin=fecha(2023, 12, 31),
        duracion_declarada_meses=12,
    )
    assert convenio.duracion_contradice_fechas is False


@pytest.mark.parametrize(
    ("inicio", "fin", "declarada"),
    [
        (fecha(2023, 1, 10), fecha(2024, 1, 10), None),
        (fecha(2023, 1, 10), None, 36),
        (None, fecha(2024, 1, 10), 36),
    ],
    ids=["sin-declarada", "sin-fin", "sin-inicio"],
)
def test_no_contradiction_without_declared_duration_or_both_dates(inicio, fin, declarada):
    convenio = ConvenioFactory.build(
        fecha_inicio=inicio, fecha_fin=fin, duracion_declarada_meses=declarada
    )
    assert convenio.duracion_contradice_fechas is False


def test_number_shows_s_n_when_empty():
    assert ConvenioFactory.build(numero="").numero_mostrado == "S/N"
    assert ConvenioFactory.build(numero="MIES-CZ7-2023-01").numero_mostrado == "MIES-CZ7-2023-01"
