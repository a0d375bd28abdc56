"""Database constraints of `presupuesto`: no negative amounts, unique codes and years.
Factories save without `full_clean()`, so the database itself must refuse the rows."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.factories import (
    GastoComunFactory,
    LineaPresupuestariaFactory,
    PresupuestoInstitucionalFactory,
    ProcesoContratacionFactory,
)

pytestmark = pytest.mark.django_db

IMPORTES = [
    (LineaPresupuestariaFactory, "codificado"),
    (LineaPresupuestariaFactory, "ejecutado"),
    (GastoComunFactory, "monto"),
    (PresupuestoInstitucionalFactory, "ingresos_percibidos"),
    (PresupuestoInstitucionalFactory, "gasto_codificado"),
    (PresupuestoInstitucionalFactory, "gasto_ejecutado"),
    (ProcesoContratacionFactory, "monto"),
]


def nombre(valor):
    return valor if isinstance(valor, str) else valor._meta.model.__name__


@pytest.mark.parametrize(("factory", "campo"), IMPORTES, ids=nombre)
def test_negative_amount_is_rejected(factory, campo):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**{campo: Decimal("-0.01")})


@pytest.mark.parametrize(("factory", "campo"), IMPORTES, ids=nombre)
def test_zero_amount_is_saved(factory, campo):
    assert factory(**{campo: Decimal("0.00")}).pk


def test_line_without_executed_amount_is_saved():
    assert LineaPresupuestariaFactory(ejecutado=None).pk


def test_second_institutional_budget_for_the_same_year_is_rejected():
    PresupuestoInstitucionalFactory(anio=2023)
    with pytest.raises(IntegrityError), transaction.atomic():
        PresupuestoInstitucionalFactory(anio=2023)


def test_procurement_process_code_is_unique():
    proceso = ProcesoContratacionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcesoContratacionFactory(codigo=proceso.codigo)
