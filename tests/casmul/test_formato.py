"""Ecuadorian number formats: dot for thousands, comma for decimals, half-up rounding."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from casmul.formato import dinero, numero, porcentaje

D = Decimal


# --- numero --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valor", "texto"),
    [
        (66338, "66.338"),
        (0, "0"),
        (999, "999"),
        (1000, "1.000"),
        (1234567, "1.234.567"),
        (-66338, "-66.338"),
        (D("66338"), "66.338"),
    ],
    ids=str,
)
def test_integers_use_dot_as_thousands_separator(valor, texto):
    assert numero(valor) == texto


@pytest.mark.parametrize(
    ("valor", "decimales", "texto"),
    [
        (187.48, 1, "187,5"),
        (D("1234.5"), 2, "1.234,50"),
        (D("0.07"), 2, "0,07"),
        (D("1600469.594"), 2, "1.600.469,59"),
    ],
    ids=str,
)
def test_decimals_use_comma_and_fixed_places(valor, decimales, texto):
    assert numero(valor, decimales) == texto


@pytest.mark.parametrize(
    ("valor", "decimales", "texto"),
    [
        (D("2.5"), 0, "3"),
        (D("3.5"), 0, "4"),
        (D("0.5"), 0, "1"),
        (D("2.4999"), 0, "2"),
        (D("0.125"), 2, "0,13"),
        (D("0.135"), 2, "0,14"),
        (D("187.45"), 1, "187,5"),
        (D("-2.5"), 0, "-3"),
        (D("1499.5"), 0, "1.500"),
    ],
    ids=str,
)
def test_rounding_is_half_up_not_half_even(valor, decimales, texto):
    assert numero(valor, decimales) == texto


@pytest.mark.parametrize(
    ("valor", "decimales", "texto"),
    [(1.005, 2, "1,01"), (2.675, 2, "2,68"), (0.145, 2, "0,15")],
    ids=str,
)
def test_floats_round_half_up_on_their_written_value(valor, decimales, texto):
    # 2.675 is stored as 2.67499999…; the reader wrote 2.675 and expects 2,68.
    assert numero(valor, decimales) == texto


def test_negative_amount_that_rounds_to_zero_has_no_sign():
    assert numero(D("-0.4")) == "0"


def test_none_is_a_dash():
    assert numero(None) == "—"


# --- dinero --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valor", "texto"),
    [
        (D("1600469.59"), "$1.600.469,59"),
        (D("0"), "$0,00"),
        (D("5"), "$5,00"),
        (D("1234.565"), "$1.234,57"),
        (D("999.995"), "$1.000,00"),
        (1600469, "$1.600.469,00"),
        (D("-1500.5"), "-$1.500,50"),
    ],
    ids=str,
)
def test_money_has_dollar_sign_and_two_decimals(valor, texto):
    assert dinero(valor) == texto


def test_negative_money_that_rounds_to_zero_cents_has_no_sign():
    assert dinero(D("-0.001")) == "$0,00"


def test_money_none_is_a_dash():
    assert dinero(None) == "—"


# --- porcentaje ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valor", "decimales", "texto"),
    [
        (D("0.39"), 0, "39 %"),
        (D("0.395"), 0, "40 %"),
        (D("0.3949"), 1, "39,5 %"),
        (D("0.005"), 0, "1 %"),
        (D("0.0049"), 0, "0 %"),
        (D("1"), 0, "100 %"),
        (D("12.5"), 0, "1.250 %"),
        (D("-0.125"), 0, "-13 %"),
    ],
    ids=str,
)
def test_percentage_multiplies_by_100_and_rounds_half_up(valor, decimales, texto):
    assert porcentaje(valor, decimales) == texto


def test_percentage_none_is_a_dash():
    assert porcentaje(None) == "—"


# --- Independent of the active locale, and the template filters ---------------------------


@pytest.mark.parametrize("idioma", ["es", "en"])
def test_formats_do_not_depend_on_the_active_language(idioma):
    with translation.override(idioma):
        assert numero(66338) == "66.338"
        assert dinero(D("1600469.59")) == "$1.600.469,59"
        assert porcentaje(D("0.39")) == "39 %"


def test_template_filters_use_the_same_formats():
    plantilla = Template(
        "{% load formato %}{{ n|numero }} {{ m|dinero }} {{ p|porcentaje }} {{ x|numero:1 }}"
    )
    contexto = Context({"n": 66338, "m": D("1600469.59"), "p": D("0.39"), "x": None})
    assert plantilla.render(contexto) == "66.338 $1.600.469,59 39 % —"
