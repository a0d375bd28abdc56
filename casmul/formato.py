"""Ecuadorian number formats, independent of the active locale so the PDF and the
command line print the same as the page."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.numberformat import format as number_format


def _redondear(value, decimales: int) -> Decimal:
    # A float goes through its written form: 2.675 is stored as 2.67499…, the user wrote 2.675.
    cantidad = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    cantidad = cantidad.quantize(Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP)
    return cantidad if cantidad else abs(cantidad)  # no "-0"


def numero(value, decimales: int = 0) -> str:
    """66338 -> '66.338'; numero(187.48, 1) -> '187,5'."""
    if value is None:
        return "—"
    cantidad = _redondear(value, decimales)
    return number_format(
        cantidad,
        decimal_sep=",",
        decimal_pos=decimales,
        grouping=3,
        thousand_sep=".",
        force_grouping=True,
    )


def dinero(value) -> str:
    """1600469.59 -> '$1.600.469,59'."""
    if value is None:
        return "—"
    cantidad = _redondear(value, 2)
    texto = numero(abs(cantidad), decimales=2)
    return f"-${texto}" if cantidad < 0 else f"${texto}"


def cifra(value, monetaria: bool) -> str:
    """A monthly figure as its kind writes it: money (`dinero`) or a count (`numero`)."""
    return dinero(value) if monetaria else numero(value)


def porcentaje(value, decimales: int = 0) -> str:
    """0.39 -> '39 %'."""
    if value is None:
        return "—"
    cantidad = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return f"{numero(cantidad * 100, decimales)} %"


def _con_signo(value, texto: str, decimales: int) -> str:
    # A difference reads as one: "+12", so that a rise is not mistaken for a level.
    return f"+{texto}" if value is not None and _redondear(value, decimales) > 0 else texto


def diferencia(value) -> str:
    """12 -> '+12'; -3 -> '-3'; 0 -> '0'."""
    return _con_signo(value, numero(value), 0)


def diferencia_dinero(value) -> str:
    """1250.5 -> '+$1.250,50'."""
    return _con_signo(value, dinero(value), 2)


def variacion(value) -> str:
    """0.25 -> '+25 %'; a relative change."""
    return _con_signo(value, porcentaje(value), 2)
