"""The Ecuadorian cédula validator and its use on Beneficiario."""

import random

import pytest
from django.core.exceptions import ValidationError
from stdnum.ec import ci

from centros.validators import validar_cedula
from tests.factories import BeneficiarioFactory, cedula_con_verificador, cedula_valida

# Each checked by hand with the modulo-10 algorithm (coefficients 2,1,2,1,2,1,2,1,2 on the
# first nine digits, products over 9 minus 9; check digit = (10 - sum % 10) % 10):
# 1710034065: 2+7+2+0+0+3+8+0+3 = 25 -> 5
# 1104680135: 2+1+0+4+3+8+0+1+6 = 25 -> 5
# 0926687856: 0+9+4+6+3+8+5+8+1 = 44 -> 6
# 1713175071: 2+7+2+3+2+7+1+0+5 = 29 -> 1
# 0102030400: 0+1+0+2+0+3+0+4+0 = 10 -> 0   (so 0102030405 is NOT valid)
# 2400000002: 4+4+0+0+0+0+0+0+0 =  8 -> 2
CEDULAS_VALIDAS = [
    "1710034065",  # Pichincha
    "1104680135",  # Loja
    "0926687856",  # Guayas
    "1713175071",  # Pichincha
    "0102030400",  # Azuay
    "2400000002",  # Santa Elena, the last province code
]


def mensaje(error: ValidationError) -> str:
    return " ".join(error.messages)


def acepta(cedula: str) -> bool:
    try:
        validar_cedula(cedula)
    except ValidationError:
        return False
    return True


def muestra_de_cedulas():
    """Every province code 00–99 and third digit 0–9, three random serial numbers each, with
    each of the ten possible last digits: 30 000 strings; for each nine-digit prefix exactly
    one last digit is the check digit."""
    azar = random.Random(2023)
    for provincia in range(100):
        for tercero in range(10):
            for _ in range(3):
                nueve = f"{provincia:02d}{tercero}{azar.randrange(10**6):06d}"
                for ultimo in "0123456789":
                    yield nueve + ultimo


def test_validator_agrees_with_python_stdnum_where_the_project_adds_no_rule():
    # stdnum also accepts province 50 and third digit 6, which the project refuses (tested
    # below); everywhere else both must give the same answer.
    comparadas = [c for c in muestra_de_cedulas() if c[:2] != "50" and c[2] != "6"]

    discrepancias = [c for c in comparadas if acepta(c) != ci.is_valid(c)]

    assert discrepancias == []
    # Not vacuous: one check digit for each prefix with a province 01–24 or 30 and a third
    # digit 0–5.
    assert sum(map(acepta, comparadas)) == 25 * 6 * 3


@pytest.mark.parametrize("cedula", CEDULAS_VALIDAS)
def test_valid_cedula_is_accepted(cedula):
    validar_cedula(cedula)


def test_cedula_of_ecuadorian_registered_abroad_code_30_is_accepted():
    validar_cedula(cedula_con_verificador("300123456"))


@pytest.mark.parametrize("cedula", ["1710034066", "1710034060", "1104680134", "0102030405"])
def test_wrong_check_digit_is_rejected(cedula):
    with pytest.raises(ValidationError) as error:
        validar_cedula(cedula)
    assert error.value.code == "verificador"
    assert mensaje(error.value) == "El dígito verificador de la cédula no es válido."


# python-stdnum accepts 50; the Registro Civil's province table ends at 24, plus 30.
@pytest.mark.parametrize("provincia", ["00", "25", "29", "31", "50", "99"])
def test_province_code_outside_01_to_24_and_30_is_rejected(provincia):
    # The check digit is right, so only the province can be the reason.
    with pytest.raises(ValidationError) as error:
        validar_cedula(cedula_con_verificador(f"{provincia}1234567"))
    assert error.value.code == "provincia"
    assert mensaje(error.value) == (
        f"Los dos primeros dígitos ({provincia}) no corresponden a una provincia."
    )


# python-stdnum accepts 6 (given to some foreign residents); the project takes 0–5 only.
@pytest.mark.parametrize("tercero", "6789")
def test_third_digit_6_to_9_is_rejected(tercero):
    with pytest.raises(ValidationError) as error:
        validar_cedula(cedula_con_verificador(f"11{tercero}234567"))
    assert error.value.code == "tipo"
    assert mensaje(error.value) == "El tercer dígito de una cédula de persona natural va de 0 a 5."


@pytest.mark.parametrize(
    "cedula",
    ["171003406", "17100340655", "", "1710034065 ", "17100-3406", "171OO34065"],
    ids=["9-digitos", "11-digitos", "vacia", "espacio", "guion", "letras"],
)
def test_wrong_length_or_non_digits_is_rejected(cedula):
    with pytest.raises(ValidationError) as error:
        validar_cedula(cedula)
    assert error.value.code == "formato"
    assert mensaje(error.value) == "La cédula debe tener exactamente 10 dígitos."


@pytest.mark.parametrize(
    "cedula",
    [
        "17\uff110034065",  # FULLWIDTH DIGIT ONE: would otherwise pass the check digit
        "17\u06610034065",  # ARABIC-INDIC DIGIT ONE: idem
        "\uff11\uff17\uff11\uff10\uff10\uff13\uff14\uff10\uff16\uff15",  # all fullwidth
        "17\u00b20034065",  # SUPERSCRIPT TWO: str.isdigit() is True but int() fails
    ],
    ids=["ancho-en-3a-posicion", "arabe-indico", "todo-ancho", "superindice"],
)
def test_non_ascii_digits_are_rejected_as_format_error(cedula):
    # str.isdigit() accepts any Unicode digit; a cédula is ten ASCII digits.
    with pytest.raises(ValidationError) as error:
        validar_cedula(cedula)
    assert error.value.code == "formato"


@pytest.mark.parametrize("n", [0, 1, 5, 23, 24, 143, 9999, 123456, 999999])
def test_factory_cedulas_are_valid(n):
    validar_cedula(cedula_valida(n))


@pytest.mark.django_db
def test_beneficiario_full_clean_rejects_invalid_cedula():
    beneficiario = BeneficiarioFactory.build(cedula="1710034066")
    with pytest.raises(ValidationError) as error:
        beneficiario.full_clean()
    assert error.value.message_dict == {
        "cedula": ["El dígito verificador de la cédula no es válido."]
    }


@pytest.mark.django_db
def test_beneficiario_full_clean_accepts_valid_cedula():
    BeneficiarioFactory.build(cedula="1104680135").full_clean()


@pytest.mark.django_db
def test_beneficiario_full_clean_rejects_a_cedula_already_registered():
    # Model forms (the admin's too) validate through full_clean(): the duplicate must come
    # back as a field error, not as the database's IntegrityError.
    registrado = BeneficiarioFactory()
    with pytest.raises(ValidationError) as error:
        BeneficiarioFactory.build(cedula=registrado.cedula).full_clean()
    assert list(error.value.error_dict) == ["cedula"]
    assert [e.code for e in error.value.error_dict["cedula"]] == ["unique"]
