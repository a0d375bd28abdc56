"""The report's charts as geometry for inline SVG (no ORM, no drawing library).

`barras`, `ejecucion` and `torta` are pure functions returning frozen dataclasses with every
coordinate and every text already computed; the templates
`rendicion/graficos/barras.svg.html` and `rendicion/graficos/torta.svg.html` only place them.
The same markup is shown in the page and printed by WeasyPrint, which is why nothing depends on
CSS or on the browser measuring text: widths are estimated from DejaVu Sans' advances.

Colours are taken from `PALETA` by the category's position, so passing the areas in the same
order gives each area the same colour in every chart.
"""

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.text import slugify

from casmul.formato import dinero, numero, porcentaje

Numero = Decimal | int | float
Categorias = Sequence[tuple[str, Numero]]

# Sober institutional colours, distinguishable for the common colour-vision deficiencies
# (the first five: deuteranopia, protanopia and tritanopia keep ΔE > 16 between any two).
PALETA = (
    "#1F4E79",  # navy
    "#2F7A4C",  # green
    "#B7812A",  # ochre
    "#5B8FC7",  # mid blue
    "#5F6B7A",  # slate
    "#8FAE5E",  # light green
    "#7A4E6E",  # plum
    "#D8B26A",  # sand
)
COLOR_CODIFICADO = "#5F6B7A"
COLOR_EJECUTADO = "#2F7A4C"
TEXTO_OSCURO = "#1A1A1A"
TEXTO_CLARO = "#FFFFFF"

LETRA = 12  # font size of labels, in viewBox units (the SVG's px)
LETRA_TITULO = 14
INTERLINEA = 14
MARGEN = 8
ALTO_TITULO = 28  # band taken by the visible title


# --- text ------------------------------------------------------------------------------------


def ancho_texto(texto: str, tamano: float = LETRA, negrita: bool = False) -> float:
    """Estimated advance of `texto` in DejaVu Sans (slightly generous, never narrower)."""
    em = 0.0
    for caracter in texto:
        if caracter in " .,:;'!|()[]-/ijlfrtíìï·":
            em += 0.36
        elif caracter in "mwMW%—":
            em += 0.98
        elif caracter.isdigit() or caracter in "$#+=<>?_":
            em += 0.64
        elif caracter.isupper():
            em += 0.74
        else:
            em += 0.62
    return em * tamano * (1.12 if negrita else 1.0)


def partir(texto: str, ancho: float, tamano: float = LETRA) -> tuple[str, ...]:
    """Words of `texto` in the fewest lines no wider than `ancho`, balanced.

    A single word wider than `ancho` keeps a line of its own.
    """
    palabras = texto.split()
    if not palabras:
        return ("",)
    if ancho_texto(texto, tamano) <= ancho:
        return (" ".join(palabras),)
    n = len(palabras)

    def linea(i, j):
        return " ".join(palabras[i:j])

    # best[k][j]: narrowest widest line setting palabras[:j] in k lines, and its last break.
    infinito = float("inf")
    best = [[(infinito, 0)] * (n + 1) for _ in range(n + 1)]
    best[0][0] = (0.0, 0)
    for k in range(1, n + 1):
        for j in range(1, n + 1):
            for i in range(k - 1, j):
                previo = best[k - 1][i][0]
                if previo == infinito:
                    continue
                peor = max(previo, ancho_texto(linea(i, j), tamano))
                if peor < best[k][j][0]:
                    best[k][j] = (peor, i)
        if best[k][n][0] <= ancho or k == n:
            break
    lineas, j = [], n
    while k > 0:
        i = best[k][j][1]
        lineas.append(linea(i, j))
        j, k = i, k - 1
    return tuple(reversed(lineas))


def color_texto(fondo: str) -> str:
    """White or near-black, whichever contrasts more with `fondo` (WCAG luminance)."""

    def canal(valor):
        c = valor / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (canal(int(fondo[i : i + 2], 16)) for i in (1, 3, 5))
    luminancia = 0.2126 * r + 0.7152 * g + 0.0722 * b
    contra_blanco = 1.05 / (luminancia + 0.05)
    contra_oscuro = (luminancia + 0.05) / (0.0103 + 0.05)  # #1A1A1A
    return TEXTO_CLARO if contra_blanco >= contra_oscuro else TEXTO_OSCURO


