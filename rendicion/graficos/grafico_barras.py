"""Horizontal bar charts: `barras` for any (name, value) pairs, `ejecucion` for the budget."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from casmul.formato import dinero, numero, porcentaje

from .colores import COLOR_CODIFICADO, COLOR_EJECUTADO, color
from .comun import (
    ALTO_TITULO,
    INTERLINEA,
    LETRA,
    LETRA_TITULO,
    MARGEN,
    Categorias,
    Linea,
    Numero,
    Texto,
    a_decimal,
    id_svg,
    r,
)
from .ejes import eje_por_defecto, eje_redondo
from .texto import ancho_texto, partir


@dataclass(frozen=True)
class Marca:
    """An axis tick: its value, the grid line's x and the label below the axis."""

    valor: Decimal
    x: float
    etiqueta: Texto


@dataclass(frozen=True)
class Barra:
    nombre: str
    valor: Decimal
    x: float
    y: float
    ancho: float
    alto: float
    color: str
    valor_texto: Texto  # formatted value, right of the bar's end
    lineas: tuple[Texto, ...]  # the category's name, wrapped, right-aligned left of the axis


@dataclass(frozen=True)
class GraficoBarras:
    """Horizontal bars: names on the left, values at the bars' ends, the axis below."""

    id: str
    titulo: str
    descripcion: str
    ancho: float
    alto: float
    barras: tuple[Barra, ...]
    marcas: tuple[Marca, ...]
    eje_maximo: Decimal
    eje: Linea  # the vertical zero line
    area_y: float  # top of the plotting area (grid lines run area_y .. eje.y2)
    titulo_texto: Texto | None  # the visible title, None when the page shows its own
    nota: Texto | None  # a line under the axis (e.g. the execution percentage)
    vacio: bool  # no categories: only "Sin datos" is drawn
    sin_datos: Texto


def _sin_datos(ancho: float, y: float) -> Texto:
    return Texto("Sin datos", r(ancho / 2), r(y), "middle")


def _grafico_barras(
    categorias: Categorias,
    textos: Sequence[str],
    *,
    titulo: str,
    descripcion: str,
    id: str | None,
    colores: Sequence[str] | None,
    formato_eje: Callable,
    ancho: float,
    mostrar_titulo: bool,
    nota: str,
    entero: bool,
) -> GraficoBarras:
    valores = [a_decimal(v) for _, v in categorias]
    if any(v < 0 for v in valores):
        raise ValueError("Los gráficos de barras no admiten valores negativos.")
    arriba = MARGEN + (ALTO_TITULO if mostrar_titulo else 0)
    titulo_texto = Texto(titulo, MARGEN, MARGEN + LETRA_TITULO) if mostrar_titulo else None
    if not categorias:
        alto = arriba + 60
        return GraficoBarras(
            id=id_svg(id, titulo),
            titulo=titulo,
            descripcion=descripcion,
            ancho=ancho,
            alto=alto,
            barras=(),
            marcas=(),
            eje_maximo=Decimal(0),
            eje=Linea(0, 0, 0, 0),
            area_y=arriba,
            titulo_texto=titulo_texto,
            nota=None,
            vacio=True,
            sin_datos=_sin_datos(ancho, arriba + 30),
        )

    # Names column: wrapped to a third of the width, as wide as its widest line.
    lineas = [partir(nombre, ancho * 0.3) for nombre, _ in categorias]
    columna = max(ancho_texto(linea) for grupo in lineas for linea in grupo) + 10
    columna = min(columna, ancho * 0.4)
    x0 = MARGEN + columna
    reserva = max(ancho_texto(t) for t in textos) + 8 + MARGEN
    ancho_area = max(ancho - x0 - reserva, ancho * 0.25)

    marcas_valor = eje_redondo(max(valores), entero=entero)
    maximo = marcas_valor[-1] if len(marcas_valor) > 1 else Decimal(1)

    grosor = 24
    fila = max(grosor + 14, max(len(g) for g in lineas) * INTERLINEA + 12)
    area_y = arriba + 4
    barras = []
    for i, ((nombre, _), valor, texto, grupo) in enumerate(
        zip(categorias, valores, textos, lineas, strict=True)
    ):
        y = area_y + i * fila + (fila - grosor) / 2
        largo = ancho_area * float(valor / maximo)
        centro = y + grosor / 2
        base = centro + LETRA * 0.35  # baseline that centres a line of digits on `centro`
        primera = base - (len(grupo) - 1) * INTERLINEA / 2
        barras.append(
            Barra(
                nombre=nombre,
                valor=valor,
                x=r(x0),
                y=r(y),
                ancho=r(largo),
                alto=grosor,
                color=(colores[i % len(colores)] if colores else color(i)),
                valor_texto=Texto(texto, r(x0 + largo + 6), r(base)),
                lineas=tuple(
                    Texto(linea, r(x0 - 8), r(primera + k * INTERLINEA), "end")
                    for k, linea in enumerate(grupo)
                ),
            )
        )
    abajo = area_y + len(categorias) * fila
    marcas = tuple(
        Marca(
            valor=v,
            x=r(x0 + ancho_area * float(v / maximo)),
            etiqueta=Texto(
                formato_eje(v), r(x0 + ancho_area * float(v / maximo)), r(abajo + 16), "middle"
            ),
        )
        for v in marcas_valor
    )
    alto = abajo + 16 + 6
    nota_texto = None
    if nota:
        nota_texto = Texto(nota, r(x0), r(alto + 18))
        alto += 22
    return GraficoBarras(
        id=id_svg(id, titulo),
        titulo=titulo,
        descripcion=descripcion,
        ancho=ancho,
        alto=r(alto + MARGEN),
        barras=tuple(barras),
        marcas=marcas,
        eje_maximo=maximo,
        eje=Linea(r(x0), r(area_y), r(x0), r(abajo)),
        area_y=r(area_y),
        titulo_texto=titulo_texto,
        nota=nota_texto,
        vacio=False,
        sin_datos=_sin_datos(ancho, abajo),
    )


