"""The donut (or pie) chart: slices, percentages and a legend on its right."""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from casmul.formato import dinero, porcentaje

from .colores import PALETA, TEXTO_OSCURO, color_texto
from .comun import (
    ALTO_TITULO,
    INTERLINEA,
    LETRA,
    LETRA_TITULO,
    MARGEN,
    Categorias,
    Linea,
    Texto,
    a_decimal,
    id_svg,
    r,
)
from .etiquetas import cabe, etiquetas_fuera
from .geometria import camino_porcion, punto
from .texto import partir


@dataclass(frozen=True)
class Porcion:
    """A slice: angles in degrees clockwise from 12 o'clock; `d` is the SVG path."""

    indice: int  # position among the categories (gives the colour)
    nombre: str
    valor: Decimal
    fraccion: Decimal
    angulo_inicio: float
    angulo_fin: float
    d: str
    color: str
    porcentaje: str  # '46,5 %'
    etiqueta: Texto  # the percentage, in the ring or outside it
    dentro: bool  # True: on the slice (color_texto); False: outside, dark, with a leader
    color_texto: str
    guia: Linea | None  # leader line from the ring to an outside label

    @property
    def angulo(self) -> float:
        return self.angulo_fin - self.angulo_inicio


@dataclass(frozen=True)
class EntradaLeyenda:
    nombre: str
    valor: Decimal
    color: str
    x: float  # the colour swatch's square
    y: float
    lado: float
    lineas: tuple[Texto, ...]  # the name, wrapped
    detalle: Texto  # '$744.138,27 · 46,5 %'


@dataclass(frozen=True)
class GraficoTorta:
    """A donut (or a pie, radio_interior 0) with a legend on its right."""

    id: str
    titulo: str
    descripcion: str
    ancho: float
    alto: float
    cx: float
    cy: float
    radio: float
    radio_interior: float
    porciones: tuple[Porcion, ...]
    leyenda: tuple[EntradaLeyenda, ...]
    total: Decimal
    centro: tuple[Texto, ...]  # 'Total' and the amount in the donut's hole
    titulo_texto: Texto | None
    vacio: bool  # nothing to draw (no categories, or all zero): "Sin datos"
    sin_datos: Texto