def color(indice: int) -> str:
    """The palette's colour for the category in position `indice` (0-based)."""
    return PALETA[indice % len(PALETA)]


def _r(valor: float) -> float:
    return round(valor, 2)


def _decimal(valor: Numero) -> Decimal:
    if isinstance(valor, float):
        return Decimal(str(valor))
    return Decimal(valor)


def _id(id: str | None, titulo: str) -> str:
    slug = slugify(id or titulo) or "grafico"
    return slug if slug[0].isalpha() else f"grafico-{slug}"


# --- common pieces ---------------------------------------------------------------------------


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


# --- bars ------------------------------------------------------------------------------------


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
    maximo = _decimal(maximo)
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


def _sin_datos(ancho: float, y: float) -> Texto:
    return Texto("Sin datos", _r(ancho / 2), _r(y), "middle")


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
    valores = [_decimal(v) for _, v in categorias]
    if any(v < 0 for v in valores):
        raise ValueError("Los gráficos de barras no admiten valores negativos.")
    arriba = MARGEN + (ALTO_TITULO if mostrar_titulo else 0)
    titulo_texto = Texto(titulo, MARGEN, MARGEN + LETRA_TITULO) if mostrar_titulo else None
    if not categorias:
        alto = arriba + 60
        return GraficoBarras(
            id=_id(id, titulo),
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
                x=_r(x0),
                y=_r(y),
                ancho=_r(largo),
                alto=grosor,
                color=(colores[i % len(colores)] if colores else color(i)),
                valor_texto=Texto(texto, _r(x0 + largo + 6), _r(base)),
                lineas=tuple(
                    Texto(linea, _r(x0 - 8), _r(primera + k * INTERLINEA), "end")
                    for k, linea in enumerate(grupo)
                ),
            )
        )
    abajo = area_y + len(categorias) * fila
    marcas = tuple(
        Marca(
            valor=v,
            x=_r(x0 + ancho_area * float(v / maximo)),
            etiqueta=Texto(
                formato_eje(v), _r(x0 + ancho_area * float(v / maximo)), _r(abajo + 16), "middle"
            ),
        )
        for v in marcas_valor
    )
    alto = abajo + 16 + 6
    nota_texto = None
    if nota:
        nota_texto = Texto(nota, _r(x0), _r(alto + 18))
        alto += 22
    return GraficoBarras(
        id=_id(id, titulo),
        titulo=titulo,
        descripcion=descripcion,
        ancho=ancho,
        alto=_r(alto + MARGEN),
        barras=tuple(barras),
        marcas=marcas,
        eje_maximo=maximo,
        eje=Linea(_r(x0), _r(area_y), _r(x0), _r(abajo)),
        area_y=_r(area_y),
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
    textos = [formato(_decimal(v)) for _, v in categorias]
    entero = formato is numero and all(_decimal(v) == int(_decimal(v)) for _, v in categorias)
    partes = [f"{nombre}: {texto}" for (nombre, _), texto in zip(categorias, textos, strict=True)]
    descripcion = "Gráfico de barras. " + ("; ".join(partes) + "." if partes else "Sin datos.")
    if total and len(partes) > 1:
        descripcion += f" Total: {formato(sum(_decimal(v) for _, v in categorias))}."
    if nota:
        descripcion += f" {nota.rstrip('.')}."
    return _grafico_barras(
        categorias,
        textos,
        titulo=titulo,
        descripcion=descripcion,
        id=id,
        colores=colores,
        formato_eje=formato_eje or _eje_por_defecto(formato, categorias, entero),
        ancho=ancho,
        mostrar_titulo=mostrar_titulo,
        nota=nota,
        entero=entero,
    )


def _eje_por_defecto(formato: Callable, categorias: Categorias, entero: bool) -> Callable:
    valores = [_decimal(v) for _, v in categorias]
    marcas = eje_redondo(max(valores, default=0), entero=entero)
    return _formato_eje(formato, marcas[1] if len(marcas) > 1 else Decimal(1))


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
    codificado, ejecutado = _decimal(codificado), _decimal(ejecutado)
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
        formato_eje=_eje_por_defecto(dinero, categorias, entero=False),
        ancho=ancho,
        mostrar_titulo=mostrar_titulo,
        nota=nota,
        entero=False,
    )