def barras(
    categorias: Categorias,
    *,
    titulo: str,
    id: str | None = None,
    formato: Callable = numero,
    formato_eje: Callable | None = None,
    colores: Sequence[str] | None = None,
    ancho: float = 640,
    mostrar_titulo: bool = True,
    nota: str = "",
    total: bool = True,
) -> GraficoBarras:
    """Horizontal bar chart of (name, value) pairs, in the given order.

    `formato` writes the values (numero, dinero, …); the axis uses `formato_eje`, by default
    the same format without decimals the ticks don't need ('$200.000', not '$200.000,00').
    `colores` overrides the palette (one colour per category, cycled). `total` adds the sum to
    the text alternative. `ancho` is the viewBox width; the height follows from the rows.
    """
    textos = [formato(a_decimal(v)) for _, v in categorias]
    entero = formato is numero and all(a_decimal(v) == int(a_decimal(v)) for _, v in categorias)
    partes = [f"{nombre}: {texto}" for (nombre, _), texto in zip(categorias, textos, strict=True)]
    descripcion = "Gráfico de barras. " + ("; ".join(partes) + "." if partes else "Sin datos.")
    if total and len(partes) > 1:
        descripcion += f" Total: {formato(sum(a_decimal(v) for _, v in categorias))}."
    if nota:
        descripcion += f" {nota.rstrip('.')}."
    return _grafico_barras(
        categorias,
        textos,
        titulo=titulo,
        descripcion=descripcion,
        id=id,
        colores=colores,
        formato_eje=formato_eje or eje_por_defecto(formato, categorias, entero),
        ancho=ancho,
        mostrar_titulo=mostrar_titulo,
        nota=nota,
        entero=entero,
    )


def ejecucion(
    codificado: Numero,
    ejecutado: Numero,
    *,
    titulo: str = "Relación Presupuesto-Ejecución",
    id: str | None = None,
    ancho: float = 640,
    mostrar_titulo: bool = True,
    decimales: int = 1,
) -> GraficoBarras:
    """Two bars, Codificado and Ejecutado, in money, with the execution percentage.

    The percentage follows the executed amount ('$1.550.000,00 (96,9 %)') and is repeated in a
    note under the axis; with nothing budgeted it is '—'.
    """
    codificado, ejecutado = a_decimal(codificado), a_decimal(ejecutado)
    tasa = ejecutado / codificado if codificado else None
    tasa_texto = porcentaje(tasa, decimales)
    nota = f"Porcentaje de ejecución: {tasa_texto}"
    categorias = [("Codificado", codificado), ("Ejecutado", ejecutado)]
    textos = [dinero(codificado), f"{dinero(ejecutado)} ({tasa_texto})"]
    descripcion = (
        f"Gráfico de barras. Presupuesto codificado: {dinero(codificado)}; "
        f"presupuesto ejecutado: {dinero(ejecutado)}. {nota}."
    )
    return _grafico_barras(
        categorias,
        textos,
        titulo=titulo,
        descripcion=descripcion,
        id=id,
        colores=(COLOR_CODIFICADO, COLOR_EJECUTADO),
        formato_eje=eje_por_defecto(dinero, categorias, entero=False),
        ancho=ancho,
        mostrar_titulo=mostrar_titulo,
        nota=nota,
        entero=False,
    )
