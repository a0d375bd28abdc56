"""One reader of the figures people type or paste (es-EC), for every door: the month forms, the
clinic's grid, the spreadsheet import and the admin's money fields.

The rules: ASCII digits only; "." only groups thousands, three digits a group ("1.234.567");
"," marks the decimals ("1.234,56"); a count of people or services has no decimals; money has
two at most and may start with "$". A count may be written "4.321": people come whole, so the dot
can only group thousands. In money "1.250" is refused as ambiguous (1250 dollars, or 1,25 typed
with a decimal point?); "1.250.000" and "1.250,50" are not. A count written with zero decimals
("36,00") is accepted: it is the number a spreadsheet cell 36.0 holds, and the figures' own
export writes counts so.
"""

import enum
import re
from decimal import Decimal

from django.core.exceptions import ValidationError

from .formato import dinero, numero


class Clase(enum.Enum):
    """What a figure counts, which decides its decimals and its upper bound. The values are the
    units of the monthly indicators (`centros.models.Indicador.Unidad`), so a unit names its
    kind without this module importing the domain."""

    PERSONAS = "personas"
    SERVICIOS = "servicios"
    DINERO = "dolares"

    @classmethod
    def de_unidad(cls, unidad: str) -> "Clase":
        """The kind of an indicator's figures: 'personas', 'servicios' or 'dolares'."""
        return cls(unidad)

    @property
    def decimales(self) -> int:
        return 2 if self is Clase.DINERO else 0

    @property
    def maximo(self) -> Decimal:
        return _MAXIMOS[self]


# Bounds no real value reaches, so that a slip of the keyboard (a few digits too many, a pasted
# identifier) is caught, not stored. The canton of Loja has a little over 200.000 inhabitants and
# the busiest figure of any month (the clinic's consulta externa) is about 5.000 patients:
# 100.000 persons in a month cannot be true. Services are several per person (meals, sessions):
# ten times that. Money covers the admin's yearly institutional totals too, about $5,7 million;
# the columns would take up to 10^12.
_MAXIMOS = {
    Clase.PERSONAS: Decimal("100000"),
    Clase.SERVICIOS: Decimal("1000000"),
    Clase.DINERO: Decimal("100000000"),
}

# An explicit [0-9]: str.isdigit() and \d also accept full-width and Arabic-Indic digits.
_CIFRA = re.compile(r"(?P<entero>[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,(?P<decimales>[0-9]+))?")
_CARACTERES_DE_CIFRA = re.compile(r"[0-9.,]+")
_AMBIGUO = re.compile(r"(?P<entero>[1-9][0-9]{0,2})\.(?P<miles>[0-9]{3})")
# "1,250" in money: 1,25 with a third, zero decimal, or 1250 from a spreadsheet whose comma
# groups thousands (an English one). "1,255" has a third decimal no dollar has: refused as such.
_AMBIGUO_COMA = re.compile(r"(?P<entero>[1-9][0-9]{0,2}),(?P<miles>[0-9]{2}0)")
# Longer than any figure within the bounds ("100.000.000,00" has 14 characters): refused before
# the pattern and Decimal spend time on it.
_LARGO_MAXIMO = 30


def _invalido(clase: Clase) -> ValidationError:
    ejemplo = "1.234,56" if clase is Clase.DINERO else "1.234"
    return ValidationError(f"Escriba solo un número, por ejemplo {ejemplo}.", code="invalido")


def _punto(clase: Clase) -> ValidationError:
    if clase is Clase.DINERO:
        mensaje = (
            "El punto solo separa los miles, de tres en tres cifras (1.234); los decimales se "
            "escriben con coma (12,50)."
        )
    else:
        mensaje = (
            "El punto solo separa los miles, de tres en tres cifras (1.234): escriba un número "
            "entero."
        )
    return ValidationError(mensaje, code="punto")


def _ambiguo(texto: str, entero: str, miles: str) -> ValidationError:
    decimales = miles.rstrip("0").ljust(2, "0")
    return ValidationError(
        f"«{texto}» es ambiguo: escriba {entero}{miles} o {texto},00 si el punto separa los "
        f"miles, o {entero},{decimales} si separa los decimales.",
        code="ambiguo",
    )