# --- pie -------------------------------------------------------------------------------------


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


def _punto(cx: float, cy: float, radio: float, angulo: float) -> tuple[float, float]:
    rad = math.radians(angulo)
    return cx + radio * math.sin(rad), cy - radio * math.cos(rad)


def _xy(punto: tuple[float, float]) -> str:
    return f"{punto[0]:.2f} {punto[1]:.2f}"


def camino_porcion(
    cx: float, cy: float, radio: float, interior: float, inicio: float, fin: float
) -> str:
    """SVG path of the slice from `inicio` to `fin` degrees (clockwise from 12 o'clock).

    A full turn is drawn as two half arcs (an arc whose ends coincide draws nothing); the
    hole of a full donut is wound the other way, so it stays empty under either fill rule.
    """
    if fin - inicio >= 359.999:
        sup, inf = (cx, cy - radio), (cx, cy + radio)
        d = f"M {_xy(sup)} A {radio} {radio} 0 1 1 {_xy(inf)} A {radio} {radio} 0 1 1 {_xy(sup)} Z"
        if interior > 0:
            isup, iinf = (cx, cy - interior), (cx, cy + interior)
            d += (
                f" M {_xy(isup)} A {interior} {interior} 0 1 0 {_xy(iinf)}"
                f" A {interior} {interior} 0 1 0 {_xy(isup)} Z"
            )
        return d
    grande = 1 if fin - inicio > 180 else 0
    a, b = _punto(cx, cy, radio, inicio), _punto(cx, cy, radio, fin)
    d = f"M {_xy(a)} A {radio} {radio} 0 {grande} 1 {_xy(b)}"
    if interior > 0:
        c, e = _punto(cx, cy, interior, fin), _punto(cx, cy, interior, inicio)
        d += f" L {_xy(c)} A {interior} {interior} 0 {grande} 0 {_xy(e)} Z"
    else:
        d += f" L {cx:.2f} {cy:.2f} Z"
    return d


def _cabe(
    etiqueta: Texto,
    cx: float,
    cy: float,
    radio: float,
    interior: float,
    inicio: float,
    fin: float,
) -> bool:
    """Whether a centred bold label lies inside its slice (corners and edge midpoints)."""
    mitad = ancho_texto(etiqueta.texto, negrita=True) / 2 + 1
    arriba, abajo = etiqueta.y - LETRA * 0.8, etiqueta.y + LETRA * 0.25
    izquierda, derecha = etiqueta.x - mitad, etiqueta.x + mitad
    centro_y = (arriba + abajo) / 2
    puntos = [
        (x, y)
        for x in (izquierda, etiqueta.x, derecha)
        for y in (arriba, centro_y, abajo)
        if (x, y) != (etiqueta.x, centro_y)
    ]
    for x, y in puntos:
        distancia = math.hypot(x - cx, y - cy)
        if not interior + 1 <= distancia <= radio - 1:
            return False
        if fin - inicio < 359.999:
            angulo = math.degrees(math.atan2(x - cx, cy - y)) % 360
            if not inicio <= angulo <= fin:
                return False
    return True


