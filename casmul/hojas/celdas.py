"""Reading one cell of a spreadsheet row as the records need it: a whole number, a year, a
month, text, a date, a choice, «Sí»/«No»; with the Spanish message a clerk can act on when the
cell says something else."""

import datetime
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from casmul.meses import PRIMER_ANIO

from .lector import columna_normalizar


def celda_entero(valor) -> int | None:
    """A whole number from a spreadsheet cell: 7, 7.0, "7", " 7 "; None otherwise."""
    if isinstance(valor, bool) or valor is None:
        return None
    if isinstance(valor, int):
        return valor
    try:
        cantidad = Decimal(str(valor).strip())
    except InvalidOperation:
        return None
    if not cantidad.is_finite() or cantidad != cantidad.to_integral_value():
        return None
    return int(cantidad)


def anio_leer(row, errores: dict[str, str], columna: str = "anio") -> int | None:
    """The row's year (four digits, the portal's first or later); a Spanish error otherwise."""
    anio = celda_entero(row.get(columna))
    if anio is None or anio < PRIMER_ANIO:
        errores[columna] = f"Escriba el año con cuatro cifras ({PRIMER_ANIO} o posterior)."
    return anio


def mes_leer(row, errores: dict[str, str], columna: str = "mes") -> int | None:
    """The row's month (1 to 12); a Spanish error otherwise."""
    mes = celda_entero(row.get(columna))
    if mes is None or not 1 <= mes <= 12:
        errores[columna] = "Escriba el mes como un número del 1 al 12."
    return mes


def celda_texto(valor) -> str:
    """A cell as text, trimmed; a whole number a spreadsheet stored as 73.0 reads "73"."""
    if valor is None:
        return ""
    if isinstance(valor, float) and valor.is_integer():
        return str(int(valor))
    return str(valor).strip()


_FECHA_DMA = re.compile(r"(?P<dia>[0-9]{1,2})/(?P<mes>[0-9]{1,2})/(?P<anio>[0-9]{4})")
_FECHA_ISO = re.compile(r"(?P<anio>[0-9]{4})-(?P<mes>[0-9]{2})-(?P<dia>[0-9]{2})")


def celda_fecha(valor) -> datetime.date | None:
    """A date as a clerk writes it (dd/mm/aaaa), as the portal's exports write it
    (aaaa-mm-dd) or a real XLSX date; None when empty. Raises ValidationError in Spanish."""
    if isinstance(valor, datetime.datetime):
        return valor.date()
    if isinstance(valor, datetime.date):
        return valor
    texto = celda_texto(valor)
    if not texto:
        return None
    encontrada = _FECHA_DMA.fullmatch(texto) or _FECHA_ISO.fullmatch(texto)
    if encontrada is None:
        raise ValidationError(
            f"«{texto}» no es una fecha: escríbala como dd/mm/aaaa, por ejemplo 15/03/2024.",
            code="fecha",
        )
    try:
        anio, mes, dia = (int(encontrada[parte]) for parte in ("anio", "mes", "dia"))
        return datetime.date(anio, mes, dia)
    except ValueError:
        raise ValidationError(f"La fecha «{texto}» no existe.", code="fecha") from None


def celda_opcion(valor, opciones: Sequence[tuple[str, str]]) -> str | None:
    """The value of a choice written as its value or its label, in any case and with or
    without accents ("Convenio MIES", "convenio_mies"); None when empty. Raises
    ValidationError naming the labels."""
    texto = celda_texto(valor)
    if not texto:
        return None
    buscado = columna_normalizar(texto)
    for valor_opcion, etiqueta in opciones:
        if buscado in (columna_normalizar(valor_opcion), columna_normalizar(etiqueta)):
            return valor_opcion
    nombres = ", ".join(f"«{etiqueta}»" for _, etiqueta in opciones)
    raise ValidationError(f"«{texto}» no es una opción: escriba una de {nombres}.", code="opcion")


_SI_NO = (("si", "Sí"), ("no", "No"))


def celda_si_no(valor) -> bool | None:
    """«Sí»/«No» (any case, with or without accent) or a real XLSX boolean; None when empty.
    Raises ValidationError in Spanish."""
    if isinstance(valor, bool):
        return valor
    opcion = celda_opcion(valor, _SI_NO)
    return None if opcion is None else opcion == "si"
