"""The value axis: round 1-2-5 ticks and the format of their labels."""

import math
from collections.abc import Callable
from decimal import Decimal

from casmul.formato import dinero, numero

from .comun import Categorias, Numero, a_decimal


def paso_redondo(maximo: Decimal, marcas: int = 5) -> Decimal:
    """The smallest 1-2-5 step (1, 2, 5, 10, 20, …) giving at most `marcas` steps up to `maximo`."""
    if maximo <= 0:
        return Decimal(1)
    bruto = maximo / marcas
    exponente = math.floor(math.log10(bruto))
    for base in (1, 2, 5):
        paso = Decimal(base).scaleb(exponente)
        if paso >= bruto:
            return paso
    return Decimal(10).scaleb(exponente)


def eje_redondo(maximo: Numero, marcas: int = 5, entero: bool = False) -> tuple[Decimal, ...]:
    """Ticks 0, step, 2·step, … up to the first multiple of the step ≥ `maximo`.

    `entero` keeps the step ≥ 1 (counts of centres are never fractional).
    """
    maximo = a_decimal(maximo)
    if maximo <= 0:
        return (Decimal(0),)
    paso = paso_redondo(maximo, marcas)
    if entero:
        paso = max(paso, Decimal(1))
    pasos = math.ceil(maximo / paso)
    return tuple((paso * i).normalize() + 0 for i in range(pasos + 1))


def dinero_entero(valor) -> str:
    """Axis money: 200000 -> '$200.000' (ticks are round, cents only clutter)."""
    return f"${numero(valor)}"


def _formato_eje(formato: Callable, paso: Decimal) -> Callable:
    decimales = max(0, -paso.normalize().as_tuple().exponent)
    if formato is dinero:
        return dinero_entero if decimales == 0 else dinero
    if formato is numero:
        return lambda valor: numero(valor, decimales)
    return formato


def eje_por_defecto(formato: Callable, categorias: Categorias, entero: bool) -> Callable:
    valores = [a_decimal(v) for _, v in categorias]
    marcas = eje_redondo(max(valores, default=0), entero=entero)
    return _formato_eje(formato, marcas[1] if len(marcas) > 1 else Decimal(1))