def torta(
    categorias: Categorias,
    *,
    titulo: str,
    id: str | None = None,
    formato_valor: Callable = dinero,
    colores: Sequence[str] | None = None,
    ancho: float = 640,
    radio: float = 110,
    dona: bool = True,
    decimales: int = 1,
    mostrar_titulo: bool = True,
) -> GraficoTorta:
    """Share of each (name, value) in the total, as a donut with percentages and a legend.

    Zero values get no slice but keep their legend entry and their colour (colours follow
    the categories' positions, as in `barras`). Negative values are refused.
    """
    valores = [a_decimal(v) for _, v in categorias]
    if any(v < 0 for v in valores):
        raise ValueError("Un gráfico circular no admite valores negativos.")
    total = sum(valores, Decimal(0))
    interior = round(radio * 0.5, 2) if dona else 0.0
    arriba = MARGEN + (ALTO_TITULO if mostrar_titulo else 0)
    titulo_texto = Texto(titulo, MARGEN, MARGEN + LETRA_TITULO) if mostrar_titulo else None
    colores = tuple(colores) if colores else PALETA

    def fraccion(valor):
        return valor / total if total else Decimal(0)

    # Legend, right of the donut: swatch, name (wrapped), then value and percentage.
    cx = MARGEN + 56 + radio
    leyenda_x = cx + radio + 74
    ancho_leyenda = ancho - leyenda_x - MARGEN - 20
    entradas, alto_leyenda = [], 0.0
    for i, (nombre, _) in enumerate(categorias):
        lineas = partir(nombre, ancho_leyenda)
        entradas.append((i, nombre, valores[i], lineas, alto_leyenda))
        alto_leyenda += (len(lineas) + 1) * INTERLINEA + 10
    alto_leyenda -= 10 if entradas else 0

    bloque = max(2 * radio + 2 * 36, alto_leyenda)
    cy = arriba + bloque / 2
    alto = arriba + bloque + MARGEN
    leyenda_y = cy - alto_leyenda / 2
    leyenda = tuple(
        EntradaLeyenda(
            nombre=nombre,
            valor=valor,
            color=colores[i % len(colores)],
            x=r(leyenda_x),
            y=r(leyenda_y + y + 1),
            lado=12,
            lineas=tuple(
                Texto(linea, r(leyenda_x + 20), r(leyenda_y + y + 11 + k * INTERLINEA))
                for k, linea in enumerate(lineas)
            ),
            detalle=Texto(
                f"{formato_valor(valor)} · {porcentaje(fraccion(valor), decimales)}",
                r(leyenda_x + 20),
                r(leyenda_y + y + 11 + len(lineas) * INTERLINEA),
            ),
        )
        for i, nombre, valor, lineas, y in entradas
    )

    porciones = []
    fuera: list[tuple[int, float, bool]] = []  # (slice, mid angle, right side)
    if total > 0:
        acumulado = Decimal(0)
        medio_anillo = (radio + interior) / 2 if dona else radio * 0.62
        for i, ((nombre, _), valor) in enumerate(zip(categorias, valores, strict=True)):
            if valor == 0:
                continue
            inicio = float(acumulado / total) * 360
            acumulado += valor
            fin = float(acumulado / total) * 360
            texto = porcentaje(fraccion(valor), decimales)
            medio = (inicio + fin) / 2
            dentro = False
            for ajuste in (0, -4, 4, -8, 8):  # the ring's middle first, then a little in or out
                x, y = punto(cx, cy, medio_anillo + ajuste, medio)
                etiqueta = Texto(texto, r(x), r(y + LETRA * 0.35), "middle")
                if cabe(etiqueta, cx, cy, radio, interior, inicio, fin):
                    dentro = True
                    break
            fondo = colores[i % len(colores)]
            if not dentro:
                etiqueta = Texto(texto, 0, 0)  # placed below, with the other outside labels
                fuera.append((len(porciones), medio, math.sin(math.radians(medio)) >= 0))
            porciones.append(
                Porcion(
                    indice=i,
                    nombre=nombre,
                    valor=valor,
                    fraccion=fraccion(valor),
                    angulo_inicio=round(inicio, 4),
                    angulo_fin=round(fin, 4),
                    d=camino_porcion(cx, cy, radio, interior, inicio, fin),
                    color=fondo,
                    porcentaje=texto,
                    etiqueta=etiqueta,
                    dentro=dentro,
                    color_texto=color_texto(fondo) if dentro else TEXTO_OSCURO,
                    guia=None,
                )
            )
        porciones = etiquetas_fuera(porciones, fuera, cx, cy, radio, arriba, alto - MARGEN)

    centro: tuple[Texto, ...] = ()
    if dona and porciones:
        centro = (
            Texto("Total", r(cx), r(cy - 4), "middle"),
            Texto(formato_valor(total), r(cx), r(cy + 13), "middle"),
        )
    partes = [
        f"{nombre}: {formato_valor(valor)} ({porcentaje(fraccion(valor), decimales)})"
        for (nombre, _), valor in zip(categorias, valores, strict=True)
    ]
    if total > 0:
        descripcion = f"Gráfico circular. {'; '.join(partes)}. Total: {formato_valor(total)}."
    else:
        descripcion = "Gráfico circular. Sin datos."
    return GraficoTorta(
        id=id_svg(id, titulo),
        titulo=titulo,
        descripcion=descripcion,
        ancho=ancho,
        alto=r(alto),
        cx=r(cx),
        cy=r(cy),
        radio=radio,
        radio_interior=interior,
        porciones=tuple(porciones),
        leyenda=leyenda if total > 0 else (),
        total=total,
        centro=centro,
        titulo_texto=titulo_texto,
        vacio=not porciones,
        sin_datos=Texto("Sin datos", r(cx), r(cy + LETRA * 0.35), "middle"),
    )
