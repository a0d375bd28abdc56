"""Points on a circle and the SVG path of a slice (angles clockwise from 12 o'clock)."""

import math


def punto(cx: float, cy: float, radio: float, angulo: float) -> tuple[float, float]:
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
    a, b = punto(cx, cy, radio, inicio), punto(cx, cy, radio, fin)
    d = f"M {_xy(a)} A {radio} {radio} 0 {grande} 1 {_xy(b)}"
    if interior > 0:
        c, e = punto(cx, cy, interior, fin), punto(cx, cy, interior, inicio)
        d += f" L {_xy(c)} A {interior} {interior} 0 {grande} 0 {_xy(e)} Z"
    else:
        d += f" L {cx:.2f} {cy:.2f} Z"
    return d
