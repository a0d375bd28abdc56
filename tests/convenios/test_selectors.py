"""Which agreements a year's report lists (Tabla 9) and how many."""

import datetime

import pytest

from convenios.models import Convenio
from convenios.selectors import conteo_convenios, convenios_del_informe
from tests.factories import CentroFactory, ConvenioFactory, InstitucionFactory

pytestmark = pytest.mark.django_db

fecha = datetime.date


def convenio(inicio, fin, suscripcion=None, **kwargs):
    return ConvenioFactory(
        fecha_inicio=inicio, fecha_fin=fin, fecha_suscripcion=suscripcion, **kwargs
    )


# --- vigentes_en ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inicio", "fin"),
    [
        (fecha(2023, 1, 1), fecha(2023, 12, 31)),
        (fecha(2022, 6, 1), fecha(2023, 1, 1)),  # ends on the year's first day
        (fecha(2023, 12, 31), fecha(2024, 6, 30)),  # starts on the year's last day
        (fecha(2021, 1, 1), fecha(2025, 12, 31)),  # spans the year
        (fecha(2020, 3, 1), None),  # indefinite
        (None, fecha(2023, 3, 1)),  # no start recorded
        (None, None),
    ],
    ids=str,
)
def test_agreement_overlapping_the_year_is_in_force_in_it(inicio, fin):
    actual = convenio(inicio, fin)
    assert list(Convenio.objects.vigentes_en(2023)) == [actual]


@pytest.mark.parametrize(
    ("inicio", "fin"),
    [
        (fecha(2021, 1, 1), fecha(2022, 12, 31)),
        (fecha(2024, 1, 1), fecha(2024, 12, 31)),
        (fecha(2024, 1, 1), None),
        (None, fecha(2022, 12, 31)),
    ],
    ids=str,
)
def test_agreement_outside_the_year_is_not_in_force_in_it(inicio, fin):
    convenio(inicio, fin)
    assert not Convenio.objects.vigentes_en(2023).exists()


# --- del_informe ---------------------------------------------------------------------------


def test_report_lists_agreement_signed_in_the_year_but_dated_later():
    firmado_antes = convenio(fecha(2024, 1, 1), fecha(2024, 12, 31), fecha(2023, 12, 15))
    assert list(Convenio.objects.del_informe(2023)) == [firmado_antes]


def test_report_leaves_out_agreement_signed_and_dated_in_other_years():
    convenio(fecha(2024, 1, 1), fecha(2024, 12, 31), fecha(2022, 12, 15))
    convenio(fecha(2021, 1, 1), fecha(2022, 12, 31), fecha(2023, 1, 5))
    assert [c.fecha_suscripcion for c in Convenio.objects.del_informe(2023)] == [fecha(2023, 1, 5)]


def test_report_lists_an_agreement_in_force_and_signed_in_the_year_once():
    unico = convenio(fecha(2023, 2, 1), fecha(2023, 12, 31), fecha(2023, 1, 20))
    assert list(Convenio.objects.del_informe(2023)) == [unico]


def test_report_lists_agreement_in_force_although_signed_years_before():
    antiguo = convenio(fecha(2019, 1, 1), None, fecha(2018, 12, 1), indefinido=True)
    assert list(Convenio.objects.del_informe(2023)) == [antiguo]


# --- convenios_del_informe and conteo_convenios --------------------------------------------


def test_report_agreements_are_ordered_and_carry_counterparts_and_centres(
    django_assert_num_queries,
):
    institucion = InstitucionFactory(nombre="Ministerio de Inclusión Económica y Social")
    centro = CentroFactory()
    segundo = convenio(fecha(2023, 1, 1), fecha(2023, 12, 31), orden=2)
    tercero = convenio(fecha(2023, 3, 1), fecha(2023, 12, 31), orden=2)
    primero = convenio(
        fecha(2023, 6, 1),
        fecha(2023, 12, 31),
        orden=1,
        instituciones=[institucion],
        centros=[centro],
    )
    convenio(fecha(2020, 1, 1), fecha(2020, 12, 31), orden=0)

    with django_assert_num_queries(3):  # agreements + counterparts + centres
        convenios = list(convenios_del_informe(anio=2023))
        contrapartes = [list(c.instituciones.all()) for c in convenios]
        centros = [list(c.centros.all()) for c in convenios]

    assert convenios == [primero, segundo, tercero]
    assert contrapartes == [[institucion], [], []]
    assert centros == [[centro], [], []]


def test_count_of_agreements_and_of_mies_agreements_in_the_report():
    convenio(fecha(2023, 1, 1), fecha(2023, 12, 31), tipo=Convenio.Tipo.MIES, programa_mies="DI")
    convenio(fecha(2023, 1, 1), fecha(2023, 12, 31), tipo=Convenio.Tipo.MIES, programa_mies="AM")
    convenio(fecha(2022, 1, 1), None, indefinido=True, tipo=Convenio.Tipo.INTERINSTITUCIONAL)
    convenio(fecha(2024, 1, 1), fecha(2024, 12, 31), fecha(2023, 12, 20), tipo="mies")
    convenio(fecha(2022, 1, 1), fecha(2022, 12, 31), tipo=Convenio.Tipo.MIES)  # not listed
    convenio(fecha(2024, 1, 1), None, tipo=Convenio.Tipo.DONACION)  # not listed

    conteo = conteo_convenios(anio=2023)

    assert (conteo.total, conteo.mies) == (4, 3)
    assert conteo.total == convenios_del_informe(anio=2023).count()


def test_agreement_with_several_counterparts_and_centres_is_counted_once():
    convenio(
        fecha(2023, 1, 1),
        fecha(2023, 12, 31),
        tipo=Convenio.Tipo.MIES,
        instituciones=InstitucionFactory.create_batch(3),
        centros=CentroFactory.create_batch(4),
    )
    conteo = conteo_convenios(anio=2023)
    assert (conteo.total, conteo.mies) == (1, 1)


def test_year_without_agreements_counts_zero():
    convenio(fecha(2020, 1, 1), fecha(2020, 12, 31))
    conteo = conteo_convenios(anio=2023)
    assert (conteo.total, conteo.mies) == (0, 0)