def _ambiguo_coma(texto: str, entero: str, miles: str) -> ValidationError:
    decimales = miles.rstrip("0").ljust(2, "0")
    return ValidationError(
        f"«{texto}» es ambiguo: escriba {entero},{decimales} si la coma separa los decimales, "
        f"o {entero}.{miles},00 si separa los miles.",
        code="ambiguo",
    )


def _texto_leer(texto: str, clase: Clase) -> Decimal:
    cuerpo = texto
    if clase is Clase.DINERO and cuerpo.startswith("$"):
        # "$ 1.250,50" is how a currency cell shows when a spreadsheet is saved as text.
        cuerpo = cuerpo[1:].lstrip()
    negativo = cuerpo.startswith("-")
    if negativo:
        cuerpo = cuerpo[1:]
    encontrado = _CIFRA.fullmatch(cuerpo) if len(cuerpo) <= _LARGO_MAXIMO else None
    if encontrado is None:
        if "." in cuerpo and _CARACTERES_DE_CIFRA.fullmatch(cuerpo):
            raise _punto(clase)
        raise _invalido(clase)
    if clase is Clase.DINERO and (ambiguo := _AMBIGUO.fullmatch(cuerpo)):
        raise _ambiguo(cuerpo, ambiguo["entero"], ambiguo["miles"])
    if clase is Clase.DINERO and (ambiguo := _AMBIGUO_COMA.fullmatch(cuerpo)):
        raise _ambiguo_coma(cuerpo, ambiguo["entero"], ambiguo["miles"])
    entero = encontrado["entero"].replace(".", "")
    cantidad = Decimal(f"{entero}.{encontrado['decimales']}" if encontrado["decimales"] else entero)
    return -cantidad if negativo else cantidad


def numero_validar(valor: Decimal | int, *, clase: Clase) -> None:
    """The rules of a figure that is already a number: finite, not negative, within the kind's
    bound, no decimals in a count, two at most in money. Raises ValidationError (codes
    `invalido`, `negativo`, `maximo`, `decimales`, `centavos`)."""
    valor = Decimal(valor)
    if not valor.is_finite():
        raise _invalido(clase)
    if valor < 0:
        raise ValidationError("La cifra no puede ser negativa.", code="negativo")
    if valor > clase.maximo:
        if clase is Clase.DINERO:
            mensaje = f"El valor no puede pasar de {dinero(clase.maximo)}: revise lo escrito."
        else:
            mensaje = f"La cifra no puede pasar de {numero(clase.maximo)}: revise lo escrito."
        raise ValidationError(mensaje, code="maximo")
    if clase is not Clase.DINERO and valor != valor.to_integral_value():
        raise ValidationError("Escriba un número entero (sin decimales).", code="decimales")
    if clase is Clase.DINERO and valor != valor.quantize(Decimal("0.01")):
        raise ValidationError("Escriba el valor con dos decimales como máximo.", code="centavos")


def numero_leer(valor, *, clase: Clase) -> Decimal | None:
    """A figure as typed ("1.234", "1.234,56", "$1.234,56") or as a spreadsheet cell holds it
    (int, float, Decimal), checked by `numero_validar`; None when empty. Raises
    ValidationError with a Spanish message and a code (those of `numero_validar`, and `punto`
    for a dot that does not group thousands, `ambiguo` for money written "1.250" or "1,250")."""
    if isinstance(valor, bool):
        raise _invalido(clase)
    if valor is None:
        return None
    if isinstance(valor, str):
        texto = valor.strip()
        if not texto:
            return None
        cantidad = _texto_leer(texto, clase)
    elif isinstance(valor, int | Decimal):
        cantidad = Decimal(valor)
    elif isinstance(valor, float):
        # Through its written form: the cell shows 12.3, the float is 12.2999…
        cantidad = Decimal(str(valor))
    else:
        raise _invalido(clase)
    numero_validar(cantidad, clase=clase)
    if clase is Clase.DINERO:
        # "1.234,500" is $1.234,50: stored with the two decimals a money column keeps.
        return cantidad.quantize(Decimal("0.01")) if cantidad.as_tuple().exponent < -2 else cantidad
    return cantidad.to_integral_value()