def _separar(ys: list[float], minimo: float, maximo: float, hueco: float) -> list[float]:
    """Moves sorted baselines apart by at least `hueco`, within [minimo, maximo]."""
    salida = list(ys)
    for i in range(len(salida)):
        piso = minimo if i == 0 else salida[i - 1] + hueco
        salida[i] = max(salida[i], piso)
    for i in range(len(salida) - 1, -1, -1):
        techo = maximo if i == len(salida) - 1 else salida[i + 1] - hueco
        salida[i] = min(salida[i], techo)
    return salida


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
    valores = [_decimal(v) for _, v in categorias]
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
            x=_r(leyenda_x),
            y=_r(leyenda_y + y + 1),
            lado=12,
            lineas=tuple(
                Texto(linea, _r(leyenda_x + 20), _r(leyenda_y + y + 11 + k * INTERLINEA))
                for k, linea in enumerate(lineas)
            ),
            detalle=Texto(
                f"{formato_valor(valor)} · {porcentaje(fraccion(valor), decimales)}",
                _r(leyenda_x + 20),
                _r(leyenda_y + y + 11 + len(lineas) * INTERLINEA),
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
                x, y = _punto(cx, cy, medio_anillo + ajuste, medio)
                etiqueta = Texto(texto, _r(x), _r(y + LETRA * 0.35), "middle")
                if _cabe(etiqueta, cx, cy, radio, interior, inicio, fin):
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
        porciones = _etiquetas_fuera(porciones, fuera, cx, cy, radio, arriba, alto - MARGEN)

    centro: tuple[Texto, ...] = ()
    if dona and porciones:
        centro = (
            Texto("Total", _r(cx), _r(cy - 4), "middle"),
            Texto(formato_valor(total), _r(cx), _r(cy + 13), "middle"),
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
        id=_id(id, titulo),
        titulo=titulo,
        descripcion=descripcion,
        ancho=ancho,
        alto=_r(alto),
        cx=_r(cx),
        cy=_r(cy),
        radio=radio,
        radio_interior=interior,
        porciones=tuple(porciones),
        leyenda=leyenda if total > 0 else (),
        total=total,
        centro=centro,
        titulo_texto=titulo_texto,
        vacio=not porciones,
        sin_datos=Texto("Sin datos", _r(cx), _r(cy + LETRA * 0.35), "middle"),
    )


def _etiquetas_fuera(porciones, fuera, cx, cy, radio, arriba, abajo):
    """Places the percentages of thin slices outside the ring, one above the other per side."""
    porciones = list(porciones)
    for derecha in (True, False):
        lado = [f for f in fuera if f[2] == derecha]
        iniciales = [cy - (radio + 16) * math.cos(math.radians(medio)) for _, medio, _ in lado]
        # Labels above the centre move up, those below move down: away from the ring.
        ys = list(iniciales)
        arriba_k = sorted((k for k in range(len(lado)) if ys[k] < cy), key=lambda k: -ys[k])
        abajo_k = sorted((k for k in range(len(lado)) if ys[k] >= cy), key=lambda k: ys[k])
        for previo, k in itertools.pairwise(arriba_k):
            ys[k] = min(ys[k], ys[previo] - INTERLINEA)
        piso = ys[arriba_k[0]] + INTERLINEA if arriba_k else -math.inf
        for k in abajo_k:
            ys[k] = max(ys[k], piso)
            piso = ys[k] + INTERLINEA
        orden = sorted(range(len(lado)), key=lambda k: ys[k])
        ys = _separar([ys[k] for k in orden], arriba + LETRA, abajo - 2, INTERLINEA)
        for k, y in zip(orden, ys, strict=True):
            indice, medio, _ = lado[k]
            base = y + LETRA * 0.35
            # Radial x, but never inside the ring at the (possibly moved) height.
            dx = abs((radio + 14) * math.sin(math.radians(medio)))
            dy = abs(y - cy)
            if dy < radio + 10:
                dx = max(dx, math.sqrt((radio + 10) ** 2 - dy**2) + 4)
            dx = max(dx, 12)  # off the vertical through the centre, so leaders slant apart
            x = cx + dx if derecha else cx - dx
            desde = _punto(cx, cy, radio + 2, medio)
            porciones[indice] = replace(
                porciones[indice],
                etiqueta=Texto(
                    porciones[indice].porcentaje, _r(x), _r(base), "start" if derecha else "end"
                ),
                guia=Linea(_r(desde[0]), _r(desde[1]), _r(x - 2 if derecha else x + 2), _r(y)),
            )
    return porciones
