"""Pieces every chart shares: sizes, a line of text, a line, and small conversions."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import slugify

Numero = Decimal | int | float
Categorias = Sequence[tuple[str, Numero]]

LETRA = 12  # font size of labels, in viewBox units (the SVG's px)
LETRA_TITULO = 14
INTERLINEA = 14
MARGEN = 8
ALTO_TITULO = 28  # band taken by the visible title


@dataclass(frozen=True)
class Texto:
    """One line of text; `anclaje` is its text-anchor (start, middle, end), y its baseline."""

    texto: str
    x: float
    y: float
    anclaje: str = "start"


@dataclass(frozen=True)
class Linea:
    x1: float
    y1: float
    x2: float
    y2: float


def r(valor: float) -> float:
    """A coordinate as written in the SVG: two decimals."""
    return round(valor, 2)


def a_decimal(valor: Numero) -> Decimal:
    if isinstance(valor, float):
        return Decimal(str(valor))
    return Decimal(valor)


def id_svg(id: str | None, titulo: str) -> str:
    """The chart's id (a slug of `id` or else of the title), prefix of its elements' ids."""
    slug = slugify(id or titulo) or "grafico"
    return slug if slug[0].isalpha() else f"grafico-{slug}"
